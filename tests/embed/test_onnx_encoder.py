"""The fast query path must embed exactly as sentence-transformers does."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from conftest import REPO
from recapqa.embed import default_embedder
from recapqa.embed.onnx_encoder import EncoderUnavailable, OnnxQueryEncoder
from recapqa.embed.onnx_export import ENCODER_DIR
from recapqa.pipeline import Assistant


@pytest.fixture(scope="module")
def encoder(assistant: Assistant) -> OnnxQueryEncoder:
    return OnnxQueryEncoder(assistant.settings.index_dir)


def varied_texts(assistant: Assistant) -> list[str]:
    questions = [json.loads(line)["question"] for line in (REPO / "eval" / "questions.jsonl").read_text().splitlines()]
    sentences = [s.text for s in assistant.index.sentences[::4]]
    odd = [
        "",
        " ",
        "a",
        "Ünïcödé ✓ 模型 数量 🚀",
        "x" * 5000,
        "word " * 400,
        "How\tmany\nmodels?",
        "10M peak predictions/s",
    ]
    return questions + sentences + odd


def test_onnx_embeddings_match_sentence_transformers(assistant: Assistant, encoder: OnnxQueryEncoder) -> None:
    texts = varied_texts(assistant)
    assert len(texts) >= 100
    fast = encoder.embed(texts)
    slow = default_embedder().embed(texts)
    assert fast.shape == slow.shape == (len(texts), 384)
    cosines = (fast * slow).sum(axis=1) / (np.linalg.norm(fast, axis=1) * np.linalg.norm(slow, axis=1))
    worst = int(np.argmin(cosines))
    assert cosines.min() >= 0.999, (texts[worst][:80], float(cosines[worst]))


def test_retrieval_is_identical_on_the_eval_set(assistant: Assistant, encoder: OnnxQueryEncoder) -> None:
    fast = Assistant(assistant.index, assistant.settings, lambda: encoder)
    slow = Assistant(assistant.index, assistant.settings, default_embedder)
    questions = [json.loads(line)["question"] for line in (REPO / "eval" / "questions.jsonl").read_text().splitlines()]
    for question in questions:
        a = [h.chunk.chunk_id for h in fast.retriever.retrieve(question).hits]
        b = [h.chunk.chunk_id for h in slow.retriever.retrieve(question).hits]
        assert a == b, question


def test_missing_or_truncated_encoder_is_refused(tmp_path: Path, assistant: Assistant) -> None:
    with pytest.raises(EncoderUnavailable, match="no fast query encoder"):
        OnnxQueryEncoder(tmp_path)
    shutil.copytree(assistant.settings.index_dir / ENCODER_DIR, tmp_path / ENCODER_DIR)
    model = tmp_path / ENCODER_DIR / "model.onnx"
    model.unlink()  # a hard link: replace, do not truncate the shared file
    model.write_bytes(b"garbage")
    with pytest.raises(EncoderUnavailable, match="outdated or incomplete"):
        OnnxQueryEncoder(tmp_path)


def test_assistant_falls_back_to_the_slow_path_with_one_message(tmp_path: Path, assistant: Assistant) -> None:
    from recapqa.pipeline import query_embedder

    messages: list[str] = []
    factory = query_embedder(tmp_path, messages.append)
    assert factory is default_embedder
    assert len(messages) == 1 and "recapqa index --rebuild" in messages[0]
