"""On-disk layout and atomic writes.

    index/CURRENT          name of the live generation (replaced atomically)
    index/gen-<stamp>/     manifest.json, talks.json, documents.json, bm25/,
                           corpus_words.json and corpus_words_state.json
                           (store/corpus_words.py), vectors.faiss (an HNSW graph, past
                           the ANN threshold only), and segments/<name>/ (store/segments.py):
                           chunks.jsonl, sentences.jsonl, chunk_vectors.npy,
                           sentence_vectors.npy, chunk_sentences.npz (store/rows.py),
                           embed_keys.npz (what a build reuses vectors by), bm25_terms.npz

A build writes a new generation beside the live one (segments it would write the same are
hard-linked from the live one instead), checksums every new file into its manifest (a
linked file keeps its recorded checksum), then swaps CURRENT with os.replace. An
interrupted build leaves the old index untouched; readers that loaded the old generation
keep working. No file of a published generation is ever written in place.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from recapqa.errors import IndexCorruptError, IndexMissingError, StorageError
from recapqa.hashing import file_sha256

POINTER = "CURRENT"
MANIFEST = "manifest.json"
REBUILD_FIX = "run `recapqa index --rebuild` to build it again from the corpus"


# errno values that mean "the disk or its permissions", not "the index is damaged"
DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
DENIED = {errno.EACCES, errno.EPERM, errno.EROFS}
TOO_MANY_FILES = {errno.EMFILE, errno.ENFILE}  # the process's (or system's) open-file limit
ENV_NAMES = {"index": "RECAPQA_INDEX_DIR", "corpus": "RECAPQA_CORPUS_DIR", "cache": "RECAPQA_CACHE_DIR"}


def storage_error(exc: OSError, folders: Mapping[str, Path] | None = None, default: str = "data") -> StorageError:
    """An OSError as a StorageError naming the folder by its role (index, corpus, cache),
    never by its path: API messages must not show server paths. A failed write names no
    file (then `default` is the role); a failed copy names the source, then the target."""
    role = _role([exc.filename2, exc.filename] if exc.errno in DISK_FULL else [exc.filename, exc.filename2], folders)
    role = role or default
    env = ENV_NAMES.get(role)
    elsewhere = f" (or set {env} to a folder elsewhere)" if env else ""
    if exc.errno in DISK_FULL:
        return StorageError(
            f"no space left on the disk of the {role} folder", f"free some disk space there{elsewhere}, then retry"
        )
    folder = (folders or {}).get(role)
    if folder is not None and folder.exists() and not folder.is_dir():
        return StorageError(f"the {role} folder is a file, not a folder", f"point it at a folder{elsewhere}")
    if exc.errno in TOO_MANY_FILES:  # each memory-mapped index file holds a descriptor
        return StorageError(
            f"too many open files while reading the {role} folder (the open-file limit is reached)",
            "raise the limit (`ulimit -n`, or LimitNOFILE in a systemd unit), then retry",
        )
    if exc.errno in DENIED:
        reason = "is on a read-only file system" if exc.errno == errno.EROFS else "cannot be read or written"
        return StorageError(
            f"the {role} folder {reason} (permission denied)",
            f"give the user running recapqa read and write access to it{elsewhere}, then retry",
        )
    return StorageError(
        f"the {role} folder cannot be accessed ({exc.strerror or type(exc).__name__})",
        f"check that the folder exists and is accessible{elsewhere}",
    )


def _role(names: list[object], folders: Mapping[str, Path] | None) -> str | None:
    for name in names:
        if isinstance(name, (str, bytes, os.PathLike)) and folders:
            where = Path(os.fsdecode(name)).absolute()
            for role, folder in folders.items():
                if where.is_relative_to(folder.absolute()):
                    return role
    return None


@contextmanager
def storage_errors(folders: Mapping[str, Path], default: str = "data") -> Iterator[None]:
    """Translate the OSErrors of a disk operation into StorageError."""
    try:
        yield
    except OSError as exc:
        raise storage_error(exc, folders, default) from exc


def remove_leftovers(index_dir: Path) -> None:
    """What killed builds leave behind: unfinished generations and pointer files. Only
    call it while holding the build lock (no other build can be writing them)."""
    if not index_dir.is_dir():
        return
    for path in index_dir.iterdir():
        if path.name.startswith(".building-") and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        elif path.name.startswith(f".{POINTER}.") and path.is_file():
            path.unlink(missing_ok=True)


def new_generation(index_dir: Path) -> Path:
    index_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    path = index_dir / f".building-{stamp}-{uuid.uuid4().hex[:6]}"
    path.mkdir()
    return path


def publish(index_dir: Path, building: Path, manifest: dict[str, Any], known: Mapping[str, str] | None = None) -> Path:
    """Checksum the generation's files, write its manifest, and make it current. `known`:
    checksums of files hard-linked from the live generation (verified when it was loaded,
    never written in place): kept, not computed again."""
    checksums = {}
    for path in sorted(building.rglob("*")):
        if path.is_file():
            name = path.relative_to(building).as_posix()
            checksums[name] = (known or {}).get(name) or file_sha256(path)
    manifest = {**manifest, "checksums": checksums}
    (building / MANIFEST).write_text(json.dumps(manifest, indent=2))
    final = index_dir / building.name.replace(".building-", "gen-")
    building.rename(final)
    write_pointer(index_dir, final.name)
    _remove_old(index_dir, keep=final.name)
    return final


def write_pointer(index_dir: Path, name: str) -> None:
    """Replace CURRENT atomically: readers see the old name or the new one, never a mix."""
    index_dir.mkdir(parents=True, exist_ok=True)
    tmp_pointer = index_dir / f".{POINTER}.{uuid.uuid4().hex[:6]}"
    tmp_pointer.write_text(name + "\n")
    with tmp_pointer.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp_pointer, index_dir / POINTER)


def _remove_old(index_dir: Path, keep: str) -> None:
    for path in index_dir.iterdir():
        if path.is_dir() and path.name != keep and path.name.startswith(("gen-", ".building-")):
            shutil.rmtree(path, ignore_errors=True)


def current_generation(index_dir: Path) -> Path:
    pointer = index_dir / POINTER
    if not pointer.is_file():
        raise IndexMissingError(f"no index in {index_dir}", "run `recapqa index` to build it from the corpus")
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise IndexCorruptError(f"the index pointer {POINTER} is unreadable", REBUILD_FIX) from exc
    generation = index_dir / name
    if not name or "/" in name or not generation.is_dir():
        raise IndexCorruptError(f"the index pointer {POINTER} names no index generation", REBUILD_FIX)
    return generation


def read_manifest(generation: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((generation / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexCorruptError(f"index manifest in {generation.name} is unreadable", REBUILD_FIX) from exc
    if not isinstance(manifest, dict):
        raise IndexCorruptError(f"index manifest in {generation.name} is not an object", REBUILD_FIX)
    wrong = _wrong_field(manifest)
    if wrong is not None:
        raise IndexCorruptError(f"index manifest in {generation.name} is damaged: {wrong}", REBUILD_FIX)
    return manifest


# The JSON type of each manifest field a reader looks into (a field may be absent: older
# indexes lack some); a hand-edited manifest of the wrong shape is a damaged index.
_FIELD_TYPES: dict[str, type] = {
    "format_version": int,
    "model": dict,
    "chunking": dict,
    "files": dict,
    "file_stats": dict,
    "indexed_files": list,
    "counts": dict,
    "store": dict,
    "corpus_words": dict,
    "segments": list,
    "checksums": dict,
}
_JSON_NAMES = {int: "a number", dict: "an object", list: "a list"}


def _wrong_field(manifest: dict[str, Any]) -> str | None:
    for key, kind in _FIELD_TYPES.items():
        if key in manifest and not isinstance(manifest[key], kind):
            return f"{key!r} is not {_JSON_NAMES[kind]}"
    for entry in manifest.get("segments", []):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            return "'segments' holds an entry that is not an object with a name"
    return None


# Files this process hashed, by (path, size, mtime, ctime, inode): `ensure_index` checks the
# index and then loads it, and the second check must not read 100 MiB again. Only files
# older than RACY_SECONDS are remembered (a write in the same clock tick would not show).
_HASHED: dict[tuple[str, int, int, int, int], str] = {}
RACY_SECONDS = 2.0


def _sha256(path: Path) -> str:
    st = path.stat()
    key = (str(path.absolute()), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    if key in _HASHED:
        return _HASHED[key]
    digest = file_sha256(path)
    if time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) > RACY_SECONDS * 1e9:
        if len(_HASHED) > 10_000:
            _HASHED.clear()
        _HASHED[key] = digest
    return digest


def verify_checksums(generation: Path, manifest: dict[str, Any]) -> None:
    checksums = manifest.get("checksums")
    if not isinstance(checksums, dict) or not checksums:
        raise IndexCorruptError(f"index manifest in {generation.name} lists no files", REBUILD_FIX)
    for name, expected in checksums.items():
        path = generation / name
        if not path.is_file():
            raise IndexCorruptError(f"index file {name} is missing from {generation.name}", REBUILD_FIX)
        if _sha256(path) != expected:
            raise IndexCorruptError(
                f"index file {name} in {generation.name} is truncated or overwritten (checksum mismatch)",
                REBUILD_FIX,
            )
