"""Request dependencies: the live assistant, the optional bearer token."""

from __future__ import annotations

import secrets

from fastapi import Header, Request

from recapqa.api.state import Engine
from recapqa.errors import UnauthorizedError
from recapqa.pipeline import Assistant


def engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def assistant(request: Request) -> Assistant:
    return engine(request).assistant


def require_key(request: Request, authorization: str | None = Header(default=None)) -> None:
    key = request.app.state.settings.api_key
    if key and not secrets.compare_digest((authorization or "").encode(), f"Bearer {key}".encode()):
        raise UnauthorizedError("missing or wrong API key", "send the header 'Authorization: Bearer <RECAPQA_API_KEY>'")
