"""Indexing with the ONNX export (batched, sorted by length, several threads) embeds as
sentence-transformers does, and an index built that way retrieves the same chunks."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from conftest import REPO
from recapqa.embed import default_embedder
from recapqa.embed.onnx_batch import OnnxBatchEmbedder
from recapqa.embed.sentence_transformer import SentenceTransformerEmbedder
from recapqa.pipeline import Assistant, query_embedder
from recapqa.settings import Settings
from recapqa.store import load_index
from recapqa.store.build import build_index


def test_indexing_uses_the_onnx_export() -> None:
    assert isinstance(default_embedder(), OnnxBatchEmbedder)


def test_batched_vectors_match_sentence_transformers_in_input_order(assistant: Assistant) -> None:
    texts = [c.embed_text for c in assistant.index.chunks] + [s.text for s in assistant.index.sentences[::3]]
    texts += ["", "a", "Ünïcödé ✓ 模型 🚀", "word " * 600]  # empty, tiny, non-Latin, truncated at 256 tokens
    random.Random(7).shuffle(texts)  # lengths in no order: the embedder sorts, then puts rows back
    embedder = OnnxBatchEmbedder.shared(assistant.settings.cache_dir)
    fast = embedder.embed(texts)
    slow = SentenceTransformerEmbedder.shared().embed(texts)
    assert fast.shape == slow.shape == (len(texts), 384)
    cosines = (fast * slow).sum(axis=1)
    assert cosines.min() >= 0.999, texts[int(np.argmin(cosines))][:80]
    one_by_one = np.stack([embedder.embed([t])[0] for t in texts[:20]])
    assert np.abs(one_by_one - fast[:20]).max() < 1e-4, "a row's vector does not depend on its batch"
    assert embedder.embed([]).shape == (0, 384)
    wide = OnnxBatchEmbedder.shared(assistant.settings.cache_dir, batch_tokens=8192).embed(texts)
    assert np.abs(wide - fast).max() < 1e-4, "the run size (embed_batch_tokens) changes speed, not vectors"


@pytest.fixture(scope="module")
def slow_index(assistant: Assistant, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The default corpus indexed with sentence-transformers, beside the session's ONNX-built one."""
    settings = assistant.settings.model_copy(update={"index_dir": tmp_path_factory.mktemp("st-index")})
    build_index(settings.corpus_dir, settings.index_dir, settings, SentenceTransformerEmbedder.shared)
    return settings


def test_onnx_built_index_retrieves_as_the_sentence_transformers_one(
    assistant: Assistant, slow_index: Settings
) -> None:
    encoder = query_embedder(assistant.settings.index_dir)
    onnx = Assistant(assistant.index, assistant.settings, encoder)
    st = Assistant(load_index(slow_index.index_dir, slow_index), slow_index, encoder)
    questions = [json.loads(line)["question"] for line in (REPO / "eval" / "questions.jsonl").read_text().splitlines()]
    differ = []
    for question in questions:
        a = [h.chunk.chunk_id for h in onnx.retriever.retrieve(question).hits]
        b = [h.chunk.chunk_id for h in st.retriever.retrieve(question).hits]
        if a != b:
            differ.append(question)
    assert not differ, differ
