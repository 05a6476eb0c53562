"""FAISS over L2-normalised vectors: inner product is cosine similarity.

Exact search (IndexFlatIP) while the index is small: results are reproducible and a query
over 100k vectors still takes only milliseconds. Past `ann_threshold` vectors (a setting)
the build makes an HNSW graph instead (IndexHNSWFlat, inner product): search cost grows
with log n, not n; the manifest records which one an index holds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

HNSW_M = 32  # graph degree: more links, better recall, more memory (4*M*2 bytes per vector)
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128  # candidates per query: recall@10 = 1.0 on 20k vectors of intrinsic dimension 32 (tests)


class FaissStore:
    def __init__(self, dimension: int, index: Any = None) -> None:
        import faiss

        self.dimension = dimension
        self._index = index if index is not None else faiss.IndexFlatIP(dimension)
        if self.kind == "approximate":
            faiss.ParameterSpace().set_index_parameter(self._index, "efSearch", HNSW_EF_SEARCH)

    @classmethod
    def for_size(cls, dimension: int, size: int, ann_threshold: int) -> FaissStore:
        """Exact below `ann_threshold` vectors (0: always exact), HNSW from there on."""
        import faiss

        if ann_threshold and size >= ann_threshold:
            index = faiss.IndexHNSWFlat(dimension, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
            return cls(dimension, index)
        return cls(dimension)

    @property
    def kind(self) -> str:
        return "approximate" if "HNSW" in type(self._index).__name__ else "exact"

    @property
    def description(self) -> str:
        if self.kind == "approximate":
            return f"IndexHNSWFlat(M={HNSW_M}, efConstruction={HNSW_EF_CONSTRUCTION}, efSearch={HNSW_EF_SEARCH})"
        return "IndexFlatIP"

    def add(self, vectors: np.ndarray) -> None:
        if len(vectors):
            self._index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        k = min(k, len(self))
        if k <= 0:
            return []
        scores, rows = self._index.search(np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32), k)
        return [(int(r), float(s)) for r, s in zip(rows[0], scores[0], strict=True) if r >= 0]

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

        path.write_bytes(faiss.serialize_index(self._index).tobytes())

    @classmethod
    def load(cls, path: Path) -> FaissStore:
        import faiss

        index = faiss.read_index(str(path))
        return cls(index.d, index)

    def __len__(self) -> int:
        return int(self._index.ntotal)
