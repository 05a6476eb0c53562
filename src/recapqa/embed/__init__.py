"""Embedder protocol. Backends live in their own modules and import torch lazily."""

from __future__ import annotations

from typing import Protocol

import numpy as np

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSION = 384


class Embedder(Protocol):
    name: str
    dimension: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""
        ...


def default_embedder() -> Embedder:
    from recapqa.embed.sentence_transformer import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder.shared()
