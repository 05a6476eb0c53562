"""BM25 for the PostgreSQL store from per-term postings, scored as bm25s scores the file store.

Each segment stores, per term, its postings: the chunk rows (`row_no`, ascending) holding
the term and how many times each holds it, as two little-endian int32 arrays (`term.rows`,
`term.tfs`), and every chunk's BM25 length (`segment.lengths`). A question reads the
postings of its own terms in the live segments only (one index lookup per term and
segment), never the matched rows themselves: the work grows with the terms' postings, as
bm25s's sparse columns do. Document frequencies are the postings' lengths summed over the
live segments; the score of an entry is bm25s's Lucene weight in its precision (IDF rounded
to float32, the length term and the division in float64, the product rounded to float32,
store/bm25_terms.py) and a chunk's score the float32 sum over the query's tokens, in their
order, duplicates included: the file store's scores, bit for bit."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from typing import Any

import numpy as np

from recapqa.store.bm25_terms import K1, B

_INT = np.dtype("<i4")


def postings(tokens: list[list[str]]) -> dict[str, tuple[bytes, bytes]]:
    """Each term's (rows, term frequencies) over one segment's chunk tokens, as stored."""
    rows: dict[str, list[int]] = {}
    tfs: dict[str, list[int]] = {}
    for row, words in enumerate(tokens):
        for term, count in Counter(words).items():
            rows.setdefault(term, []).append(row)
            tfs.setdefault(term, []).append(count)
    return {t: (_pack(rows[t]), _pack(tfs[t])) for t in rows}


def _pack(values: Iterable[int]) -> bytes:
    return np.fromiter(values, dtype=_INT).tobytes()


def unpack(data: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(data, dtype=_INT).astype(np.int64)


class Postings:
    """The scoring side: the live generation's chunk lengths (one int32 array, global rows)."""

    def __init__(self, lengths: np.ndarray, starts: dict[int, int], avg_length: float) -> None:
        self.lengths = lengths
        self.starts = starts  # each segment id's first global chunk row
        self.avg_length = avg_length

    def top(self, tokens: list[str], found: list[tuple[Any, ...]], k: int) -> list[tuple[int, float]]:
        """The k best rows for the query `tokens` from `found`, the (segment, term, rows,
        tfs) postings of its terms in the live segments: rows with a positive score, best
        first, equal scores by row."""
        by_term: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
        for segment, term, rows, tfs in found:
            by_term.setdefault(term, []).append((unpack(rows) + self.starts[int(segment)], unpack(tfs)))
        n = len(self.lengths)
        weights = {term: self._weights(parts, n) for term, parts in by_term.items()}
        scores = np.zeros(n, dtype=np.float32)
        for token in tokens:  # as bm25s: token by token, in float32
            if token in weights:
                rows, values = weights[token]
                scores[rows] += values  # a term's rows are distinct
        matched = np.flatnonzero(scores > 0)
        best = matched[np.lexsort((matched, -scores[matched]))][:k]
        return [(int(r), float(scores[r])) for r in best]

    def _weights(self, parts: list[tuple[np.ndarray, np.ndarray]], n: int) -> tuple[np.ndarray, np.ndarray]:
        rows = np.concatenate([p[0] for p in parts])
        tf = np.concatenate([p[1] for p in parts]).astype(np.float32)
        df = len(rows)
        idf = np.float32(math.log(1 + (n - df + 0.5) / (df + 0.5)))  # math.log, as bm25s
        per_chunk = K1 * ((1 - B) + B * self.lengths[rows].astype(np.float64) / self.avg_length)
        return rows, (idf * (tf / (per_chunk + tf))).astype(np.float32)
