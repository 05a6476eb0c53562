"""The corpus word tables (store/corpus_words.py) as sums over documents, so that a build
updates them for the documents that changed instead of counting every document again: in
how many documents each word is written capitalised mid-sentence and each stem in lower
case, in how many sentences each term is, in how many talks' notes each alias is. The sums,
each document's row ranges and a hash of what its part depends on are kept in
`corpus_words_state.json` beside the tables (checksummed with the index, read by builds
only)."""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recapqa.errors import IndexCorruptError
from recapqa.hashing import file_sha256
from recapqa.models import Chunk
from recapqa.sentences import Sentence
from recapqa.store.files import read_manifest
from recapqa.talk_mentions import AliasFinder, talk_notes
from recapqa.text import cased_words_of, proper_nouns, terms

FILE = "corpus_words.json"
STATE = "corpus_words_state.json"  # what builds need to update the tables (`update`)
# Bump when what is stored, or how it is computed, changes: older indexes are then rebuilt.
VERSION = 5  # 5: ordinary_aliases (talk_mentions.ordinary_of)
MANIFEST_KEY = "corpus_words"

log = logging.getLogger(__name__)


def manifest_entry() -> dict[str, Any]:
    return {"file": FILE, "version": VERSION}


def is_current(manifest: dict[str, Any]) -> bool:
    """Does an index with this manifest hold the tables this version reads?"""
    return manifest.get(MANIFEST_KEY) == manifest_entry()


# --- the tables as sums over documents ------------------------------------------------------

STATE_VERSION = 3


@dataclass
class CorpusSums:
    """The tables before their last step, as counts that documents add to: in how many
    documents each word is written capitalised mid-sentence and each stem in lower case
    (`corpus_proper_nouns`), in how many sentences each term is (IDF), in how many talks'
    notes each alias is (`alias_use`), and how many talks have notes."""

    upper: Counter[str]
    lower: Counter[str]
    terms: Counter[str]
    aliases: Counter[str]
    talks: int = 0

    def add(self, part: CorpusSums, sign: int = 1) -> bool:
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


def document_sums(chunks: Sequence[Chunk], sentences: Sequence[Sentence], finder: AliasFinder) -> CorpusSums:
    """One document's part of the sums (its chunks and sentences)."""
    # text.corpus_proper_nouns before its last step (text.proper_nouns, over the summed counts)
    upper, lower = cased_words_of(chunk.text for chunk in chunks)
    counts: Counter[str] = Counter()
    for sentence in sentences:
        counts.update(set(terms(sentence.text)))
    found: Counter[str] = Counter()
    notes = talk_notes(chunks)
    for text in notes.values():
        found.update(finder.found(text))
    return CorpusSums(Counter(upper), Counter(lower), counts, found, len(notes))


def proper_nouns_of(sums: CorpusSums) -> list[str]:
    lower = sums.lower.keys()
    return sorted(proper_nouns(sums.upper, lower))


def document_runs(chunks: Sequence[Chunk], sentences: Sequence[Sentence]) -> dict[str, dict[str, Any]] | None:
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
        for item in rows_of(chunks, doc, "chunks"):
            if talk_docs.setdefault(item.talk_id, source) != source:
                return None
        doc["key"] = document_key(rows_of(chunks, doc, "chunks"), rows_of(sentences, doc, "sentences"))
    return docs


def rows_of(rows: Sequence[Any], doc: dict[str, Any], kind: str) -> Sequence[Any]:
    start, end = doc[kind]
    return rows[start:end]


def document_key(chunks: Iterable[Chunk], sentences: Iterable[Sentence]) -> str:
    """A hash of everything a document's part of the sums depends on."""
    digest = hashlib.sha1(str(STATE_VERSION).encode())
    for kind, rows in (("chunks", chunks), ("sentences", sentences)):
        digest.update(kind.encode())
        for item in rows:
            digest.update(f"\x00{item.talk_id}\x01{item.text}".encode())
    return digest.hexdigest()


@dataclass
class DocRows:
    """Where a build put one document's rows, and whether they are the previous
    generation's rows unchanged (then the key its stored state holds is theirs)."""

    source: str
    chunks: tuple[int, int]
    sentences: tuple[int, int]
    kept: bool
    talk_sentences: list[tuple[str, int]]  # each talk's sentence count, in row order


def documents_of(
    layout: list[DocRows], chunks: Sequence[Chunk], sentences: Sequence[Sentence], found: State | None
) -> dict[str, dict[str, Any]]:
    """What `document_runs` finds in the rows, from where the build put them: kept documents'
    keys come from the previous state, so their rows are not read."""
    old_docs: dict[str, dict[str, Any]] = found[0]["documents"] if found else {}
    docs: dict[str, dict[str, Any]] = {}
    for kind in ("chunks", "sentences"):
        for doc in layout:
            span = list(getattr(doc, kind))
            if span[1] > span[0]:
                docs.setdefault(doc.source, {"chunks": [0, 0], "sentences": [0, 0]})[kind] = span
    for doc in layout:
        if doc.source not in docs:
            continue
        old = old_docs.get(doc.source)
        if doc.kept and old is not None and "key" in old:
            docs[doc.source]["key"] = old["key"]
        else:
            entry = docs[doc.source]
            docs[doc.source]["key"] = document_key(
                rows_of(chunks, entry, "chunks"), rows_of(sentences, entry, "sentences")
            )
    return docs


State = tuple[dict[str, Any], Counter[str]]  # the stored state, and the term counts of the tables
OldRows = tuple[Sequence[Chunk], Sequence[Sentence]] | None  # the previous generation's rows, when not in a folder


def previous_state(previous: Path | None) -> State | None:
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
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexCorruptError) as exc:
        log.info("previous corpus word sums unusable (%s); counting every document", exc)
        return None


def sums_of(
    chunks: Sequence[Chunk], sentences: Sequence[Sentence], doc: dict[str, Any], finder: AliasFinder
) -> CorpusSums:
    """The part of the sums of one document of a build (its rows in `doc`)."""
    return document_sums(list(rows_of(chunks, doc, "chunks")), list(rows_of(sentences, doc, "sentences")), finder)


def sums_from(
    previous: Path | None,
    found: State | None,
    docs: dict[str, dict[str, Any]],
    wanted: frozenset[str],
    chunks: Sequence[Chunk],
    sentences: Sequence[Sentence],
    old_rows: OldRows = None,
) -> tuple[CorpusSums, frozenset[str]] | None:
    """The previous generation's sums with the changed documents' parts replaced, or None
    (count everything): no usable sums, or a talk alias they did not look for. The previous
    generation's rows: `old_rows`, else read from the folder `previous`."""
    if found is None or (previous is None and old_rows is None):
        return None
    state, term_counts = found
    looked_for = frozenset(state["aliases"])
    if not wanted <= looked_for:
        return None  # a new alias: every talk's notes must be searched for it
    old_docs: dict[str, dict[str, Any]] = state["documents"]
    sums = CorpusSums(Counter(state["upper"]), Counter(state["lower"]), term_counts, Counter(state["alias_talks"]))
    sums.talks = int(state["talks"])
    gone = [d for source, d in old_docs.items() if docs.get(source, {}).get("key") != d["key"]]
    new = [d for source, d in docs.items() if old_docs.get(source, {}).get("key") != d["key"]]
    if len(gone) + len(new) > len(docs) // 2:
        return None  # as fast to count everything
    finder = AliasFinder(looked_for)  # the parts in the sums looked for these: so do these
    if gone:
        from recapqa.store.segments import generation_rows

        try:
            if old_rows is not None:
                old_chunks, old_sentences = old_rows
            else:
                assert previous is not None
                old_chunks = generation_rows(previous, "chunks", Chunk.from_dict)
                old_sentences = generation_rows(previous, "sentences", Sentence.from_dict)
            for doc in gone:
                part = sums_of(old_chunks, old_sentences, doc, finder)
                if not sums.add(part, -1):
                    return None
        except (OSError, ValueError, IndexError, IndexCorruptError) as exc:
            log.info("previous index rows unusable (%s); counting every document", exc)
            return None
    for doc in new:
        sums.add(sums_of(chunks, sentences, doc, finder))
    return sums, looked_for
