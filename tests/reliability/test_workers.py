"""`recapqa serve --workers 2` for real (its own processes, 127.0.0.1): on an out-of-date
index one worker builds while the other waits, both become ready on the same generation,
and a reload sent to one worker reaches both."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import write
from recapqa.settings import Settings
from reliability.support import copy_of_default, served

NOTES = "## Search at Initech (Initech)\n\nSpeaker: John Roe, CTO of Initech\n\nInitech indexes {n} million pages.\n"


@pytest.fixture()
def stale(tmp_path: Path, rel_settings: Settings) -> Settings:
    settings = copy_of_default(tmp_path, rel_settings)
    write(settings.corpus_dir / "initech.md", NOTES.format(n=12))  # the built index no longer matches
    return settings


@pytest.fixture()
def two_workers(stale: Settings, tmp_path: Path) -> Iterator[str]:
    with served(stale.corpus_dir, stale.index_dir, tmp_path / "serve.log") as (url, _):
        yield url


def readiness(url: str, clients: int = 8, each: int = 10) -> list[tuple[int, dict]]:
    """/readyz from concurrent clients, a new connection each time, so both workers answer."""
    seen: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def poll() -> None:
        for _ in range(each):
            try:
                r = httpx.get(f"{url}/readyz", timeout=30)
            except httpx.TransportError:
                continue
            with lock:
                seen.append((r.status_code, r.json()))

    threads = [threading.Thread(target=poll) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return seen


def wait_ready(url: str, deadline: float) -> set[int]:
    """Until both workers have answered 200; returns their process ids."""
    workers: set[int] = set()
    while len(workers) < 2:
        assert time.monotonic() < deadline, "the two workers did not both become ready"
        workers |= {body["worker"] for status, body in readiness(url, 4, 5) if status == 200}
        time.sleep(0.2)
    return workers


def test_two_workers_on_a_stale_index_build_once_and_reload_together(two_workers: str, stale: Settings) -> None:
    url = two_workers
    workers = wait_ready(url, time.monotonic() + 240)
    replies = readiness(url)
    assert {status for status, _ in replies} == {200}
    assert len({body["corpus_hash"] for _, body in replies}) == 1, "both workers serve the same index"
    assert len({body["index"] for _, body in replies}) == 1
    assert [p.name for p in stale.index_dir.glob("gen-*")] == [replies[0][1]["index"]]
    assert not list(stale.index_dir.glob(".building-*"))
    answer = httpx.post(f"{url}/v1/ask", json={"question": "How many pages does Initech index?"}, timeout=60)
    assert "12 million" in answer.json()["answer"]

    write(stale.corpus_dir / "initech.md", NOTES.format(n=99))
    reloaded = httpx.post(f"{url}/v1/reload", timeout=300).json()  # one worker does it
    # the other worker sees the new generation on its next request and loads it in the
    # background (requests meanwhile keep the old one): it must converge, within seconds
    deadline = time.monotonic() + 60
    while True:
        replies = readiness(url)
        assert {status for status, _ in replies} == {200}
        hashes = {body["corpus_hash"] for _, body in replies}
        if hashes == {reloaded["corpus_hash"]} or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert hashes == {reloaded["corpus_hash"]}, "a worker kept the old index"
    assert {body["worker"] for _, body in replies} <= workers
