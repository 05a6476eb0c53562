"""Vectors a build does not compute again: a vector is reused whenever the exact text it
embedded (talk header included) is in the live index, or in the journal of a build that was
killed. Kept documents (store/documents.py) take their rows' vectors as they are; the texts
of new and changed documents are looked up by their sha1 among the live index's stored
digests (`embed_keys.npz`), and only the rest is embedded."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from recapqa.embed import Embedder
from recapqa.errors import ConfigError, IndexMissingError, IndexOlderError, RecapqaError
from recapqa.settings import Settings
from recapqa.store import Index, load_index
from recapqa.store.journal import EmbeddingJournal
from recapqa.store.segments import joined, views

if TYPE_CHECKING:
    from recapqa.store.documents import Plan

log = logging.getLogger(__name__)


def text_key(kind: str, text: str) -> str:
    """Cache key of an embedded text: chunks ('c') and sentences ('s') never share vectors."""
    return kind + hashlib.sha1(text.encode()).hexdigest()


class _Digests:
    """Rows of (n, 20) sha1 digests found by digest: sorted on their first 8 bytes."""

    def __init__(self, digests: np.ndarray) -> None:
        self.digests = np.ascontiguousarray(digests, dtype=np.uint8)
        heads = self.digests[:, :8].copy().view(np.uint64).ravel() if len(self.digests) else np.zeros(0, np.uint64)
        self.order = np.argsort(heads, kind="stable")
        self.heads = heads[self.order]

    def row(self, digest: bytes) -> int | None:
        head = np.frombuffer(digest[:8], dtype=np.uint64)[0]
        lo, hi = np.searchsorted(self.heads, head, "left"), np.searchsorted(self.heads, head, "right")
        for i in range(int(lo), int(hi)):
            row = int(self.order[i])
            if self.digests[row].tobytes() == digest:
                return row
        return None


class VectorCache:
    """Vectors by `text_key`: the live index's, found by digest, then those computed by
    this or a killed build (a dict)."""

    def __init__(self, journal: dict[str, np.ndarray]) -> None:
        self.known = journal
        self.old: dict[str, tuple[_Digests, np.ndarray]] = {}
        self.old_ids: list[str] = []  # the live index's chunk ids

    def add_index(self, kind: str, digests: np.ndarray, vectors: np.ndarray) -> None:
        self.old[kind] = (_Digests(digests), vectors)

    def get(self, key: str) -> np.ndarray | None:
        if key[0] in self.old:  # the live index first, as when its vectors were put in a dict
            digests, vectors = self.old[key[0]]
            row = digests.row(bytes.fromhex(key[1:]))
            if row is not None:
                return np.asarray(vectors[row])
        return self.known.get(key)

    def __contains__(self, key: str) -> bool:
        return self.get(key) is not None

    def __getitem__(self, key: str) -> np.ndarray:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __setitem__(self, key: str, vector: np.ndarray) -> None:
        self.known[key] = vector


def previous_index(index_dir: Path, settings: Settings) -> Index | None:
    try:
        return load_index(index_dir, settings)
    except (IndexMissingError, IndexOlderError):  # an older one: the build has said so (build._build)
        return None
    except RecapqaError as exc:
        log.warning("existing index unusable (%s); embedding everything again", exc.message)
        return None


def reuse_cache(old: Index | None, settings: Settings, journal: EmbeddingJournal) -> VectorCache:
    """Vectors to reuse: the live index's (`old`), and those a killed build had computed."""
    cache = VectorCache(journal.load())
    if old is None:
        return cache
    from recapqa.store.filestore import embed_digests

    stored = embed_digests(old.path) if settings.store == "file" else _digests_of_rows(old)
    if stored is not None and _add_digests(cache, old, stored):
        cache.old_ids = stored[2].tolist()
        return cache
    cache.old_ids = [c.chunk_id for c in old.chunks]
    for c, v in zip(old.chunks, old.store.chunk_vectors(), strict=True):  # an older index: its rows
        cache.known.setdefault(text_key("c", c.embed_text), v)
    for s, v in zip(old.sentences, old.sentence_vectors, strict=True):
        cache.known.setdefault(text_key("s", s.embed_text), v)
    return cache


def add_file_index(cache: VectorCache, index_dir: Path, settings: Settings) -> int:
    """A PostgreSQL build with no index in the database yet (moving from the file store)
    reuses the vectors of the file index in the index folder, by text digest as from a live
    index: the file index loads only when its format and embedding model are this
    process's (`check_compatible`), so vectors of two models are never mixed, and only when
    its embedding precision is the build's (RECAPQA_EMBED_PRECISION). Its rows are
    not used (every notes file is parsed, as for any first build); the number of chunk
    vectors it offers, 0 when there is none."""
    if settings.store != "postgres" or "c" in cache.old:
        return 0
    from recapqa.store.files import current_generation
    from recapqa.store.filestore import embed_digests

    try:  # CURRENT names the file index's generation (a PostgreSQL build points it at pg-<id>)
        if not current_generation(index_dir).name.startswith("gen-"):
            return 0
    except RecapqaError:
        return 0

    files = previous_index(index_dir, settings.model_copy(update={"store": "file"}))
    if files is not None and files.precision != settings.embed_precision:
        return 0
    stored = embed_digests(files.path) if files is not None else None
    if files is None or stored is None or not _add_digests(cache, files, stored):
        return 0
    log.info("reusing the vectors of the file index %s (%d chunks)", files.path.name, len(files.chunks))
    return len(files.chunks)


def _add_digests(cache: VectorCache, index: Index, stored: tuple[np.ndarray, ...]) -> bool:
    """Offer `index`'s chunk and sentence vectors by their stored text digests, when the
    digests cover its rows one for one (else nothing: vectors are never paired by guess)."""
    if len(stored[0]) != len(index.chunks) or len(stored[1]) != len(index.sentences):
        return False
    cache.add_index("c", stored[0], index.store.chunk_vectors())
    cache.add_index("s", stored[1], index.sentence_vectors)
    return True


def _digests_of_rows(old: Index) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`filestore.embed_digests` from the loaded rows (a store with no digests stored)."""
    from recapqa.store.generation import text_digests

    chunks = text_digests([c.embed_text for c in old.chunks])
    ids = np.array([c.chunk_id for c in old.chunks], dtype=str)
    return chunks, text_digests([s.embed_text for s in old.sentences]), ids


def _counter(progress: Callable[[int, int], None] | None, total: int) -> Callable[[int], None] | None:
    """Chunks then sentences as one task for the caller's progress bar: (done, total)."""
    if progress is None or not total:
        return None
    done = 0

    def step(count: int) -> None:
        nonlocal done
        done += count
        progress(done, total)

    return step


@dataclass
class Vectors:
    chunks: np.ndarray
    sentences: np.ndarray
    embedded: int  # chunks embedded
    sentences_embedded: int
    removed: int  # chunk ids of the live index no longer in it


def assemble_vectors(
    plan: Plan,
    cache: VectorCache,
    embedder: Callable[[], Embedder],
    progress: Callable[[int, int], None] | None,
    journal: EmbeddingJournal,
) -> Vectors:
    """The plan's vectors in row order: kept documents' rows from the live index as they
    are (views of its memory-mapped segments, not copied), new documents' by text (cached,
    or embedded now)."""
    fresh_chunks = [c for p in plan.parts if p.chunks is not None for c in p.chunks]
    fresh_sentences = [s for p in plan.parts if p.sentences is not None for s in p.sentences]
    chunk_texts, sentence_texts = [c.embed_text for c in fresh_chunks], [s.embed_text for s in fresh_sentences]
    step = _counter(progress, missing("c", chunk_texts, cache) + missing("s", sentence_texts, cache))
    new_chunks, embedded = embed("c", chunk_texts, cache, embedder, step, journal)
    new_sentences, sentences_embedded = embed("s", sentence_texts, cache, embedder, step, journal)
    out = {}
    runs = plan.runs()  # runs of kept documents: their vectors are read where they are
    for kind, new in (("chunks", new_chunks), ("sentences", new_sentences)):
        pieces, at = [], 0
        for run in runs:
            if run.old is None:
                count = len((run.chunks if kind == "chunks" else run.sentences) or [])
                pieces.append(new[at : at + count])
                at += count
            else:
                pieces += views(cache.old[kind[0]][1], *run.old[kind])
        out[kind] = joined(pieces, new.shape[1])
    ids = {c.chunk_id for c in fresh_chunks}
    for part in plan.parts:
        if part.old is not None:
            ids.update(cache.old_ids[part.old["chunks"][0] : part.old["chunks"][1]])
    removed = len(set(cache.old_ids) - ids)
    return Vectors(out["chunks"], out["sentences"], embedded, sentences_embedded, removed)


def missing(kind: str, texts: list[str], cache: VectorCache) -> int:
    return sum(text_key(kind, text) not in cache for text in set(texts))


def embed(
    kind: str,
    texts: list[str],
    cache: VectorCache,
    embedder: Callable[[], Embedder],
    progress: Callable[[int], None] | None,
    journal: EmbeddingJournal,
    batch: int = 256,
) -> tuple[np.ndarray, int]:
    """Vectors for `texts`, embedding only those whose (kind, text) is not cached; each
    batch goes to the journal at once, so a killed build loses one batch at most."""
    keys = [text_key(kind, text) for text in texts]
    found: dict[str, np.ndarray] = {}
    first: dict[str, int] = {}
    for row, key in enumerate(keys):
        if key in found or key in first:
            continue
        vector = cache.get(key)
        if vector is None:
            first[key] = row  # a text repeated in the corpus is embedded once
        else:
            found[key] = vector
    todo = list(first.values())
    if todo:
        model = embedder()
        made = getattr(model, "precision", None)  # test doubles may not say
        if made is not None and made != journal.precision:
            raise ConfigError(
                f"the indexing embedder computes {made} vectors, this build records {journal.precision}",
                "pass the embedder of RECAPQA_EMBED_PRECISION (recapqa.embed.default_embedder)",
            )
        for start in range(0, len(todo), batch):
            rows = todo[start : start + batch]
            vectors = model.embed([texts[r] for r in rows])
            journal.add([keys[r] for r in rows], vectors)
            for row, vector in zip(rows, vectors, strict=True):
                cache[keys[row]] = found[keys[row]] = vector
            if progress:
                progress(len(rows))
    if not keys:
        return np.zeros((0, journal.model.dimension), dtype=np.float32), 0
    return np.stack([found[k] for k in keys]).astype(np.float32), len(todo)
