"""The gist answerer's per-sentence tables (answer/gist.py): each talk's sentence rows, the
first chunk of each sentence, its words and terms, whether it is filler, and how the notes
spell each stem. Made on the first gist question, so that loading an index (serve start-up)
does not pay for questions never asked."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from recapqa.answer.gist_words import LINKS, NOT_THEMES
from recapqa.store import Index
from recapqa.text import WORD, terms, words

_LABEL = re.compile(r"^\W*(speakers?|presenters?|moderators?|disclaimer)\b.*:", re.I)


@dataclass
class GistTables:
    rows: dict[str, list[int]]  # sentence rows of each talk, in source order
    chunk_of: dict[int, str]  # the first chunk holding each sentence
    words: list[list[list[str]]]  # runs of adjacent content terms of each sentence (links left out)
    terms: list[set[str]]
    filler: list[bool]  # too short to be a point, a label line, a lead-in, or only who the speaker is
    spelling: dict[str, Counter[str]]  # how the notes write each stem
    expansions: dict[str, str]  # an acronym's stem -> its expansion, as the notes write it ("LLMs (Large ...)")


def gist_tables(index: Index, label_terms: Mapping[str, frozenset[str]], min_terms: int) -> GistTables:
    rows: dict[str, list[int]] = {}
    for row, sentence in enumerate(index.sentences):
        rows.setdefault(sentence.talk_id, []).append(row)
    chunk_of: dict[int, str] = {}
    for chunk, held in zip(index.chunks, index.chunk_sentences, strict=True):
        for row in held:
            chunk_of.setdefault(row, chunk.chunk_id)
    sentence_terms = [set(terms(LINKS.sub(" ", s.text))) for s in index.sentences]  # links are not words
    sentence_words = [runs(s.text) for s in index.sentences]
    spelling: dict[str, Counter[str]] = {}
    stems: dict[str, list[str]] = {}  # terms(word) once per distinct word, not per occurrence
    for sentence in index.sentences:
        for word in [re.sub(r"['’]s$", "", w.strip(".'’")) for w in WORD.findall(sentence.text)[1:]]:
            # as written past a sentence's first word ("ML platform"); terms() once per distinct word
            for stem in stems[word] if word in stems else stems.setdefault(word, terms(word)):
                spelling.setdefault(stem, Counter())[word] += 1
    speakers = {tid: set(terms(" ".join(talk.speaker_names))) for tid, talk in index.talks.items()}
    filler = []
    for row, sentence in enumerate(index.sentences):
        text = sentence.text.strip()
        said = sentence_terms[row]
        # what a line naming the speaker says beyond who they are ("Jane Doe, CTO at Acme")
        if speakers[sentence.talk_id] & said:
            said = said - label_terms[sentence.talk_id] - NOT_THEMES
        filler.append(len(said) < min_terms or bool(_LABEL.match(text)) or text.endswith(":"))
    expansions: dict[str, str] = {}
    for sentence in index.sentences:
        for short, long in acronyms(sentence.text):
            for stem in terms(f"{short} {short}s"):  # "LLM" and "LLMs"
                expansions.setdefault(stem, long)
    return GistTables(rows, chunk_of, sentence_words, sentence_terms, filler, spelling, expansions)


# punctuation that ends a phrase (not the dot or hyphen inside a word: "Node.js", "multi-cloud")
_BREAK = re.compile(r"[^\w\s'’+#.-]|(?<!\w)[.-]|[.-](?!\w)")


def runs(text: str) -> list[list[str]]:
    """The runs of adjacent content terms of a text: a stop word, a link or punctuation ends
    one ("what kind of resources we make" has no phrase 'resources make')."""
    out: list[list[str]] = []
    for piece in _BREAK.split(LINKS.sub(" ", text)):
        run: list[str] = []
        for word in words(piece):
            stems = terms(word)
            if stems:
                run.append(stems[0])
            elif run:
                out.append(run)
                run = []
        if run:
            out.append(run)
    return out


# "LLMs (Large Language Models)" and "Mean Time to Recovery (MTTR)"
_SHORT_LONG = re.compile(r"\b([A-Z][A-Za-z]{1,7}?)s?\s*\(((?:[\w-]+\s+){1,6}[\w-]+)\)")
_LONG_SHORT = re.compile(r"((?:[\w-]+\s+){1,7}[\w-]+)\s*\(([A-Z][A-Za-z]{1,7}?)s?\)")


def acronyms(text: str) -> list[tuple[str, str]]:
    """(acronym, expansion) pairs a sentence defines: the acronym's capitals are the
    initials of the expansion's words (its last words, when the expansion comes first)."""
    found = [(short, long) for short, long in _SHORT_LONG.findall(text) if _expands(short, long.split())]
    for long, short in _LONG_SHORT.findall(text):
        parts = long.split()
        for k in range(2, min(len(parts), 2 * len(short)) + 1):
            if _expands(short, parts[-k:]):
                found.append((short, " ".join(parts[-k:])))
                break
    return found


def _expands(short: str, parts: list[str]) -> bool:
    """Are the capitals of `short` (at least two) the initials of `parts`, with or without
    their small words ('Infrastructure as Code': IaC)?"""
    capitals = "".join(c for c in short if c.isupper()).lower()
    every = "".join(p[0] for p in parts).lower()
    content = "".join(p[0] for p in parts if p.lower() not in _SMALL).lower()
    return len(capitals) >= 2 and capitals in (every, content)


_SMALL = frozenset(["a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with"])
