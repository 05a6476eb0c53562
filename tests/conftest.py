"""Shared fixtures: the real model, real FAISS, small corpora written by the tests."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

# Tests must not pick up a developer's LLM or data-dir settings.
for name in list(os.environ):
    if name.startswith(("RECAPQA_", "OPENAI_")):
        del os.environ[name]
os.environ["HF_HUB_OFFLINE"] = "1"
# the exported query encoder is cached per machine; tests export their own, once a session
os.environ["RECAPQA_CACHE_DIR"] = tempfile.mkdtemp(prefix="recapqa-test-cache-")
atexit.register(shutil.rmtree, os.environ["RECAPQA_CACHE_DIR"], ignore_errors=True)  # ~90 MB a session

from recapqa.embed import Embedder, default_embedder  # noqa: E402
from recapqa.pipeline import Assistant  # noqa: E402
from recapqa.settings import Settings  # noqa: E402
from recapqa.store.build import build_index  # noqa: E402
from shared_data import corpora_dir  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO / "corpus"


class CountingEmbedder:
    """The real embedder, counting the texts it embeds."""

    def __init__(self) -> None:
        self.inner = default_embedder()
        self.name, self.dimension = self.inner.name, self.inner.dimension
        self.calls: list[int] = []

    def embed(self, texts: list[str]):  # type: ignore[no-untyped-def]
        self.calls.append(len(texts))
        return self.inner.embed(texts)


@pytest.fixture()
def counting_embedder() -> CountingEmbedder:
    return CountingEmbedder()


@pytest.fixture()
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """RECAPQA_* variables the test sets (`setenv`), the cached settings (`get_settings`)
    following them; both undone after the test."""
    from recapqa.settings import get_settings

    get_settings.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def embedder_factory() -> Callable[[], Embedder]:
    return default_embedder


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    (tmp_path / "corpus").mkdir()
    return Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")


@pytest.fixture(scope="session")
def default_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The shipped corpus, copied, with its own index directory."""
    root = tmp_path_factory.mktemp("default")
    shutil.copytree(DEFAULT_CORPUS, root / "corpus")
    return Settings(corpus_dir=root / "corpus", index_dir=root / "index")


@pytest.fixture(scope="session")
def assistant(default_settings: Settings, embedder_factory: Callable[[], Embedder]) -> Assistant:
    build_index(default_settings.corpus_dir, default_settings.index_dir, default_settings, embedder_factory)
    return Assistant.open(default_settings)


@pytest.fixture(scope="session")
def open_collection(tmp_path_factory: pytest.TempPathFactory, assistant: Assistant):  # type: ignore[no-untyped-def]
    """An assistant per collection of ../shared/corpora (one index each, built once a session:
    the quality gate and the PostgreSQL comparison share them); the default corpus's for
    questions that name no collection."""
    root, index = corpora_dir(), tmp_path_factory.mktemp("corpora-index")
    base = Settings(corpus_dir=root, index_dir=index)
    opened: dict[str, Assistant] = {}

    def open_assistant(collection: str | None) -> Assistant:
        if collection is None:
            return assistant
        if collection not in opened:
            scoped = base.model_copy(update={"corpus_dir": root / collection, "index_dir": index / collection})
            opened[collection] = Assistant.open(scoped, notify=lambda _m: None)
        return opened[collection]

    def corpus_of(collection: str | None) -> Path:
        return root / collection if collection else assistant.settings.corpus_dir

    return open_assistant, corpus_of


def assistant_over(settings: Settings, notes: dict[str, str], embedder: Callable[[], Embedder]) -> Assistant:
    """An assistant over notes files the test writes into `settings.corpus_dir` (real model,
    real index built into `settings.index_dir`)."""
    for name, text in notes.items():
        write(settings.corpus_dir / name, text)
    build_index(settings.corpus_dir, settings.index_dir, settings, embedder)
    return Assistant.open(settings)


def module_assistant(
    tmp_path_factory: pytest.TempPathFactory, embedder: Callable[[], Embedder], notes: dict[str, str], **updates: Any
) -> Assistant:
    """`assistant_over` in a folder of its own, for a module-scoped fixture; `updates`: other settings."""
    root = tmp_path_factory.mktemp("notes")
    return assistant_over(Settings(corpus_dir=root / "corpus", index_dir=root / "index", **updates), notes, embedder)


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def index_file(generation: Path, name: str) -> Path:
    """Where an index file is: a segment's file (store/segments.py: rows, vectors, their
    arrays) in the generation's first segment, anything else at its root."""
    import json

    from recapqa.store import segments
    from recapqa.store.generation import SEGMENT_FILES

    if name not in SEGMENT_FILES:
        return generation / name
    first = json.loads((generation / "manifest.json").read_text())[segments.MANIFEST_KEY][0]["name"]
    return segments.path(generation, first) / name


def single_file_layout(generation: Path) -> None:
    """Turn a one-segment generation into the layout before segments (one file of each kind
    at the root, the chunk vectors in a FAISS file), as an older version wrote it."""
    import json

    from recapqa.hashing import file_sha256
    from recapqa.store import segments
    from recapqa.store.vectors import FaissStore

    manifest = json.loads((generation / "manifest.json").read_text())
    (entry,) = manifest.pop(segments.MANIFEST_KEY)
    folder = segments.path(generation, entry["name"])
    vectors = np.load(folder / segments.CHUNK_VECTORS)
    store = FaissStore(vectors.shape[1])
    store.add(vectors)
    store.save(generation / "vectors.faiss")
    (folder / segments.CHUNK_VECTORS).unlink()
    for path in folder.iterdir():
        path.rename(generation / path.name)
    shutil.rmtree(generation / segments.FOLDER)
    files = sorted(p for p in generation.rglob("*") if p.is_file() and p.name != "manifest.json")
    manifest["checksums"] = {p.relative_to(generation).as_posix(): file_sha256(p) for p in files}
    (generation / "manifest.json").write_text(json.dumps(manifest, indent=2))


def mapped_paths() -> set[str]:
    """Files this process has memory-mapped (from /proc/self/maps)."""
    with open("/proc/self/maps", encoding="utf-8") as maps:
        return {line.split(maxsplit=5)[5].strip() for line in maps if len(line.split(maxsplit=5)) == 6}
