"""The stored gist rows of a generation's segments (store/gist_rows.py), read for the
questions over every talk: which rows say a term, which talks' labels hold it, how the
notes spell a stem, each talk's phrases for themes, and how much each row says. A segment's
file is memory-mapped the first time a question needs it (the page cache holds one copy for
every `serve` worker), its vocabulary kept as a sorted bytes array (searched, not turned
into strings)."""

from __future__ import annotations

import bisect
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from recapqa.store.gist_rows import FILE, GistRows, talk_phrases


class GistLookup:
    def __init__(self, files: list[Path], sentence_starts: list[int]) -> None:
        """`files`: each segment's gist rows; `sentence_starts`: each segment's first row
        (and the row count last)."""
        self._files = files
        self._starts = sentence_starts
        self._loaded: dict[int, GistRows] = {}
        self._lock = threading.Lock()
        self._spelling: dict[str, Counter[str] | None] = {}
        self._label_df: dict[str, int] = {}
        self._expansion: dict[str, str | None] = {}

    @classmethod
    def of(cls, folders: list[Path], sentence_starts: list[int], checksums: dict[str, str]) -> GistLookup | None:
        """None unless every segment lists the file (an index built before it)."""
        files = [folder / FILE for folder in folders]
        if not all(f"segments/{f.parent.name}/{FILE}" in checksums for f in files):
            return None
        return cls(files, sentence_starts)

    def _segment(self, at: int) -> GistRows:
        with self._lock:
            if at not in self._loaded:
                self._loaded[at] = GistRows.load(self._files[at], decode=False)
            return self._loaded[at]

    def _id(self, at: int, text: str) -> int:
        vocab = self._segment(at).vocab
        key = text.encode()
        i = int(np.searchsorted(vocab, key))
        return i if i < len(vocab) and vocab[i] == key else -1

    def _rows_holding(self, at: int, name: str, term_id: int) -> np.ndarray:
        """Local rows whose list `name` holds the term."""
        ragged = self._segment(at).lists[name]
        where = np.flatnonzero(ragged.cols["id"] == term_id)
        return np.unique(np.searchsorted(ragged.offsets, where, side="right") - 1)

    def mentions(self, topic: set[str]) -> dict[str, list[int]]:
        """The rows (global, in order) of each talk where every topic term is in the row's
        terms, its lead-in's or its talk's label."""
        found: dict[str, list[int]] = {}
        for at in range(len(self._files)):
            rows = self._segment(at)
            held = np.ones(len(rows), dtype=bool)
            for term in topic:
                k = self._id(at, term)
                if k < 0:
                    held[:] = False
                    break
                has = np.zeros(len(rows), dtype=bool)
                has[self._rows_holding(at, "terms", k)] = True
                has[self._rows_holding(at, "context", k)] = True
                labelled = np.zeros(len(rows.talk_ids), dtype=bool)
                labelled[self._rows_holding(at, "label", k)] = True
                held &= has | labelled[rows.scalars["talk"]]
            for row in np.flatnonzero(held).tolist():
                found.setdefault(rows.talk_ids[rows.scalars["talk"][row]], []).append(row + self._starts[at])
        return found

    def talks_saying(self, topic: set[str]) -> set[str]:
        """The talks with a row whose terms hold a topic term."""
        out: set[str] = set()
        for at in range(len(self._files)):
            rows = self._segment(at)
            for term in topic:
                k = self._id(at, term)
                if k >= 0:
                    talks = rows.scalars["talk"][self._rows_holding(at, "terms", k)]
                    out.update(rows.talk_ids[t] for t in np.unique(talks).tolist())
        return out

    def label_df(self, term: str) -> int:
        """In how many talks' labels the term is."""
        if term not in self._label_df:
            total = 0
            for at in range(len(self._files)):
                k = self._id(at, term)
                if k >= 0:
                    total += int(np.count_nonzero(self._segment(at).lists["label"].cols["id"] == k))
            self._label_df[term] = total
        return self._label_df[term]

    def spelling(self, stem: str) -> Counter[str] | None:
        """How often the notes write the stem as each word (past a sentence's first word),
        the words in the order they first come; None when they never do."""
        if stem not in self._spelling:
            counts: Counter[str] = Counter()
            for at in range(len(self._files)):
                rows = self._segment(at)
                k = self._id(at, stem)
                if k < 0:
                    continue
                spell = rows.lists["spell"].cols
                for i in np.flatnonzero(spell["stem"] == k).tolist():  # in order of first place
                    counts[rows.vocab[spell["word"][i]].decode()] += int(spell["count"][i])
            self._spelling[stem] = counts or None
        return self._spelling[stem]

    def expansion(self, stem: str) -> str | None:
        """The first expansion the notes give an acronym's stem, in row order; None if none."""
        if stem not in self._expansion:
            self._expansion[stem] = None
            for at in range(len(self._files)):
                k = self._id(at, stem)
                if k < 0:
                    continue
                cols = self._segment(at).lists["expand"].cols
                first = np.flatnonzero(cols["stem"] == k)
                if len(first):
                    self._expansion[stem] = self._segment(at).vocab[cols["long"][first[0]]].decode()
                    break
        return self._expansion[stem]

    def said(self, row: int) -> tuple[int, bool]:
        """How many terms a row says beyond who its speaker is, and whether it is a label line."""
        at = bisect.bisect_right(self._starts, row) - 1
        rows, local = self._segment(at), row - self._starts[at]
        return int(rows.scalars["said"][local]), bool(rows.scalars["flag"][local])

    def phrase_table(self, talks: list[str], min_terms: int) -> PhraseTable:
        """The phrases of `talks` (each talk's stored `themes` list, counted again from its
        rows where the segment counted them with another `min_terms`): entries in the order
        of `talks`, each talk's in its stored order; ids into one vocabulary for all."""
        place = {t: i for i, t in enumerate(talks)}
        strings: list[np.ndarray] = []  # each segment's phrases used, as bytes: one vocabulary made of them
        pieces: list[tuple[np.ndarray, ...]] = []
        for at in range(len(self._files)):
            rows = self._segment(at)
            themes = rows.themes
            if themes is None or rows.min_terms != min_terms:
                themes = talk_phrases(rows, min_terms)
            local = np.array([place.get(t, -1) for t in rows.talk_ids], dtype=np.int32)
            talk = np.repeat(local, np.diff(themes.offsets))
            keep = talk >= 0
            if not keep.any():
                continue
            ids = themes.cols["id"][keep]
            seen = np.zeros(len(rows.vocab), dtype=bool)
            seen[ids] = True
            used = np.flatnonzero(seen)  # sorted, as np.unique gives them (without sorting every entry)
            inverse = (np.cumsum(seen) - 1)[ids]
            strings.append(np.asarray(rows.vocab)[used])
            pieces.append((talk[keep], inverse, themes.cols["count"][keep], themes.cols["rows"][keep]))
        if not pieces:
            return PhraseTable(np.zeros(0, dtype="S1"), *(np.zeros(0, dtype=np.int32) for _ in range(4)))
        words, ids = np.unique(np.concatenate(strings), return_inverse=True)
        starts = np.cumsum([0] + [len(s) for s in strings])
        talk, phrase, count, held = (
            np.concatenate([p[0] for p in pieces]),
            np.concatenate([(ids[starts[i] : starts[i + 1]])[p[1]] for i, p in enumerate(pieces)]).astype(np.int32),
            np.concatenate([p[2] for p in pieces]),
            np.concatenate([p[3] for p in pieces]),
        )
        if bool((np.diff(talk) < 0).any()):
            order = np.argsort(talk, kind="stable")
            talk, phrase, count, held = talk[order], phrase[order], count[order], held[order]
        return PhraseTable(words, talk, phrase, count, held)


@dataclass
class PhraseTable:
    """Entries (a talk, a phrase it holds, how many of its rows that are not filler hold it,
    how many of its rows hold it), in talk order, each talk's phrases in the order they
    first come (store/gist_rows.py `talk_phrases`)."""

    words: np.ndarray  # phrase id -> the phrase, UTF-8 bytes
    talk: np.ndarray  # the talk's place in the talks asked for
    phrase: np.ndarray
    count: np.ndarray
    rows: np.ndarray

    def text(self, phrase: int) -> str:
        return bytes(self.words[phrase]).decode()
