"""One chat-completion call to an OpenAI-compatible server, under one deadline.

The deadline covers the whole call: connecting, the first byte and the last. A per-read
timeout (what HTTP clients offer) never fires on a server that trickles one byte a second,
so a watchdog shuts the socket down when the deadline passes, which wakes a blocked read at
once. Every way the reply can be unusable (HTTP error, body that is not JSON, a broken event
stream, no choices, a null or empty message, a body over MAX_REPLY_BYTES) is an LLMError
that says which, so the caller can fall back.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import threading
import time
from typing import Any
from urllib.parse import urlsplit

from recapqa.errors import LLMError

MAX_REPLY_BYTES = 4 << 20


def _fail(message: str, fix: str = "check the LLM server") -> LLMError:
    return LLMError(message, fix)


class _Watchdog:
    """Shuts the connection's socket down at the deadline."""

    def __init__(self, conn: http.client.HTTPConnection, seconds: float) -> None:
        self.conn = conn
        self.fired = False
        self.timer = threading.Timer(max(0.0, seconds), self._fire)
        self.timer.daemon = True
        self.timer.start()

    def _fire(self) -> None:
        self.fired = True
        sock = self.conn.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        self.timer.cancel()


def chat_completion(base_url: str, api_key: str | None, payload: dict[str, Any], timeout: float) -> str:
    """The reply's text. Raises LLMError for anything else, within `timeout` seconds."""
    try:
        parts = urlsplit(base_url)
        host, port = parts.hostname, parts.port  # a bad port or IPv6 literal is a ValueError here
    except ValueError:
        host = None
    if not host or parts.scheme not in ("http", "https"):
        raise _fail(
            f"RECAPQA_LLM_BASE_URL is not an http(s) URL: {base_url!r}", "set it to e.g. http://127.0.0.1:8080/v1"
        )
    deadline = time.monotonic() + timeout
    conn_type = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = conn_type(host, port, timeout=timeout)
    watchdog = _Watchdog(conn, timeout)
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    body = b""
    try:
        try:
            conn.request("POST", parts.path.rstrip("/") + "/chat/completions", json.dumps(payload), headers)
        except OSError as exc:
            if watchdog.fired:
                raise _timeout(base_url, timeout) from exc
            raise _fail(f"cannot reach the LLM at {base_url}", "start the server or fix RECAPQA_LLM_BASE_URL") from exc
        try:
            response = conn.getresponse()
            content_type = response.getheader("Content-Type", "")
            while block := response.read(65536):
                body += block
                if len(body) > MAX_REPLY_BYTES:
                    raise _fail(f"the LLM reply is over {MAX_REPLY_BYTES >> 20} MB")
                if time.monotonic() > deadline:
                    raise _timeout(base_url, timeout)
        except (OSError, http.client.HTTPException) as exc:
            if watchdog.fired or time.monotonic() >= deadline:
                raise _timeout(base_url, timeout) from exc
            raise _fail(f"the connection to the LLM at {base_url} broke: {type(exc).__name__}") from exc
        if watchdog.fired:
            raise _timeout(base_url, timeout)
    finally:
        watchdog.cancel()
        conn.close()
    if response.status != 200:
        raise _fail(f"the LLM at {base_url} answered HTTP {response.status}", "check the model name and key")
    text = body.decode("utf-8", errors="replace")
    if "text/event-stream" in content_type or text.lstrip().startswith("data:"):
        return _nonempty(_from_event_stream(text))
    return _nonempty(_from_json(text))


def _timeout(base_url: str, timeout: float) -> LLMError:
    return _fail(
        f"the LLM at {base_url} did not answer within {timeout:g}s", "raise RECAPQA_LLM_TIMEOUT or check the server"
    )


def _nonempty(content: str | None) -> str:
    if not content or not content.strip():
        raise _fail("the LLM returned an empty reply", "check the model")
    return content


def _from_json(text: str) -> str | None:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise _fail("the LLM reply is not valid JSON") from exc
    return _content(data, "message")


def _from_event_stream(text: str) -> str:
    pieces: list[str] = []
    for line in text.splitlines():
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
            break
        try:
            event = json.loads(data)
        except ValueError as exc:
            raise _fail("the LLM sent a malformed event stream") from exc
        pieces.append(_content(event, "delta") or "")
    return "".join(pieces)


def _content(data: Any, key: str) -> str | None:
    """choices[0][key].content, checked at every step."""
    if not isinstance(data, dict):
        raise _fail("the LLM reply is not a JSON object")
    if "error" in data and "choices" not in data:
        raise _fail("the LLM answered with an error object")
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise _fail("the LLM reply has no choices")
    message = choices[0].get(key)
    if message is None and key == "message" and isinstance(choices[0].get("text"), str):
        return str(choices[0]["text"])
    if message is None:
        if key == "delta":
            return None
        raise _fail("the LLM reply has a null message")
    if not isinstance(message, dict):
        raise _fail("the LLM reply's message is not an object")
    content = message.get("content")
    if content is not None and not isinstance(content, str):
        raise _fail("the LLM reply's content is not text")
    return content
