"""FAISS over L2-normalised vectors: inner product is cosine similarity.

Exact search (IndexFlatIP) while the index is small: results are reproducible and a query
over 100k vectors still takes only milliseconds. Past `ann_threshold` vectors (a setting)
the build makes an HNSW graph instead (IndexHNSWFlat, inner product): search cost grows
with log n, not n; the manifest records which one an index holds, with its parameters.

efSearch (candidates kept per query) is a search-time parameter: the `ann_ef_search`
setting, applied when an index is built and each time one is loaded, so changing it needs
no rebuild. bench/scale.py measures recall@10 against it at 1M vectors (bench/SCALE.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

HNSW_M = 32  # graph degree: more links, better recall, more memory (4*M*2 bytes per vector)
HNSW_EF_CONSTRUCTION = 80
# rows fetched beyond k so that equal scores (the same text in two files) are ordered by row,
# as every store orders them (PostgreSQL: ORDER BY distance, row), whatever FAISS's heap kept
TIE_ROWS = 8


def default_ef_search() -> int:
    from recapqa.settings import get_settings

    return get_settings().ann_ef_search


class FaissStore:
    def __init__(self, dimension: int, index: Any = None, ef_search: int | None = None) -> None:
        import faiss

        self.dimension = dimension
        self._index: Any = index if index is not None else faiss.IndexFlatIP(dimension)
        self.ef_search = 0
        if self.kind == "approximate":
            self.set_ef_search(ef_search or default_ef_search())

    @classmethod
    def for_size(
        cls,
        dimension: int,
        size: int,
        ann_threshold: int,
        ef_search: int | None = None,
        m: int = HNSW_M,
        ef_construction: int = HNSW_EF_CONSTRUCTION,
    ) -> FaissStore:
        """Exact below `ann_threshold` vectors (0: always exact), HNSW from there on."""
        import faiss

        if ann_threshold and size >= ann_threshold:
            index = faiss.IndexHNSWFlat(dimension, m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = ef_construction
            return cls(dimension, index, ef_search)
        return cls(dimension)

    def set_ef_search(self, ef_search: int) -> None:
        """Candidates per HNSW query (no effect on exact search)."""
        import faiss

        if self.kind == "approximate":
            self.ef_search = int(ef_search)
            faiss.ParameterSpace().set_index_parameter(self._index, "efSearch", self.ef_search)

    @property
    def kind(self) -> str:
        return "approximate" if "HNSW" in type(self._index).__name__ else "exact"

    @property
    def description(self) -> str:
        if self.kind == "approximate":
            hnsw = self._index.hnsw
            m = hnsw.nb_neighbors(1)  # level-0 links are 2*M; upper levels M
            return f"IndexHNSWFlat(M={m}, efConstruction={hnsw.efConstruction}, efSearch={self.ef_search})"
        return "IndexFlatIP"

    def add(self, vectors: np.ndarray) -> None:
        if len(vectors):
            self._index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        k = min(k, len(self))
        if k <= 0:
            return []
        wide = min(k + TIE_ROWS, len(self))
        scores, rows = self._index.search(np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32), wide)
        return ranked([(int(r), float(s)) for r, s in zip(rows[0], scores[0], strict=True) if r >= 0], k)

    def search_many(self, queries: np.ndarray, k: int) -> np.ndarray:
        """Row ids of the k nearest vectors of each query (-1 where fewer were found)."""
        _, rows = self._index.search(np.ascontiguousarray(queries, dtype=np.float32), min(k, len(self)))
        return np.asarray(rows)

    def all_vectors(self) -> np.ndarray:
        if not len(self):
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.asarray(self._index.reconstruct_n(0, len(self)), dtype=np.float32)

    def save(self, path: Path) -> None:
        """Serialised in memory, written by Python: a full disk is an OSError (ENOSPC), not
        a FAISS RuntimeError."""
        import faiss

        with path.open("wb") as handle:
            handle.write(faiss.serialize_index(self._index).data)  # its buffer: no second copy

    @classmethod
    def load(cls, path: Path, ef_search: int | None = None) -> FaissStore:
        """efSearch is not taken from the file: the current `ann_ef_search` setting (or
        `ef_search`) applies."""
        import faiss

        index = faiss.read_index(str(path))
        return cls(index.d, index, ef_search)

    def __len__(self) -> int:
        return int(self._index.ntotal)


class PiecesStore:
    """Exact inner-product search over the chunk vectors of a segmented generation, one
    array per segment (nothing joined). Each piece is scanned by FAISS's own exact kernel
    (`faiss.knn`, what IndexFlatIP.search runs: with one piece, its very results); the
    pieces' top k are merged by score, equal scores by row (`ranked`). With
    several pieces a score can differ from one scan over all vectors in its last bit (the
    kernel's blocking depends on a row's place in its array; bench/SCALE.md measured the
    same top-50 rows at 10k files). Builds from scratch and incremental ones have the same
    segments, so the same scores. A query's
    pieces are scanned by `threads` threads (FAISS scans one query on one core), each a run
    of pieces; the hits are joined in piece order, so the result does not depend on them."""

    kind = "exact"
    description = "exact inner product over the segments' vectors (faiss.knn)"

    def __init__(self, pieces: list[np.ndarray], dimension: int, threads: int = 1) -> None:
        self.pieces = [p for p in pieces if len(p)]
        self.dimension = dimension
        self.starts = np.cumsum([0] + [len(p) for p in self.pieces]).tolist()
        self.runs = _runs([len(p) for p in self.pieces], threads)

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        k = min(k, len(self))
        if k <= 0:
            return []
        return [(int(r), float(s)) for r, s in self._top(query.reshape(1, -1), k)]

    def _top(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        query, wide = np.ascontiguousarray(query, dtype=np.float32), k + TIE_ROWS
        if len(self.runs) <= 1:
            found = self._scan(query, wide, 0, len(self.pieces))
        else:
            pool = _pool(len(self.runs))
            found = [hit for hits in pool.map(lambda run: self._scan(query, wide, *run), self.runs) for hit in hits]
        return ranked(found, k)

    def _scan(self, query: np.ndarray, k: int, first: int, last: int) -> list[tuple[int, float]]:
        import faiss

        found: list[tuple[int, float]] = []
        for at in range(first, last):
            piece, start = self.pieces[at], self.starts[at]
            scores, rows = faiss.knn(query, piece, min(k, len(piece)), metric=faiss.METRIC_INNER_PRODUCT)
            found += [(int(r) + start, float(s)) for r, s in zip(rows[0], scores[0], strict=True) if r >= 0]
        return found

    def all_vectors(self) -> np.ndarray:
        from recapqa.store.segments import joined

        return joined(self.pieces, self.dimension)

    def __len__(self) -> int:
        return int(self.starts[-1])


def _runs(sizes: list[int], threads: int) -> list[tuple[int, int]]:
    """Pieces [first, last) of each thread: consecutive, about the same number of rows."""
    threads = max(1, min(threads, len(sizes)))
    total, first, done = sum(sizes), 0, 0
    out: list[tuple[int, int]] = []
    for at, size in enumerate(sizes):
        done += size
        if done * threads >= total * (len(out) + 1) and len(out) < threads - 1:
            out.append((first, at + 1))
            first = at + 1
    if first < len(sizes):
        out.append((first, len(sizes)))
    return out


_POOLS: dict[int, Any] = {}


def _pool(threads: int) -> Any:
    from concurrent.futures import ThreadPoolExecutor

    if threads not in _POOLS:
        _POOLS[threads] = ThreadPoolExecutor(threads, thread_name_prefix="dense-search")
    return _POOLS[threads]


def ranked(hits: list[tuple[int, float]], k: int) -> list[tuple[int, float]]:
    """The k best (row, score) hits, best first, equal scores by row."""
    return sorted(hits, key=lambda hit: (-hit[1], hit[0]))[:k]
