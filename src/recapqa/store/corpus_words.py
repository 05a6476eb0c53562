"""What the answerer and the talk matcher need to know of the whole corpus, computed once
when an index is built and stored beside it (`corpus_words.json`, listed in the manifest
and checksummed like every index file): the words the notes only write capitalised, how
many sentences hold each term (IDF), the talk aliases too common to name a talk, and the
sentence rows of each talk.

Reading every sentence for these took most of `serve` start-up (issue 13); loading them is
one JSON read. A build does not read every note again either: the tables are sums over the
corpus's documents, and `corpus_words_state.json` (beside the tables, checksummed with the
index; read by builds only) keeps the sums and where each document's rows are, so a build
subtracts what the changed and removed documents contributed (recounted from the previous
generation's rows) and adds what the changed and new ones do (`update`). The tables are the
same, byte for byte, as counting everything again. Everything per sentence or per talk is computed on demand, for the
sentences a question retrieves (answer/facts.py). An index without this file (built by an
older version, or a PostgreSQL index) gets the same tables computed at load: slower, never
different.
"""

from __future__ import annotations

import json
import logging
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from recapqa.errors import IndexCorruptError
from recapqa.models import Chunk, Talk
from recapqa.sentences import Sentence
from recapqa.store import corpus_sums
from recapqa.store.corpus_sums import (
    FILE,
    MANIFEST_KEY,
    STATE,
    STATE_VERSION,
    VERSION,
    CorpusSums,
    DocRows,
    OldRows,
    State,
    document_runs,
    documents_of,
    is_current,
    manifest_entry,
    previous_state,
    proper_nouns_of,
    sums_from,
)
from recapqa.store.files import REBUILD_FIX
from recapqa.talk_mentions import AliasFinder, all_aliases, common_of, ordinary_of
from recapqa.text import Idf

if TYPE_CHECKING:
    from recapqa.store import Index

# the file names, manifest key and version live with the sums; consumers read them here
__all__ = ["FILE", "MANIFEST_KEY", "STATE", "CorpusWords", "compute", "is_current", "load", "update", "write"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CorpusWords:
    proper_nouns: frozenset[str]  # text.corpus_proper_nouns, over the chunks
    idf: Idf  # over the sentences
    common_aliases: frozenset[str]  # talk_mentions.common_of, over each talk's notes
    ordinary_aliases: frozenset[str]  # talk_mentions.ordinary_of, the same way
    talk_rows: dict[str, list[int]]  # the sentence rows of each talk, in order


class StoredIdf(Idf):
    """`text.Idf` from stored document frequencies: the same numbers, no text read."""

    def __init__(self, counts: dict[str, int], documents: int) -> None:
        self.n = max(1, documents)
        self._idf = {t: math.log(1 + self.n / c) for t, c in counts.items()}
        self.unknown = math.log(1 + self.n)


def _tables(talks: Iterable[Talk], chunks: Sequence[Chunk], sentences: Sequence[Sentence]) -> dict[str, Any]:
    """The tables, counting every document again (the corpus as one document's sums)."""
    talks = list(talks)
    wanted = all_aliases(talks)
    sums = corpus_sums.document_sums(chunks, sentences, AliasFinder(wanted))
    return _tables_of(sums, talks, wanted, (len(chunks), len(sentences)), _runs(sentences))


def _tables_of(
    sums: CorpusSums,
    talks: list[Talk],
    wanted: frozenset[str],
    counts: tuple[int, int],
    talk_rows: dict[str, list[tuple[int, int]]],
) -> dict[str, Any]:
    """The tables from the corpus's sums; `wanted`: every talk's aliases, `counts`: how many
    chunks and sentences the index holds."""
    return {
        "version": VERSION,
        "sentences": counts[1],
        "chunks": counts[0],
        "proper_nouns": proper_nouns_of(sums),
        "term_counts": dict(sorted(sums.terms.items())),
        **_alias_tables(talks, Counter({a: sums.aliases[a] for a in wanted}), sums.talks),
        "talk_rows": talk_rows,
    }


def _alias_tables(talks: list[Talk], talks_using: Counter[str], talks_with_notes: int) -> dict[str, list[str]]:
    """The aliases too common to name a talk, and those that name one without ranking it first."""
    return {
        "common_aliases": sorted(common_of(talks_using, talks_with_notes)),
        "ordinary_aliases": sorted(ordinary_of(talks_using, talks, talks_with_notes)),
    }


def _runs(sentences: Sequence[Sentence]) -> dict[str, list[tuple[int, int]]]:
    """Each talk's sentence rows as [start, end) runs (usually one: a talk's sentences
    are consecutive)."""
    runs: dict[str, list[tuple[int, int]]] = {}
    for row, sentence in enumerate(sentences):
        talk = runs.setdefault(sentence.talk_id, [])
        if talk and talk[-1][1] == row:
            talk[-1] = (talk[-1][0], row + 1)
        else:
            talk.append((row, row + 1))
    return runs


def write(
    folder: Path,
    talks: Iterable[Talk],
    chunks: Sequence[Chunk],
    sentences: Sequence[Sentence],
    previous: Path | None = None,
    layout: list[DocRows] | None = None,
    aliases: frozenset[str] | None = None,
) -> dict[str, Any]:
    """Compute the tables and write them into an index generation being built; returns the
    manifest entry. `previous`: the live generation, whose stored sums are updated for the
    documents that changed (`update`) instead of counting every document again."""
    data, state = update(list(talks), chunks, sentences, previous, layout, aliases)
    (folder / FILE).write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    if state is not None:
        (folder / STATE).write_text(json.dumps(state, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return manifest_entry()


def update(
    talks: list[Talk],
    chunks: Sequence[Chunk],
    sentences: Sequence[Sentence],
    previous: Path | None,
    layout: list[DocRows] | None = None,
    aliases: frozenset[str] | None = None,
    stored: tuple[State | None, OldRows] | None = None,
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The tables (as `_tables` computes them) and the sums to store for the next build.
    `layout`: where the build put each document's rows (then they are not scanned);
    `aliases`: every talk's aliases (`all_aliases(talks)`), when the build knows them;
    `stored`: the live generation's sums and rows when they are not in a folder `previous`
    (PostgreSQL: the sums from its generation row, its rows read when asked for)."""
    # the previous generation's sums (copied: they are updated)
    found = stored[0] if stored is not None else previous_state(previous)
    docs = document_runs(chunks, sentences) if layout is None else documents_of(layout, chunks, sentences, found)
    if docs is None:
        return _tables(talks, chunks, sentences), None
    wanted = all_aliases(talks) if aliases is None else aliases
    updated = sums_from(previous, found, docs, wanted, chunks, sentences, stored[1] if stored else None)
    if updated is None:
        finder = AliasFinder(wanted)
        sums = CorpusSums(Counter(), Counter(), Counter(), Counter())
        for doc in docs.values():
            sums.add(corpus_sums.sums_of(chunks, sentences, doc, finder))
        looked_for = wanted
    else:
        sums, looked_for = updated
    talk_rows = _runs(sentences) if layout is None else _layout_runs(layout)
    data = _tables_of(sums, talks, wanted, (len(chunks), len(sentences)), talk_rows)
    state = {
        "version": STATE_VERSION,
        "aliases": sorted(looked_for),
        "documents": docs,
        "upper": dict(sorted(sums.upper.items())),
        "lower": dict(sorted(sums.lower.items())),
        "alias_talks": dict(sorted(sums.aliases.items())),
        "talks": sums.talks,
    }
    return data, state


def _layout_runs(layout: list[DocRows]) -> dict[str, list[tuple[int, int]]]:
    """`_runs` from each document's talks' sentence counts (a talk's sentences are
    consecutive, and talk ids are unique across documents)."""
    runs: dict[str, list[tuple[int, int]]] = {}
    for doc in layout:
        row = doc.sentences[0]
        for talk_id, count in doc.talk_sentences:
            if count:
                runs[talk_id] = [(row, row + count)]
            row += count
    return runs


def _from_tables(data: dict[str, Any]) -> CorpusWords:
    return CorpusWords(
        proper_nouns=frozenset(data["proper_nouns"]),
        idf=StoredIdf(data["term_counts"], data["sentences"]),
        common_aliases=frozenset(data["common_aliases"]),
        ordinary_aliases=frozenset(data["ordinary_aliases"]),
        # in row order whatever order the store kept the keys in (PostgreSQL's jsonb sorts them)
        talk_rows={
            t: [r for start, end in runs for r in range(start, end)]
            for t, runs in sorted(data["talk_rows"].items(), key=lambda item: item[1][0][0] if item[1] else -1)
        },
    )


def compute(index: Index) -> CorpusWords:
    """The tables computed from a loaded index (what an index without the file costs)."""
    return _from_tables(_tables(index.talks.values(), index.chunks, index.sentences))


def load(index: Index) -> CorpusWords:
    """The stored tables when the index lists them, else computed now (with a hint). A file
    the manifest lists that does not match the index is an IndexCorruptError, never
    silently used. A PostgreSQL index holds them in its generation row (`Index.words`)."""
    if index.words is not None:
        if index.words.get("sentences") != len(index.sentences) or index.words.get("chunks") != len(index.chunks):
            raise IndexCorruptError(f"the corpus word tables of {index.path.name} do not match its rows", REBUILD_FIX)
        return _from_tables(index.words)
    if not is_current(index.manifest):
        log.info("index has no stored corpus word tables (older version or this backend); computing them")
        return compute(index)
    name = index.path.name
    try:
        data = json.loads((index.path / FILE).read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("version") != VERSION:
            raise ValueError("version")
        if data.get("sentences") != len(index.sentences) or data.get("chunks") != len(index.chunks):
            raise IndexCorruptError(f"index file {FILE} in {name} does not match its sentences", REBUILD_FIX)
        return _from_tables(data)
    except IndexCorruptError:
        raise
    except OSError as exc:
        raise IndexCorruptError(f"index file {FILE} in {name} cannot be read ({exc.strerror})", REBUILD_FIX) from exc
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise IndexCorruptError(
            f"index file {FILE} in {name} is malformed ({type(exc).__name__})", REBUILD_FIX
        ) from exc
