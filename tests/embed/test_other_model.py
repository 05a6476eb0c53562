"""Another RECAPQA_EMBED_MODEL than the default has no ONNX export: the build says so and
queries take that model's sentence-transformers path (the default model keeps its ONNX
encoder: tests/embed/test_onnx_encoder.py). mpnet's files are never loaded here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from recapqa.embed import precision_embedder
from recapqa.embed.onnx_encoder import EncoderUnavailable, OnnxQueryEncoder
from recapqa.embed.onnx_export import NotForThisModel, encoder_problem, install_query_encoder
from recapqa.pipeline import Assistant, query_embedder
from recapqa.settings import get_settings


@pytest.fixture()
def mpnet(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("RECAPQA_EMBED_MODEL", "all-mpnet-base-v2")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def test_the_default_models_encoder_is_used(assistant: Assistant) -> None:
    assert encoder_problem(assistant.settings.index_dir) is None
    assert OnnxQueryEncoder(assistant.settings.index_dir).dimension == 384


def test_another_model_does_not_use_the_minilm_encoder(assistant: Assistant, mpnet: None, tmp_path: Path) -> None:
    index_dir = assistant.settings.index_dir  # holds the MiniLM encoder: it must not be used for mpnet
    with pytest.raises(EncoderUnavailable, match=r"made for all-MiniLM-L6-v2 only.*all-mpnet-base-v2"):
        OnnxQueryEncoder(index_dir)
    notices: list[str] = []
    assert query_embedder(index_dir, notices.append) is precision_embedder("fp32")  # sentence-transformers of mpnet
    assert "sentence-transformers" in notices[0]
    with pytest.raises(NotForThisModel):
        install_query_encoder(tmp_path / "index", assistant.settings.cache_dir)
    assert not (tmp_path / "index").exists()
