"""Creating the PostgreSQL backend's tables (store/postgres_sql.py), checking the ones found."""

from __future__ import annotations

from typing import Any

from recapqa.embed import active_model
from recapqa.errors import ConfigError, DatabaseError
from recapqa.store.pg_database import Database
from recapqa.store.postgres_sql import LAYOUT, SCHEMA

_ITERATIVE: dict[str, bool] = {}  # per server URL: has pgvector 0.8's iterative index scans


def create_schema(cur: Any, db: Database) -> None:
    import psycopg

    try:
        cur.execute("CREATE EXTENSION IF NOT EXISTS vector")
    except psycopg.Error as exc:
        raise DatabaseError(
            "the database has no pgvector extension, and this user cannot create it",
            "run `CREATE EXTENSION vector;` in that database as its owner (managed services: enable "
            "the 'vector' extension), then retry",
        ) from exc
    cur.execute(db.sql(SCHEMA))
    cur.execute(db.sql("INSERT INTO {s}.layout (version) VALUES (%s) ON CONFLICT (only_row) DO NOTHING"), (LAYOUT,))
    cur.execute(  # a vector column's type modifier is its dimension
        "SELECT atttypmod, attstorage FROM pg_attribute WHERE attrelid = %s::regclass AND attname = 'embedding'",
        (f'"{db.schema}".chunk',),
    )
    found = cur.fetchone()
    if found is not None and found[1] != "p":
        # chunk vectors kept in the row, never in TOAST: exact search reads every one of them,
        # 7-8x faster than fetching each from the TOAST table at 10k files (bench/SCALE.md);
        # the row's JSON is compressed or moved out instead. Rows written before
        # (a schema made by an older version) keep their storage until rewritten.
        cur.execute(db.sql("ALTER TABLE {s}.chunk ALTER COLUMN embedding SET STORAGE PLAIN"))
    if found is not None and int(found[0]) != db.dimension:
        raise ConfigError(
            f"the PostgreSQL schema {db.schema} holds {found[0]}-dimensional vectors; the embedding model "
            f"{active_model().name} (RECAPQA_EMBED_MODEL) makes {db.dimension}-dimensional ones",
            "use another RECAPQA_DATABASE_SCHEMA for this model (or drop that schema), or set RECAPQA_EMBED_MODEL back",
        )


def iterative_scan(cur: Any) -> bool:
    """Does the server's pgvector filter during an HNSW scan (0.8+: `hnsw.iterative_scan`)?"""
    key = str(cur.connection.info.dsn)
    if key not in _ITERATIVE:
        cur.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        found = cur.fetchone()
        version = tuple(int(p) for p in str(found[0]).split(".")[:2] if p.isdigit()) if found else ()
        _ITERATIVE[key] = version >= (0, 8)
    return _ITERATIVE[key]
