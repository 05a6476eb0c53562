"""Embedding progress that survives a killed build.

Each batch of vectors is written to `index/.embedded-<model>/` (`-int8` after it for int8) as soon as it is computed,
keyed by the hash of the text it embedded (the same keys the incremental build reuses
vectors by). The next build reads them back and embeds only the rest; a published build
removes the folder, since its vectors are in the index by then. Each batch file is written
aside and renamed, so a kill leaves whole batches or none.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
import zipfile
from pathlib import Path

import numpy as np

from recapqa.embed import EmbeddingModel, active_model

log = logging.getLogger(__name__)


class EmbeddingJournal:
    def __init__(self, index_dir: Path, model: EmbeddingModel | None = None, precision: str = "fp32") -> None:
        """One folder per embedding model (by default the configured one) and precision: a
        build with another model or precision never reads these vectors."""
        self.model = model or active_model()
        self.precision = precision
        suffix = "" if precision == "fp32" else f"-{precision}"
        self.folder = index_dir / f".embedded-{self.model.name}{suffix}"

    def load(self) -> dict[str, np.ndarray]:
        """Vectors of earlier, unfinished builds; unreadable batches are skipped."""
        vectors: dict[str, np.ndarray] = {}
        if not self.folder.is_dir():
            return vectors
        for path in sorted(self.folder.glob("batch-*.npz")):
            try:
                with np.load(path, allow_pickle=False) as data:
                    keys, rows = data["keys"], np.asarray(data["vectors"], dtype=np.float32)
            except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
                log.warning("skipping an unreadable embedding batch %s (%s)", path.name, type(exc).__name__)
                continue
            if rows.shape != (len(keys), self.model.dimension):
                continue
            vectors.update(zip((str(k) for k in keys), rows, strict=True))
        return vectors

    def add(self, keys: list[str], vectors: np.ndarray) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = uuid.uuid4().hex
        partial = self.folder / f".partial-{name}.npz"
        np.savez(partial, keys=np.asarray(keys), vectors=np.asarray(vectors, dtype=np.float32))
        os.replace(partial, self.folder / f"batch-{name}.npz")

    def clear(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
