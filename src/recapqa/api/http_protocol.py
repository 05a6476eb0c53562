"""uvicorn's h11 HTTP protocol with a deadline for request headers (RECAPQA_REQUEST_HEADER_TIMEOUT).

uvicorn (0.54) bounds the idle time between requests (`timeout_keep_alive`, armed only once a
reply is sent, disarmed by any byte received) and nothing else: a client that connects and
sends nothing, or sends a request line and headers one byte at a time and never ends them,
holds its connection and buffer forever (uvicorn issue #157, "--timeout-request-start", never
implemented). ASGI middleware cannot help: the app is called only once the headers are in.
So the protocol itself arms a timer when a connection opens and after each reply, and
disarms it as soon as h11 has parsed a request's headers. When it fires, a client that sent
part of a request gets 408 with the API's JSON error and the connection is closed; one that
sent nothing is just closed. A request body is then the Guard's to time
(RECAPQA_REQUEST_BODY_TIMEOUT); a long answer or stream is never cut by this timer.

`recapqa serve` selects it by uvicorn's `http` setting (a class path, so every worker
process imports it); each connection reads the deadline from the settings."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from recapqa.errors import RequestTimeoutError
from recapqa.settings import get_settings

CLASS_PATH = "recapqa.api.http_protocol:HeaderTimeoutProtocol"


class HeaderTimeoutProtocol(H11Protocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout = get_settings().request_header_timeout
        self._header_timer: asyncio.TimerHandle | None = None
        self._started = False  # bytes of the next request have arrived

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        self._started = self._started or bool(data)
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:  # the headers are in (or the connection is done)
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:  # waits for the next request
            self._started = bool(self.conn.trailing_data[0])
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        if self._started:
            self.transport.write(_timeout_reply(self.header_timeout))
        self.transport.close()


def _timeout_reply(seconds: float) -> bytes:
    """408 with the API's one error shape (api/errors.py), written raw: h11 has no request to
    answer yet."""
    body = json.dumps(
        {
            "error": {
                "type": RequestTimeoutError.__name__,
                "message": f"the request headers were not complete within {seconds:g} s",
                "fix": "send the whole request at once, or raise RECAPQA_REQUEST_HEADER_TIMEOUT",
            }
        }
    ).encode()
    head = (
        f"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode() + body
