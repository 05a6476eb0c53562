"""Is the index up to date? Per-file fingerprints of the corpus against the manifest, the
chunking settings, and the index's own integrity (checksums, format, model)."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recapqa.errors import DatabaseError, IndexMissingError, IndexNewerError, IndexOlderError, RecapqaError
from recapqa.ingest import corpus_files
from recapqa.ingest.sidecar import sidecar_path
from recapqa.settings import Settings
from recapqa.store import OLDER, PIPELINE_VERSION
from recapqa.store.backends import open_backend
from recapqa.tokens import ENCODING_NAME


def chunking_params(settings: Settings) -> dict[str, Any]:
    return {
        "max_tokens": settings.chunk_max_tokens,
        "overlap_tokens": settings.chunk_overlap_tokens,
        "encoding": ENCODING_NAME,
        "pipeline": PIPELINE_VERSION,
    }


# A file's recorded stat is trusted only if it was last changed this long before it was
# recorded: a write in the same clock tick as the recording would not show in its mtime.
RACY_NS = 2 * 10**9


def _stat(path: Path) -> list[int]:
    """What changes when a notes file or its sidecar is written: size, mtime, ctime (a write
    that restores the mtime still moves it) and inode (a file replaced by a rename)."""
    out = []
    for part in (path, sidecar_path(path)):
        try:
            st = part.stat()
        except FileNotFoundError:
            out += [-1, 0, 0, 0]
            continue
        out += [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
    return out


def _digest(path: Path) -> str:
    digest = hashlib.sha256(path.read_bytes())
    sidecar = sidecar_path(path)
    if sidecar.is_file():
        digest.update(sidecar.read_bytes())
    return digest.hexdigest()


def corpus_fingerprints(
    corpus_dir: Path,
    known: dict[str, Any] | None = None,
    stats: dict[str, list[int]] | None = None,
    paths: list[Path] | None = None,
) -> dict[str, str]:
    """Per-file content hash (notes file + its sidecar), cheap enough to check every run.

    `known`: a manifest; a file whose stat (`_stat`) is the one it records keeps the hash it
    records, unread (at 10k files reading every file was most of the check). Any difference
    in size, times or inode and the content hash decides. `stats`: filled with the stats
    that a later check may trust (files not changed within RACY_NS of now). `paths`: the
    corpus's files, when the caller has listed them (`corpus_files`)."""
    prints = {}
    known_prints = (known or {}).get("files") or {}
    known_stats = (known or {}).get("file_stats") or {}
    now = time.time_ns()
    for path in corpus_files(corpus_dir) if paths is None else paths:
        rel = path.relative_to(corpus_dir).as_posix()
        try:
            stat = _stat(path)
            if rel in known_prints and known_stats.get(rel) == stat:
                prints[rel] = known_prints[rel]
            else:
                prints[rel] = _digest(path)
            if stats is not None and now - max(stat[1], stat[2], stat[5], stat[6]) > RACY_NS:
                stats[rel] = stat
        except OSError as exc:  # reading the notes decides what an unreadable file means
            prints[rel] = f"unreadable: {exc.strerror}"
    return prints


def index_damage(index_dir: Path, settings: Settings | None = None) -> RecapqaError | None:
    """What is wrong with the stored index (corrupt, incompatible, unreadable), if anything.
    None also when there is no index at all."""
    try:
        open_backend(index_dir, settings).manifest()
    except IndexMissingError:
        return None
    except RecapqaError as exc:
        return exc
    return None


@dataclass(frozen=True)
class Stale:
    """Why the index must be (re)built: `reason`, said to the user; `older` when an older
    recapqa built it (its format or pipeline version), which the build says once."""

    reason: str
    older: bool = False


def staleness(corpus_dir: Path, index_dir: Path, settings: Settings) -> Stale | None:
    """Why the index must be (re)built, or None when it is up to date."""
    try:
        manifest = open_backend(index_dir, settings).manifest()
    except IndexMissingError:
        return Stale("no index yet")
    except (DatabaseError, IndexNewerError):
        raise  # the store is unreachable, or a newer version's index: rebuilding would not help, or destroy it
    except IndexOlderError as exc:
        return Stale(exc.message, older=True)
    except RecapqaError as exc:
        return Stale(exc.message)
    if manifest.get("chunking") != chunking_params(settings):
        pipeline = (manifest.get("chunking") or {}).get("pipeline")
        if pipeline != PIPELINE_VERSION:
            return Stale(f"{OLDER} (pipeline {pipeline}; this version's is {PIPELINE_VERSION})", older=True)
        return Stale("chunking settings changed")
    if manifest.get("files") != corpus_fingerprints(corpus_dir, known=manifest):
        return Stale("corpus changed")
    return None
