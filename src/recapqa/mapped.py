"""Index files memory-mapped read-only: rows (`chunks.jsonl`, `sentences.jsonl`), chunk and
sentence vectors, gist rows, the BM25 score matrix, the query encoder's weights. The page
cache holds one copy of each for every `serve` worker; a worker's private memory holds none
of it. (A core module: the store and the query encoder both map files through it.)

recapqa never writes a published file in place: a build writes a new generation (unchanged
segments hard-linked) and deletes the old folder, and a deleted file stays valid for the
mappings that hold it. What a mapping cannot survive is a file cut short *in place* by
something else (a tool truncating or copying over a file inside the index folder): its pages
past the new end are gone, and reading one ends the process with SIGBUS instead of raising.
So every mapping is listed here with its length, and `check` (the server runs it before each
request that uses the index) compares each file's size now, by `fstat` of the mapping's own
descriptor (the same inode, whichever generation links it), with that length: a shorter file
is an `IndexCorruptError` (HTTP 503, fix: rebuild) and the worker lives. The risk left: a file
cut short after the check, while a request is still reading (a whole answer: milliseconds in
extractive mode, seconds with an LLM), still ends that worker and the requests it has in
flight; the server starts another, whose load reports the damage (checksums). Reading every vector into
each worker's memory instead would cost ~220 MB of chunk vectors and ~550 MB of sentence
vectors per worker at 10k notes files."""

from __future__ import annotations

import mmap
import os
import resource
import threading
import weakref
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from recapqa.errors import IndexCorruptError

# each mapping made here: its id -> (a weak reference to it, its path); changed only under the
# lock (a weak dictionary would drop entries from whichever thread frees a mapping, even while
# `check` iterates it), dead entries pruned by `check`
_MAPS: dict[int, tuple[weakref.ref[mmap.mmap], str]] = {}
_LOCK = threading.Lock()


def _map(handle: int, path: Path) -> mmap.mmap:
    data = mmap.mmap(handle, 0, access=mmap.ACCESS_READ)
    with _LOCK:
        _MAPS[id(data)] = (weakref.ref(data), str(path))
    return data


def map_file(path: Path) -> bytes | mmap.mmap:
    """The file's bytes, memory-mapped (an empty file: `b""`, which cannot be mapped)."""
    with path.open("rb") as handle:
        if os.fstat(handle.fileno()).st_size == 0:
            return b""
        return _map(handle.fileno(), path)


def watch(path: Path) -> object:
    """A mapping of `path` made only for `check` to notice the file cut short, for a file
    another library maps itself (bm25s): keep it as long as that library's mapping. Nothing
    is read through it, so it costs no memory."""
    return map_file(path)


def load_npy(path: Path) -> np.ndarray:
    """A `.npy` file's array as a read-only view of the mapped file (what `np.load(path,
    mmap_mode="r")` gives, listed for `check`). ValueError when the file is not a plain
    array or is shorter than its header says."""
    with path.open("rb") as handle:
        version = np.lib.format.read_magic(handle)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(handle)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(handle)
        else:
            raise ValueError(f"unsupported .npy version {version}")
        if dtype.hasobject:
            raise ValueError("an array of objects")
        offset, count = handle.tell(), int(np.prod(shape, dtype=np.int64))
        size = os.fstat(handle.fileno()).st_size
        if offset + count * dtype.itemsize > size:
            raise ValueError(f"{path.name} is shorter than its header says")
        data = _map(handle.fileno(), path) if size > offset else b""
    flat = np.frombuffer(data, dtype=dtype, count=count, offset=offset if count else 0)
    return flat.reshape(shape, order="F" if fortran else "C")


def check(folders: Iterable[Path], fix: str) -> None:
    """IndexCorruptError (with `fix`) when a file mapped from under one of `folders` is now
    shorter than when it was mapped. One pass over the mappings, whatever the folders."""
    prefixes = {str(folder) + os.sep: folder for folder in folders}
    live: list[tuple[mmap.mmap, str, Path]] = []
    with _LOCK:
        for key, (ref, path) in list(_MAPS.items()):
            data = ref()
            if data is None:
                del _MAPS[key]
                continue
            folder = next((f for prefix, f in prefixes.items() if path.startswith(prefix)), None)
            if folder is not None:
                live.append((data, path, folder))
    for data, path, folder in live:
        try:
            size = data.size()  # fstat of the mapping's own descriptor
        except (ValueError, OSError):  # closed: nothing reads it any more
            continue
        if size < len(data):
            name = str(Path(path).relative_to(folder))
            raise IndexCorruptError(
                f"index file {name} in {folder.name} was cut short while in use ({size} of {len(data)} bytes)", fix
            )


def raise_open_file_limit() -> int:
    """Raise this process's open-file limit to its hard limit and return it: every mapped
    index file keeps a descriptor (one generation of a 10k-file corpus holds ~330, twice
    that while a reload loads the next), more than a common soft limit of 1024 leaves room
    for beside sockets."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        return hard
    return soft
