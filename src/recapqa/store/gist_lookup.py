"""The stored gist rows of a generation's segments (store/gist_rows.py), read for the
questions over every talk: which rows say a term, which talks' labels hold it, how the
notes spell a stem, each row's terms and phrases in the order they first come, and how much
each row says. A segment's file is read the first time a question needs it, its
vocabulary kept as a sorted bytes array (searched, not turned into strings)."""

from __future__ import annotations

import bisect
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from recapqa.store.gist_rows import FILE, GistRows


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

    def phrases(self, rows: Iterable[int]) -> Iterator[tuple[int, list[str], list[str]]]:
        """(row, its terms, its two-word phrases), each in the order they first come, for
        `rows` in ascending order; each segment's vocabulary is decoded once, while its rows
        are read."""
        at, vocab, stored = -1, [], None
        for row in rows:
            if at < 0 or not self._starts[at] <= row < self._starts[at + 1]:
                at = bisect.bisect_right(self._starts, row) - 1
                stored = self._segment(at)
                vocab = [v.decode() for v in stored.vocab.tolist()]
            assert stored is not None
            local = row - self._starts[at]
            out = []
            for name in ("terms", "pairs"):
                ragged = stored.lists[name]
                ids = ragged.cols["id"][ragged.offsets[local] : ragged.offsets[local + 1]].tolist()
                out.append([vocab[i] for i in ids])
            yield row, out[0], out[1]
