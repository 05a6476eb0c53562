"""Tables made piece by piece when a question first reads them (answer/gist_tables.py):
a per-row sequence, a dict made per key, a mapping made in full on first use, and the first
chunk of each sentence row with those chunks by id, without reading every chunk."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Generic, TypeVar, overload

import numpy as np

from recapqa.models import Chunk
from recapqa.store import Index
from recapqa.store.rows import ChunkSentences

T = TypeVar("T")
V = TypeVar("V")


class PerRow(Sequence[T]):
    """A per-sentence table whose rows are made when first read, then kept."""

    def __init__(self, count: int, make: Callable[[int], T]) -> None:
        self._count = count
        self._make = make
        self._made: dict[int, T] = {}

    def __len__(self) -> int:
        return self._count

    def made(self) -> int:
        """How many rows have been made so far."""
        return len(self._made)

    @overload
    def __getitem__(self, row: int) -> T: ...

    @overload
    def __getitem__(self, row: slice) -> list[T]: ...

    def __getitem__(self, row: int | slice) -> T | list[T]:
        if isinstance(row, slice):
            return [self[r] for r in range(*row.indices(self._count))]
        if row < 0:
            row += self._count
        if not 0 <= row < self._count:
            raise IndexError(row)
        try:
            return self._made[row]
        except KeyError:
            value = self._made[row] = self._make(row)
            return value

    def __iter__(self) -> Iterator[T]:
        return (self[r] for r in range(self._count))


class ByKey(dict[str, V], Generic[V]):
    """A dict whose values are made from their key when first read."""

    def __init__(self, make: Callable[[str], V]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, key: str) -> V:
        value = self[key] = self._make(key)
        return value


class Once(Mapping[str, V]):
    """A mapping made in full (by `make`) the first time it is read."""

    def __init__(self, make: Callable[[], dict[str, V]]) -> None:
        self._make = make
        self._made: dict[str, V] | None = None
        self._lock = threading.Lock()

    @property
    def ready(self) -> bool:
        """Has the table been made?"""
        return self._made is not None

    def _table(self) -> dict[str, V]:
        with self._lock:
            if self._made is None:
                self._made = self._make()
            return self._made

    def __getitem__(self, key: str) -> V:
        return self._table()[key]

    def __contains__(self, key: object) -> bool:
        return key in self._table()

    def __iter__(self) -> Iterator[str]:
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())


class FirstChunks(Mapping[int, str]):
    """The id of the first chunk holding each sentence row (rows no chunk holds are not
    keys); `chunks` gives those chunks by id without reading every chunk."""

    def __init__(self, index: Index) -> None:
        self._index = index
        self._first: np.ndarray | None = None
        self._rows: dict[str, int] = {}  # the chunk row of each id handed out
        self.chunks = ChunksById(index, self._rows)

    def _array(self) -> np.ndarray:
        if self._first is None:
            by_chunk, count = self._index.chunk_sentences, len(self._index.sentences)
            if isinstance(by_chunk, ChunkSentences):  # stored as arrays: no Python loop
                self._first = by_chunk.first_chunks(count)
            else:
                first = np.full(count, -1, dtype=np.int64)
                for chunk_row, held in reversed(list(enumerate(by_chunk))):
                    first[held] = chunk_row
                self._first = first
        return self._first

    def __getitem__(self, row: int) -> str:
        first = self._array()
        if not isinstance(row, int | np.integer) or not 0 <= row < len(first) or first[row] < 0:
            raise KeyError(row)
        chunk_id = self._index.chunks[int(first[row])].chunk_id
        self._rows[chunk_id] = int(first[row])
        return chunk_id

    def __iter__(self) -> Iterator[int]:
        return iter(np.flatnonzero(self._array() >= 0).tolist())

    def __len__(self) -> int:
        return int(np.count_nonzero(self._array() >= 0))


class ChunksById(Mapping[str, Chunk]):
    def __init__(self, index: Index, rows: dict[str, int]) -> None:
        self._index = index
        self._rows = rows
        self._all: dict[str, int] | None = None

    def _row(self, chunk_id: str) -> int:
        if chunk_id in self._rows:
            return self._rows[chunk_id]
        if self._all is None:  # an id `chunk_of` did not give: every chunk's id, once
            self._all = {c.chunk_id: r for r, c in enumerate(self._index.chunks)}
        return self._all[chunk_id]

    def __getitem__(self, chunk_id: str) -> Chunk:
        return self._index.chunks[self._row(chunk_id)]

    def __iter__(self) -> Iterator[str]:
        return (c.chunk_id for c in self._index.chunks)

    def __len__(self) -> int:
        return len(self._index.chunks)
