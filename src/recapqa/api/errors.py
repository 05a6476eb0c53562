"""One error shape for every status: `{"error": {"type", "message", "fix"}}`.

Domain errors (RecapqaError) carry their own status; request validation is 422, a body
that cannot be parsed (malformed JSON, invalid UTF-8, nesting too deep) too; routing
errors (404, 405) and the rest of Starlette's HTTP errors keep their status; disk and
permission failures are 503; anything else is a 500 that says to look at the server log.
Messages never show server paths: configured folders are named by their setting, other
absolute paths are cut to their last part."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from recapqa.api.schemas import ErrorOut
from recapqa.errors import RecapqaError
from recapqa.settings import Settings
from recapqa.store.files import storage_error

log = logging.getLogger("recapqa.api")

_DESCRIPTIONS = {
    400: "Bad request (e.g. mode 'llm' without an LLM configured)",
    401: "Missing or wrong bearer token (when RECAPQA_API_KEY is set)",
    404: "Unknown route, or a talk filter that matches no talk",
    405: "Method not allowed on this route",
    408: "Request body not complete within RECAPQA_REQUEST_BODY_TIMEOUT (a stalled client)",
    413: "Request body, question, chat history or message over its limit",
    422: "Invalid request: malformed JSON, wrong types, empty question, invalid text",
    500: "Unexpected server error (see the server log)",
    503: "No index loaded, index or corpus unusable, disk full or not writable",
}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": text} for status, text in _DESCRIPTIONS.items()
}
_JSON_TYPE = re.compile(r"\s*application/(?:[\w.+-]*\+)?json\s*(?:;|$)", re.I)
_STATUS_TYPES = {404: "not_found", 405: "method_not_allowed", 413: "request_too_large"}
# an absolute path of two parts or more; API routes (/v1/...) are left alone
_ABSOLUTE = re.compile(r"(?<![\w:/.])/(?!v1/)(?:[\w.@+~-]+/)+([\w.@+~-]*)")


def scrub(text: str, settings: Settings) -> str:
    for folder, name in (
        (settings.index_dir, "RECAPQA_INDEX_DIR"),
        (settings.corpus_dir, "RECAPQA_CORPUS_DIR"),
        (settings.cache_dir, "RECAPQA_CACHE_DIR"),
    ):
        for form in {str(folder.resolve()), str(folder.absolute()), str(folder)}:
            # a relative name of one part ("index", the default) is also a word of the messages
            if "/" in form.strip("/") and form in text:
                text = re.sub(rf"(?<![\w/.-]){re.escape(form)}(?![\w.-])", f"<{name}>", text)
    return _ABSOLUTE.sub(lambda m: m.group(1) or "<path>", text)


def error_response(
    status: int,
    kind: str,
    message: str,
    fix: str = "",
    details: object = None,
    headers: dict[str, str] | None = None,
    settings: Settings | None = None,
) -> JSONResponse:
    body = error_body(kind, message, fix, settings)
    if details is not None:
        body["details"] = details
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def error_body(kind: str, message: str, fix: str, settings: Settings | None = None) -> dict[str, object]:
    """An error's JSON body (a reply's `error`, a stream's `error` event): its message and fix
    scrubbed of server paths when `settings` names the folders."""
    if settings is not None:
        message, fix = scrub(message, settings), scrub(fix, settings)
    return {"type": kind, "message": message, "fix": fix}


def install(app: FastAPI, settings: Settings) -> None:

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = jsonable_encoder(exc.errors(), exclude={"input", "ctx", "url"})
        first = details[0] if details else {}
        where = ".".join(str(p) for p in first.get("loc", []))
        message = f"{where}: {first.get('msg', 'invalid request')}"
        if first.get("type") == "json_invalid":
            message, details = "the request body is not valid JSON", None
        content_type = request.headers.get("content-type")
        if where == "body" and not _JSON_TYPE.match(content_type or "") and await request.body():
            # FastAPI reads a body as JSON only when it says so; any other body fails as "not an object"
            sent = f"not {content_type!r}" if content_type else "none was sent"
            message = f"the request body must be JSON, sent with 'Content-Type: application/json' ({sent})"
            return error_response(422, "validation_error", message, "send the JSON body with that header")
        return error_response(422, "validation_error", message, "see /docs for the request schema", details)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:  # FastAPI's "error parsing the body": bad UTF-8, nesting too deep
            message = "the request body cannot be read as JSON: not UTF-8, or nested too deeply"
            return error_response(422, "validation_error", message, "see /docs for the request schema")
        kind = _STATUS_TYPES.get(exc.status_code, "http_error")
        fix = "see /docs for the routes and their methods" if exc.status_code in (404, 405) else ""
        message = "no such route" if exc.status_code == 404 else str(exc.detail)
        return error_response(exc.status_code, kind, message, fix, headers=dict(exc.headers or {}))

    async def failure(request: Request, exc: Exception) -> JSONResponse:
        status, body = error_of(exc, settings, request.url.path)
        retry = exc.retry_after if isinstance(exc, RecapqaError) else None
        headers = {"Retry-After": str(retry)} if retry is not None else None
        return JSONResponse({"error": body}, status_code=status, headers=headers)

    for raised in (RecapqaError, OSError, Exception):  # domain errors, disk and permission failures, the rest
        app.add_exception_handler(raised, failure)


def error_of(exc: Exception, settings: Settings, where: str) -> tuple[int, dict[str, object]]:
    """The status and error body of an exception raised while answering: what the handlers
    reply, and what a stream that has already started sends as its `error` event. Disk and
    permission failures are logged and named by folder role; anything else is logged with its
    traceback; messages are scrubbed of server paths."""
    if isinstance(exc, RecapqaError):
        status, kind, message, fix = exc.http_status, type(exc).__name__, exc.message, exc.fix
    elif isinstance(exc, OSError):
        log.error("storage error on %s: %s", where, exc)
        error = storage_error(exc, {"index": settings.index_dir, "corpus": settings.corpus_dir})
        status, kind, message, fix = 503, type(error).__name__, error.message, error.fix
    else:
        log.error("unexpected error on %s", where, exc_info=exc)
        status, kind, message, fix = 500, "internal_error", "unexpected server error", "see the server log"
    return status, error_body(kind, message, fix, settings)
