"""The gist answerer's tables (answer/gist.py): each talk's sentence rows, the first chunk
of each sentence, its words and terms, whether it is filler, how the notes spell each stem
and the acronyms they expand.

Nothing here reads the whole corpus to answer a question about one talk (issue 13: at 10k
files making every table on the first gist question took 26 s). The per-sentence tables
are made row by row when a question first reads the row, then kept: a summary, a speaker on
a topic or a comparison reads only the named talks' rows. Each talk's rows come from the
index's stored corpus tables (`store/corpus_words.py`), the first chunk of each sentence
from the stored chunk -> sentence arrays. What only the whole corpus can say (the notes'
most common spelling of a stem, the expansion an acronym gets the first time the notes
give one, how much each row says) and the questions over every talk (which talks mention
Y, themes) read the index's stored gist rows (store/gist_rows.py) where it has them; an
index without them (PostgreSQL, an older version) makes them in one pass over the
sentences the first time they are asked for, and reads every row. The tables are the same,
value for value, as making them all at once."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from recapqa.answer.lazy_tables import ByKey, FirstChunks, Once, PerRow
from recapqa.gist_text import WordTerms, acronyms, label_line, runs, says, speaker_terms
from recapqa.models import Chunk
from recapqa.store import Index
from recapqa.store.gist_lookup import GistLookup
from recapqa.text import WORD, terms

__all__ = ["Expansions", "GistTables", "Spelling", "acronyms", "gist_tables", "runs"]


class Spelling(Protocol):
    """How the notes write each stem: `stem in spelling`, `spelling[stem]` (word -> count)."""

    def __contains__(self, stem: object) -> bool: ...

    def __getitem__(self, stem: str) -> Counter[str]: ...


class Expansions(Protocol):
    """An acronym's stem -> its expansion: `stem in expansions`, `expansions[stem]`."""

    def __contains__(self, stem: object) -> bool: ...

    def __getitem__(self, stem: str) -> str: ...


class StoredExpansions:
    """`Expansions` from the index's stored gist rows, one stem at a time."""

    def __init__(self, stored: GistLookup) -> None:
        self._stored = stored

    def __contains__(self, stem: object) -> bool:
        return isinstance(stem, str) and self._stored.expansion(stem) is not None

    def __getitem__(self, stem: str) -> str:
        found = self._stored.expansion(stem)
        if found is None:
            raise KeyError(stem)
        return found


class StoredSpelling:
    """`Spelling` from the index's stored gist rows, one stem at a time."""

    def __init__(self, stored: GistLookup) -> None:
        self._stored = stored

    def __contains__(self, stem: object) -> bool:
        return isinstance(stem, str) and self._stored.spelling(stem) is not None

    def __getitem__(self, stem: str) -> Counter[str]:
        found = self._stored.spelling(stem)
        if found is None:
            raise KeyError(stem)
        return found


@dataclass
class GistTables:
    rows: Mapping[str, list[int]]  # sentence rows of each talk, in source order
    chunk_of: Mapping[int, str]  # the first chunk holding each sentence
    chunks: Mapping[str, Chunk]  # the chunks `chunk_of` names, by id
    words: Sequence[list[list[str]]]  # runs of adjacent content terms of each sentence (links left out)
    terms: Sequence[set[str]]
    filler: Sequence[bool]  # too short to be a point, a label line, a lead-in, or only who the speaker is
    spelling: Spelling  # how the notes write each stem
    expansions: Expansions  # an acronym's stem -> its expansion, as the notes write it ("LLMs (Large ...)")
    stored: GistLookup | None  # the index's stored gist rows, for the questions over every talk


def gist_tables(
    index: Index,
    label_terms: Mapping[str, frozenset[str]],
    min_terms: int,
    talk_rows: Mapping[str, list[int]] | None = None,
) -> GistTables:
    """The tables of `index`, made on demand. `talk_rows`: each talk's sentence rows as the
    index stores them (else found by reading every sentence's talk, once)."""
    sentences = index.sentences
    rows = talk_rows if talk_rows is not None else _talk_rows(index)
    stems = WordTerms()  # each distinct word's terms, made once (not per occurrence)
    sentence_terms = PerRow(len(sentences), lambda row: set(stems.sentence(sentences[row].text)))
    speakers = ByKey(lambda tid: speaker_terms(index.talks[tid]))
    stored = index.gist

    def filler(row: int) -> bool:
        if stored is not None:
            said, label = stored.said(row)
            return said < min_terms or label
        sentence = sentences[row]
        said_terms = sentence_terms[row]
        count = says(said_terms, speakers[sentence.talk_id], label_terms[sentence.talk_id])
        return count < min_terms or label_line(sentence.text)

    first = FirstChunks(index)
    return GistTables(
        rows=rows,
        chunk_of=first,
        chunks=first.chunks,
        words=PerRow(len(sentences), lambda r: runs(sentences[r].text)),
        terms=sentence_terms,
        filler=PerRow(len(sentences), filler),
        spelling=StoredSpelling(stored) if stored is not None else Once(lambda: _spelling(index)),
        expansions=StoredExpansions(stored) if stored is not None else Once(lambda: _expansions(index)),
        stored=stored,
    )


def _talk_rows(index: Index) -> dict[str, list[int]]:
    rows: dict[str, list[int]] = {}
    for row, sentence in enumerate(index.sentences):
        rows.setdefault(sentence.talk_id, []).append(row)
    return rows


def _spelling(index: Index) -> dict[str, Counter[str]]:
    """How the notes write each stem, past a sentence's first word ("ML platform")."""
    spelling: dict[str, Counter[str]] = {}
    seen: dict[str, tuple[str, list[str]]] = {}  # each distinct word cleaned and stemmed once
    for sentence in index.sentences:
        for found in WORD.findall(sentence.text)[1:]:
            if found not in seen:
                word = re.sub(r"['’]s$", "", found.strip(".'’"))
                seen[found] = (word, terms(word))
            word, stems = seen[found]
            for stem in stems:
                spelling.setdefault(stem, Counter())[word] += 1
    return spelling


def _expansions(index: Index) -> dict[str, str]:
    """The first expansion the notes give each acronym (both stems: "LLM" and "LLMs")."""
    expansions: dict[str, str] = {}
    for sentence in index.sentences:
        for short, long in acronyms(sentence.text):
            for stem in terms(f"{short} {short}s"):
                expansions.setdefault(stem, long)
    return expansions
