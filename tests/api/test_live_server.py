"""A real uvicorn on 127.0.0.1: the openai client, an SSE reader, concurrency."""

from __future__ import annotations

import json
import threading
import time

import httpx
from openai import OpenAI

from fake_llm import fake_llm
from live_server import live_server
from recapqa.api import create_app
from recapqa.settings import Settings

UBER_Q = "How many models does Uber run in production?"


def test_openai_client_plain_and_streaming(server_url: str) -> None:
    client = OpenAI(base_url=f"{server_url}/v1", api_key="unused", max_retries=0)
    completion = client.chat.completions.create(model="recapqa", messages=[{"role": "user", "content": UBER_Q}])
    content = completion.choices[0].message.content or ""
    assert "5.3k" in content and "[1]" in content
    citations = completion.model_extra["citations"]  # type: ignore[index]
    assert citations[0]["talk_id"] == "journey-of-the-ai-platform-at-uber"
    assert citations[0]["quote"] == "Around 5.3k models in production"

    chunks = list(
        client.chat.completions.create(model="recapqa", messages=[{"role": "user", "content": UBER_Q}], stream=True)
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == content
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].model_extra["citations"] == citations  # type: ignore[index]
    assert [m.id for m in client.models.list()] == ["recapqa"]


def test_sse_client_reads_chat_events(server_url: str) -> None:
    events: list[tuple[str, dict]] = []
    payload = {"messages": [{"role": "user", "content": "Who moderated the recsys panel?"}], "stream": True}
    with httpx.stream("POST", f"{server_url}/v1/chat", json=payload, timeout=30) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        event = None
        for line in response.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event:
                events.append((event, json.loads(line[6:])))
    kinds = [k for k, _ in events]
    assert kinds[0] == "meta" and "delta" in kinds and kinds[-1] == "done"
    assert "Mihir Mathur" in events[-1][1]["answer"]


def test_a_slow_llm_does_not_block_other_requests(api_settings: Settings) -> None:
    with fake_llm("Uber runs 5.3k models in production [1].", delay=3.0) as llm:
        settings = api_settings.model_copy(update={"llm_base_url": llm["base_url"], "llm_timeout": 10.0})
        with live_server(create_app(settings)) as url:
            slow: dict[str, object] = {}

            def ask_llm() -> None:
                slow["response"] = httpx.post(
                    f"{url}/v1/ask", json={"question": UBER_Q, "mode": "llm"}, timeout=30
                ).json()

            thread = threading.Thread(target=ask_llm)
            thread.start()
            while not llm["requests"]:  # the LLM call is under way
                time.sleep(0.02)
            fast = httpx.post(f"{url}/v1/ask", json={"question": UBER_Q, "mode": "extractive"}, timeout=30)
            assert fast.status_code == 200 and fast.json()["mode"] == "extractive"
            assert thread.is_alive(), "the LLM request is still waiting while the other one was answered"
            thread.join()
    assert slow["response"]["mode"] == "llm"  # type: ignore[index]
