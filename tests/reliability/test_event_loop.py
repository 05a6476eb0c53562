"""CPU work of the chat routes (history resolution, question cleaning, answering, token
counting) runs in worker threads, never on the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from recapqa.api import create_app, openai_compat, routes
from recapqa.pipeline import Assistant
from recapqa.settings import Settings


def on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def recording(calls: list[tuple[str, bool]], name: str, real: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls.append((name, on_event_loop()))
        return real(*args, **kwargs)

    return wrapper


@pytest.mark.parametrize(
    ("path", "stream"),
    [("/v1/chat", False), ("/v1/chat", True), ("/v1/chat/completions", False), ("/v1/chat/completions", True)],
)
def test_chat_work_runs_off_the_event_loop(
    rel_settings: Settings, monkeypatch: pytest.MonkeyPatch, path: str, stream: bool
) -> None:
    calls: list[tuple[str, bool]] = []
    for module in (routes, openai_compat):
        monkeypatch.setattr(module, "question_of", recording(calls, "resolve", module.question_of))
    monkeypatch.setattr(openai_compat, "count_tokens", recording(calls, "count_tokens", openai_compat.count_tokens))
    monkeypatch.setattr(Assistant, "ask", recording(calls, "ask", Assistant.ask))
    history = [
        {"role": "user", "content": "Which feature store did the Lidl speaker suggest?"},
        {"role": "assistant", "content": "Feast [1]"},
        {"role": "user", "content": "and what did she say about Kafka?"},
    ]
    with TestClient(create_app(rel_settings)) as client:
        response = client.post(path, json={"messages": history, "stream": stream})
    assert response.status_code == 200
    names = {name for name, _ in calls}
    assert {"resolve", "ask"} <= names
    if path.endswith("completions") and not stream:
        assert "count_tokens" in names
    assert not [name for name, loop in calls if loop], calls
