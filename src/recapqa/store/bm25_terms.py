"""BM25 from stored per-chunk term counts, so that a build tokenizes only the chunks it has
not seen: each chunk's terms (bm25s tokenization: English stop words, Snowball stems) and
their counts are kept with the index (`bm25_terms.npz`), unchanged chunks' counts are sliced
from the previous generation, and the score matrix (which depends on every chunk: document
frequencies, average length) is computed again with array operations. The scores are the
ones `bm25s.BM25().index(tokens)` computes (Lucene variant, k1 1.5, b 0.75), element for
element; the vocabulary is sorted, so the saved index does not depend on hash order."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from recapqa.store.lexical import LexicalIndex, tokenize

FILE = "bm25_terms.npz"
VERSION = 2  # the file's layout (store/documents.py VERSION follows it)
K1, B = 1.5, 0.75  # bm25s.BM25 defaults: what LexicalIndex.build used


@dataclass
class Terms:
    """Per chunk (row): the ids (into `vocab`) of its distinct terms and their counts,
    entries of chunk i at [offsets[i], offsets[i + 1]); `lengths`: its token count."""

    vocab: list[str]  # sorted, unique
    ids: np.ndarray  # int32 per entry
    counts: np.ndarray  # int32 per entry
    offsets: np.ndarray  # int64, rows + 1
    lengths: np.ndarray  # int64 per row

    def __len__(self) -> int:
        return len(self.lengths)

    @classmethod
    def of_texts(cls, texts: list[str]) -> Terms:
        tokens = tokenize(texts) if texts else []
        vocab = sorted({t for row in tokens for t in row})
        lookup = {t: i for i, t in enumerate(vocab)}
        ids: list[int] = []
        counts: list[int] = []
        offsets = np.zeros(len(tokens) + 1, dtype=np.int64)
        for row, words in enumerate(tokens):
            for term, count in sorted(Counter(lookup[t] for t in words).items()):
                ids.append(term)
                counts.append(count)
            offsets[row + 1] = len(ids)
        lengths = np.array([len(row) for row in tokens], dtype=np.int64)
        return cls(vocab, np.array(ids, dtype=np.int32), np.array(counts, dtype=np.int32), offsets, lengths)

    def rows(self, start: int, end: int) -> Terms:
        lo, hi = int(self.offsets[start]), int(self.offsets[end])
        offsets = self.offsets[start : end + 1] - lo
        return Terms(self.vocab, self.ids[lo:hi], self.counts[lo:hi], offsets, self.lengths[start:end])

    @staticmethod
    def concat(parts: list[Terms]) -> Terms:
        """The rows of `parts` one after another, over the vocabulary they use (sorted).
        Parts sliced from one generation share its vocabulary: it is mapped once."""
        vocabs: dict[int, tuple[list[str], np.ndarray]] = {}
        for part in parts:
            vocab, used = vocabs.setdefault(id(part.vocab), (part.vocab, np.zeros(len(part.vocab), dtype=bool)))
            used[
                np.unique(part.ids) if len(part.ids) < len(vocab) else np.bincount(part.ids, minlength=len(vocab)) > 0
            ] = True
        words: set[str] = set()
        for vocab, used in vocabs.values():
            words.update(vocab if used.all() else (vocab[i] for i in np.flatnonzero(used).tolist()))
        merged = sorted(words)
        lookup = {t: i for i, t in enumerate(merged)}
        mapping = {k: np.array([lookup.get(t, -1) for t in v], dtype=np.int32) for k, (v, _) in vocabs.items()}
        offsets, total = [np.zeros(1, dtype=np.int64)], 0
        for part in parts:
            offsets.append(part.offsets[1:] + total)
            total += int(part.offsets[-1])
        return Terms(
            merged,
            _join([mapping[id(p.vocab)][p.ids] for p in parts], np.int32),
            _join([p.counts for p in parts], np.int32),
            np.concatenate(offsets),
            _join([p.lengths for p in parts], np.int64),
        )

    def save(self, path: Path) -> None:
        """The vocabulary as one UTF-8 text, a term a line (terms are words: no newline)."""
        vocab = np.frombuffer("\n".join(self.vocab).encode(), dtype=np.uint8)
        with path.open("wb") as handle:
            np.savez(
                handle,
                version=np.array(VERSION),
                vocab=vocab,
                ids=self.ids,
                counts=self.counts,
                offsets=self.offsets,
                lengths=self.lengths,
            )

    @classmethod
    def load(cls, path: Path) -> Terms:
        with np.load(path, allow_pickle=False) as data:
            if "version" not in data.files or int(data["version"]) != VERSION:
                raise ValueError("another version's terms")
            text = data["vocab"].tobytes().decode()
            made = cls(text.split("\n") if text else [], data["ids"], data["counts"], data["offsets"], data["lengths"])
        if len(made.offsets) != len(made.lengths) + 1 or made.offsets[-1] != len(made.ids):
            raise ValueError("offsets")
        if len(made.ids) and (made.ids.min() < 0 or made.ids.max() >= len(made.vocab)):
            raise ValueError("term ids")
        return made

    def index(self) -> LexicalIndex:
        """The BM25 index over these rows, as bm25s builds it from the same tokens."""
        import bm25s
        from scipy import sparse

        retriever = bm25s.BM25()
        n_docs, n_vocab = len(self.lengths), len(self.vocab)
        doc_freq = np.bincount(self.ids, minlength=n_vocab)
        idf = np.zeros(n_vocab, dtype=np.float32)
        for term, df in enumerate(doc_freq.tolist()):  # math.log, as bm25s (not np.log)
            if df:
                idf[term] = math.log(1 + (n_docs - df + 0.5) / (df + 0.5))
        rows = np.repeat(np.arange(n_docs, dtype=np.int64), np.diff(self.offsets))
        scores = _scores(self, rows, idf) if n_docs else np.zeros(0, dtype=np.float32)
        # CSC (columns: terms), each column's rows ascending: what bm25s's numpy builder makes
        # (scipy's CSR -> CSC transpose is linear; sorting the entries was most of the time)
        matrix = sparse.csr_matrix((scores, self.ids, self.offsets), shape=(n_docs, n_vocab)).tocsc()
        retriever.scores = {
            "data": matrix.data.astype(np.float32, copy=False),
            "indices": matrix.indices.astype(np.int32, copy=False),
            "indptr": matrix.indptr.astype(np.int64, copy=False),
            "num_docs": n_docs,
        }
        vocab: dict[Any, int] = {t: i for i, t in enumerate(self.vocab)}
        vocab[""] = n_vocab  # bm25s adds the empty token after the corpus's
        retriever.vocab_dict = vocab
        retriever.unique_token_ids_set = set(vocab.values())
        retriever.nonoccurrence_array = None
        return LexicalIndex(retriever, n_docs)


def _join(arrays: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(arrays).astype(dtype, copy=False) if arrays else np.zeros(0, dtype=dtype)


def _scores(terms: Terms, rows: np.ndarray, idf: np.ndarray) -> np.ndarray:
    """bm25s's Lucene term weight, in its operation order and precision: the length term
    and the division in float64, the product rounded to float32."""
    average = terms.lengths.mean()
    # each chunk's length term once (the same float64 operations), then one per entry
    per_chunk = K1 * ((1 - B) + B * terms.lengths.astype(np.float64) / average)
    tf = terms.counts.astype(np.float32)
    tfc = tf / (per_chunk[rows] + tf)
    return (idf[terms.ids] * tfc).astype(np.float32)
