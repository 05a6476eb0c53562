"""The PostgreSQL connection the backend (store/postgres.py) uses: one per store, used by
one thread at a time, replaced when the server dropped it; errors translated to domain
errors that never show the URL (it may hold a password)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from recapqa.embed import active_model
from recapqa.errors import DatabaseError, IndexMissingError

URL_FIX = "check RECAPQA_DATABASE_URL and that the PostgreSQL server is up and reachable"


def _database_error(exc: Exception) -> DatabaseError:
    """Never the URL (it may hold a password): the error class and the server's reason."""
    reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
    reason = reason.rsplit(": ", 1)[-1].strip()[:200]  # libpq indents its hint lines with a tab
    return DatabaseError(f"the PostgreSQL store failed ({type(exc).__name__}: {reason})", URL_FIX)


class Database:
    """One connection per store, used by one thread at a time; a connection the server
    dropped is replaced on the next use."""

    def __init__(self, url: str, schema: str, dimension: int | None = None) -> None:
        self.url = url
        self.schema = schema
        self.dimension = dimension or active_model().dimension  # of the configured embedding model
        self._conn: Any = None
        self._lock = threading.Lock()

    @contextmanager
    def transaction(self, read_only: bool = False) -> Iterator[Any]:
        """A cursor in one transaction (REPEATABLE READ when reading: one snapshot)."""
        with self._connection() as conn, conn.transaction(), conn.cursor() as cur:
            if read_only:
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield cur

    def query(self, sql: str, params: Any = None, binary: bool = False) -> list[Any]:
        """One read statement's rows, outside a transaction block (one round trip: for rows
        read on demand while answering)."""
        with self._connection() as conn, conn.cursor() as cur:
            cur.execute(sql, params, binary=binary)
            return list(cur.fetchall())

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        """The connection (autocommit), held by one thread; psycopg errors translated."""
        import psycopg

        with self._lock:
            try:
                if self._conn is None or self._conn.closed:
                    self._conn = psycopg.connect(self.url, autocommit=True, connect_timeout=10)
                yield self._conn
            except psycopg.errors.UndefinedTable as exc:
                raise IndexMissingError(
                    f"no index in the database (schema {self.schema})", "run `recapqa index` to build it"
                ) from exc
            except psycopg.Error as exc:
                if isinstance(exc, psycopg.OperationalError):
                    self._conn = None
                raise _database_error(exc) from exc

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def sql(self, template: str) -> str:
        return template.format(s=f'"{self.schema}"', d=self.dimension)
