"""What the extractive answerer knows of a sentence and of a talk: made the first time a
question reaches it, then kept. A question costs lookups, not parsing, and loading an
index costs nothing per sentence: `serve` start-up does not grow with the corpus."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from recapqa.answer.question import is_speaker_line
from recapqa.models import Speaker
from recapqa.sentences import same_talk_rows
from recapqa.store import Index
from recapqa.store.rows import ChunkSentences
from recapqa.talk_mentions import full_name, same_recording, speaker_aliases, talk_text
from recapqa.text import normalize, squash, terms

# A sentence that points back to what an earlier one named: 'They use X for…', 'For example -
# they're running 9 clusters', 'Their talk was on…' (a pronoun among its first words).
_POINTS_BACK = re.compile(
    r"^\W*(?:[\w'’]+\W+){0,4}?(they|they['’]\w+|their|theirs|them|he|his|she|her|it|its|this|these|those)\b",
    re.I,
)


def points_back(text: str) -> bool:
    """Does the sentence open by pointing back to what came before ('They use…', 'Since
    those were missing…')?"""
    return bool(_POINTS_BACK.match(text))


# A year in a folder's name, also written by its last two digits ('kernelconf-2024', 'KernelConf 24')
_YEAR = re.compile(r"(?:19|20)(\d\d)")


def folder_numbers(folder: str) -> frozenset[str]:
    """The numbers a notes folder's name gives, each whole, with a year's two-digit form
    ('kernelconf-2024': '2024', '24'): a number the question gives must be one of them, not a
    piece of one ('20' and '4' are not given by 'kernelconf-2024')."""
    found = re.findall(r"\d+", folder)
    return frozenset(found) | {m.group(1) for n in found if (m := _YEAR.fullmatch(n))}


def _handles(speaker: Speaker) -> frozenset[str]:
    """Short names a lead-in may give a speaker by: the first name, an organisation's first
    word of four letters or more ('Acme' for 'Acme Robotics'), matched as whole words."""
    first = normalize(full_name(speaker)).split()[:1]
    orgs = [a.split()[0] for a in speaker_aliases(speaker) if " " in a and len(a.split()[0]) >= 4]
    return frozenset(w for w in first + orgs if len(w) >= 3)


K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True)
class TalkFacts:
    terms: frozenset[str]  # stemmed words of everything known about the talk (talk_text)
    about: str  # squashed talk_text, the notes folder's words (Facts.folder), the file path: title, speakers, event...
    head: str  # squashed title, company and id
    notes: str  # its sentences, squashed and joined: how often it names something
    # (squashed name and role, squashed aliases, handles: first name, an organisation's first word)
    speakers: tuple[tuple[str, frozenset[str], frozenset[str]], ...]
    speaker_rows: tuple[int, ...]  # its 'Speaker:' lines


@dataclass(frozen=True)
class SentenceFacts:
    terms: frozenset[str]  # stemmed words of the sentence, its sub-heading, its lead-in, and its talk
    own_terms: frozenset[str]  # of the sentence alone
    text: str  # squashed sentence
    context: str  # squashed sub-heading and lead-in
    speaker_line: bool
    people: str  # squashed: the talk, narrowed to the person a lead-in names
    about: str  # the talk's `about`, without its other speakers when a lead-in names one of them
    antecedents: str  # squashed: the earlier sentences it points back to ('They use…'), or ""
    chunk_row: int  # the first chunk holding it (or where it starts: Facts._first_chunk)


class _Memo(dict[K, V]):
    """A dict that makes a missing value with `make` and keeps it (two threads may make the
    same value at once; both are equal)."""

    def __init__(self, make: Callable[[K], V]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, key: K) -> V:
        value = self._make(key)
        self[key] = value
        return value


class Facts:
    def __init__(
        self, index: Index, talk_rows: dict[str, list[int]] | None = None, reach: int = 4, folder: str = ""
    ) -> None:
        """`talk_rows`: each talk's sentence rows, when the index stored them (else found on
        the first question, reading every sentence); `reach`: how many sentences back a
        sentence that points back may look (settings.antecedent_reach); `folder`: the name of
        the notes' folder, which often names the event every talk in it belongs to: its words
        join each talk's metadata (`TalkFacts.about`) without their digits, which count whole
        (`folder_numbers`; a name written with digits, 'k8s-days', is not found in it)."""
        self.index = index
        self.folder = re.sub(r"\d+", " ", folder)
        self.folder_numbers = folder_numbers(folder)
        self.reach = reach
        self.talks: dict[str, TalkFacts] = _Memo(self._talk)
        self.sentences: dict[int, SentenceFacts] = _Memo(self._sentence)
        self._chunk_rows: dict[str, int] | None = None
        self._chunk_of: np.ndarray | None = None
        self._talk_rows = talk_rows
        self._twins: dict[str, set[str]] | None = None

    @property
    def chunk_rows(self) -> dict[str, int]:
        """The row of each chunk id."""
        if self._chunk_rows is None:
            self._chunk_rows = {c.chunk_id: i for i, c in enumerate(self.index.chunks)}
        return self._chunk_rows

    def _first_chunk(self, row: int) -> int:
        """The first chunk holding a sentence; for one that no chunk holds whole, the chunk
        where it starts (`_chunk_at_start`)."""
        if self._chunk_of is None:
            by_chunk = self.index.chunk_sentences
            if isinstance(by_chunk, ChunkSentences):  # stored as arrays: no Python loop
                self._chunk_of = by_chunk.first_chunks(len(self.index.sentences))
            else:
                chunk_of = np.full(len(self.index.sentences), -1, dtype=np.int64)
                for chunk_row, rows in reversed(list(enumerate(by_chunk))):
                    chunk_of[rows] = chunk_row
                self._chunk_of = chunk_of
        chunk = int(self._chunk_of[row])
        return chunk if chunk >= 0 else self._chunk_at_start(row, self._chunk_of)

    def _chunk_at_start(self, row: int, chunk_of: np.ndarray) -> int:
        """The chunk of its talk where a sentence starts, when no chunk holds it whole (one
        longer than a chunk is cut at words): read from the chunk of the nearest sentence
        before it that one holds, on through its notes file's chunks; 0 when none is found."""
        sentence, chunks = self.index.sentences[row], self.index.chunks
        start = sentence.span.char_start
        before = np.flatnonzero(chunk_of[:row] >= 0)
        in_source = False
        for chunk_row in range(int(chunk_of[before[-1]]) if len(before) else 0, len(chunks)):
            chunk = chunks[chunk_row]
            if chunk.source != sentence.source:
                if in_source:
                    break  # past its notes file's chunks
                continue
            in_source = True
            if chunk.span.char_start > start:
                break
            if chunk.talk_id == sentence.talk_id and start < chunk.span.char_end:
                return chunk_row
        return 0

    def rows_of(self, talk_id: str) -> list[int]:
        """The talk's sentence rows, in order."""
        if self._talk_rows is None:
            talk_rows: dict[str, list[int]] = {}
            for row, sentence in enumerate(self.index.sentences):
                talk_rows.setdefault(sentence.talk_id, []).append(row)
            self._talk_rows = talk_rows
        return self._talk_rows.get(talk_id, [])

    def texts_of(self, talk_ids: Iterable[str]) -> list[str]:
        """The sentences of these talks (each talk once), in order."""
        return [self.index.sentences[r].text for t in dict.fromkeys(talk_ids) for r in self.rows_of(t)]

    def _talk(self, talk_id: str) -> TalkFacts:
        t, rows, sentences = self.index.talks[talk_id], self.rows_of(talk_id), self.index.sentences
        if self._twins is None:
            self._twins = same_recording(self.index.talks.values())
        # the same talk's listing elsewhere (its one recording) names its speakers; notes linking
        # several recordings are about several talks, none of whose speakers each sentence is about
        one = len(t.meta.get("recordings") or ()) == 1
        twins = " ".join(talk_text(self.index.talks[x]) for x in sorted(self._twins.get(talk_id, ()))) if one else ""
        return TalkFacts(
            terms=frozenset(terms(talk_text(t))),
            # the folder and the path name the event ('kernelconf-2024/', 'Conf2013/keynotes.rst')
            about=squash(f"{talk_text(t)} {self.folder} {t.source} {twins}"),
            head=squash(f"{t.title} {t.company or ''} {t.talk_id}"),
            notes="|".join(squash(sentences[r].text) for r in rows),
            speakers=tuple(
                (squash(f"{s.name} {s.role or ''}"), frozenset(squash(a) for a in speaker_aliases(s)), _handles(s))
                for s in t.speakers
            ),
            speaker_rows=tuple(r for r in rows if is_speaker_line(sentences[r].text, sentences[r].context)),
        )

    def _sentence(self, row: int) -> SentenceFacts:
        s = self.index.sentences[row]
        named = self._named(s.talk_id, s.context)
        return SentenceFacts(
            terms=frozenset(terms(f"{s.heading} {s.embed_text}")) | self.talks[s.talk_id].terms,
            own_terms=frozenset(terms(s.text)),
            text=squash(s.text),
            context=squash(f"{s.heading} {s.context}"),
            speaker_line=is_speaker_line(s.text, s.context),
            people=self._people_about(s.talk_id, named),
            about=self._about_for(s.talk_id, named),
            antecedents=self._antecedents(row),
            chunk_row=self._first_chunk(row),
        )

    def _named(self, talk_id: str, context: str) -> list[str]:
        """The talk's speakers (squashed name and role) a lead-in names: "<name> (<company>):",
        also by a first name or an organisation's first word ("Ian (Acme):")."""
        squashed, words = squash(context), set(normalize(context).split())
        return [
            text
            for text, aliases, handles in self.talks[talk_id].speakers
            if any(a in squashed for a in aliases) or handles & words
        ]

    def _people_about(self, talk_id: str, named: list[str]) -> str:
        """The talk's title and the people a sentence is about: a lead-in such as
        "<name> (<company>):" narrows the talk's people to the one it names (`named`)."""
        talk = self.talks[talk_id]
        return talk.head + "".join(named) if named else talk.about

    def _about_for(self, talk_id: str, named: list[str]) -> str:
        """The talk's metadata as it concerns a sentence: under a lead-in naming one of its
        speakers (`named`: a panel's notes, panelist by panelist), the other speakers and their
        roles are not what the sentence is about."""
        talk = self.talks[talk_id]
        about = talk.about
        for text, _, _ in talk.speakers if named else ():
            if text not in named:
                about = about.replace(text, "")
        return about

    def previous_text(self, row: int) -> str:
        """The sentence before, in the same talk: 'these' and 'they' point back to it."""
        sentences = self.index.sentences
        if row == 0 or sentences[row - 1].talk_id != sentences[row].talk_id:
            return ""
        return self.sentences[row - 1].text

    def _antecedents(self, row: int) -> str:
        """What a sentence that points back refers to: the sentences before it under the same
        heading of its talk, back to the first one that does not point back itself (at most
        `reach`). A list item whose items point back ('They use X…') starts from its lead-in
        and the lead-in's paragraph ('The first of these was Acme… I noted:')."""
        sentences = self.index.sentences
        here = sentences[row]
        if not points_back(here.text):
            return ""
        parts: list[str] = []
        lead_in = bool(here.list_item and here.context)
        for earlier in same_talk_rows(sentences, row, -1, 4 * self.reach):
            before = sentences[earlier]
            if before.heading != here.heading or len(parts) >= self.reach:
                break
            if lead_in:  # past the items before it to their lead-in, taken whatever it says
                lead_in = before.text != here.context
                if not lead_in:
                    parts.append(squash(before.text))
                continue
            parts.append(squash(before.text))
            if not points_back(before.text):
                break
        return "|".join(parts)
