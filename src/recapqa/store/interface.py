"""What a storage backend provides: `VectorStore` is the chunk search the retriever uses
(dense and lexical, rows of `Index.chunks`); `IndexBackend` reads, checks and publishes whole
index generations. The file backend (`store/filestore.py`: FAISS + bm25s in the index folder)
and the PostgreSQL backend (`store/postgres.py`: pgvector + BM25 postings) implement both;
`store/backends.py` picks one by `RECAPQA_STORE`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from recapqa.models import Chunk, Talk
from recapqa.sentences import Sentence

if TYPE_CHECKING:
    from recapqa.store import Index
    from recapqa.store.documents import Plan


class VectorStore(Protocol):
    """Chunk search over one index generation. Rows are positions in `Index.chunks`."""

    kind: str  # "exact" or "approximate" dense search, as recorded in the manifest

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The k chunks nearest to an L2-normalised query vector: (row, cosine), best first."""
        ...

    def search_text(self, text: str, k: int) -> list[tuple[int, float]]:
        """The k best chunks for `text` by BM25 (rows with a positive score only), best first."""
        ...

    def chunk_vectors(self) -> np.ndarray:
        """Every chunk vector, in row order (the incremental build reuses them)."""
        ...

    def __len__(self) -> int: ...


@dataclass
class IndexContent:
    """What a build publishes: everything but the manifest."""

    talks: list[Talk]
    chunks: Sequence[Chunk]
    sentences: Sequence[Sentence]
    chunk_vectors: np.ndarray
    sentence_vectors: np.ndarray
    plan: Plan | None = None  # the build's documents (store/documents.py): kept rows are copied


class IndexBackend(Protocol):
    name: str

    def manifest(self) -> dict[str, Any]:
        """The live generation's manifest, checked (format, model, integrity).
        IndexMissingError when there is none; IndexCorruptError and kin when it is damaged."""
        ...

    def load(self) -> Index:
        """The live generation, whole and consistent."""
        ...

    def publish(self, content: IndexContent, manifest: dict[str, Any]) -> str:
        """Write a new generation and make it live atomically; returns its name."""
        ...
