"""The outermost checks, before any routing or parsing (pure ASGI middleware):

- the bearer token on /v1/* when RECAPQA_API_KEY is set (constant-time comparison), so a
  caller without it learns nothing, not even that its JSON is malformed (401 before 422);
- the request-body limit (RECAPQA_MAX_REQUEST_BYTES): a declared Content-Length over it
  is refused at once, a chunked body as soon as it passes it, before anything parses it.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
        while more:  # read the whole body here, bounded, then hand it on
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.limit:
                await _reply(send, *too_large)
                return
        await self.app(scope, _replay(bytes(body), receive), send)


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
