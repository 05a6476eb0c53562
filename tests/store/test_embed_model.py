"""The embedding model is a setting (RECAPQA_EMBED_MODEL) recorded in the manifest: an index
built with one model is refused under another with the rebuild hint, never searched with
the other model's vectors. Real model, real FAISS; all-mpnet-base-v2's files are not needed
(the refusal happens before any query is embedded), so `make test` does not install it."""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import CountingEmbedder, write
from recapqa.embed import MODELS, active_model, model_path
from recapqa.errors import ConfigError, IndexIncompatibleError
from recapqa.settings import Settings, get_settings
from recapqa.store import load_index
from recapqa.store.build import Stale, build_index, ensure_index, staleness
from recapqa.store.journal import EmbeddingJournal

MPNET = "all-mpnet-base-v2"


@pytest.fixture()
def model_env(settings_env: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """Switch RECAPQA_EMBED_MODEL for this test (`use`); the cached settings follow it."""
    return settings_env


def use(model_env: pytest.MonkeyPatch, name: str) -> None:
    model_env.setenv("RECAPQA_EMBED_MODEL", name)
    get_settings.cache_clear()


def small_corpus(settings: Settings) -> None:
    write(
        settings.corpus_dir / "notes.md",
        "## Serving at Initech (John Roe, Initech)\n\nInitech serves 3 million users with two GPUs.\n",
    )


def test_the_default_model_is_minilm_and_the_manifest_records_it(
    settings: Settings, counting_embedder: CountingEmbedder
) -> None:
    assert settings.embed_model == "all-MiniLM-L6-v2" and active_model(settings).dimension == 384
    small_corpus(settings)
    build_index(settings.corpus_dir, settings.index_dir, settings, lambda: counting_embedder)
    index = load_index(settings.index_dir, settings)
    assert index.manifest["model"] == {"name": "all-MiniLM-L6-v2", "dimension": 384, "precision": "fp32"}
    assert index.sentence_vectors.shape[1] == 384


def test_an_index_built_with_one_model_is_refused_under_another(
    settings: Settings, counting_embedder: CountingEmbedder, model_env: pytest.MonkeyPatch
) -> None:
    small_corpus(settings)
    build_index(settings.corpus_dir, settings.index_dir, settings, lambda: counting_embedder)
    use(model_env, MPNET)
    other = Settings(corpus_dir=settings.corpus_dir, index_dir=settings.index_dir)
    assert other.embed_model == MPNET
    with pytest.raises(IndexIncompatibleError) as refused:
        load_index(other.index_dir, other)
    message, fix = refused.value.message, refused.value.fix or ""
    assert "all-MiniLM-L6-v2 (384 dimensions)" in message and "all-mpnet-base-v2 (768" in message
    assert "recapqa index --rebuild" in fix and "RECAPQA_EMBED_MODEL" in fix
    # `ensure_index` (ask, serve) sees the reason to rebuild instead of loading it
    assert "embedding model" in (staleness(other.corpus_dir, other.index_dir, other) or Stale("")).reason
    # back under the model it was built with, it loads again: nothing was changed
    use(model_env, "all-MiniLM-L6-v2")
    assert load_index(settings.index_dir, settings).manifest["model"]["name"] == "all-MiniLM-L6-v2"


def test_a_manifest_of_another_model_is_refused_under_the_default(
    settings: Settings, counting_embedder: CountingEmbedder
) -> None:
    """The other direction: an index whose manifest names mpnet (768) under MiniLM."""
    small_corpus(settings)
    build_index(settings.corpus_dir, settings.index_dir, settings, lambda: counting_embedder)
    generation = load_index(settings.index_dir, settings).path
    manifest = json.loads((generation / "manifest.json").read_text())
    manifest["model"] = {"name": MPNET, "dimension": 768}
    (generation / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexIncompatibleError, match="built with embedding model all-mpnet-base-v2"):
        load_index(settings.index_dir, settings)
    # ask/serve rebuild it with the configured model rather than mixing vectors
    index = ensure_index(settings.corpus_dir, settings.index_dir, settings, lambda: counting_embedder)
    assert index.manifest["model"] == {"name": "all-MiniLM-L6-v2", "dimension": 384, "precision": "fp32"}


def test_unfinished_embeddings_are_kept_per_model(settings: Settings) -> None:
    minilm, mpnet = EmbeddingJournal(settings.index_dir), EmbeddingJournal(settings.index_dir, MODELS[MPNET])
    assert minilm.folder != mpnet.folder
    minilm.add(["c1"], np.ones((1, 384), dtype=np.float32))
    mpnet.add(["c1"], np.ones((1, 768), dtype=np.float32))
    assert minilm.load()["c1"].shape == (384,) and mpnet.load()["c1"].shape == (768,)
    # a batch of the wrong width in a model's folder is skipped, not mixed in
    mpnet.add(["c2"], np.ones((1, 384), dtype=np.float32))
    assert set(mpnet.load()) == {"c1"}


def test_a_model_that_is_not_installed_says_where_it_was_looked_for(model_env: pytest.MonkeyPatch) -> None:
    # tests use a fresh RECAPQA_CACHE_DIR: mpnet is never there
    with pytest.raises(ConfigError) as missing:
        model_path(MPNET)
    assert "not installed" in missing.value.message and "RECAPQA_EMBED_MODEL" in (missing.value.fix or "")
    model_env.setenv("RECAPQA_EMBED_MODEL", "all-MiniLM-L12-v2")
    get_settings.cache_clear()
    with pytest.raises(ConfigError, match="RECAPQA_EMBED_MODEL"):
        get_settings()


def test_a_manifest_without_precision_is_fp32_and_an_unknown_one_is_refused(
    settings: Settings, counting_embedder: CountingEmbedder
) -> None:
    """An index from before RECAPQA_EMBED_PRECISION loads as fp32; one recording a precision
    this version does not make is refused (its queries would need an encoder nobody exports)."""
    small_corpus(settings)
    build_index(settings.corpus_dir, settings.index_dir, settings, lambda: counting_embedder)
    generation = load_index(settings.index_dir, settings).path
    manifest = json.loads((generation / "manifest.json").read_text())
    del manifest["model"]["precision"]
    (generation / "manifest.json").write_text(json.dumps(manifest))
    assert load_index(settings.index_dir, settings).precision == "fp32"
    manifest["model"]["precision"] = "int4"
    (generation / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexIncompatibleError, match="embedding precision int4"):
        load_index(settings.index_dir, settings)
    assert "precision" in (staleness(settings.corpus_dir, settings.index_dir, settings) or Stale("")).reason
    index = ensure_index(settings.corpus_dir, settings.index_dir, settings, lambda: counting_embedder)
    assert index.precision == "fp32"
