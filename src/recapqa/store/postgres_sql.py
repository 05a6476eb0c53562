"""The SQL and the literals of the PostgreSQL backend (`store/postgres.py`)."""

from __future__ import annotations

import numpy as np

K1, B = 1.5, 0.75  # bm25s defaults

SCHEMA = """
CREATE SCHEMA IF NOT EXISTS {s};
CREATE TABLE IF NOT EXISTS {s}.generation (
    id bigserial PRIMARY KEY, manifest jsonb NOT NULL, talks jsonb NOT NULL,
    chunk_count int NOT NULL, avg_length float8 NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS {s}.live (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    generation bigint NOT NULL REFERENCES {s}.generation(id));
CREATE TABLE IF NOT EXISTS {s}.chunk (
    generation bigint NOT NULL REFERENCES {s}.generation(id) ON DELETE CASCADE, row_no int NOT NULL,
    data jsonb NOT NULL, embedding vector({d}) NOT NULL, lexemes tsvector NOT NULL, length int NOT NULL,
    PRIMARY KEY (generation, row_no));
CREATE INDEX IF NOT EXISTS chunk_lexemes ON {s}.chunk USING gin (lexemes);
CREATE TABLE IF NOT EXISTS {s}.term (
    generation bigint NOT NULL REFERENCES {s}.generation(id) ON DELETE CASCADE, term text NOT NULL,
    df int NOT NULL, PRIMARY KEY (generation, term));
CREATE TABLE IF NOT EXISTS {s}.sentence (
    generation bigint NOT NULL REFERENCES {s}.generation(id) ON DELETE CASCADE, row_no int NOT NULL,
    data jsonb NOT NULL, embedding vector({d}) NOT NULL, PRIMARY KEY (generation, row_no));
CREATE TABLE IF NOT EXISTS {s}.gist (
    generation bigint NOT NULL REFERENCES {s}.generation(id) ON DELETE CASCADE, part int NOT NULL,
    name text NOT NULL, sentence_start int NOT NULL, sentences int NOT NULL, digest text NOT NULL,
    data bytea NOT NULL, PRIMARY KEY (generation, part));
"""

BM25 = """
WITH q AS (
    SELECT t.term, ln(1 + (%(n)s - t.df + 0.5) / (t.df + 0.5)) AS idf
    FROM unnest(%(terms)s::text[]) AS qt(term) JOIN {s}.term t ON t.generation = %(g)s AND t.term = qt.term)
SELECT c.row_no, sum(q.idf * cardinality(u.positions)
                     / (cardinality(u.positions) + %(k1)s * (1 - %(b)s + %(b)s * c.length / %(avg)s))) AS score
FROM {s}.chunk c CROSS JOIN LATERAL unnest(c.lexemes) AS u(lexeme, positions, weights) JOIN q ON q.term = u.lexeme
WHERE c.generation = %(g)s AND c.lexemes @@ %(query)s::tsquery
GROUP BY c.row_no ORDER BY score DESC, c.row_no LIMIT %(k)s
"""


def vector_literal(values: np.ndarray) -> str:
    return "[" + ",".join(repr(float(v)) for v in values) + "]"


def parse_vector(text: str) -> np.ndarray:
    return np.array(text[1:-1].split(","), dtype=np.float32)


def lexemes_literal(tokens: list[str]) -> str:
    """A tsvector literal: each lexeme with its positions (term frequency = their count)."""
    positions: dict[str, list[int]] = {}
    for at, token in enumerate(tokens, start=1):
        positions.setdefault(token, []).append(min(at, 16383))
    return " ".join(quote_lexeme(t) + ":" + ",".join(map(str, p)) for t, p in positions.items())


def quote_lexeme(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"
