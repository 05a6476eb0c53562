"""Reloads: the old assistant is freed at once, memory stays flat over 100 reloads, a
reload under load fails no request, a reload on one worker reaches the others, and a
damaged index on disk is reported instead of being re-embedded behind the caller's back."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from conftest import index_file, write
from live_server import live_server
from recapqa.api import create_app
from recapqa.api.state import Engine
from recapqa.embed import default_embedder
from recapqa.settings import Settings
from recapqa.store.build import build_index
from recapqa.store.files import current_generation
from reliability.support import UBER_Q, assert_error, copy_of_default, rss_mb

EXTRA = "## Vector Search at Acme (Acme)\n\nSpeaker: Ada Lovelace, CTO of Acme\n\nAcme stores {n} billion vectors.\n"


@pytest.fixture()
def own(tmp_path: Path, rel_settings: Settings) -> Settings:
    return copy_of_default(tmp_path, rel_settings)


@contextmanager
def no_cycle_collector() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def test_a_replaced_assistant_is_freed_without_the_cycle_collector(own: Settings) -> None:
    engine = Engine(own)
    engine.load()
    with no_cycle_collector():
        old = weakref.ref(engine.assistant)
        engine.reload()
        assert old() is None, "the old assistant is kept alive by a reference cycle"


def test_memory_stays_flat_over_100_reloads(own: Settings) -> None:
    engine = Engine(own)
    engine.load()
    for _ in range(5):
        engine.reload()
    with no_cycle_collector():  # nothing may depend on the cycle collector to be freed
        before = rss_mb()
        for _ in range(100):
            engine.reload()
        grown = rss_mb() - before
    assert grown < 25, f"RSS grew {grown:.0f} MiB over 100 reloads"


def test_reload_under_load_fails_no_request(own: Settings) -> None:
    errors: list[str] = []
    done = threading.Event()

    def client(url: str, n: int) -> None:
        with httpx.Client(base_url=url, timeout=60) as http:
            while not done.is_set():
                if n % 3 == 0:
                    r = http.post("/v1/ask", json={"question": UBER_Q, "mode": "extractive"})
                    ok = r.status_code == 200 and "5.3k" in r.json()["answer"]
                elif n % 3 == 1:
                    r = http.post("/v1/chat", json={"messages": [{"role": "user", "content": UBER_Q}], "stream": True})
                    ok = r.status_code == 200 and "event: done" in r.text
                else:
                    body = {"messages": [{"role": "user", "content": UBER_Q}], "stream": True}
                    r = http.post("/v1/chat/completions", json=body)
                    ok = r.status_code == 200 and r.text.rstrip().endswith("data: [DONE]")
                if not ok:
                    errors.append(f"{r.status_code} {r.text[:200]}")
                n += 1

    with live_server(create_app(own)) as url:
        threads = [threading.Thread(target=client, args=(url, n)) for n in range(6)]
        for t in threads:
            t.start()
        before = rss_mb()
        try:
            with httpx.Client(base_url=url, timeout=120) as admin:
                for n in range(30):
                    if n % 10 == 5:  # a changed corpus: a new index is built and swapped in
                        write(own.corpus_dir / "acme.md", EXTRA.format(n=n))
                    assert admin.post("/v1/reload").status_code == 200
                grown = rss_mb() - before
                answer = admin.post("/v1/ask", json={"question": "How many vectors does Acme store?"}).json()
        finally:
            done.set()
            for t in threads:
                t.join()
    assert errors == []
    assert "25 billion" in answer["answer"]
    assert grown < 150, f"RSS grew {grown:.0f} MiB over 30 reloads under load"


def test_a_reload_on_one_worker_reaches_the_others(own: Settings) -> None:
    """Two apps on one index folder, as two worker processes are: the one that did not
    reload picks up the new generation on its next request."""
    with TestClient(create_app(own)) as first, TestClient(create_app(own)) as second:
        before = second.get("/readyz").json()
        write(own.corpus_dir / "acme.md", EXTRA.format(n=7))
        reloaded = first.post("/v1/reload").json()
        assert reloaded["corpus_hash"] != before["corpus_hash"]
        for _ in range(5):
            assert second.get("/readyz").json()["corpus_hash"] == reloaded["corpus_hash"]
        assert "7 billion" in second.post("/v1/ask", json={"question": "How many vectors does Acme store?"}).text


def test_a_damaged_index_on_reload_is_reported_and_the_old_one_keeps_serving(own: Settings) -> None:
    """The damaged file is one the loaded index read into memory (its talks)."""
    with TestClient(create_app(own)) as client:
        generation = current_generation(own.index_dir)
        talks = generation / "talks.json"
        talks.write_bytes(talks.read_bytes()[:100])
        write(own.corpus_dir / "acme.md", EXTRA.format(n=3))  # stale too: a reload would rebuild
        error = assert_error(client.post("/v1/reload"), 503, own.index_dir)
        assert error["type"] == "IndexCorruptError" and "--rebuild" in error["fix"]
        assert "checksum" in error["message"]
        answer = client.post("/v1/ask", json={"question": UBER_Q})
        assert answer.status_code == 200 and "5.3k" in answer.json()["answer"]
        assert client.get("/readyz").status_code == 200


def test_a_mapped_index_file_cut_short_is_reported_on_each_request_until_rebuilt(own: Settings) -> None:
    """The chunk vectors are memory-mapped (store/mapped.py): cut short in place, the loaded
    index cannot read them any more. The reload reports the damage as above; each request
    then gets a 503 naming the file (not a worker ended by SIGBUS), until the rebuild the fix
    asks for is published and picked up."""
    with TestClient(create_app(own)) as client:
        generation = current_generation(own.index_dir)
        vectors = index_file(generation, "chunk_vectors.npy")
        size = vectors.stat().st_size
        vectors.write_bytes(vectors.read_bytes()[:100])  # in place: the same inode the worker maps
        write(own.corpus_dir / "acme.md", EXTRA.format(n=3))
        error = assert_error(client.post("/v1/reload"), 503, own.index_dir)
        assert error["type"] == "IndexCorruptError" and "checksum" in error["message"]
        name = f"segments/{vectors.parent.name}/chunk_vectors.npy"
        for response in (client.post("/v1/ask", json={"question": UBER_Q}), client.get("/readyz")):
            error = assert_error(response, 503, own.index_dir)
            assert error["type"] == "IndexCorruptError" and "--rebuild" in error["fix"]
            assert error["message"] == (
                f"index file {name} in {generation.name} was cut short while in use (100 of {size} bytes)"
            )
        build_index(own.corpus_dir, own.index_dir, own, default_embedder, force=True)  # `recapqa index --rebuild`
        answer = client.post("/v1/ask", json={"question": "How many vectors does Acme store?"})
        assert answer.status_code == 200 and "3 billion" in answer.json()["answer"]
        assert client.get("/readyz").status_code == 200
