"""A PostgreSQL generation's chunks, sentences and sentence vectors, read when a question
needs them (store/postgres.py), not loaded whole by every `serve` worker.

Rows are found by their segment and `row_no` (the primary key): a row is read with the
block of `BLOCK_ROWS` rows around it in its segment (answerers read a sentence's neighbours:
its list items, its lead-in, the other sentences of its chunk), parsed, and kept, up to
`KEPT_ROWS` (then the oldest go). Vectors are read for exactly the rows asked for, in one
query. A segment is never changed once written; it is deleted only when neither the live
generation nor the one before lists it: a worker two builds behind gets an IndexCorruptError
telling it to reload."""

from __future__ import annotations

import bisect
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar, cast

import numpy as np

from recapqa.errors import IndexCorruptError
from recapqa.store.pg_database import Database
from recapqa.store.postgres_sql import BLOCKS, ROWS_AT, rows_sql, stack_vectors
from recapqa.store.rows import _Rows

T = TypeVar("T")
BLOCK_ROWS = 32  # rows read together around a row asked for
KEPT_ROWS = 8192  # parsed rows a worker keeps per kind
RELOAD = "the index was rebuilt twice since this process loaded it: reload it (restart, or POST /v1/reload)"


class _Located:
    """Global rows of a generation as (segment id, row in it)."""

    def __init__(self, segments: list[int], starts: list[int]) -> None:
        self.segments, self.starts = segments, starts  # each segment's first row, and the total
        self.first = dict(zip(segments, starts, strict=False))  # a segment id's first row

    def locate(self, row: int) -> tuple[int, int, int]:
        """(position of the segment, its id, the row in it)."""
        at = bisect.bisect_right(self.starts, row) - 1
        return at, self.segments[at], row - self.starts[at]

    def rows_at(self, rows: Sequence[int], labels: Sequence[int]) -> tuple[list[int], list[int], list[int]]:
        """`ROWS_AT`'s parameters: each row's segment id and row in it, and the label it comes back with."""
        places = [self.locate(r) for r in rows]
        return [p[1] for p in places], [p[2] for p in places], list(labels)


def _keep(kept: OrderedDict[int, Any], made: Iterable[tuple[int, Any]]) -> None:
    """Keep rows just read, dropping the oldest past `KEPT_ROWS` (call with the lock held)."""
    kept.update(made)
    while len(kept) > KEPT_ROWS:
        kept.popitem(last=False)


class PgRows(_Rows[T]):
    """One kind's rows ("chunk", "sentence" table) of a generation, `make` of each one's data."""

    def __init__(
        self, db: Database, table: str, segments: list[int], starts: list[int], make: Callable[[Any], T]
    ) -> None:
        self._db, self._table, self._make = db, table, make
        self._at = _Located(segments, starts)
        self._kept: OrderedDict[int, T] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self._at.starts[-1]

    def __iter__(self) -> Iterator[T]:
        """Every row, a segment a query (a whole-corpus pass; the rows are not kept)."""
        sql = self._db.sql(f"SELECT data FROM {{s}}.{self._table} WHERE segment = %s ORDER BY row_no")
        for at, segment in enumerate(self._at.segments):
            found = self._db.query(sql, (segment,))
            if len(found) != self._at.starts[at + 1] - self._at.starts[at]:
                raise IndexCorruptError(f"segment {segment} of the index is no longer in the database", RELOAD)
            yield from (self._make(r[0]) for r in found)

    def talk_ids(self) -> list[str]:
        """Each row's talk id, without reading the rows (Index.chunk_talk_ids)."""
        sql = self._db.sql(rows_sql(self._table, "c.data->>'talk_id'"))
        return [str(r[0]) for r in self._db.query(sql, (self._at.segments,))]

    def _row(self, index: int) -> T:
        with self._lock:
            if index in self._kept:
                return self._kept[index]
        made = self._read_blocks([index])
        if index not in made:
            raise IndexCorruptError(f"row {index} of the index is no longer in the database", RELOAD)
        return made[index]

    def prefetch(self, rows: Iterable[int], around: bool = True) -> None:
        """Read `rows` not kept yet in one query: with the blocks holding them (`around`: a
        question's sentences, whose neighbours the answerers read next), or exactly those
        rows (retrieval's candidates: it reads their talks, then uses a few of them)."""
        with self._lock:
            wanted = [r for r in rows if 0 <= r < len(self) and r not in self._kept]
        if wanted and around:
            self._read_blocks(wanted)
        elif wanted:
            self._read_rows(wanted)

    def _read_rows(self, rows: list[int]) -> None:
        """Exactly `rows`, in one query; parsed and kept."""
        params = self._at.rows_at(rows, rows)
        found = self._db.query(self._db.sql(ROWS_AT.format(cols="c.data", table=self._table)), params)
        made = {int(r[0]): self._make(r[1]) for r in found}
        with self._lock:
            _keep(self._kept, made.items())

    def _read_blocks(self, rows: Iterable[int]) -> dict[int, T]:
        """The `BLOCK_ROWS` blocks holding `rows`, in one query; parsed and kept."""
        blocks: dict[tuple[int, int], int] = {}  # (segment position, first row in it): its end
        for row in rows:
            at, _, offset = self._at.locate(row)
            first = offset - offset % BLOCK_ROWS
            blocks[at, first] = min(first + BLOCK_ROWS, self._at.starts[at + 1] - self._at.starts[at])
        segments = [self._at.segments[at] for at, _ in blocks]
        params = (segments, [first for _, first in blocks], list(blocks.values()))
        found = self._db.query(self._db.sql(BLOCKS.format(table=self._table)), params)
        made = {self._at.first[int(r[0])] + int(r[1]): self._make(r[2]) for r in found}
        with self._lock:
            _keep(self._kept, made.items())
        return made


class PgVectors:
    """The sentence vectors of a generation, as a read-only 2-D float32 array is read:
    `a[i]`, `a[start:end]`, `a[rows]`, `len`, `shape`, iteration and `np.asarray(a)` (that
    one reads every vector: tests only)."""

    def __init__(self, db: Database, table: str, segments: list[int], starts: list[int]) -> None:
        self._db, self._table = db, table
        self._at = _Located(segments, starts)
        self.shape = (starts[-1], db.dimension)
        self.dtype = np.dtype(np.float32)
        self.ndim = 2
        self._kept: OrderedDict[int, np.ndarray] = OrderedDict()  # vectors prefetched, up to KEPT_ROWS
        self._lock = threading.Lock()

    def prefetch(self, rows: Iterable[int]) -> None:
        """Read the vectors of `rows` not kept yet in one query and keep them: a question's
        sentences, then read from memory."""
        with self._lock:
            wanted = list(dict.fromkeys(r for r in rows if 0 <= r < len(self) and r not in self._kept))
        if not wanted:
            return
        found = self._query(wanted)
        with self._lock:
            _keep(self._kept, zip(wanted, found, strict=True))

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, index: Any) -> np.ndarray:
        if isinstance(index, slice):
            return self._read(list(range(*index.indices(len(self)))))
        if isinstance(index, int | np.integer):
            return self._read([int(index)])[0]
        return self._read([int(i) for i in np.asarray(index).reshape(-1)])

    def __iter__(self) -> Any:
        return iter(self._read(list(range(len(self)))))

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        whole = self._read(list(range(len(self))))
        return whole if dtype is None else whole.astype(dtype)

    def _read(self, rows: Sequence[int]) -> np.ndarray:
        n = len(self)
        rows = [r + n if r < 0 else r for r in rows]
        if any(not 0 <= r < n for r in rows):
            raise IndexError(rows)
        if not rows:
            return np.zeros((0, self.shape[1]), dtype=np.float32)
        with self._lock:
            kept = [self._kept.get(r) for r in rows]
        if all(v is not None for v in kept):
            return np.stack(cast(list[np.ndarray], kept))
        return self._query(rows)

    def _query(self, rows: Sequence[int]) -> np.ndarray:
        """The vectors of `rows` (in range), in one query."""
        params = self._at.rows_at(rows, range(len(rows)))
        sql = self._db.sql(ROWS_AT.format(cols="vector_send(c.embedding)", table=self._table))
        found = self._db.query(sql, params, binary=True)
        if len(found) != len(rows):
            raise IndexCorruptError("rows of the index are no longer in the database", RELOAD)
        found.sort(key=lambda r: int(r[0]))
        return stack_vectors([r[1] for r in found], self.shape[1])
