"""What the gist answerer reads of each sentence and talk, as text functions both the index
build (store/gist_rows.py, which stores them per sentence row) and the answerer
(answer/gist_tables.py, which makes them itself for an index without the stored rows) use:
a sentence's content terms and its two-word phrases, how much it says beyond who its
speaker is, whether it is a label line or a lead-in, the words the notes spell each stem
with, and what names a talk (its label)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

from recapqa.ingest.wordlists import ROLE_WORDS
from recapqa.models import Talk
from recapqa.text import WORD, terms, words

# Labels of links and roles of people: never what a theme is about.
_LABELS = "video videos slides text pdf link links here blog post photo thing things lot way"
NOT_THEMES = frozenset(terms(_LABELS)) | frozenset(terms(" ".join(ROLE_WORDS)))
LINKS = re.compile(r"!\[[^\]]*\]\([^)]*\)|\]\([^)]*\)|https?://\S+|\bwww\.\S+")
_LABEL_LINE = re.compile(r"^\W*(speakers?|presenters?|moderators?|disclaimer)\b.*:", re.I)
# punctuation that ends a phrase (not the dot or hyphen inside a word: "Node.js", "multi-cloud")
_BREAK = re.compile(r"[^\w\s'’+#.-]|(?<!\w)[.-]|[.-](?!\w)")


def label(talk: Talk) -> str:
    """What names a talk: its title, company, and speakers with their companies."""
    people = " ".join(f"{p.name} {p.company or ''}" for p in talk.speakers)
    return f"{talk.title} {talk.company or ''} {people}"


class WordTerms:
    """Each distinct word's terms, made once (not per occurrence)."""

    def __init__(self) -> None:
        self._stems: dict[str, list[str]] = {}

    def __call__(self, word: str) -> list[str]:
        found = self._stems.get(word)
        if found is None:
            found = self._stems[word] = terms(word)
        return found

    def sentence(self, text: str) -> list[str]:
        """A sentence's distinct content terms, in the order they first come (links are not
        words): a set made by adding them in this order is the answerer's set, slot for slot."""
        out: dict[str, None] = {}
        for word in WORD.findall(LINKS.sub(" ", text)):
            out.update(dict.fromkeys(self(word)))
        return list(out)


def runs(text: str) -> list[list[str]]:
    """The runs of adjacent content terms of a text: a stop word, a link or punctuation ends
    one ("what sort of parts we ship" has no phrase 'parts ship')."""
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


def pairs(text: str) -> list[str]:
    """A sentence's distinct two-word phrases ('featur store'), of terms next to each other
    in the text, in the order they first come."""
    return list(dict.fromkeys(f"{a} {b}" for run in runs(text) for a, b in itertools.pairwise(run)))


def speaker_terms(talk: Talk) -> set[str]:
    return set(terms(" ".join(talk.speaker_names)))


def says(sentence_terms: set[str], speakers: set[str], label_terms: Iterable[str]) -> int:
    """How many content terms a sentence says; a line naming the talk's speaker counts only
    what it says beyond who they are ("Jane Doe, CTO at Acme")."""
    if speakers & sentence_terms:
        return len(sentence_terms - set(label_terms) - NOT_THEMES)
    return len(sentence_terms)


def label_line(text: str) -> bool:
    """A label ("Speakers: ...", "Disclaimer: ...") or a lead-in ending with ':'."""
    text = text.strip()
    return bool(_LABEL_LINE.match(text)) or text.endswith(":")


def spellings(text: str, stems: WordTerms) -> list[tuple[int, str, str]]:
    """(place, stem, word as written) of each word of a sentence past its first ("ML
    platform"), in order: how the notes spell each stem."""
    out = []
    for place, found in enumerate(WORD.findall(text)[1:]):
        word = re.sub(r"['’]s$", "", found.strip(".'’"))
        out += [(place, stem, word) for stem in stems(word)]
    return out


# "LLMs (Large Language Models)" and "Mean Time to Recovery (MTTR)"
_SHORT_LONG = re.compile(r"\b([A-Z][A-Za-z]{1,7}?)s?\s*\(((?:[\w-]+\s+){1,6}[\w-]+)\)")
_LONG_SHORT = re.compile(r"((?:[\w-]+\s+){1,7}[\w-]+)\s*\(([A-Z][A-Za-z]{1,7}?)s?\)")


def acronyms(text: str) -> list[tuple[str, str]]:
    """(acronym, expansion) pairs a sentence defines: the acronym's capitals are the
    initials of the expansion's words (its last words, when the expansion comes first)."""
    if "(" not in text:  # both patterns need one: most sentences are not searched
        return []
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
