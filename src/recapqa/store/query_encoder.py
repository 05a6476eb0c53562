"""The index's fast query encoder: the ONNX export matching the live index's embedding
precision, installed beside the index (a failure only costs query speed)."""

from __future__ import annotations

import logging
from pathlib import Path

from recapqa.errors import RecapqaError, StorageError
from recapqa.settings import Settings
from recapqa.store import index_precision
from recapqa.store.backends import open_backend
from recapqa.store.files import DENIED, DISK_FULL, current_generation, read_manifest, storage_error
from recapqa.store.lock import build_lock

log = logging.getLogger(__name__)


def live_precision(index_dir: Path, settings: Settings) -> str | None:
    """The embedding precision of the live index, None without a readable one (its files'
    checksums are stale()'s and the build's to verify)."""
    try:
        if settings.store == "file":
            return index_precision(read_manifest(current_generation(index_dir)))
        return index_precision(open_backend(index_dir, settings).manifest())
    except RecapqaError:
        return None


def ensure_query_encoder(index_dir: Path, cache_dir: Path, force: bool, precision: str = "fp32") -> str:
    """Install the fast query encoder of `precision` if it is missing or outdated. A failure
    only costs speed (queries take the slower path), so it is reported, not raised."""
    from recapqa.embed.onnx_export import encoder_is_current, install_query_encoder

    if not force and encoder_is_current(index_dir, check_files=True, precision=precision):
        return "present"
    try:
        install_query_encoder(index_dir, cache_dir, lock=build_lock, precision=precision)
    except OSError as exc:
        if exc.errno in DISK_FULL | DENIED:  # reported, not a "successful" build; but the index is there
            error = storage_error(exc, {"index": index_dir, "cache": cache_dir}, default="index")
            raise StorageError(
                f"{error.message}: the index itself is complete and answers work, without the fast query "
                "encoder, so more slowly",
                f"{error.fix.removesuffix(', then retry')}, then run `recapqa index` again to add the encoder",
            ) from exc
        log.warning("could not export the fast query encoder (%s); queries will use the slow path", exc.strerror)
        return f"failed: {exc.strerror}"
    except Exception as exc:
        log.warning("could not export the fast query encoder (%s); queries will use the slow path", exc)
        return f"failed: {exc}"
    return "exported"
