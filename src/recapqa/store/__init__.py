"""The index, loaded as one `Index`: talks, chunks, sentences and their vectors, and the
chunk search (`VectorStore`) of the backend that holds it (files or PostgreSQL)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

import numpy as np

from recapqa.embed import EmbeddingModel, active_model
from recapqa.errors import IndexIncompatibleError, IndexNewerError, IndexOlderError
from recapqa.models import Chunk, Talk
from recapqa.sentences import Sentence
from recapqa.settings import EmbedPrecision
from recapqa.store.files import REBUILD_FIX
from recapqa.store.interface import VectorStore

if TYPE_CHECKING:
    from recapqa.settings import Settings
    from recapqa.store.gist_lookup import GistLookup

FORMAT_VERSION = 1
# Bump when segmentation, chunking or sentence splitting changes what an index holds.
# 4: labels of lists as lead-ins, one-word items under sub-headings, talks' recordings; 5: gist rows per segment;
# 6: rST directive markers dropped, nested rST lists led in across the blank line, 'Ryan’s talk on …' speakers;
# 7: gist rows memory-mapped (gist_rows.npy) with each talk's phrases counted;
# 8: an event's own page is one section, talks introduced in a headingless post's prose;
# 9: speakers named by a first name only in a talk's heading ('Tas - Title', 'David (Org) Title');
# 10: a talk introduced in prose ends at the next paragraph that speaks of talks;
# 11: talk ids keep letters that have no ASCII form (titles in other scripts were 'section', 'section-2');
#     a heading naming a sub-section word and a speaker ('Links talk - Bob Ray, Umbrella') is a talk
# 12: numbered sub-items indented under an item hang under it as bulleted ones do
# 13: speakers named in Greek, Cyrillic or CJK script, or with a capital with diacritics after a label;
#     names compared with their letters folded ('Núñez' = 'Nunez'; corpus word tables count them so);
#     a zero-width space inside a byline ignored
# 14: a sentence knows it labels the bullets below it with a short label and its gist (`Sentence.gist_label`)
PIPELINE_VERSION = 14
OLDER = "the index was built by an older recapqa"  # how both reasons to rebuild an older one start


@dataclass
class Index:
    path: Path  # the generation (a folder, or `pg-<id>` under the index folder for PostgreSQL)
    manifest: dict[str, Any]
    talks: dict[str, Talk]
    chunks: list[Chunk]
    sentences: list[Sentence]
    store: VectorStore
    sentence_vectors: np.ndarray
    chunk_sentences: list[list[int]] = field(default_factory=list)
    gist: GistLookup | None = None  # the stored gist rows (store/gist_rows.py), when the index has them
    words: dict[str, Any] | None = None  # the corpus word tables, when the backend holds them (PostgreSQL)
    _chunk_talks: list[str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.chunk_sentences:
            self.chunk_sentences = sentences_by_chunk(self.chunks, self.sentences)

    def chunk_talk_ids(self) -> list[str]:
        """Each chunk row's talk id, read from the rows once and kept (a filtered request asks
        it of every row; the rows themselves are parsed on demand and not all kept). Two
        threads asking at once both read it: the same list."""
        if self._chunk_talks is None:
            same = {t: t for t in self.talks}  # one string per talk, not one per row
            read = getattr(self.chunks, "talk_ids", None)  # rows in a database: the ids alone
            ids = read() if read is not None else (c.talk_id for c in self.chunks)
            self._chunk_talks = [same.get(t, t) for t in ids]
        return self._chunk_talks

    @property
    def precision(self) -> str:
        """The arithmetic its vectors were embedded in (fp32 or int8): its queries' too."""
        return index_precision(self.manifest)

    @property
    def corpus_hash(self) -> str:
        return str(self.manifest.get("corpus_hash", ""))

    def check_files(self) -> None:
        """IndexCorruptError when a file memory-mapped from the index folder (this
        generation's files, the query encoder's weights beside it) was cut short in place
        since it was mapped (recapqa/mapped.py): reading it would end the process."""
        from recapqa.embed.onnx_export import encoder_dir
        from recapqa.mapped import check
        from recapqa.store.files import REBUILD_FIX

        check((self.path, self.path.parent / encoder_dir(self.precision)), REBUILD_FIX)  # not older generations' files


def sentences_by_chunk(chunks: list[Chunk], sentences: list[Sentence]) -> list[list[int]]:
    by_source: dict[tuple[str, str], list[int]] = {}
    for row, sentence in enumerate(sentences):
        by_source.setdefault((sentence.source, sentence.talk_id), []).append(row)
    out = []
    for chunk in chunks:
        rows = by_source.get((chunk.source, chunk.talk_id), [])
        out.append(
            [
                r
                for r in rows
                if sentences[r].span.char_start >= chunk.span.char_start
                and sentences[r].span.char_end <= chunk.span.char_end
            ]
        )
    return out


def index_precision(manifest: dict[str, Any]) -> str:
    """The embedding precision a manifest records (indexes from before the setting: fp32)."""
    return str((manifest.get("model") or {}).get("precision", "fp32"))


def check_compatible(manifest: dict[str, Any], model: EmbeddingModel | None = None) -> None:
    """The index's format and embedding model are the ones this process uses (`model`, by
    default the configured RECAPQA_EMBED_MODEL): vectors of two models are never mixed. Its
    embedding precision is one this process makes an encoder of (RECAPQA_EMBED_PRECISION
    need not be it: queries use the index's)."""
    newer = newer_versions(manifest)
    if newer:
        raise IndexNewerError(
            f"the index was written by a newer recapqa ({newer}); this version reads index format "
            f"{FORMAT_VERSION}, pipeline {PIPELINE_VERSION} and leaves it as it is",
            "upgrade recapqa to the version that built it, or run `recapqa index --rebuild` to replace it "
            "with an index of this version (built again from the corpus)",
        )
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise IndexOlderError(f"{OLDER} (index format {version}; this version's is {FORMAT_VERSION})", REBUILD_FIX)
    expected = model or active_model()
    built = manifest.get("model", {})
    if built.get("name") != expected.name or built.get("dimension") != expected.dimension:
        raise IndexIncompatibleError(
            f"index was built with embedding model {built.get('name')} ({built.get('dimension')} dimensions), "
            f"this process uses {expected.name} ({expected.dimension}; RECAPQA_EMBED_MODEL)",
            f"{REBUILD_FIX}, or set RECAPQA_EMBED_MODEL to the model the index was built with",
        )
    precision = index_precision(manifest)
    if precision not in get_args(EmbedPrecision):  # no encoder of it is made: its queries could not be embedded
        raise IndexIncompatibleError(f"index was built with embedding precision {precision}, unknown here", REBUILD_FIX)


def newer_versions(manifest: dict[str, Any]) -> str:
    """The versions a manifest records that are higher than this code's (index format,
    pipeline), said as 'index format 2, pipeline 11'; empty when none is."""
    chunking = manifest.get("chunking")
    recorded = {
        "index format": (manifest.get("format_version"), FORMAT_VERSION),
        "pipeline": ((chunking or {}).get("pipeline") if isinstance(chunking, dict) else None, PIPELINE_VERSION),
    }
    return ", ".join(
        f"{name} {value}"
        for name, (value, ours) in recorded.items()
        if isinstance(value, int) and not isinstance(value, bool) and value > ours
    )


def load_index(index_dir: Path, settings: Settings | None = None) -> Index:
    """The live index generation of the configured backend (`RECAPQA_STORE`)."""
    from recapqa.store.backends import open_backend

    return open_backend(index_dir, settings).load()
