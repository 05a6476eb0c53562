"""A server whose index takes a while to load (a large index, or a build first): it accepts
connections at once and says it is loading (503 with Retry-After and the one error shape),
then answers. The load is held back by an event, not by a timing."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest

from live_server import live_server
from recapqa.api import create_app
from recapqa.api.state import Engine
from recapqa.settings import Settings
from reliability.support import UBER_Q, assert_error


def test_requests_during_the_load_get_503_with_retry_after(
    rel_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    load = Engine._assistant_for

    def slow_load(self: Engine, repair: bool) -> Any:
        assert release.wait(120), "the test never released the load"
        return load(self, repair)

    monkeypatch.setattr(Engine, "_assistant_for", slow_load)
    try:
        with (
            live_server(create_app(rel_settings, load_in_background=True)) as url,
            httpx.Client(base_url=url, timeout=60) as client,
        ):
            assert client.get("/healthz").status_code == 200  # alive while loading
            ready = client.get("/readyz")
            assert assert_error(ready, 503)["type"] == "loading"
            assert ready.headers["retry-after"].isdigit()
            for path, body in (
                ("/v1/ask", {"question": UBER_Q}),
                ("/v1/chat", {"messages": [{"role": "user", "content": UBER_Q}], "stream": True}),
                ("/v1/chat/completions", {"model": "recapqa", "messages": [{"role": "user", "content": UBER_Q}]}),
            ):
                busy = client.post(path, json=body)
                error = assert_error(busy, 503, rel_settings.index_dir)
                assert error["type"] == "IndexLoadingError" and "loaded" in error["message"], error
                assert busy.headers["retry-after"].isdigit()
            release.set()
            while client.get("/readyz").status_code != 200:
                release.wait(0.05)
            answer = client.post("/v1/ask", json={"question": UBER_Q})
            assert answer.status_code == 200 and answer.json()["citations"], answer.text
    finally:
        release.set()
