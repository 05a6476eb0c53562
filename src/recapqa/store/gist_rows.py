"""What the gist answerer reads of every sentence, stored per segment (`gist_rows.npy`), so
that the questions over every talk (which talks mention Y, themes, a speaker-on-topic
abstention naming where the topic is, the notes' spelling of a word, how rare a word is
among the talks' labels) do not read every sentence (issue 13).

Per sentence row: its content terms in the order they first come, its two-word phrases
(same), the terms of its lead-in, how many terms it says beyond who its speaker is, whether
it is a label line, its talk, the acronyms it expands (each stem with its expansion); the
words the notes spell each stem with (per document: count and first place, listed at the
row of the first place); per talk: its id, label terms and the phrases themes count
(`talk_phrases`: each term and two-word phrase of its rows, with how many of its rows that
are not filler and how many rows hold it, in the order they first come).
Strings are ids into the segment's sorted vocabulary. A build makes these rows for new and
changed documents only (gist_text.py, the answerer's own definitions) and slices kept
documents' rows from the live generation's segment, as `bm25_terms.npz`; the talks'
phrases are counted for the whole segment as it is written; a build from scratch writes the
same bytes. The file is a pack of arrays (store/array_pack.py), memory-mapped when read: the
page cache holds one copy for every `serve` worker."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from recapqa import gist_text
from recapqa.models import Talk
from recapqa.sentences import Sentence
from recapqa.store import array_pack
from recapqa.text import terms

FILE = "gist_rows.npy"
VERSION = 2
ROW_LISTS = ("terms", "pairs", "context", "spell", "expand")  # ragged per sentence row
TALK_LISTS = ("label",)  # ragged per talk
STRINGS = ("id", "stem", "word", "long")  # columns holding vocabulary ids
SCALARS = ("said", "flag", "talk")  # one per sentence row


@dataclass
class Ragged:
    """Entries of row i at [offsets[i], offsets[i + 1]); `cols`: parallel int32 arrays."""

    offsets: np.ndarray
    cols: dict[str, np.ndarray]

    def rows(self, start: int, end: int) -> Ragged:
        lo, hi = int(self.offsets[start]), int(self.offsets[end])
        return Ragged(self.offsets[start : end + 1] - lo, {k: v[lo:hi] for k, v in self.cols.items()})

    @staticmethod
    def of(entries: list[list[tuple[int, ...]]], names: tuple[str, ...]) -> Ragged:
        offsets = np.zeros(len(entries) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum([len(e) for e in entries])
        flat = [x for e in entries for x in e]
        cols = {n: np.array([x[i] for x in flat], dtype=np.int32) for i, n in enumerate(names)}
        return Ragged(offsets, cols)


_NAMES = {"spell": ("stem", "word", "count", "pos"), "expand": ("stem", "long"), "themes": ("id", "count", "rows")}


@dataclass
class GistRows:
    vocab: Any  # sorted, unique: a list of str, or (loaded with decode=False) an array of UTF-8 bytes
    lists: dict[str, Ragged]
    scalars: dict[str, np.ndarray]
    talk_ids: list[str]
    themes: Ragged | None = None  # per talk, its phrases (`talk_phrases`), counted with `min_terms`
    min_terms: int = 0

    def __len__(self) -> int:
        return len(self.scalars["said"])

    @classmethod
    def of_part(cls, talks: Sequence[Talk], sentences: Sequence[Sentence], stems: gist_text.WordTerms) -> GistRows:
        """The rows of one document's talks and sentences."""
        local = {t.talk_id: i for i, t in enumerate(talks)}
        labels = [sorted(set(terms(gist_text.label(t)))) for t in talks]
        speakers = [gist_text.speaker_terms(t) for t in talks]
        strings: dict[str, int] = {}

        def sid(text: str) -> int:
            return strings.setdefault(text, len(strings))

        lists: dict[str, list[list[tuple[int, ...]]]] = {name: [] for name in ROW_LISTS}
        said, flag, talk = [], [], []
        spelt: dict[tuple[str, str], list[int]] = {}  # (stem, word) -> count, first row, place
        for row, sentence in enumerate(sentences):
            found = stems.sentence(sentence.text)
            at = local[sentence.talk_id]
            lists["terms"].append([(sid(t),) for t in found])
            lists["pairs"].append([(sid(p),) for p in gist_text.pairs(sentence.text)])
            context = sorted(set(terms(sentence.context))) if sentence.context else []
            lists["context"].append([(sid(t),) for t in context])
            said.append(gist_text.says(set(found), speakers[at], labels[at]))
            flag.append(gist_text.label_line(sentence.text))
            talk.append(at)
            lists["expand"].append(
                [
                    (sid(stem), sid(long))
                    for short, long in gist_text.acronyms(sentence.text)
                    for stem in terms(f"{short} {short}s")
                ]
            )
            for place, stem, word in gist_text.spellings(sentence.text, stems):
                entry = spelt.setdefault((stem, word), [0, row, place])
                entry[0] += 1
        by_row: list[list[tuple[int, ...]]] = [[] for _ in sentences]
        for (stem, word), (count, row, place) in spelt.items():  # first places in order
            by_row[row].append((sid(stem), sid(word), count, place))
        lists["spell"] = by_row
        label_lists: list[list[tuple[int, ...]]] = [[(sid(t),) for t in words] for words in labels]
        # ids in first-come order, then remapped to the sorted vocabulary
        vocab = sorted(strings)
        order = np.empty(len(strings), dtype=np.int32)
        for i, text in enumerate(vocab):
            order[strings[text]] = i
        made = {name: Ragged.of(lists[name], _NAMES.get(name, ("id",))) for name in ROW_LISTS}
        made["label"] = Ragged.of(label_lists, ("id",))
        for ragged in made.values():
            for col in STRINGS:
                if col in ragged.cols:
                    ragged.cols[col] = order[ragged.cols[col]] if len(ragged.cols[col]) else ragged.cols[col]
        scalars = {
            "said": np.array(said, dtype=np.int32),
            "flag": np.array(flag, dtype=bool),
            "talk": np.array(talk, dtype=np.int32),
        }
        return cls(vocab, made, scalars, [t.talk_id for t in talks])

    def part(self, rows: tuple[int, int], talks: tuple[int, int]) -> GistRows:
        """Sentence rows [start, end) and talks [start, end) (a document's: its rows' talks)."""
        (s0, s1), (t0, t1) = rows, talks
        lists = {n: self.lists[n].rows(s0, s1) for n in ROW_LISTS}
        lists["label"] = self.lists["label"].rows(t0, t1)
        scalars = {k: v[s0:s1] for k, v in self.scalars.items()}
        scalars["talk"] = scalars["talk"] - t0
        return GistRows(self.vocab, lists, scalars, self.talk_ids[t0:t1])

    def talk_start(self, talk_id: str) -> int:
        return self.talk_ids.index(talk_id)

    @staticmethod
    def concat(parts: list[GistRows]) -> GistRows:
        """The rows of `parts` one after another, over the vocabulary they use (sorted)."""
        used: dict[int, tuple[list[str], np.ndarray]] = {}
        for p in parts:
            vocab, mask = used.setdefault(id(p.vocab), (p.vocab, np.zeros(len(p.vocab), dtype=bool)))
            for ragged in p.lists.values():
                for col in STRINGS:
                    if col in ragged.cols and len(ragged.cols[col]):
                        mask[ragged.cols[col]] = True
        words: set[str] = set()
        for vocab, mask in used.values():
            words.update(vocab[i] for i in np.flatnonzero(mask).tolist())
        merged = sorted(words)
        lookup = {t: i for i, t in enumerate(merged)}
        mapping = {k: np.array([lookup.get(t, -1) for t in v], dtype=np.int32) for k, (v, _) in used.items()}
        lists: dict[str, Ragged] = {}
        for name in (*ROW_LISTS, *TALK_LISTS):
            pieces = [p.lists[name] for p in parts]
            offsets, total = [np.zeros(1, dtype=np.int64)], 0
            for piece in pieces:
                offsets.append(piece.offsets[1:] + total)
                total += int(piece.offsets[-1])
            cols = {}
            for col in _NAMES.get(name, ("id",)):
                arrays = [
                    mapping[id(p.vocab)][p.lists[name].cols[col]] if col in STRINGS else p.lists[name].cols[col]
                    for p in parts
                ]
                cols[col] = _join(arrays, np.int32)
            lists[name] = Ragged(np.concatenate(offsets), cols)
        scalars, talk_base = {}, np.cumsum([0] + [len(p.talk_ids) for p in parts])
        for key in SCALARS:
            arrays = [p.scalars[key] + (talk_base[i] if key == "talk" else 0) for i, p in enumerate(parts)]
            scalars[key] = _join(arrays, bool if key == "flag" else np.int32)
        return GistRows(merged, lists, scalars, [t for p in parts for t in p.talk_ids])

    def save(self, path: Path, min_terms: int) -> None:
        """With each talk's phrases counted for `min_terms` (`talk_phrases`)."""
        array_pack.save(path, *self.packed(min_terms))

    def packed(self, min_terms: int) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """The arrays and meta values `save` writes."""
        arrays = {"vocab": _strings(self.vocab), "talk_ids": _strings(self.talk_ids)}
        themes = talk_phrases(self, min_terms)
        for name, ragged in [*self.lists.items(), ("themes", themes)]:
            arrays[f"{name}.offsets"] = ragged.offsets
            arrays.update({f"{name}.{col}": values for col, values in ragged.cols.items()})
        arrays.update(self.scalars)
        return arrays, {"version": VERSION, "min_terms": min_terms}

    @classmethod
    def load(cls, path: Path, decode: bool = True) -> GistRows:
        """Every array a read-only view of the memory-mapped file. `decode=False` keeps the
        vocabulary as a sorted bytes array (searched, not listed)."""
        data, meta = array_pack.load(path)
        if meta.get("version") != VERSION:
            raise ValueError("another version's gist rows")
        lists = {}
        for name in (*ROW_LISTS, *TALK_LISTS, "themes"):
            cols = {col: data[f"{name}.{col}"] for col in _NAMES.get(name, ("id",))}
            lists[name] = Ragged(data[f"{name}.offsets"], cols)
        themes = lists.pop("themes")
        vocab = [v.decode() for v in data["vocab"].tolist()] if decode else data["vocab"]
        talk_ids = [t.decode() for t in data["talk_ids"].tolist()]
        made = cls(vocab, lists, {k: data[k] for k in SCALARS}, talk_ids, themes, int(meta["min_terms"]))
        if any(len(r.offsets) != len(made) + 1 for n, r in lists.items() if n != "label"):
            raise ValueError("offsets")
        if len(themes.offsets) != len(talk_ids) + 1 or len(lists["label"].offsets) != len(talk_ids) + 1:
            raise ValueError("offsets")
        return made


def talk_phrases(rows: GistRows, min_terms: int) -> Ragged:
    """Per talk, each term and two-word phrase of its rows (`id`) with how many of its rows
    that are not filler hold it (`count`: a row saying at least `min_terms` terms, not a
    label line) and how many of its rows hold it (`rows`). In the order they first come in
    its rows that are not filler (each row's terms, then its phrases, each in the order they
    first come), then those only filler rows hold, in the order they first come: what
    themes count per talk (answer/themes.py), the same order as counting row by row."""
    terms_of, pairs_of = rows.lists["terms"], rows.lists["pairs"]
    n, talks = len(rows), len(rows.talk_ids)
    row = np.concatenate([np.repeat(np.arange(n), np.diff(r.offsets)) for r in (terms_of, pairs_of)])
    ids = np.concatenate([terms_of.cols["id"], pairs_of.cols["id"]]).astype(np.int64)
    kind = np.repeat([0, 1], [len(terms_of.cols["id"]), len(pairs_of.cols["id"])])
    order = np.lexsort((np.arange(len(row)), kind, row))  # by row, its terms first, each in stored order
    row, ids = row[order], ids[order]
    kept = ~(np.asarray(rows.scalars["flag"], dtype=bool)[row] | (np.asarray(rows.scalars["said"])[row] < min_terms))
    talk = np.asarray(rows.scalars["talk"], dtype=np.int64)[row]
    key, pair = np.unique(talk * (len(rows.vocab) + 1) + ids, return_inverse=True)
    count = np.bincount(pair, weights=kept, minlength=len(key)).astype(np.int32)
    held = np.bincount(pair, minlength=len(key)).astype(np.int32)
    place = np.arange(len(row)) + np.where(kept, 0, len(row))  # rows that are not filler first
    first = np.full(len(key), 2 * len(row) + 1, dtype=np.int64)
    np.minimum.at(first, pair, place)
    key_talk = key // (len(rows.vocab) + 1)
    order = np.lexsort((first, key_talk))
    offsets = np.zeros(talks + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(np.bincount(key_talk, minlength=talks))
    phrase = (key % (len(rows.vocab) + 1)).astype(np.int32)
    return Ragged(offsets, {"id": phrase[order], "count": count[order], "rows": held[order]})


def _strings(texts: list[str]) -> np.ndarray:
    """UTF-8 bytes, fixed width (sorted str order is sorted UTF-8 order)."""
    return np.array([t.encode() for t in texts], dtype=bytes) if texts else np.zeros(0, dtype="S1")


def _join(arrays: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(arrays).astype(dtype, copy=False) if arrays else np.zeros(0, dtype=dtype)
