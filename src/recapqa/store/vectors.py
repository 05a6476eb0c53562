"""Vector stores. FAISS inner product over L2-normalised vectors is cosine similarity."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import numpy as np


class VectorStore(Protocol):
    def add(self, vectors: np.ndarray) -> None: ...

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]: ...

    def save(self, path: Path) -> None: ...

    def all_vectors(self) -> np.ndarray: ...

    def __len__(self) -> int: ...


class FaissStore:
    """Exact search (IndexFlatIP): notes corpora are thousands of chunks, not millions,
    and exact results keep evaluation reproducible."""

    def __init__(self, dimension: int, index: Any = None) -> None:
        import faiss

        self.dimension = dimension
        self._index = index if index is not None else faiss.IndexFlatIP(dimension)

    def add(self, vectors: np.ndarray) -> None:
        if len(vectors):
            self._index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        k = min(k, len(self))
        if k <= 0:
            return []
        scores, rows = self._index.search(np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32), k)
        return [(int(r), float(s)) for r, s in zip(rows[0], scores[0], strict=True) if r >= 0]

    def all_vectors(self) -> np.ndarray:
        if not len(self):
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.asarray(self._index.reconstruct_n(0, len(self)), dtype=np.float32)

    def save(self, path: Path) -> None:
        import faiss

        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path) -> FaissStore:
        import faiss

        index = faiss.read_index(str(path))
        return cls(index.d, index)

    def __len__(self) -> int:
        return int(self._index.ntotal)
