"""The index's chunks and sentences, read on demand: a memory-mapped JSONL file whose lines
are parsed when a row is asked for (a bounded number kept), and the sentences of each chunk
as two integer arrays. Loading an index then costs a newline scan, not one Python object per
row (`serve` start-up at 10k files); a question parses the rows it retrieves."""

from __future__ import annotations

import bisect
import json
import mmap
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar, overload

import numpy as np

from recapqa.errors import IndexCorruptError
from recapqa.mapped import map_file
from recapqa.store.files import REBUILD_FIX

T = TypeVar("T")


_LINES: dict[tuple[str, int, int, int], tuple[np.ndarray, np.ndarray]] = {}
LINE_CACHE_ROWS = 1_500_000  # about three generations' chunks and sentences at 10k notes files
PARSED_ROWS_KEPT = 4096  # parsed rows a file keeps (then it starts again): bounds a worker's memory
_LINES_LOCK = threading.Lock()


def _line_index(path: Path, data: bytes | mmap.mmap) -> tuple[np.ndarray, np.ndarray]:
    """Where each non-blank line starts and ends (int64 arrays: 16 bytes a row, where lists
    of Python ints took ~80); kept per file while its size, mtime and inode are unchanged (a
    build opens the live generation's rows three times: loading it, the new rows, the corpus
    sums)."""
    st = path.stat()
    key = (str(path), st.st_ino, st.st_size, st.st_mtime_ns)
    with _LINES_LOCK:
        if key in _LINES:
            return _LINES[key]
    newlines = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == ord("\n"))
    ends = np.append(newlines, len(data)) if data[-1:] != b"\n" else newlines
    starts = np.concatenate(([0], ends[:-1] + 1)) if len(ends) else ends
    keep = ends - starts > 0
    found = (starts[keep].astype(np.int64), ends[keep].astype(np.int64))
    with _LINES_LOCK:  # the oldest files go first; a generation's segments take one entry each
        while _LINES and sum(len(v[0]) for v in _LINES.values()) + len(found[0]) > LINE_CACHE_ROWS:
            del _LINES[next(iter(_LINES))]
        _LINES[key] = found
    return found


def prefetch(rows: object, wanted: Iterable[int], around: bool = True) -> None:
    """Tell rows read on demand (store/postgres_rows.py `PgRows`) which ones a question is
    about to read, so they come in one query (`around`: with their neighbours); rows
    already in memory ignore it."""
    fetch = getattr(rows, "prefetch", None)
    if fetch is not None and around:
        fetch(wanted)
    elif fetch is not None:
        fetch(wanted, around=False)


class _Rows(Sequence[T]):
    """A sequence read one row at a time: subclasses give `__len__` and `_row` (an index in
    range, not negative); slices, negative indices and IndexError are handled here."""

    def _row(self, index: int) -> T:
        raise NotImplementedError

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        return self._row(index % len(self))

    def __iter__(self) -> Iterator[T]:
        for i in range(len(self)):
            yield self._row(i)


class JsonlRows(_Rows[T]):
    """Rows of a JSONL file (one object a line, blank lines skipped), each made by `make`
    from its object when it is read, and kept: up to PARSED_ROWS_KEPT, then forgotten all at
    once (a question reads a few hundred rows; a worker answering for months would otherwise
    end up holding every row as Python objects)."""

    def __init__(self, path: Path, make: Callable[[dict[str, Any]], T]) -> None:
        self._data = map_file(path)  # shared by `serve` workers through the page cache
        self._name = f"{path.parent.name}/{path.name}"
        self._make = make
        self._starts, self._ends = _line_index(path, self._data)
        self._rows: dict[int, T] = {}

    def __len__(self) -> int:
        return len(self._starts)

    def _row(self, index: int) -> T:
        row = self._rows.get(index)
        if row is None:
            if len(self._rows) >= PARSED_ROWS_KEPT:
                self._rows = {}  # one assignment: a reader in another thread keeps the old dict
            row = self._rows[index] = self._parse(index)
        return row

    def raw(self, start: int, end: int) -> memoryview:
        """The lines of rows [start, end) as stored, newlines included (a view of the
        mapped file: writing it copies nothing in between)."""
        if end <= start:
            return memoryview(b"")
        last = self._ends[end - 1]
        if last >= len(self._data) or self._data[last : last + 1] != b"\n":
            return memoryview(bytes(self._data[self._starts[start] : last]) + b"\n")  # no final newline
        return memoryview(self._data)[self._starts[start] : last + 1]

    def _parse(self, index: int) -> T:
        line = self._data[self._starts[index] : self._ends[index]]
        if not line.strip():
            raise IndexCorruptError(f"index file {self._name} has a blank row {index}", REBUILD_FIX)
        try:
            return self._make(json.loads(line))
        except (ValueError, KeyError, TypeError) as exc:
            reason = type(exc).__name__
            raise IndexCorruptError(
                f"index file {self._name} row {index} cannot be read ({reason})", REBUILD_FIX
            ) from exc


class JoinedRows(_Rows[T]):
    """Rows of several JSONL files one after another (`raw` spans them)."""

    def __init__(self, pieces: Sequence[JsonlRows[T]]) -> None:
        self.pieces = list(pieces)
        self.starts = [0]
        for piece in self.pieces:
            self.starts.append(self.starts[-1] + len(piece))

    def __len__(self) -> int:
        return self.starts[-1]

    def _row(self, index: int) -> T:
        at = bisect.bisect_right(self.starts, index) - 1
        return self.pieces[at][index - self.starts[at]]

    def raw(self, start: int, end: int) -> bytes | memoryview:
        out: list[bytes | memoryview] = []
        for at, piece in enumerate(self.pieces):
            lo, hi = max(start, self.starts[at]), min(end, self.starts[at + 1])
            if hi > lo:
                out.append(piece.raw(lo - self.starts[at], hi - self.starts[at]))
        return out[0] if len(out) == 1 else b"".join(out)


class RowRuns(_Rows[T]):
    """Rows as runs of other sequences (a previous generation's rows, or new lists), read
    only when asked for."""

    def __init__(self, runs: list[tuple[Sequence[T], int, int]]) -> None:
        self.runs = [(rows, start, end) for rows, start, end in runs if end > start]
        self._starts = [0]
        for _, start, end in self.runs:
            self._starts.append(self._starts[-1] + end - start)

    def __len__(self) -> int:
        return self._starts[-1]

    def _row(self, index: int) -> T:
        run = bisect.bisect_right(self._starts, index) - 1
        rows, start, _ = self.runs[run]
        return rows[start + index - self._starts[run]]

    def __iter__(self) -> Iterator[T]:
        for rows, start, end in self.runs:
            for i in range(start, end):
                yield rows[i]


class ChunkSentences(_Rows[list[int]]):
    """The sentence rows of each chunk (`Index.chunk_sentences`), from two arrays: every
    chunk's rows one after another, and where each chunk's start."""

    def __init__(self, offsets: np.ndarray, rows: np.ndarray) -> None:
        self.offsets, self.rows = offsets.astype(np.int64), rows.astype(np.int64)

    @classmethod
    def of(cls, lists: Sequence[list[int]]) -> ChunkSentences:
        offsets = np.zeros(len(lists) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum([len(rows) for rows in lists])
        flat = np.fromiter((r for rows in lists for r in rows), dtype=np.int64, count=int(offsets[-1]))
        return cls(offsets, flat)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def _row(self, index: int) -> list[int]:
        return self.rows[self.offsets[index] : self.offsets[index + 1]].tolist()

    def first_chunks(self, sentences: int) -> np.ndarray:
        """The first chunk holding each sentence row (-1 where none does)."""
        out = np.full(sentences, -1, dtype=np.int64)
        chunk_of_entry = np.repeat(np.arange(len(self)), np.diff(self.offsets))
        rows, first = np.unique(self.rows, return_index=True)  # first entry of each row: its lowest chunk
        out[rows] = chunk_of_entry[first]
        return out

    def save(self, path: Path) -> None:
        with path.open("wb") as handle:
            np.savez(handle, offsets=self.offsets, rows=self.rows)

    @classmethod
    def load(cls, path: Path, chunks: int, sentences: int) -> ChunkSentences:
        with np.load(path, allow_pickle=False) as data:
            made = cls(data["offsets"], data["rows"])
        bad_rows = len(made.rows) and (made.rows.min() < 0 or made.rows.max() >= sentences)
        if len(made) != chunks or made.offsets[0] != 0 or np.any(np.diff(made.offsets) < 0) or bad_rows:
            raise IndexCorruptError(
                f"index file {path.name} in {path.parent.name} does not match its chunks", REBUILD_FIX
            )
        return made
