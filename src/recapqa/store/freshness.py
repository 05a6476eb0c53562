"""Is the index up to date? Per-file fingerprints of the corpus against the manifest, the
chunking settings, and the index's own integrity (checksums, format, model)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from recapqa.errors import DatabaseError, IndexMissingError, RecapqaError
from recapqa.ingest import corpus_files
from recapqa.ingest.sidecar import sidecar_path
from recapqa.settings import Settings
from recapqa.store import PIPELINE_VERSION
from recapqa.store.backends import open_backend
from recapqa.tokens import ENCODING_NAME


def chunking_params(settings: Settings) -> dict[str, Any]:
    return {
        "max_tokens": settings.chunk_max_tokens,
        "overlap_tokens": settings.chunk_overlap_tokens,
        "encoding": ENCODING_NAME,
        "pipeline": PIPELINE_VERSION,
    }


def corpus_fingerprints(corpus_dir: Path) -> dict[str, str]:
    """Per-file content hash (notes file + its sidecar), cheap enough to check every run."""
    prints = {}
    for path in corpus_files(corpus_dir):
        try:
            digest = hashlib.sha256(path.read_bytes())
            sidecar = sidecar_path(path)
            if sidecar.is_file():
                digest.update(sidecar.read_bytes())
            prints[path.relative_to(corpus_dir).as_posix()] = digest.hexdigest()
        except OSError as exc:  # reading the notes decides what an unreadable file means
            prints[path.relative_to(corpus_dir).as_posix()] = f"unreadable: {exc.strerror}"
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


def staleness(corpus_dir: Path, index_dir: Path, settings: Settings) -> str | None:
    """Why the index must be (re)built, or None when it is up to date."""
    try:
        manifest = open_backend(index_dir, settings).manifest()
    except IndexMissingError:
        return "no index yet"
    except DatabaseError:
        raise  # the store is unreachable: rebuilding would not help
    except RecapqaError as exc:
        return exc.message
    if manifest.get("chunking") != chunking_params(settings):
        return "chunking settings changed"
    if manifest.get("files") != corpus_fingerprints(corpus_dir):
        return "corpus changed"
    return None
