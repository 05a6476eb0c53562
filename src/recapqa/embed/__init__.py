"""Embedder protocol. Backends live in their own modules and import torch lazily."""

from __future__ import annotations

import logging
from typing import Protocol

import numpy as np

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSION = 384

log = logging.getLogger(__name__)


class Embedder(Protocol):
    name: str
    dimension: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""
        ...


def default_embedder() -> Embedder:
    """The indexing embedder: the ONNX export queries use, batched on all cores (exported into
    RECAPQA_CACHE_DIR the first time, which needs torch once); sentence-transformers when the
    export cannot be made or loaded."""
    from recapqa.embed.onnx_batch import OnnxBatchEmbedder
    from recapqa.embed.sentence_transformer import SentenceTransformerEmbedder
    from recapqa.settings import get_settings

    try:
        return OnnxBatchEmbedder.shared(get_settings().cache_dir)
    except Exception as exc:  # no onnx/onnxruntime, a failed export: slower, same vectors
        log.warning("ONNX indexing unavailable (%s); embedding with sentence-transformers", exc)
        return SentenceTransformerEmbedder.shared()
