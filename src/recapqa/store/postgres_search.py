"""Search over one PostgreSQL generation's segments (the `VectorStore` of store/postgres.py):
dense search exact or through the pgvector HNSW index, lexical search as BM25 over per-term
postings (store/postgres_bm25.py)."""

from __future__ import annotations

from typing import Any

import numpy as np

from recapqa.store.lexical import tokenize
from recapqa.store.pg_database import Database
from recapqa.store.postgres_bm25 import Postings
from recapqa.store.postgres_schema import iterative_scan
from recapqa.store.postgres_sql import APPROXIMATE, EXACT, POSTINGS, rows_sql, stack_vectors, vector_literal
from recapqa.store.vectors import default_ef_search


class PostgresVectorStore:
    """Search over one generation's segments; rows are positions in `Index.chunks`."""

    def __init__(
        self, db: Database, generation: int, segments: list[int], starts: list[int], lexical: Postings, kind: str
    ) -> None:
        self._db = db
        self.generation = generation
        self._segments = segments
        self._starts = starts  # each segment's first chunk row, and the total
        self._at = dict(zip(segments, starts, strict=False))
        self._lexical = lexical
        self.kind = kind

    def _params(self, **more: Any) -> dict[str, Any]:
        return {"segs": self._segments, "starts": self._starts[:-1], **more}

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        k = min(k, len(self))
        if k <= 0:
            return []
        approximate = self.kind == "approximate" and k <= 1000
        params = self._params(q=vector_literal(query.reshape(-1)), k=k)
        with self._db.transaction() as cur:
            if approximate:
                cur.execute(f"SET LOCAL hnsw.ef_search = {max(default_ef_search(), k)}")
                cur.execute("SET LOCAL enable_seqscan = off")  # the HNSW index, even when small
                if iterative_scan(cur):
                    cur.execute("SET LOCAL hnsw.iterative_scan = strict_order")
                cur.execute(self._db.sql(APPROXIMATE), params)
                return [(self._at[int(s)] + int(row), float(score)) for s, row, score in cur.fetchall()]
            cur.execute("SET LOCAL enable_indexscan = off")  # exact: no HNSW, whatever the planner thinks
            cur.execute(self._db.sql(EXACT), params)
            return [(int(row), float(score)) for row, score in cur.fetchall()]

    def search_text(self, text: str, k: int) -> list[tuple[int, float]]:
        tokens = tokenize([text])[0]
        k = min(k, len(self))
        if not tokens or k <= 0:
            return []
        found = self._db.query(self._db.sql(POSTINGS), {"terms": sorted(set(tokens)), "segs": self._segments})
        return self._lexical.top(tokens, found, k)

    def chunk_vectors(self) -> np.ndarray:
        with self._db.transaction(read_only=True) as cur:
            cur.execute(self._db.sql(rows_sql("chunk", "vector_send(c.embedding)")), (self._segments,), binary=True)
            return stack_vectors([r[0] for r in cur.fetchall()], self._db.dimension)

    def __len__(self) -> int:
        return self._starts[-1]


def starts_of(arrays: dict[int, Any], segments: list[int], kind: int) -> list[int]:
    """Each segment's first row of a kind (0: chunks, 1: sentences), and the total."""
    starts = [0]
    for segment in segments:
        starts.append(starts[-1] + int(arrays[segment][kind]))
    return starts
