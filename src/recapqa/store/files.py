"""On-disk layout and atomic writes.

    index/CURRENT          name of the live generation (replaced atomically)
    index/gen-<stamp>/     manifest.json, vectors.faiss, sentence_vectors.npy,
                           chunks.jsonl, sentences.jsonl, talks.json, bm25/

A build writes a whole new generation beside the live one, checksums every file into its
manifest, then swaps CURRENT with os.replace. An interrupted build leaves the old index
untouched; readers that loaded the old generation keep working.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

from recapqa.errors import IndexCorruptError, IndexMissingError
from recapqa.hashing import file_sha256

POINTER = "CURRENT"
MANIFEST = "manifest.json"
REBUILD_FIX = "run `recapqa index --rebuild` to build it again from the corpus"


def new_generation(index_dir: Path) -> Path:
    index_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    path = index_dir / f".building-{stamp}-{uuid.uuid4().hex[:6]}"
    path.mkdir()
    return path


def publish(index_dir: Path, building: Path, manifest: dict[str, Any]) -> Path:
    """Checksum the generation's files, write its manifest, and make it current."""
    checksums = {}
    for path in sorted(building.rglob("*")):
        if path.is_file():
            checksums[path.relative_to(building).as_posix()] = file_sha256(path)
    manifest = {**manifest, "checksums": checksums}
    (building / MANIFEST).write_text(json.dumps(manifest, indent=2))
    final = index_dir / building.name.replace(".building-", "gen-")
    building.rename(final)
    tmp_pointer = index_dir / f".{POINTER}.{uuid.uuid4().hex[:6]}"
    tmp_pointer.write_text(final.name + "\n")
    with tmp_pointer.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp_pointer, index_dir / POINTER)
    _remove_old(index_dir, keep=final.name)
    return final


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
        raise IndexCorruptError(f"{pointer} is unreadable ({exc})", REBUILD_FIX) from exc
    generation = index_dir / name
    if not name or "/" in name or not generation.is_dir():
        raise IndexCorruptError(f"{pointer} names no index generation", REBUILD_FIX)
    return generation


def read_manifest(generation: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((generation / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexCorruptError(f"index manifest in {generation} is unreadable", REBUILD_FIX) from exc
    if not isinstance(manifest, dict):
        raise IndexCorruptError(f"index manifest in {generation} is not an object", REBUILD_FIX)
    return manifest


def verify_checksums(generation: Path, manifest: dict[str, Any]) -> None:
    checksums = manifest.get("checksums")
    if not isinstance(checksums, dict) or not checksums:
        raise IndexCorruptError(f"index manifest in {generation} lists no files", REBUILD_FIX)
    for name, expected in checksums.items():
        path = generation / name
        if not path.is_file():
            raise IndexCorruptError(f"index file {name} is missing from {generation}", REBUILD_FIX)
        if file_sha256(path) != expected:
            raise IndexCorruptError(
                f"index file {name} in {generation} is truncated or overwritten (checksum mismatch)",
                REBUILD_FIX,
            )
