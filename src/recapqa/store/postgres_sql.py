"""The SQL and the literals of the PostgreSQL backend (`store/postgres.py`)."""

from __future__ import annotations

import functools

import numpy as np

K1, B = 1.5, 0.75  # bm25s defaults
# 1: every row copied per generation (no `layout` table); 3: rows by segment (2: without documents);
# 4: BM25 postings per term and segment, chunk lengths and sentences per segment, corpus words per generation
LAYOUT = 4

SCHEMA = """
CREATE SCHEMA IF NOT EXISTS {s};
CREATE TABLE IF NOT EXISTS {s}.layout (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row), version int NOT NULL);
CREATE TABLE IF NOT EXISTS {s}.generation (
    id bigserial PRIMARY KEY, manifest jsonb NOT NULL, talks jsonb NOT NULL,
    chunk_count int NOT NULL, avg_length float8 NOT NULL,
    segments bigint[] NOT NULL, gist text[], documents jsonb, words jsonb, words_state jsonb,
    created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS {s}.live (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    generation bigint NOT NULL REFERENCES {s}.generation(id));
CREATE TABLE IF NOT EXISTS {s}.segment (
    id bigserial PRIMARY KEY, name text NOT NULL UNIQUE, chunks int NOT NULL, sentences int NOT NULL,
    total_length bigint NOT NULL, lengths bytea NOT NULL, sentence_offsets bytea NOT NULL,
    sentence_rows bytea NOT NULL);
CREATE TABLE IF NOT EXISTS {s}.chunk (
    segment bigint NOT NULL REFERENCES {s}.segment(id) ON DELETE CASCADE, row_no int NOT NULL,
    data jsonb NOT NULL, embedding vector({d}) NOT NULL, PRIMARY KEY (segment, row_no));
CREATE TABLE IF NOT EXISTS {s}.term (
    segment bigint NOT NULL REFERENCES {s}.segment(id) ON DELETE CASCADE, term text NOT NULL,
    rows bytea NOT NULL, tfs bytea NOT NULL, PRIMARY KEY (term, segment));
CREATE INDEX IF NOT EXISTS term_segment ON {s}.term (segment);
CREATE TABLE IF NOT EXISTS {s}.sentence (
    segment bigint NOT NULL REFERENCES {s}.segment(id) ON DELETE CASCADE, row_no int NOT NULL,
    data jsonb NOT NULL, embedding vector({d}) NOT NULL, PRIMARY KEY (segment, row_no));
CREATE TABLE IF NOT EXISTS {s}.gist (
    name text PRIMARY KEY, sentences int NOT NULL, digest text NOT NULL, data bytea NOT NULL);
"""

# the tables of an older layout, dropped when a build meets them (their rows are not reused)
OLD_TABLES = ("gist", "sentence", "term", "chunk", "live", "generation")

# the live generation's segments: ids, with the global row of each one's first chunk
SEGMENTS = "unnest(%(segs)s::bigint[], %(starts)s::int[]) AS s(id, start)"

EXACT = (
    "SELECT s.start + c.row_no AS row, -(c.embedding <#> %(q)s::vector) FROM {s}.chunk c "
    f"JOIN {SEGMENTS} ON c.segment = s.id ORDER BY c.embedding <#> %(q)s::vector, row LIMIT %(k)s"
)
# the HNSW index over every stored chunk, rows of other generations filtered out during the
# scan; `segment + 0`: a filter the primary key cannot serve, so the planner takes the HNSW index
APPROXIMATE = (
    "SELECT segment, row_no, -(embedding <#> %(q)s::vector) FROM {s}.chunk "
    "WHERE segment + 0 = ANY(%(segs)s::bigint[]) ORDER BY embedding <#> %(q)s::vector LIMIT %(k)s"
)

# a query's terms' postings in the live segments (store/postgres_bm25.py scores them)
POSTINGS = (
    "SELECT segment, term, rows, tfs FROM {s}.term "
    "WHERE term = ANY(%(terms)s::text[]) AND segment = ANY(%(segs)s::bigint[])"
)

# rows by (segment, row_no), each with its position in the request
ROWS_AT = (
    "SELECT r.at, {cols} FROM unnest(%s::bigint[], %s::int[], %s::int[]) AS r(segment, row_no, at) "
    "JOIN {{s}}.{table} c ON c.segment = r.segment AND c.row_no = r.row_no"
)

# the rows [lo, hi) of each listed segment (blocks read on demand, store/postgres_rows.py)
BLOCKS = (
    "SELECT c.segment, c.row_no, c.data FROM unnest(%s::bigint[], %s::int[], %s::int[]) AS b(segment, lo, hi) "
    "JOIN {{s}}.{table} c ON c.segment = b.segment AND c.row_no >= b.lo AND c.row_no < b.hi"
)

# a kind's rows of the live generation, in row order
ROWS = (
    "SELECT {cols} FROM {{s}}.{table} c JOIN unnest(%s::bigint[]) WITH ORDINALITY AS s(id, at) "
    "ON c.segment = s.id ORDER BY s.at, c.row_no"
)


def rows_sql(table: str, cols: str) -> str:
    return ROWS.format(cols=cols, table=table)


def vector_literal(values: np.ndarray) -> str:
    """pgvector's text form; 9 significant digits give back the very float32 (one format
    call per vector, not one per number)."""
    flat = np.asarray(values, dtype=np.float32).reshape(-1).tolist()
    return "[" + _format(len(flat)) % tuple(flat) + "]"


@functools.cache
def _format(dimension: int) -> str:
    return ",".join(["%.9g"] * dimension)


def stack_vectors(sent: list[bytes], dimension: int) -> np.ndarray:
    """Vectors read as `vector_send(embedding)` (pgvector's binary form: dimension, unused,
    then big-endian float32s), one array; much cheaper than their text on both sides."""
    if not sent:
        return np.zeros((0, dimension), dtype=np.float32)
    flat = np.frombuffer(b"".join(bytes(v)[4:] for v in sent), dtype=">f4")
    return flat.reshape(len(sent), dimension).astype(np.float32)
