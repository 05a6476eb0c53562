"""Named arrays packed into one `.npy` file of bytes, so that `np.load(path, mmap_mode="r")`
maps them (an `.npz` cannot be mapped: every `serve` worker would read it into its own
memory). The bytes: a little-endian uint64 length, a JSON table of contents (each array's
offset, dtype and shape, plus any `meta` values), then each array's bytes at an offset that
is a multiple of 64. Mapped (recapqa/mapped.py), every array is a read-only view of the file: the
page cache holds one copy for all the processes reading it."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np

from recapqa.mapped import load_npy

_ALIGN = 64


def _aligned(size: int) -> int:
    """`size` rounded up to a multiple of `_ALIGN` (where the next part starts)."""
    return -(-size // _ALIGN) * _ALIGN


def save(path: Path, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
    with path.open("wb") as handle:
        handle.write(to_bytes(arrays, meta))


def to_bytes(arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> bytes:
    """The bytes of the `.npy` file `save` writes."""
    table: dict[str, Any] = {"meta": meta, "arrays": {}}
    at = 0
    for name, array in arrays.items():
        table["arrays"][name] = [at, array.dtype.str, list(array.shape)]
        at += _aligned(array.nbytes)
    head = json.dumps(table, sort_keys=True).encode()
    start = _aligned(8 + len(head))
    blob = np.zeros(start + at, dtype=np.uint8)
    blob[:8] = np.frombuffer(np.uint64(len(head)).astype("<u8").tobytes(), dtype=np.uint8)
    blob[8 : 8 + len(head)] = np.frombuffer(head, dtype=np.uint8)
    for name, array in arrays.items():
        offset = start + table["arrays"][name][0]
        blob[offset : offset + array.nbytes] = np.frombuffer(np.ascontiguousarray(array).tobytes(), dtype=np.uint8)
    out = io.BytesIO()
    np.save(out, blob, allow_pickle=False)
    return out.getvalue()


def load(path: Path, mapped: bool = True) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The arrays (views of the mapped file when `mapped`) and the meta values."""
    blob = load_npy(path) if mapped else np.load(path, allow_pickle=False)
    if blob.dtype != np.uint8 or blob.ndim != 1 or len(blob) < 8:
        raise ValueError("not a pack of arrays")
    length = int(np.asarray(blob[:8]).view("<u8")[0])
    if 8 + length > len(blob):
        raise ValueError("table of contents past the end")
    table = json.loads(bytes(blob[8 : 8 + length]))
    start = _aligned(8 + length)
    arrays = {}
    for name, (offset, dtype, shape) in table["arrays"].items():
        kind = np.dtype(dtype)
        size = kind.itemsize * int(np.prod(shape, dtype=np.int64))
        begin = start + offset
        if begin + size > len(blob):
            raise ValueError(f"array {name} past the end")
        arrays[name] = blob[begin : begin + size].view(kind).reshape(shape) if size else np.zeros(shape, kind)
    return arrays, table["meta"]
