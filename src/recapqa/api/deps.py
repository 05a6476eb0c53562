"""Request dependencies: the live engine and assistant (each request first picks up an
index generation published by another process). The bearer token is checked before
routing, in `api.guard`."""

from __future__ import annotations

from fastapi import Request

from recapqa.api.state import Engine
from recapqa.pipeline import Assistant


def engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    engine.refresh()
    return engine


def assistant(request: Request) -> Assistant:
    return engine(request).assistant
