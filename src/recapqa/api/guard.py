"""The outermost checks, before any routing or parsing (pure ASGI middleware):

- the bearer token on /v1/* when RECAPQA_API_KEY is set (constant-time comparison), so a
  caller without it learns nothing, not even that its JSON is malformed (401 before 422);
- the request-body limit (RECAPQA_MAX_REQUEST_BYTES): a declared Content-Length over it
  is refused at once, a chunked body as soon as it passes it, before anything parses it;
- the body deadline (RECAPQA_REQUEST_BODY_TIMEOUT): a body not complete in time gets 408 and
  the connection is closed, so stalled clients do not hold connections open forever.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from recapqa.errors import RequestTimeoutError
from recapqa.settings import Settings

UNAUTHORIZED = (
    401,
    "UnauthorizedError",
    "missing or wrong API key",
    "send the header 'Authorization: Bearer <RECAPQA_API_KEY>'",
)


class Guard:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.limit = settings.max_request_bytes
        self.body_timeout = settings.request_body_timeout
        self.expected = f"Bearer {settings.api_key}".encode() if settings.api_key else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        protected = scope["path"].startswith("/v1/") and scope["method"] != "OPTIONS"  # CORS preflight
        if self.expected is not None and protected:
            given = headers.get(b"authorization", b"")
            if not secrets.compare_digest(given, self.expected):
                await _reply(send, *UNAUTHORIZED, extra=[(b"www-authenticate", b"Bearer")])
                return
        too_large = (
            413,
            "RequestTooLargeError",
            f"the request body is over {self.limit} bytes",
            "send less (a shorter history or question), or raise RECAPQA_MAX_REQUEST_BYTES",
        )
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > self.limit:  # the server has checked its syntax
            await _reply(send, *too_large)
            return
        body, more = bytearray(), True
        deadline = time.monotonic() + self.body_timeout
        while more:  # read the whole body here, bounded in size and time, then hand it on
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                await _reply(send, *self.too_slow(len(body)), extra=[(b"connection", b"close")])
                return
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.limit:
                await _reply(send, *too_large)
                return
        await self.app(scope, _replay(bytes(body), receive), send)

    def too_slow(self, received: int) -> tuple[int, str, str, str]:
        return (
            RequestTimeoutError.http_status,
            RequestTimeoutError.__name__,
            f"the request body was not complete within {self.body_timeout:g} s ({received} bytes received)",
            "send the whole body at once (with a correct Content-Length), or raise RECAPQA_REQUEST_BODY_TIMEOUT",
        )


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # later reads wait for the disconnect, as usual

    return replay


async def _reply(send: Send, status: int, kind: str, message: str, fix: str, extra: Any = ()) -> None:
    payload = json.dumps({"error": {"type": kind, "message": message, "fix": fix}}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()), *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
