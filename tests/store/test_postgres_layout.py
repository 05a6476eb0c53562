"""The PostgreSQL schema's table layout version, checked as the file store checks its
manifest's versions: an older layout is rebuilt, said once; a newer version's is refused and
left as it is (CLI: `error:`/`fix:`; API: 503 JSON) until `recapqa index --rebuild`."""

from __future__ import annotations

import logging

import psycopg
import pytest
from fastapi.testclient import TestClient

from conftest import CountingEmbedder, write
from postgres_data import NOTES, pg
from recapqa.api import create_app
from recapqa.errors import IndexNewerError
from recapqa.settings import Settings
from recapqa.store import OLDER, load_index
from recapqa.store.build import build_index, ensure_index, staleness
from recapqa.store.postgres_sql import LAYOUT


def set_layout(url: str, schema: str, version: int) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"UPDATE {schema}.layout SET version = %s", (version,))


def stored(url: str, schema: str) -> tuple[int, int]:
    """The layout version and the number of chunk rows the schema holds."""
    with psycopg.connect(url) as conn:
        version = conn.execute(f"SELECT version FROM {schema}.layout").fetchone()
        chunks = conn.execute(f"SELECT count(*) FROM {schema}.chunk").fetchone()
    assert version is not None and chunks is not None
    return int(version[0]), int(chunks[0])


def pg_index(settings: Settings, embedder: CountingEmbedder, url: str, schema: str) -> Settings:
    for name, text in NOTES.items():
        write(settings.corpus_dir / name, text)
    s = pg(settings, url, schema)
    build_index(s.corpus_dir, s.index_dir, s, lambda: embedder)
    return s


def test_a_newer_layout_is_refused_and_left_as_it_is_until_a_rebuild(
    settings: Settings, counting_embedder: CountingEmbedder, postgres_url: str, schema: str
) -> None:
    s = pg_index(settings, counting_embedder, postgres_url, schema)
    chunks = stored(postgres_url, schema)[1]
    set_layout(postgres_url, schema, LAYOUT + 1)
    for attempt in (
        lambda: load_index(s.index_dir, s),
        lambda: staleness(s.corpus_dir, s.index_dir, s),
        lambda: ensure_index(s.corpus_dir, s.index_dir, s, lambda: counting_embedder),  # as `ask` does
        lambda: build_index(s.corpus_dir, s.index_dir, s, lambda: counting_embedder),  # as `index` does
    ):
        with pytest.raises(IndexNewerError, match=f"newer recapqa \\(table layout {LAYOUT + 1}\\)") as caught:
            attempt()
        assert "older" not in caught.value.message and "recapqa index --rebuild" in caught.value.fix
    assert stored(postgres_url, schema) == (LAYOUT + 1, chunks), "a newer version's index is never replaced"

    with TestClient(create_app(s)) as client:
        reply = client.post("/v1/ask", json={"question": "How many GPUs does Initech use?"})
    assert reply.status_code == 503 and reply.json()["error"]["type"] == "IndexNewerError"
    assert "table layout" in reply.json()["error"]["message"] and "--rebuild" in reply.json()["error"]["fix"]

    build_index(s.corpus_dir, s.index_dir, s, lambda: counting_embedder, force=True)
    assert stored(postgres_url, schema) == (LAYOUT, chunks) and len(load_index(s.index_dir, s).chunks) == chunks


def test_an_older_layout_is_rebuilt_and_said_once(
    settings: Settings,
    counting_embedder: CountingEmbedder,
    postgres_url: str,
    schema: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    s = pg_index(settings, counting_embedder, postgres_url, schema)
    set_layout(postgres_url, schema, LAYOUT - 1)
    said: list[str] = []
    with caplog.at_level(logging.WARNING):
        index = ensure_index(s.corpus_dir, s.index_dir, s, lambda: counting_embedder, notify=said.append)
    assert len(index.chunks) > 0 and stored(postgres_url, schema)[0] == LAYOUT
    older = [line for line in said + caplog.messages if "older" in line]
    assert len(older) == 1 and OLDER in older[0] and f"table layout {LAYOUT - 1}" in older[0], older
