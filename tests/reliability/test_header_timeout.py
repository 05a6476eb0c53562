"""`recapqa serve` for real (its own processes, two workers, 127.0.0.1): a client that connects
and never finishes its request headers is cut off after RECAPQA_REQUEST_HEADER_TIMEOUT (408
with the JSON error when it sent part of a request; closed when it sent nothing), on a new
connection and on a kept-alive one; a request whose headers are in is not cut by it, however
slow its body (that is RECAPQA_REQUEST_BODY_TIMEOUT's)."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from conftest import write
from reliability.support import served

NOTES = "## Queues at Acme - Alice Moreau, CTO, Acme\n\nAcme runs 42 Kafka clusters in production.\n"


@pytest.fixture(scope="module")
def served_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    root = tmp_path_factory.mktemp("header-timeout")
    write(root / "corpus" / "a.md", NOTES)
    timeouts = {"RECAPQA_REQUEST_HEADER_TIMEOUT": "1", "RECAPQA_REQUEST_BODY_TIMEOUT": "60"}
    with served(root / "corpus", root / "index", root / "serve.log", **timeouts) as (url, port):
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, (root / "serve.log").read_text()
            time.sleep(0.2)
        yield port


def _until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (the test's own limit: 60 s)."""
    reply = b""
    while chunk := sock.recv(65536):
        reply += chunk
    return reply


def _assert_408(reply: bytes) -> None:
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408"), reply
    assert b"connection: close" in head.lower(), head
    error = json.loads(body)["error"]
    assert error["type"] == "RequestTimeoutError" and "RECAPQA_REQUEST_HEADER_TIMEOUT" in error["fix"], error


def test_headers_that_never_end_get_408_and_the_connection_is_closed(served_port: int) -> None:
    with socket.create_connection(("127.0.0.1", served_port), timeout=60) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: a")
        _assert_408(_until_closed(sock))


def test_a_connection_that_sends_nothing_is_closed(served_port: int) -> None:
    with socket.create_connection(("127.0.0.1", served_port), timeout=60) as sock:
        assert _until_closed(sock) == b""


def test_a_kept_alive_connection_gets_the_same_deadline_for_its_next_request(served_port: int) -> None:
    with socket.create_connection(("127.0.0.1", served_port), timeout=60) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        first = b""
        while b'"ok"' not in first and b"}" not in first.partition(b"\r\n\r\n")[2]:
            first += sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 200"), first
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHo")  # the next request's headers, never ended
        _assert_408(_until_closed(sock))


def test_a_slow_body_after_complete_headers_is_not_cut_by_the_header_deadline(served_port: int) -> None:
    body = json.dumps({"question": ""}).encode()  # refused (422), or 503 while the index loads: not 408
    with socket.create_connection(("127.0.0.1", served_port), timeout=60) as sock:
        head = f"POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        sock.sendall(head.encode() + b"Connection: close\r\n\r\n")
        time.sleep(2.5)  # past the 1 s header deadline, well within the 60 s body deadline
        sock.sendall(body)
        reply = _until_closed(sock)
    status = reply.split(b" ", 2)[1]
    assert status in (b"422", b"503"), reply
    assert httpx.get(f"http://127.0.0.1:{served_port}/healthz", timeout=30).status_code == 200
