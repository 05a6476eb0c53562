"""RECAPQA_EMBED_PRECISION=int8, opt-in (fp32 stays the default): the int8 encoder is made
from the shipped model like the fp32 export, the index records its precision and answers;
its queries use the encoder of the index's precision whatever the setting says; a build
after a change of the setting embeds everything again (no vector of the other precision is
reused); a bad value is a ConfigError. Real model, real index, small notes."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import write
from recapqa.api.state import Engine
from recapqa.embed import default_embedder, precision_embedder
from recapqa.embed.onnx_batch import OnnxBatchEmbedder
from recapqa.embed.onnx_encoder import OnnxQueryEncoder
from recapqa.embed.onnx_export import META, encoder_dir
from recapqa.errors import ConfigError, IndexMissingError
from recapqa.pipeline import Assistant, query_embedder
from recapqa.settings import Settings, get_settings
from recapqa.store import load_index
from recapqa.store.build import BuildReport, build_index

NOTES = (
    "## Serving at Initech (John Roe, Initech)\n\n"
    "Initech serves 3 million users with two GPUs. They batch requests by length.\n\n"
    "## Search at Globex (Jane Poe, Globex)\n\n"
    "Globex moved its search to a vector database in 2023. Recall went up by 12 percent.\n"
)
MORE = "## Queues at Hooli (Sam Doe, Hooli)\n\nHooli replaced its queue with Kafka and kept 40 brokers.\n"


@pytest.fixture()
def env(settings_env: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    return settings_env


def use(env: pytest.MonkeyPatch, settings: Settings, precision: str) -> Settings:
    """RECAPQA_EMBED_PRECISION for what follows (the indexing embedder reads it), and `settings` with it."""
    env.setenv("RECAPQA_EMBED_PRECISION", precision)
    get_settings.cache_clear()
    return settings.model_copy(update={"embed_precision": precision})


def build(settings: Settings) -> BuildReport:
    return build_index(settings.corpus_dir, settings.index_dir, settings, default_embedder)


def test_an_int8_index_records_its_precision_and_answers(settings: Settings, env: pytest.MonkeyPatch) -> None:
    assert settings.embed_precision == "fp32"  # the default
    write(settings.corpus_dir / "notes.md", NOTES)
    int8 = use(env, settings, "int8")
    report = build(int8)
    assert report.precision == "int8" and report.precision_was is None and report.query_encoder == "exported"
    index = load_index(int8.index_dir, int8)
    assert index.manifest["model"]["precision"] == "int8" and index.precision == "int8"
    folder = int8.index_dir / encoder_dir("int8")
    assert folder.name == "encoder-all-MiniLM-L6-v2-int8-v3"
    assert json.loads((folder / META).read_text())["precision"] == "int8"
    import onnx

    ops = {node.op_type for node in onnx.load(str(folder / "model.onnx"), load_external_data=False).graph.node}
    assert "DynamicQuantizeLinear" in ops or "MatMulInteger" in ops, ops  # quantized, not the fp32 graph again
    # vectors near fp32's, but int8's own
    fp32 = OnnxBatchEmbedder.shared(int8.cache_dir, precision="fp32")
    texts = [c.embed_text for c in index.chunks]
    cosine = (np.asarray(index.store.chunk_vectors()) * fp32.embed(texts)).sum(axis=1)
    assert cosine.min() > 0.98 and cosine.max() < 1 - 1e-6
    answer, _ = Assistant.open(int8).ask("How many users does Initech serve?", mode="extractive")
    assert not answer.abstained and "3 million" in answer.answer


def test_a_change_of_precision_embeds_everything_again(settings: Settings, env: pytest.MonkeyPatch) -> None:
    write(settings.corpus_dir / "notes.md", NOTES)
    fp32 = use(env, settings, "fp32")
    first = build(fp32)
    vectors = np.array(load_index(fp32.index_dir, fp32).sentence_vectors)
    assert build(fp32).embedded == 0  # up to date
    int8 = use(env, settings, "int8")
    switched = build(int8)
    assert switched.rebuilt and switched.precision_was == "fp32" and switched.precision == "int8"
    assert switched.embedded == switched.chunks == first.chunks and switched.reused == 0
    assert switched.sentences_embedded == len(vectors)
    again = build(int8)
    assert not again.rebuilt and again.embedded == 0 and again.precision_was is None
    write(settings.corpus_dir / "more.md", MORE)  # within one precision, vectors are reused as ever
    edited = build(int8)
    assert edited.precision_was is None and 0 < edited.embedded < edited.chunks
    back = build(use(env, settings, "fp32"))
    assert back.precision_was == "int8" and back.embedded == back.chunks and back.reused == 0
    (settings.corpus_dir / "more.md").unlink()
    build(fp32)  # the first corpus again: fp32 vectors bit for bit, none of int8's kept
    assert np.array_equal(np.array(load_index(fp32.index_dir, fp32).sentence_vectors), vectors)


def test_queries_use_the_index_precision_whatever_the_setting_says(settings: Settings, env: pytest.MonkeyPatch) -> None:
    write(settings.corpus_dir / "notes.md", NOTES)
    build(use(env, settings, "int8"))
    fp32 = use(env, settings, "fp32")  # the setting changed, `recapqa index` not run: the index stays int8
    question = "Where did Globex move its search?"
    int8_vector = OnnxQueryEncoder(fp32.index_dir, precision="int8").embed([question])[0]
    fp32_vector = OnnxBatchEmbedder.shared(fp32.cache_dir, precision="fp32").embed([question])[0]
    assert not np.allclose(int8_vector, fp32_vector, atol=1e-6)
    assistant = Assistant.open(fp32)
    assert assistant.index.precision == "int8"
    assert np.array_equal(assistant.embed_query(question), int8_vector)
    engine = Engine(fp32)  # `serve`
    assert np.array_equal(engine.load().embed_query(question), int8_vector)
    # an Assistant made without an embedder embeds its queries in the index's precision too
    bare = Assistant(assistant.index, fp32).embed_query(question)
    assert np.allclose(bare, int8_vector, atol=1e-5) and not np.allclose(bare, fp32_vector, atol=1e-6)
    # the index's encoder gone: the slower path keeps the index's precision, not the setting's
    shutil.rmtree(fp32.index_dir / encoder_dir("int8"))
    notices: list[str] = []
    fallback = query_embedder(fp32.index_dir, notices.append, precision="int8")
    assert fallback is precision_embedder("int8") and "no fast query encoder (int8)" in notices[0]
    assert np.allclose(fallback().embed([question])[0], int8_vector, atol=1e-5)


def test_bad_values_and_mixed_embedders_are_refused(settings: Settings, env: pytest.MonkeyPatch) -> None:
    env.setenv("RECAPQA_EMBED_PRECISION", "int4")
    get_settings.cache_clear()
    with pytest.raises(ConfigError, match="RECAPQA_EMBED_PRECISION") as bad:
        get_settings()
    assert "fp32" in bad.value.message and "int8" in bad.value.message
    env.setenv("RECAPQA_EMBED_PRECISION", "int8")
    env.setenv("RECAPQA_EMBED_MODEL", "all-mpnet-base-v2")
    get_settings.cache_clear()
    with pytest.raises(ConfigError, match="all-MiniLM-L6-v2 only"):
        get_settings()
    env.delenv("RECAPQA_EMBED_MODEL")
    # a build recording int8 with an fp32 embedder is refused before anything is published
    write(settings.corpus_dir / "notes.md", NOTES)
    int8 = use(env, settings, "int8")
    fp32_embedder = OnnxBatchEmbedder.shared(int8.cache_dir, precision="fp32")
    with pytest.raises(ConfigError, match="computes fp32 vectors, this build records int8"):
        build_index(int8.corpus_dir, int8.index_dir, int8, lambda: fp32_embedder)
    with pytest.raises(IndexMissingError):
        load_index(int8.index_dir, int8)


def recapqa(*args: str, cwd: Path, precision: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RECAPQA_", "OPENAI_"))}
    env.update(RECAPQA_CACHE_DIR=os.environ["RECAPQA_CACHE_DIR"], RECAPQA_EMBED_PRECISION=precision)
    command = [str(Path(sys.executable).parent / "recapqa"), *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_the_cli_says_a_change_of_precision_embeds_everything(tmp_path: Path) -> None:
    write(tmp_path / "corpus" / "notes.md", NOTES)
    assert recapqa("index", cwd=tmp_path, precision="fp32").returncode == 0
    result = recapqa("index", cwd=tmp_path, precision="int8")
    assert result.returncode == 0, result.stderr
    assert "embedding precision changed from fp32 to int8" in result.stdout
    assert "every chunk and sentence is embedded again" in result.stderr  # said before the embedding starts
    counts = re.search(r"(\d+) chunks \((\d+) embedded, 0 reused", result.stdout)
    assert counts is not None and counts[1] == counts[2], result.stdout
    result = recapqa("index", cwd=tmp_path, precision="int8")
    assert "index up to date" in result.stdout and "embedding precision: int8" in result.stdout
