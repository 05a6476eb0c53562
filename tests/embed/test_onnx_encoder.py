"""The fast query path must embed exactly as sentence-transformers does."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from conftest import REPO
from recapqa.embed import default_embedder, precision_embedder
from recapqa.embed.onnx_encoder import EncoderUnavailable, OnnxQueryEncoder
from recapqa.embed.onnx_export import ENCODER_DIR
from recapqa.embed.sentence_transformer import SentenceTransformerEmbedder
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
    slow = SentenceTransformerEmbedder.shared().embed(texts)
    assert fast.shape == slow.shape == (len(texts), 384)
    cosines = (fast * slow).sum(axis=1) / (np.linalg.norm(fast, axis=1) * np.linalg.norm(slow, axis=1))
    worst = int(np.argmin(cosines))
    assert cosines.min() >= 0.999, (texts[worst][:80], float(cosines[worst]))


def test_retrieval_is_identical_on_the_eval_set(assistant: Assistant, encoder: OnnxQueryEncoder) -> None:
    fast = Assistant(assistant.index, assistant.settings, lambda: encoder)
    slow = Assistant(assistant.index, assistant.settings, SentenceTransformerEmbedder.shared)
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
    with pytest.raises(EncoderUnavailable, match="damaged"):
        OnnxQueryEncoder(tmp_path)


def test_assistant_falls_back_to_the_slow_path_with_one_message(tmp_path: Path, assistant: Assistant) -> None:
    from recapqa.pipeline import query_embedder

    messages: list[str] = []
    factory = query_embedder(tmp_path, messages.append)
    assert factory is precision_embedder("fp32")  # the index's precision, whatever the setting says
    assert len(messages) == 1 and "recapqa index --rebuild" in messages[0]


def test_a_garbled_shared_encoder_is_reported_and_replaced_not_relinked(
    tmp_path: Path, assistant: Assistant, caplog: pytest.LogCaptureFixture
) -> None:
    from conftest import write
    from recapqa.api.state import Engine
    from recapqa.embed.onnx_export import encoder_is_current
    from recapqa.store.build import build_index

    cache = tmp_path / "cache"  # a copy: the session's cache must stay whole
    shutil.copytree(assistant.settings.cache_dir / ENCODER_DIR, cache / ENCODER_DIR)
    settings = assistant.settings.model_copy(
        update={"cache_dir": cache, "corpus_dir": tmp_path / "corpus", "index_dir": tmp_path / "index"}
    )
    write(settings.corpus_dir / "a.md", "## Talk A (Acme)\n\nSpeaker: Jane Doe, CEO\n\nAcme trains 40 models a day.\n")
    build_index(settings.corpus_dir, settings.index_dir, settings, default_embedder)
    shared = cache / ENCODER_DIR / "model.onnx"
    linked = settings.index_dir / ENCODER_DIR / "model.onnx"
    damaged = shared.stat().st_ino
    assert linked.stat().st_ino == damaged  # one file, linked into the index
    with shared.open("r+b") as handle:  # garbled in place, same size: every link sees it
        handle.seek(shared.stat().st_size // 2)
        handle.write(b"\x00garbage\xff" * 64)

    with caplog.at_level("WARNING", logger="recapqa.api"):
        Engine(settings).load()
    warning = [r.getMessage() for r in caplog.records if r.levelname == "WARNING" and "encoder" in r.getMessage()]
    assert warning and "damaged" in warning[0] and "recapqa index" in warning[0]

    report = build_index(settings.corpus_dir, settings.index_dir, settings, default_embedder)
    assert report.query_encoder == "exported"
    fresh = cache / ENCODER_DIR / "model.onnx"
    assert encoder_is_current(cache, check_files=True) and encoder_is_current(settings.index_dir, check_files=True)
    assert (
        fresh.stat().st_ino != linked.stat().st_ino
        or fresh.stat().st_ino == (settings.index_dir / ENCODER_DIR / "model.onnx").stat().st_ino
    )
    assert (settings.index_dir / ENCODER_DIR / "model.onnx").stat().st_ino == fresh.stat().st_ino
    OnnxQueryEncoder(settings.index_dir)  # loads: checksums match
