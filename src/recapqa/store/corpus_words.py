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

import hashlib
import json
import logging
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from recapqa.errors import IndexCorruptError
from recapqa.hashing import file_sha256
from recapqa.models import Chunk, Talk
from recapqa.sentences import Sentence
from recapqa.store.files import REBUILD_FIX, read_manifest
from recapqa.talk_mentions import AliasFinder, alias_limit, all_aliases, common_aliases, talk_notes
from recapqa.text import GENERIC_NAMES, WORD, Idf, terms

if TYPE_CHECKING:
    from recapqa.store import Index

FILE = "corpus_words.json"
STATE = "corpus_words_state.json"  # what builds need to update the tables (`update`)
# Bump when what is stored, or how it is computed, changes: older indexes are then rebuilt.
VERSION = 2
MANIFEST_KEY = "corpus_words"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CorpusWords:
    proper_nouns: frozenset[str]  # answer/question.py corpus_proper_nouns, over the chunks
    idf: Idf  # over the sentences
    common_aliases: frozenset[str]  # talk_mentions.common_aliases, over each talk's notes
    talk_rows: dict[str, list[int]]  # the sentence rows of each talk, in order


class StoredIdf(Idf):
    """`text.Idf` from stored document frequencies: the same numbers, no text read."""

    def __init__(self, counts: dict[str, int], documents: int) -> None:
        self.n = max(1, documents)
        self._idf = {t: math.log(1 + self.n / c) for t, c in counts.items()}
        self.unknown = math.log(1 + self.n)


def manifest_entry() -> dict[str, Any]:
    return {"file": FILE, "version": VERSION}


def is_current(manifest: dict[str, Any]) -> bool:
    """Does an index with this manifest hold the tables this version reads?"""
    return manifest.get(MANIFEST_KEY) == manifest_entry()


def _tables(talks: Iterable[Talk], chunks: list[Chunk], sentences: list[Sentence]) -> dict[str, Any]:
    # the answerer's own definition, imported here only: the one place the store reads answer/
    from recapqa.answer.question import corpus_proper_nouns

    counts: Counter[str] = Counter()
    for sentence in sentences:
        counts.update(set(terms(sentence.text)))
    return {
        "version": VERSION,
        "sentences": len(sentences),
        "chunks": len(chunks),
        "proper_nouns": sorted(corpus_proper_nouns([c.text for c in chunks])),
        "term_counts": dict(sorted(counts.items())),
        "common_aliases": sorted(common_aliases(list(talks), talk_notes(chunks))),
        "talk_rows": _runs(sentences),
    }


def _runs(sentences: list[Sentence]) -> dict[str, list[tuple[int, int]]]:
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
    chunks: list[Chunk],
    sentences: list[Sentence],
    previous: Path | None = None,
) -> dict[str, Any]:
    """Compute the tables and write them into an index generation being built; returns the
    manifest entry. `previous`: the live generation, whose stored sums are updated for the
    documents that changed (`update`) instead of counting every document again."""
    data, state = update(list(talks), chunks, sentences, previous)
    (folder / FILE).write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    if state is not None:
        (folder / STATE).write_text(json.dumps(state, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return manifest_entry()


# --- the tables as sums over documents ------------------------------------------------------

STATE_VERSION = 1


@dataclass
class _Sums:
    """The tables before their last step, as counts that documents add to: in how many
    documents each word is written capitalised mid-sentence and each stem in lower case
    (`corpus_proper_nouns`), in how many sentences each term is (IDF), in how many talks'
    notes each alias is (`common_aliases`), and how many talks have notes."""

    upper: Counter[str]
    lower: Counter[str]
    terms: Counter[str]
    aliases: Counter[str]
    talks: int = 0

    def add(self, part: _Sums, sign: int = 1) -> bool:
        """Add (or with sign -1 take away) a document's part; False if that would make a
        count negative (the stored sums do not hold that document)."""
        for mine, theirs in ((self.upper, part.upper), (self.lower, part.lower), (self.terms, part.terms)):
            if not _add(mine, theirs, sign):
                return False
        if not _add(self.aliases, part.aliases, sign):
            return False
        self.talks += sign * part.talks
        return self.talks >= 0


def _add(mine: Counter[str], theirs: Counter[str], sign: int) -> bool:
    for key, count in theirs.items():
        total = mine[key] + sign * count
        if total < 0:
            return False
        if total:
            mine[key] = total
        else:
            del mine[key]
    return True


def _part(chunks: list[Chunk], sentences: list[Sentence], finder: AliasFinder) -> _Sums:
    """One document's part of the sums (its chunks and sentences)."""
    upper: set[str] = set()
    lower: set[str] = set()
    for chunk in chunks:  # answer/question.py corpus_proper_nouns, split before its last step
        for sentence in re.split(r"(?<=[.!?:])\s+|\n", chunk.text):
            for i, token in enumerate(WORD.findall(sentence)):
                word = re.sub(r"['’]s$", "", token.lower())
                if token[0].isupper() and i > 0:
                    upper.add(word)
                elif token[0].islower():
                    lower.update(terms(word))
    counts: Counter[str] = Counter()
    for sentence in sentences:
        counts.update(set(terms(sentence.text)))
    found: Counter[str] = Counter()
    notes = talk_notes(chunks)
    for text in notes.values():
        found.update(finder.found(text))
    return _Sums(Counter(upper), Counter(lower), counts, found, len(notes))


def _proper_nouns(sums: _Sums) -> list[str]:
    lower = sums.lower.keys()
    return sorted(w for w in sums.upper if not set(terms(w)) & lower and w not in GENERIC_NAMES and len(w) > 2)


def _documents(chunks: list[Chunk], sentences: list[Sentence]) -> dict[str, dict[str, Any]] | None:
    """Each document's rows ([start, end) of chunks and of sentences: a build lists them
    document by document) and a hash of everything its part depends on. None when the rows
    are not in runs per document, or a talk's notes span documents: then no sums."""
    docs: dict[str, dict[str, Any]] = {}
    for kind, rows in (("chunks", chunks), ("sentences", sentences)):
        start = 0
        for row in range(len(rows) + 1):
            if row < len(rows) and row > start and rows[row].source == rows[start].source:
                continue
            if row > start:
                doc = docs.setdefault(rows[start].source, {"chunks": [0, 0], "sentences": [0, 0]})
                if doc[kind] != [0, 0]:
                    return None  # a document's rows in two runs
                doc[kind] = [start, row]
            start = row
    talk_docs: dict[str, str] = {}
    for source, doc in docs.items():
        digest = hashlib.sha1(str(STATE_VERSION).encode())
        for kind, rows in (("chunks", chunks), ("sentences", sentences)):
            digest.update(kind.encode())
            for item in rows[doc[kind][0] : doc[kind][1]]:
                digest.update(f"\x00{item.talk_id}\x01{item.text}".encode())
                if kind == "chunks" and talk_docs.setdefault(item.talk_id, source) != source:
                    return None
        doc["key"] = digest.hexdigest()
    return docs


def _previous_state(previous: Path | None) -> tuple[dict[str, Any], Counter[str]] | None:
    """The live generation's stored sums, if it has them, checksum-verified."""
    if previous is None or not (previous / STATE).is_file():
        return None
    try:
        manifest = read_manifest(previous)
        checksums = manifest.get("checksums", {})
        for name in (STATE, FILE):
            if not is_current(manifest) or checksums.get(name) != file_sha256(previous / name):
                return None
        state = json.loads((previous / STATE).read_text(encoding="utf-8"))
        tables = json.loads((previous / FILE).read_text(encoding="utf-8"))
        if state.get("version") != STATE_VERSION or tables.get("version") != VERSION:
            return None
        return state, Counter(tables["term_counts"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.info("previous corpus word sums unusable (%s); counting every document", exc)
        return None


def update(
    talks: list[Talk], chunks: list[Chunk], sentences: list[Sentence], previous: Path | None
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The tables (as `_tables` computes them) and the sums to store for the next build."""
    docs = _documents(chunks, sentences)
    if docs is None:
        return _tables(talks, chunks, sentences), None
    wanted = all_aliases(talks)
    updated = _sums_from(previous, docs, wanted, chunks, sentences)
    if updated is None:
        finder = AliasFinder(wanted)
        sums = _Sums(Counter(), Counter(), Counter(), Counter())
        for doc in docs.values():
            sums.add(_part(_rows(chunks, doc, "chunks"), _rows(sentences, doc, "sentences"), finder))
        looked_for = wanted
    else:
        sums, looked_for = updated
    limit = alias_limit(sums.talks)
    data = {
        "version": VERSION,
        "sentences": len(sentences),
        "chunks": len(chunks),
        "proper_nouns": _proper_nouns(sums),
        "term_counts": dict(sorted(sums.terms.items())),
        "common_aliases": sorted(a for a in wanted if sums.aliases[a] > limit),
        "talk_rows": _runs(sentences),
    }
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


def _rows(rows: Sequence[Any], doc: dict[str, Any], kind: str) -> list[Any]:
    start, end = doc[kind]
    return list(rows[start:end])


def _sums_from(
    previous: Path | None,
    docs: dict[str, dict[str, Any]],
    wanted: frozenset[str],
    chunks: list[Chunk],
    sentences: list[Sentence],
) -> tuple[_Sums, frozenset[str]] | None:
    """The previous generation's sums with the changed documents' parts replaced, or None
    (count everything): no usable sums, or a talk alias they did not look for."""
    found = _previous_state(previous)
    if found is None or previous is None:
        return None
    state, term_counts = found
    looked_for = frozenset(state["aliases"])
    if not wanted <= looked_for:
        return None  # a new alias: every talk's notes must be searched for it
    old_docs: dict[str, dict[str, Any]] = state["documents"]
    sums = _Sums(Counter(state["upper"]), Counter(state["lower"]), term_counts, Counter(state["alias_talks"]))
    sums.talks = int(state["talks"])
    gone = [d for source, d in old_docs.items() if docs.get(source, {}).get("key") != d["key"]]
    new = [d for source, d in docs.items() if old_docs.get(source, {}).get("key") != d["key"]]
    if len(gone) + len(new) > len(docs) // 2:
        return None  # as fast to count everything
    finder = AliasFinder(looked_for)  # the parts in the sums looked for these: so do these
    if gone:
        from recapqa.store.rows import JsonlRows

        try:
            old_chunks = JsonlRows(previous / "chunks.jsonl", Chunk.from_dict)
            old_sentences = JsonlRows(previous / "sentences.jsonl", Sentence.from_dict)
            for doc in gone:
                part = _part(_rows(old_chunks, doc, "chunks"), _rows(old_sentences, doc, "sentences"), finder)
                if not sums.add(part, -1):
                    return None
        except (OSError, ValueError, IndexError, IndexCorruptError) as exc:
            log.info("previous index rows unusable (%s); counting every document", exc)
            return None
    for doc in new:
        sums.add(_part(_rows(chunks, doc, "chunks"), _rows(sentences, doc, "sentences"), finder))
    return sums, looked_for


def _from_tables(data: dict[str, Any]) -> CorpusWords:
    return CorpusWords(
        proper_nouns=frozenset(data["proper_nouns"]),
        idf=StoredIdf(data["term_counts"], data["sentences"]),
        common_aliases=frozenset(data["common_aliases"]),
        talk_rows={t: [r for start, end in runs for r in range(start, end)] for t, runs in data["talk_rows"].items()},
    )


def compute(index: Index) -> CorpusWords:
    """The tables computed from a loaded index (what an index without the file costs)."""
    return _from_tables(_tables(index.talks.values(), index.chunks, index.sentences))


def load(index: Index) -> CorpusWords:
    """The stored tables when the index lists them, else computed now (with a hint). A file
    the manifest lists that does not match the index is an IndexCorruptError, never
    silently used."""
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
