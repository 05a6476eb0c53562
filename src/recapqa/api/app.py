"""App factory: settings in, FastAPI app out. The index is loaded once, at start-up."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from recapqa import __version__
from recapqa.api import openai_compat, routes
from recapqa.api.state import Engine
from recapqa.errors import RecapqaError
from recapqa.settings import Settings, get_settings

log = logging.getLogger("recapqa.api")
STATIC = files("recapqa.api") / "static"


def error_response(status: int, kind: str, message: str, fix: str = "", details: object = None) -> JSONResponse:
    body: dict[str, object] = {"type": kind, "message": message, "fix": fix}
    if details is not None:
        body["details"] = details
    return JSONResponse({"error": body}, status_code=status)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = Engine(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(engine.try_load)
        yield

    app = FastAPI(
        title="recapqa",
        version=__version__,
        description="Answers from conference notes, citing the talk and quoting the passage.",
        lifespan=lifespan,
    )
    app.state.engine = engine
    app.state.settings = settings
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )

    @app.exception_handler(RecapqaError)
    async def domain_error(request: Request, exc: RecapqaError) -> JSONResponse:
        return error_response(exc.http_status, type(exc).__name__, exc.message, exc.fix)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = jsonable_encoder(exc.errors(), exclude={"input", "ctx", "url"})
        first = details[0] if details else {}
        where = ".".join(str(p) for p in first.get("loc", []))
        message = f"{where}: {first.get('msg', 'invalid request')}"
        if first.get("type") == "json_invalid":
            message = "the request body is not valid JSON"
        return error_response(422, "validation_error", message, "see /docs for the request schema", details)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s", request.url.path)
        return error_response(500, "internal_error", "unexpected server error", "see the server log")

    app.include_router(routes.health)
    app.include_router(routes.api)
    app.include_router(openai_compat.router)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    @app.get("/", include_in_schema=False)
    def index_page() -> FileResponse:
        return FileResponse(str(STATIC / "index.html"))

    return app
