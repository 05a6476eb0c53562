"""Every route and error through TestClient."""

from __future__ import annotations

import errno
import json
import logging
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conftest import DEFAULT_CORPUS, write
from recapqa.api import create_app
from recapqa.settings import Settings

UBER_Q = "How many models does Uber run in production?"
ANSWER_KEYS = {"question", "answer", "abstained", "mode", "fallback_reason", "citations", "timings_ms"}


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["model"] == "all-MiniLM-L6-v2"
    assert ready["chunks"] > 20 and ready["talks"] == 8 and len(ready["corpus_hash"]) == 16


def test_ask_returns_the_cli_answer_object(client: TestClient) -> None:
    response = client.post("/v1/ask", json={"question": UBER_Q})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == ANSWER_KEYS
    assert "5.3k" in body["answer"] and body["citations"][0]["talk_id"] == "journey-of-the-ai-platform-at-uber"


def test_ask_with_filters_and_k(client: TestClient) -> None:
    body = client.post("/v1/ask", json={"question": "Which feature store?", "company": "Lidl", "k": 2}).json()
    assert {c["talk_id"] for c in body["citations"]} <= {"ml-in-a-multi-cloud-environment"}
    assert "Feast" in body["answer"]


def test_validation_errors_are_clear_json(client: TestClient) -> None:
    cases = [
        ({"question": ""}, 422, "at least 1 character"),
        ({"question": "   "}, 422, "empty"),
        ({"question": "x" * 5000}, 413, "limit is 4000"),
        ({"question": "ok?", "mode": "magic"}, 422, "mode"),
        ({"question": "ok?", "k": 0}, 422, "k"),
        ({"questoin": "typo"}, 422, "question"),
    ]
    for payload, status, text in cases:
        response = client.post("/v1/ask", json=payload)
        assert response.status_code == status, payload
        error = response.json()["error"]
        assert text in error["message"] and error["type"]
    bad = client.post("/v1/ask", content=b"{not json", headers={"Content-Type": "application/json"})
    assert bad.status_code == 422 and bad.json()["error"]["message"] == "the request body is not valid JSON"


def test_unknown_talk_filter_is_404(client: TestClient) -> None:
    response = client.post("/v1/ask", json={"question": "models?", "talk_id": "no-such-talk"})
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "UnknownTalkError"
    assert client.post("/v1/ask", json={"question": "models?", "speaker": "Nobody Here"}).status_code == 404


def test_chat_resolves_a_follow_up_against_earlier_turns(client: TestClient) -> None:
    first = client.post(
        "/v1/chat",
        json={"messages": [{"role": "user", "content": "Which feature store did the Lidl speaker suggest?"}]},
    ).json()
    assert "Feast" in first["answer"]
    history = [
        {"role": "user", "content": "Which feature store did the Lidl speaker suggest?"},
        {"role": "assistant", "content": first["answer"] + "\n\nSources: [1] " + first["citations"][0]["talk_title"]},
        {"role": "user", "content": "and what did she say about Kafka?"},
    ]
    follow = client.post("/v1/chat", json={"messages": history}).json()
    assert "Kafka" in follow["answer"]
    assert follow["citations"][0]["talk_id"] == "ml-in-a-multi-cloud-environment"
    assert "Lidl" in follow["resolved_question"]


def test_chat_follow_up_about_that_talk(client: TestClient) -> None:
    history = [
        {"role": "user", "content": "What did Aayush Mudgal present?"},
        {"role": "assistant", "content": "Evolution of the Ads Ranking System at Pinterest [1]"},
        {"role": "user", "content": "How many training jobs per day does that talk mention?"},
    ]
    body = client.post("/v1/chat", json={"messages": history}).json()
    assert "3000" in body["answer"] and body["citations"][0]["talk_id"].endswith("pinterest")


def test_chat_errors(client: TestClient) -> None:
    assert client.post("/v1/chat", json={"messages": []}).status_code == 422
    ends_with_assistant = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]
    response = client.post("/v1/chat", json={"messages": ends_with_assistant})
    assert response.status_code == 422 and "user message" in response.json()["error"]["message"]
    huge = client.post("/v1/chat", json={"messages": [{"role": "user", "content": "y" * 9000}], "stream": True})
    assert huge.status_code == 413  # refused before the stream starts


def parse_sse(text: str) -> list[tuple[str, object]]:
    events = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def test_chat_stream_sends_text_then_citations_then_done(client: TestClient) -> None:
    with client.stream(
        "POST", "/v1/chat", json={"messages": [{"role": "user", "content": UBER_Q}], "stream": True}
    ) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        events = parse_sse("".join(r.iter_text()))
    kinds = [kind for kind, _ in events]
    assert kinds[0] == "meta" and kinds[-2:] == ["citations", "done"]
    assert kinds.count("delta") >= 2
    text = "".join(data["text"] for kind, data in events if kind == "delta")  # type: ignore[index]
    assert "5.3k" in text and "[1]" in text
    done = events[-1][1]
    assert isinstance(done, dict) and done["citations"] == events[-2][1]


def test_chat_stream_error_is_an_event(client: TestClient) -> None:
    payload = {"messages": [{"role": "user", "content": UBER_Q}], "stream": True, "talk_id": "no-such-talk"}
    with client.stream("POST", "/v1/chat", json=payload) as r:
        assert r.status_code == 200
        events = parse_sse("".join(r.iter_text()))
    assert events[-1][0] == "error" and "no-such-talk" in events[-1][1]["error"]["message"]  # type: ignore[index]


def test_talks_route(client: TestClient) -> None:
    talks = client.get("/v1/talks").json()
    assert len(talks) == 8 and talks[1]["speakers"][0]["name"] == "Min Cai"


def test_openai_compatible_route(client: TestClient) -> None:
    body = client.post(
        "/v1/chat/completions",
        json={"model": "recapqa", "messages": [{"role": "user", "content": UBER_Q}], "temperature": 0.2},
    ).json()
    assert body["object"] == "chat.completion"
    content = body["choices"][0]["message"]["content"]
    assert "5.3k" in content and "[1]" in content and "Sources:" in content
    assert body["citations"][0]["talk_title"] == "Journey of the AI platform at Uber"
    assert body["usage"]["total_tokens"] > 0


def test_openapi_docs(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/ask", "/v1/chat", "/v1/chat/completions", "/v1/talks", "/healthz", "/readyz"} <= set(paths)


def test_web_page_is_served(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "recapqa" in page.text and "/static/app.js" in page.text
    assert client.get("/static/app.js").status_code == 200


def test_bearer_token_guards_v1_routes_only(api_settings: Settings) -> None:
    settings = api_settings.model_copy(update={"api_key": "s3cret"})
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200
        for method, path in [("post", "/v1/ask"), ("get", "/v1/talks"), ("post", "/v1/chat/completions")]:
            response = getattr(client, method)(
                path, headers={"Authorization": "Bearer wrong"}, **({"json": {}} if method == "post" else {})
            )
            assert response.status_code == 401, path
            assert response.json()["error"]["type"] == "UnauthorizedError"
        ok = client.post("/v1/ask", json={"question": UBER_Q}, headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200


def test_cors_is_off_by_default_and_configurable(client: TestClient, api_settings: Settings) -> None:
    preflight = {"Origin": "http://example.org", "Access-Control-Request-Method": "POST"}
    assert "access-control-allow-origin" not in client.options("/v1/ask", headers=preflight).headers
    settings = api_settings.model_copy(update={"cors_origins": ["http://example.org"]})
    with TestClient(create_app(settings)) as other:
        response = other.options("/v1/ask", headers=preflight)
        assert response.headers["access-control-allow-origin"] == "http://example.org"


def test_reload_swaps_the_index_and_old_references_keep_working(tmp_path: Path, api_settings: Settings) -> None:
    shutil.copytree(DEFAULT_CORPUS, tmp_path / "corpus")
    settings = api_settings.model_copy(update={"corpus_dir": tmp_path / "corpus", "index_dir": tmp_path / "index"})
    app = create_app(settings)
    with TestClient(app) as client:
        old = app.state.engine.assistant
        before = client.get("/readyz").json()
        notes = (
            "## Vector databases at Acme (Acme)\n\nSpeaker: Jane Doe, CTO of Acme\n\nAcme stores 7 billion vectors.\n"
        )
        write(tmp_path / "corpus" / "extra.md", notes)
        reloaded = client.post("/v1/reload").json()
        assert reloaded["chunks"] > before["chunks"] and reloaded["corpus_hash"] != before["corpus_hash"]
        answer = client.post("/v1/ask", json={"question": "How many vectors does Acme store?"}).json()
        assert "7 billion" in answer["answer"]
        assert app.state.engine.assistant is not old
        old_answer, _ = old.ask(UBER_Q)  # a request that started before the swap still completes
        assert "5.3k" in old_answer.answer


def test_a_broken_corpus_is_reported_by_readyz_and_routes(tmp_path: Path, api_settings: Settings) -> None:
    (tmp_path / "corpus").mkdir()
    settings = api_settings.model_copy(update={"corpus_dir": tmp_path / "corpus", "index_dir": tmp_path / "index"})
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
        assert ready.status_code == 503 and "no usable notes" in ready.json()["error"]["message"]
        response = client.post("/v1/ask", json={"question": UBER_Q})
        assert response.status_code == 503 and response.json()["error"]["type"] == "CorpusError"
        for reply in (ready, response):  # the server's folders are named by their setting, not shown
            assert str(tmp_path) not in reply.text and "<RECAPQA_CORPUS_DIR>" in reply.text


def test_completions_take_the_openai_message_shapes(client: TestClient) -> None:
    """Content as a list of text parts, the "developer" role and an assistant turn with
    null content are how OpenAI clients send messages; they were refused with a 422."""
    messages = [
        {"role": "developer", "content": "Answer briefly."},
        {"role": "user", "content": "hello"},
        {"role": "assistant", "content": None},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "How many models does Uber"},
                {"type": "text", "text": "run in production?"},
            ],
        },
    ]
    response = client.post("/v1/chat/completions", json={"model": "recapqa", "messages": messages})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "5.3k" in body["choices"][0]["message"]["content"]
    assert body["recapqa"]["resolved_question"] == "How many models does Uber\nrun in production?"  # parts joined
    image = [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "http://example.com/a.png"}}]}]
    refused = client.post("/v1/chat/completions", json={"messages": image})
    assert refused.status_code == 422
    assert "only text content parts are supported, not 'image_url'" in refused.json()["error"]["message"]


def test_a_body_that_is_not_sent_as_json_says_which_header_to_send(client: TestClient) -> None:
    for content_type, body in [
        ("text/plain", json.dumps({"question": UBER_Q})),
        ("application/x-www-form-urlencoded", "question=hi"),
    ]:
        response = client.post("/v1/ask", content=body, headers={"Content-Type": content_type})
        assert response.status_code == 422
        error = response.json()["error"]
        assert "Content-Type: application/json" in error["message"] and content_type in error["message"], error
    charset = client.post(
        "/v1/ask", content=json.dumps({"question": UBER_Q}), headers={"Content-Type": "application/json; charset=utf-8"}
    )
    assert charset.status_code == 200


def test_a_body_without_content_type_or_nested_too_deep_says_what_is_wrong(client: TestClient) -> None:
    bare = client.post("/v1/ask", content=json.dumps({"question": UBER_Q}).encode())
    assert bare.status_code == 422 and "content-type" not in bare.request.headers
    assert "Content-Type: application/json" in bare.json()["error"]["message"], bare.text
    deep = '{"question": "Uber?", "company": ' + "[" * 100_000 + "]" * 100_000 + "}"
    nested = client.post("/v1/ask", content=deep, headers={"Content-Type": "application/json"})
    assert nested.status_code == 422 and "nested too deeply" in nested.json()["error"]["message"], nested.text


def test_a_stream_that_fails_says_so_as_a_reply_would(
    client: TestClient, api_settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """After the stream started: a disk failure is a StorageError naming no path, a bug is logged."""
    from recapqa.pipeline import Assistant

    payload = {"messages": [{"role": "user", "content": UBER_Q}], "stream": True}
    denied = OSError(errno.EACCES, "Permission denied", str(api_settings.index_dir.resolve() / "gen-x" / "rows.npy"))
    for failure, kind in [(denied, "StorageError"), (ZeroDivisionError("boom"), "internal_error")]:

        def fail(*args: object, failure: Exception = failure, **kwargs: object) -> None:
            raise failure

        monkeypatch.setattr(Assistant, "ask", fail)
        with caplog.at_level(logging.ERROR, logger="recapqa.api"), client.stream("POST", "/v1/chat", json=payload) as r:
            events = parse_sse("".join(r.iter_text()))
        kind_sent, data = events[-1]
        assert kind_sent == "error" and data["error"]["type"] == kind, data  # type: ignore[index]
        assert str(api_settings.index_dir.resolve()) not in json.dumps(data)
    assert "ZeroDivisionError" in caplog.text, "the unexpected failure's traceback is in the server log"


def test_completions_honour_the_talk_filters_as_ask_and_chat_do(client: TestClient) -> None:
    """talk_id, company, speaker and conference narrow the completions route's answer as they
    do /v1/ask's and /v1/chat's (they were accepted as unknown extras and ignored)."""
    question = "Which feature store?"
    lidl = "ml-in-a-multi-cloud-environment"
    for stream in (False, True):
        for filters in ({"talk_id": lidl}, {"company": "Lidl"}):
            payload = {"messages": [{"role": "user", "content": question}], "stream": stream, "k": 2, **filters}
            response = client.post("/v1/chat/completions", json=payload)
            assert response.status_code == 200, response.text
            if stream:
                last = [json.loads(line[6:]) for line in response.text.splitlines() if line.startswith("data: {")][-1]
                citations = last["citations"]
            else:
                citations = response.json()["citations"]
            asked = client.post("/v1/ask", json={"question": question, "k": 2, **filters}).json()["citations"]
            assert citations and {c["talk_id"] for c in citations} == {lidl}, (filters, citations)
            assert [(c["talk_id"], c["quote"]) for c in citations] == [(c["talk_id"], c["quote"]) for c in asked]
    for stream in (False, True):
        unknown = {"messages": [{"role": "user", "content": question}], "stream": stream, "talk_id": "no-such-talk"}
        response = client.post("/v1/chat/completions", json=unknown)
        assert response.status_code == 404 and response.json()["error"]["type"] == "UnknownTalkError", response.text
    wrong = client.post(
        "/v1/chat/completions", json={"messages": [{"role": "user", "content": question}], "talk_id": 3}
    )
    assert wrong.status_code == 422 and "talk_id" in wrong.text
