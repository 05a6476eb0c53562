"""Indexing with the ONNX export used for queries: the same graph (BERT, mean pooling, L2
normalisation), run on batches of texts of similar length (sorted by length, so padding is
small), one single-threaded run per core at a time (ONNX Runtime releases the GIL; on small
batches that beats one multi-threaded run). About 3x sentence-transformers' chunks/s on the
2-core machine with small runs (bench/SCALE.md), and the vectors are the ones queries get (cosine >= 0.999
with sentence-transformers, same retrieval on the eval questions: tests/embed).

The export is made once per machine into the cache folder (it needs torch then, never
afterwards) under a file lock, so concurrent builds export it once."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar

import numpy as np

from recapqa.embed import DIMENSION, MODEL_NAME
from recapqa.embed.onnx_encoder import OnnxQueryEncoder
from recapqa.embed.onnx_export import encoder_is_current, export_query_encoder

BATCH_TOKENS = 256  # tokens per ONNX run (batch size x padded length); Settings.embed_batch_tokens


@contextmanager
def _cache_lock(folder: Path) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / ".export.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def cached_encoder_dir(cache_dir: Path, precision: str = "fp32") -> Path:
    """The folder holding the exported encoder of `precision` (exporting it first if needed)."""
    with _cache_lock(cache_dir):
        if not encoder_is_current(cache_dir, check_files=True, precision=precision):
            export_query_encoder(cache_dir, precision)
    return cache_dir


class OnnxBatchEmbedder:
    name = MODEL_NAME
    dimension = DIMENSION
    _shared: ClassVar[dict[tuple[Path, int, int, str], OnnxBatchEmbedder]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(
        self,
        encoder_dir: Path,
        workers: int = 0,
        batch_tokens: int = BATCH_TOKENS,
        threads: int = 1,
        precision: str = "fp32",
    ) -> None:
        """`workers` runs at a time (0: one per core), each on `threads` intra-op threads;
        the encoder of `precision` in `encoder_dir`."""
        self.precision = precision
        self._encoder = OnnxQueryEncoder(encoder_dir, threads=threads, precision=precision)
        self._workers = workers or os.cpu_count() or 1
        self._batch_tokens = batch_tokens

    @classmethod
    def shared(
        cls, cache_dir: Path, workers: int = 0, batch_tokens: int = BATCH_TOKENS, precision: str = "fp32"
    ) -> OnnxBatchEmbedder:
        """One per process, cache folder and precision: loading the session costs a fraction of a second."""
        key = (cache_dir.resolve(), workers, batch_tokens, precision)
        with cls._lock:
            if key not in cls._shared:
                folder = cached_encoder_dir(cache_dir, precision)
                cls._shared[key] = cls(folder, workers, batch_tokens, precision=precision)
            return cls._shared[key]

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        batches = list(self._batches(texts))

        def run(rows: list[int]) -> tuple[list[int], np.ndarray]:
            return rows, self._encoder.embed([texts[r] for r in rows])

        if len(batches) <= 1 or self._workers == 1:
            done = [run(rows) for rows in batches]
        else:
            with ThreadPoolExecutor(min(self._workers, len(batches))) as pool:
                done = list(pool.map(run, batches))
        for rows, vectors in done:
            out[rows] = vectors
        return out

    def _batches(self, texts: list[str]) -> Iterator[list[int]]:
        """Rows by decreasing length, cut so that rows x longest row stays within the budget
        (characters / 4 as the token estimate; the tokenizer truncates at 256 tokens)."""
        order = sorted(range(len(texts)), key=lambda r: -len(texts[r]))
        batch: list[int] = []
        for row in order:
            width = min(256, len(texts[batch[0] if batch else row]) // 4 + 2)
            if batch and (len(batch) + 1) * width > self._batch_tokens:
                yield batch
                batch = []
            batch.append(row)
        if batch:
            yield batch
