"""App factory: settings in, FastAPI app out. The index is loaded once, at start-up."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from recapqa import __version__
from recapqa.api import errors, openai_compat, routes
from recapqa.api.guard import Guard
from recapqa.api.state import Engine
from recapqa.mapped import raise_open_file_limit
from recapqa.settings import Settings, get_settings

STATIC = files("recapqa.api") / "static"


def create_served_app() -> FastAPI:
    """The app `recapqa serve` runs: it accepts connections at once and loads the index in
    the background (503 with Retry-After until then)."""
    return create_app(load_in_background=True)


def create_app(settings: Settings | None = None, load_in_background: bool = False) -> FastAPI:
    """With `load_in_background`, start-up does not wait for the index (Engine.load_in_background);
    otherwise it is loaded before the first request is served."""
    settings = settings or get_settings()
    engine = Engine(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        raise_open_file_limit()  # each memory-mapped index file keeps a descriptor open
        if load_in_background:
            engine.load_in_background()
        else:
            await run_in_threadpool(engine.try_load)  # never raises: /readyz reports a failure
        yield

    app = FastAPI(
        title="recapqa",
        version=__version__,
        description="Answers from conference notes, citing the talk and quoting the passage. Every error is "
        '`{"error": {"type", "message", "fix"}}`; with RECAPQA_API_KEY set, /v1/* needs '
        "`Authorization: Bearer <key>`.",
        lifespan=lifespan,
    )
    app.state.engine = engine
    app.state.settings = settings
    app.add_middleware(Guard, settings=settings)  # bearer token and body limit, before parsing
    if settings.cors_origins:  # outermost: preflights and error replies get CORS headers too
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    errors.install(app, settings)
    app.include_router(routes.health)
    app.include_router(routes.api)
    app.include_router(openai_compat.router)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    @app.get("/", include_in_schema=False)
    def index_page() -> FileResponse:
        return FileResponse(str(STATIC / "index.html"))

    return app
