"""The bad-input matrix: every route, over real HTTP on 127.0.0.1. Each case asserts the
status, the one JSON error shape, that no server path leaks, and that the server is still
healthy afterwards."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from live_server import live_server
from recapqa.api import create_app
from recapqa.settings import Settings
from reliability.support import API_KEY, UBER_Q, assert_error

ASK, CHAT, COMPLETIONS = "/v1/ask", "/v1/chat", "/v1/chat/completions"
POSTS = (ASK, CHAT, COMPLETIONS)
GETS = ("/healthz", "/readyz", "/v1/talks", "/v1/models")
LIMIT = Settings().max_request_bytes


@dataclass
class Case:
    name: str
    method: str
    path: str
    status: int
    content: bytes | None = None
    payload: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    keyed: bool = False  # against the server that requires RECAPQA_API_KEY

    def send(self, client: httpx.Client) -> httpx.Response:
        headers = {"content-type": "application/json", **self.headers}
        content = self.content if self.payload is None else json.dumps(self.payload).encode()
        return client.request(self.method, self.path, content=content, headers=headers)


def question_body(path: str, text: Any) -> dict[str, Any]:
    """A request to `path` whose question (or last message) is `text`."""
    if path == ASK:
        return {"question": text}
    return {"messages": [{"role": "user", "content": text}]}


def raw(path: str, fragment: str) -> bytes:
    """A body whose question is a raw JSON string fragment (escapes kept as sent)."""
    if path == ASK:
        return b'{"question": "' + fragment.encode() + b'"}'
    return b'{"messages": [{"role": "user", "content": "' + fragment.encode() + b'"}]}'


def body_cases() -> Iterator[Case]:
    for p in POSTS:
        r = p.rsplit("/", 1)[-1]
        bodies: list[tuple[str, bytes, int]] = [
            ("empty body", b"", 422),
            ("malformed JSON", b"{not json", 422),
            ("truncated JSON", b'{"question": "How', 422),
            ("JSON null", b"null", 422),
            ("JSON list", b"[]", 422),
            ("JSON string", b'"How many models?"', 422),
            ("JSON number", b"42", 422),
            ("invalid UTF-8", raw(p, "caf\xe9").replace(b"\xc3\xa9", b"\xe9\xff"), 422),
            ("deep nesting", b"[" * 50_000 + b"]" * 50_000, 422),
            ("deep nesting in a field", b'{"question": ' + b"[" * 20_000 + b"]" * 20_000 + b"}", 422),
            ("lone high surrogate", raw(p, "Uber \\ud800 models?"), 422),
            ("lone low surrogate", raw(p, "Uber \\udc00 models?"), 422),
            ("surrogate at the end", raw(p, "How many models\\udbff"), 422),
            ("NUL character", raw(p, "Uber\\u0000 models?"), 422),
            ("only a NUL", raw(p, "\\u0000"), 422),
            ("body over the limit", b'{"question": "' + b"x" * LIMIT + b'"}', 413),
        ]
        for name, content, status in bodies:
            yield Case(f"{r}: {name}", "POST", p, status, content=content)
        yield Case(
            f"{r}: text/plain", "POST", p, 422, payload=question_body(p, UBER_Q), headers={"content-type": "text/plain"}
        )
        yield Case(
            f"{r}: form-encoded",
            "POST",
            p,
            422,
            content=b"question=hi",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        for name, text, status in [
            ("empty question", "", 422),
            ("blank question", "   \t\n ", 422),
            ("punctuation only", "?!?...", 422),
            ("control characters only", "\x01\x02\x1b", 422),
            ("question over the limit", "x " * 2600, 413),
            ("question as a number", 42, 422),
            ("question as a list", ["How", "many"], 422),
            ("question as an object", {"text": UBER_Q}, 422),
            ("question as null", None, 422),
            ("question as a boolean", True, 422),
        ]:
            yield Case(f"{r}: {name}", "POST", p, status, payload=question_body(p, text))
        for name, extra, status in [
            ("k as a string", {"k": "5"}, 422),
            ("k as true", {"k": True}, 422),
            ("k as a float", {"k": 5.5}, 422),
            ("k as 5.0", {"k": 5.0}, 422),
            ("k zero", {"k": 0}, 422),
            ("k negative", {"k": -3}, 422),
            ("k too large", {"k": 51}, 422),
            ("k huge", {"k": 10**30}, 422),
            ("k as a list", {"k": [5]}, 422),
            ("mode unknown", {"mode": "magic"}, 422),
            ("mode as a number", {"mode": 1}, 422),
            ("mode in capitals", {"mode": "LLM"}, 422),
            ("mode llm without an LLM", {"mode": "llm"}, 400),
        ]:
            yield Case(f"{r}: {name}", "POST", p, status, payload={**question_body(p, UBER_Q), **extra})
        if p != ASK:
            for name, extra, status in [
                ("stream as a string", {"stream": "yes"}, 422),
                ("stream as 1", {"stream": 1}, 422),
                ("stream as null", {"stream": None}, 422),
            ]:
                yield Case(f"{r}: {name}", "POST", p, status, payload={**question_body(p, UBER_Q), **extra})
            yield from chat_cases(p, r)
        if p != COMPLETIONS:
            yield from filter_cases(p, r)


def chat_cases(p: str, r: str) -> Iterator[Case]:
    user = {"role": "user", "content": UBER_Q}
    for name, messages, status in [
        ("no messages", [], 422),
        ("messages as an object", {"role": "user", "content": UBER_Q}, 422),
        ("messages as a string", UBER_Q, 422),
        ("message as a string", [UBER_Q], 422),
        ("unknown role", [{"role": "robot", "content": UBER_Q}], 422),
        ("role missing", [{"content": UBER_Q}], 422),
        ("content missing", [{"role": "user"}], 422),
        # text parts are OpenAI's shape, taken by the completions route (tests/api/test_routes.py)
        (
            "content as image parts",
            [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}],
            422,
        ),
        ("content as a list of numbers", [{"role": "user", "content": [1, 2]}], 422),
        ("ends with the assistant", [user, {"role": "assistant", "content": "5.3k"}], 422),
        ("only a system message", [{"role": "system", "content": "be brief"}], 422),
        ("surrogate in an earlier turn", None, 422),
        ("too many messages", [user] * 201, 413),
        ("one message over the character limit", [{"role": "assistant", "content": "y" * 20_001}, user], 413),
        ("history of ten thousand turns", [user] * 10_000, 413),
    ]:
        if messages is None:
            body = (
                b'{"messages": [{"role": "user", "content": "a\\ud83d"}, {"role": "user", "content": "'
                + UBER_Q.encode()
                + b'"}]}'
            )
            yield Case(f"{r}: {name}", "POST", p, status, content=body)
        else:
            yield Case(f"{r}: {name}", "POST", p, status, payload={"messages": messages})
    streamed = {"messages": [user], "stream": True}
    yield Case(
        f"{r}: stream with a surrogate",
        "POST",
        p,
        422,
        content=json.dumps(streamed).encode().replace(b"production", b"\\ud800"),
    )
    yield Case(
        f"{r}: stream with an oversized question",
        "POST",
        p,
        413,
        payload={**streamed, "messages": [{"role": "user", "content": "z " * 2600}]},
    )


def filter_cases(p: str, r: str) -> Iterator[Case]:
    base = question_body(p, UBER_Q)
    for name, extra, status in [
        ("unknown talk", {"talk_id": "no-such-talk"}, 404),
        ("unknown company", {"company": "Nobody Inc"}, 404),
        ("unknown speaker", {"speaker": "Nobody Here"}, 404),
        ("talk id as a number", {"talk_id": 7}, 422),
        ("talk id too long", {"talk_id": "t" * 301}, 422),
        ("company as a list", {"company": ["Uber"]}, 422),
        ("path traversal as a talk id", {"talk_id": "../../etc/passwd"}, 404),
    ]:
        yield Case(f"{r}: {name}", "POST", p, status, payload={**base, **extra})
    for name, field_name, fragment in [
        ("surrogate in talk_id", "talk_id", "\\ud800"),
        ("NUL in talk_id", "talk_id", "abc\\u0000"),
        ("surrogate in speaker", "speaker", "Min \\udfff"),
    ]:
        body = json.dumps(base)[:-1].encode() + f', "{field_name}": "{fragment}"}}'.encode()
        yield Case(f"{r}: {name}", "POST", p, 422, content=body)
    if p == ASK:
        yield Case(f"{r}: unknown field", "POST", p, 422, payload={**base, "questoin": "typo"})


def route_cases() -> Iterator[Case]:
    for p in (*POSTS, "/v1/reload"):
        for method in ("GET", "PUT", "DELETE", "PATCH"):
            yield Case(f"{method} {p}", method, p, 405)
    for p in (*GETS, "/", "/docs", "/openapi.json", "/static/app.js"):
        for method in ("POST", "PUT", "DELETE"):
            yield Case(f"{method} {p}", method, p, 405)
    for p in (
        "/nope",
        "/v1",
        "/v1/",
        "/v1/nope",
        "/v1/ask/extra",
        "/v1/talks/some-talk",
        "/v2/ask",
        "/static/nope.js",
        "/static/../../../etc/passwd",
        "/static/%2e%2e/%2e%2e/etc/passwd",
        "/%00",
        "/v1/%ff%fe",
        "/healthz/../../etc",
    ):
        yield Case(f"GET {p}", "GET", p, 404)


def auth_cases() -> Iterator[Case]:
    headers = {
        "no header": {},
        "wrong key": {"authorization": "Bearer wrong"},
        "no scheme": {"authorization": API_KEY},
        "lower-case scheme": {"authorization": f"bearer {API_KEY}"},
        "key with a suffix": {"authorization": f"Bearer {API_KEY}x"},
        "basic auth": {"authorization": "Basic czNjcmV0LWtleTo="},
    }
    for hname, h in headers.items():
        for p in (*POSTS, "/v1/reload"):
            yield Case(f"401 {p}, {hname}", "POST", p, 401, payload=question_body(p, UBER_Q), headers=h, keyed=True)
        for p in ("/v1/talks", "/v1/models"):
            yield Case(f"401 GET {p}, {hname}", "GET", p, 401, headers=h, keyed=True)
    yield Case("401 before a malformed body", "POST", ASK, 401, content=b"{not json", keyed=True)
    yield Case("401 before an oversized body", "POST", ASK, 401, content=b"x" * (LIMIT + 1), keyed=True)
    yield Case("401 before a surrogate", "POST", CHAT, 401, content=raw(CHAT, "\\ud800"), keyed=True)
    yield Case(
        "keyed: 422 after a good key",
        "POST",
        ASK,
        422,
        content=b"{not json",
        headers={"authorization": f"Bearer {API_KEY}"},
        keyed=True,
    )


CASES = [*body_cases(), *route_cases(), *auth_cases()]


def test_the_matrix_is_large_enough() -> None:
    assert len(CASES) >= 150
    assert {c.path for c in CASES} >= {*POSTS, *GETS, "/v1/reload"}


@pytest.fixture(scope="module")
def clients(server: str, keyed_server: str) -> Iterator[dict[bool, httpx.Client]]:
    with httpx.Client(base_url=server, timeout=30) as plain, httpx.Client(base_url=keyed_server, timeout=30) as keyed:
        yield {False: plain, True: keyed}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Case, clients: dict[bool, httpx.Client], rel_settings: Settings) -> None:
    client = clients[case.keyed]
    response = case.send(client)
    error = assert_error(response, case.status, rel_settings.corpus_dir, rel_settings.index_dir)
    if case.status == 405:
        assert response.headers.get("allow"), "405 names the allowed methods"
    if case.status == 401:
        assert error["type"] == "UnauthorizedError"
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json() == {"status": "ok"}


def test_health_routes_stay_open_with_a_key(clients: dict[bool, httpx.Client]) -> None:
    keyed = clients[True]
    assert keyed.get("/healthz").status_code == 200
    assert keyed.get("/readyz").status_code == 200
    good = keyed.post(ASK, json={"question": UBER_Q}, headers={"authorization": f"Bearer {API_KEY}"})
    assert good.status_code == 200 and "5.3k" in good.json()["answer"]


def test_a_chunked_body_over_the_limit_is_refused(clients: dict[bool, httpx.Client]) -> None:
    def pieces() -> Iterator[bytes]:
        yield b'{"question": "'
        for _ in range(LIMIT // 65536 + 2):
            yield b"x" * 65536
        yield b'"}'

    response = clients[False].post(ASK, content=pieces(), headers={"content-type": "application/json"})
    assert_error(response, 413)
    assert clients[False].get("/healthz").status_code == 200


def test_the_server_still_answers_after_the_matrix(clients: dict[bool, httpx.Client]) -> None:
    response = clients[False].post(ASK, json={"question": UBER_Q})
    assert response.status_code == 200 and "5.3k" in response.json()["answer"]
    stream = clients[False].post(CHAT, json={"messages": [{"role": "user", "content": UBER_Q}], "stream": True})
    assert stream.status_code == 200 and "event: done" in stream.text


def test_a_body_that_stalls_gets_408_and_the_connection_is_closed(rel_settings: Settings) -> None:
    """A client that sends its headers and part of its body, then nothing (slow loris)."""
    settings = rel_settings.model_copy(update={"request_body_timeout": 1.0})
    with live_server(create_app(settings)) as url:
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
            head = f"POST {ASK} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
            sock.sendall(head.encode() + b'{"question": "How many')
            reply = b""
            while chunk := sock.recv(65536):  # the server closes the connection after its reply
                reply += chunk
        head, _, body = reply.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 408"), reply
        error = json.loads(body)["error"]
        assert error["type"] == "RequestTimeoutError" and "RECAPQA_REQUEST_BODY_TIMEOUT" in error["fix"], error
        assert httpx.post(url + ASK, json={"question": UBER_Q}, timeout=60).status_code == 200
