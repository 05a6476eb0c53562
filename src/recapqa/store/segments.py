"""Segments: the bulk of a file-store generation (rows, vectors, BM25 terms) is stored in
runs of documents, one folder each (`segments/<name>/`), so that a build after a small edit
writes only the segments holding changed documents and hard-links the others from the live
generation, their recorded checksums kept (store/generation.py).

Where a segment ends depends only on the documents themselves: after a document whose
source path hashes to 0 modulo `index_segment_documents` (a setting). An edit, a new or a
deleted file moves no boundary but its own segment's, and a build from scratch cuts the
corpus into the same segments. A segment's name is a hash of what its rows are made from
(its documents' paths, content hashes and talk ids, the chunking settings, the model), so
two generations holding a segment of the same name hold the same bytes.

Rows are global across segments (row i of `Index.chunks`); inside a segment's files they
are local (its `chunk_sentences.npz` counts sentence rows from the segment's first)."""

from __future__ import annotations

import bisect
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from recapqa.mapped import load_npy
from recapqa.store.rows import ChunkSentences, JoinedRows, JsonlRows

T = TypeVar("T")

FOLDER = "segments"
MANIFEST_KEY = "segments"  # the manifest's list: {"name", "chunks", "sentences"} in row order
VERSION = 1  # what a segment's files are; part of every segment name
CHUNK_VECTORS = "chunk_vectors.npy"
SENTENCE_VECTORS = "sentence_vectors.npy"
CHUNK_SENTENCES = "chunk_sentences.npz"  # the sentence rows of each chunk (store/rows.py)
EMBED_KEYS = "embed_keys.npz"  # sha1 of each chunk's and sentence's embedded text, the chunk ids
TERMS = "bm25_terms.npz"  # store/bm25_terms.py
ROW_FILES = {"chunks": "chunks.jsonl", "sentences": "sentences.jsonl"}
VECTOR_FILES = {"chunks": CHUNK_VECTORS, "sentences": SENTENCE_VECTORS}


def ends_segment(source: str, every: int) -> bool:
    """Does a segment end after the document at `source`? About one document in `every`."""
    head = int.from_bytes(hashlib.sha1(source.encode()).digest()[:8], "big")
    return every <= 1 or head % every == 0


def cut(sources: Sequence[str], every: int) -> list[tuple[int, int]]:
    """Documents [start, end) of each segment, in order."""
    out, start = [], 0
    for i, source in enumerate(sources):
        if ends_segment(source, every) or i == len(sources) - 1:
            out.append((start, i + 1))
            start = i + 1
    return out


def segment_name(documents: list[tuple[str, str, list[str]]], made_with: dict[str, Any]) -> str:
    """`documents`: (source, content hash, talk ids) of each; `made_with`: the chunking
    settings and the model."""
    data = json.dumps({"version": VERSION, "made_with": made_with, "documents": documents}, sort_keys=True)
    return hashlib.sha256(data.encode()).hexdigest()[:24]


def path(generation: Path, name: str) -> Path:
    return generation / FOLDER / name


class ArrayRuns:
    """A read-only 2-D array made of other arrays' rows one after another (memory-mapped
    segment files, or views of them): rows are read where they are, nothing is joined.
    Reads: `a[i]`, `a[start:end]`, `a[rows]`, `len`, `shape`, iteration, `np.asarray(a)`
    (that one copies)."""

    def __init__(self, pieces: Sequence[np.ndarray], dimension: int) -> None:
        self.pieces = [p for p in pieces if len(p)]
        self.dimension = dimension
        self.starts = [0]
        for piece in self.pieces:
            self.starts.append(self.starts[-1] + len(piece))
        self.dtype = np.dtype(np.float32)

    @property
    def shape(self) -> tuple[int, int]:
        return (self.starts[-1], self.dimension)

    def __len__(self) -> int:
        return self.starts[-1]

    def _piece(self, row: int) -> int:
        return bisect.bisect_right(self.starts, row) - 1

    def __getitem__(self, index: Any) -> np.ndarray:
        if isinstance(index, (int, np.integer)):
            row = int(index) + (len(self) if index < 0 else 0)
            if not 0 <= row < len(self):
                raise IndexError(index)
            at = self._piece(row)
            return np.asarray(self.pieces[at][row - self.starts[at]])
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                return self[np.arange(start, stop, step)]
            return self._range(start, stop)
        rows = np.asarray(index, dtype=np.int64).reshape(-1)
        rows = np.where(rows < 0, rows + len(self), rows)
        if len(rows) and (rows.min() < 0 or rows.max() >= len(self)):
            raise IndexError("row out of range")
        out = np.empty((len(rows), self.dimension), dtype=np.float32)
        which = np.searchsorted(self.starts, rows, side="right") - 1
        for at in np.unique(which).tolist():
            mask = which == at
            out[mask] = self.pieces[at][rows[mask] - self.starts[at]]
        return out

    def views(self, start: int, stop: int) -> list[np.ndarray]:
        """Rows [start, stop) as views of the pieces they span."""
        if stop <= start:
            return []
        first, last = self._piece(start), self._piece(stop - 1)
        out = []
        for at in range(first, last + 1):
            lo, hi = max(start, self.starts[at]), min(stop, self.starts[at + 1])
            out.append(self.pieces[at][lo - self.starts[at] : hi - self.starts[at]])
        return out

    def _range(self, start: int, stop: int) -> np.ndarray:
        parts = self.views(start, stop)
        if len(parts) == 1:  # inside one piece: a view, no copy
            return parts[0]
        if not parts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.concatenate(parts).astype(np.float32, copy=False)

    def __iter__(self) -> Iterator[np.ndarray]:
        for piece in self.pieces:
            yield from piece

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        joined = self._range(0, len(self))
        return joined if dtype is None else joined.astype(dtype)


def views(vectors: np.ndarray, start: int, end: int) -> list[np.ndarray]:
    """Rows [start, end) of `vectors` as views: one per piece they span."""
    if isinstance(vectors, ArrayRuns):
        return vectors.views(start, end)
    return [vectors[start:end]]


def joined(pieces: Sequence[np.ndarray], dimension: int) -> np.ndarray:
    """One piece as itself (a memory-mapped array), several as `ArrayRuns`, which reads
    rows the way the answerers read an array (typed as one for them)."""
    kept = [p for p in pieces if len(p)]
    if len(kept) == 1:
        return kept[0]
    if not kept:
        return np.zeros((0, dimension), dtype=np.float32)
    return ArrayRuns(kept, dimension)  # type: ignore[return-value]


def is_segmented(generation: Path) -> bool:
    from recapqa.store.files import read_manifest

    return Segments.of(generation, read_manifest(generation)) is not None


def generation_rows(generation: Path, kind: str, make: Callable[[dict[str, Any]], T]) -> Sequence[T]:
    """A generation's rows of `kind` ("chunks", "sentences"), in its segments or (an older
    layout) in one file."""
    from recapqa.store.files import read_manifest

    found = Segments.of(generation, read_manifest(generation))
    return JsonlRows(generation / ROW_FILES[kind], make) if found is None else found.rows(kind, make)


class Segments:
    """The segments of one generation, as its manifest lists them; each file opened when
    first asked for (memory-mapped where it can be)."""

    def __init__(self, generation: Path, entries: list[dict[str, Any]]) -> None:
        self.generation = generation
        self.entries = entries
        self.names = [str(e["name"]) for e in entries]
        self.chunk_starts = np.cumsum([0] + [int(e["chunks"]) for e in entries]).tolist()
        self.sentence_starts = np.cumsum([0] + [int(e["sentences"]) for e in entries]).tolist()

    @classmethod
    def of(cls, generation: Path, manifest: dict[str, Any]) -> Segments | None:
        entries = manifest.get(MANIFEST_KEY)
        return cls(generation, entries) if isinstance(entries, list) else None

    def file(self, at: int, name: str) -> Path:
        return path(self.generation, self.names[at]) / name

    def rows(self, kind: str, make: Callable[[dict[str, Any]], T]) -> JoinedRows[T]:
        """ValueError when a segment's row count is not the manifest's."""
        counts = self.chunk_starts if kind == "chunks" else self.sentence_starts
        pieces = [JsonlRows(self.file(at, ROW_FILES[kind]), make) for at in range(len(self.names))]
        for at, piece in enumerate(pieces):
            if len(piece) != counts[at + 1] - counts[at]:
                raise ValueError(f"segment {self.names[at]}: {ROW_FILES[kind]} does not match its rows")
        return JoinedRows(pieces)

    def vectors(self, kind: str, dimension: int) -> np.ndarray:
        return joined(self.vector_pieces(kind), dimension)

    def vector_pieces(self, kind: str) -> list[np.ndarray]:
        """Each segment's vectors of `kind`, memory-mapped (recapqa/mapped.py); ValueError when
        a segment's count is not the manifest's."""
        counts = self.chunk_starts if kind == "chunks" else self.sentence_starts
        pieces = []
        for at in range(len(self.names)):
            piece = load_npy(self.file(at, VECTOR_FILES[kind]))
            if piece.ndim != 2 or len(piece) != counts[at + 1] - counts[at] or piece.dtype != np.float32:
                raise ValueError(f"segment {self.names[at]}: {VECTOR_FILES[kind]} does not match its rows")
            pieces.append(piece)
        return pieces

    def chunk_sentences(self) -> ChunkSentences:
        """Every chunk's sentence rows, global."""
        offsets, rows = [np.zeros(1, dtype=np.int64)], []
        for at in range(len(self.names)):
            chunks = self.chunk_starts[at + 1] - self.chunk_starts[at]
            sentences = self.sentence_starts[at + 1] - self.sentence_starts[at]
            part = ChunkSentences.load(self.file(at, CHUNK_SENTENCES), chunks, sentences)
            offsets.append(part.offsets[1:] + offsets[-1][-1])
            rows.append(part.rows + self.sentence_starts[at])
        return ChunkSentences(np.concatenate(offsets), np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64))

    def arrays(self, at: int, name: str) -> dict[str, np.ndarray]:
        with np.load(self.file(at, name), allow_pickle=False) as data:
            return {k: data[k] for k in data.files}
