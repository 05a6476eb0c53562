"""recapqa's own routes: ask, chat (JSON or Server-Sent Events), talks, reload, health.

Every route that does CPU work is a plain `def`, which FastAPI runs in a worker thread:
the event loop only parses bounded request bodies and moves bytes."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from recapqa.api import deps
from recapqa.api.conversation import filters_of, question_of
from recapqa.api.errors import ERROR_RESPONSES, error_of, error_response
from recapqa.api.formatting import answer_text, pieces
from recapqa.api.schemas import AnswerOut, AskRequest, ChatRequest, ChatResponse, ErrorOut, Ready, TalkOut
from recapqa.api.state import Engine
from recapqa.embed import active_model
from recapqa.errors import IndexLoadingError
from recapqa.pipeline import Assistant

health = APIRouter(tags=["health"], responses={k: ERROR_RESPONSES[k] for k in (404, 405, 500)})
api = APIRouter(prefix="/v1", tags=["recapqa"], responses=ERROR_RESPONSES)
AssistantDep = Annotated[Assistant, Depends(deps.assistant)]
EngineDep = Annotated[Engine, Depends(deps.engine)]


@health.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@health.get(
    "/readyz",
    response_model=Ready,
    responses={503: {"model": ErrorOut, "description": "no index loaded, or its folder or the corpus folder is gone"}},
)
def readyz(engine: EngineDep) -> Any:
    """Readiness: the index is loaded, its files are there, and so is the corpus folder."""
    settings = engine.settings
    if not engine.ready:
        error = engine.load_error
        if error is None:
            retry = str(IndexLoadingError.retry_after)
            return error_response(
                503, "loading", "the index is being loaded", "retry in a few seconds", headers={"Retry-After": retry}
            )
        return error_response(503, type(error).__name__, error.message, error.fix, settings=settings)
    if not settings.corpus_dir.is_dir():
        return error_response(
            503,
            "CorpusError",
            "the corpus folder (RECAPQA_CORPUS_DIR) is gone; answers still come from the index loaded before",
            "restore the folder (or point RECAPQA_CORPUS_DIR at it), then POST /v1/reload",
        )
    index = engine.assistant.index
    # the folder, not the loaded generation: another worker's reload replaces that one, and
    # this worker moves to the new one on its next request (requests meanwhile keep the old)
    if not settings.index_dir.is_dir():
        return error_response(
            503,
            "StorageError",
            "the index folder (RECAPQA_INDEX_DIR) is gone; answers that read its files fail",
            "run `recapqa index` (or restore the folder), then POST /v1/reload",
        )
    return Ready(
        status="ready",
        worker=os.getpid(),
        model=active_model(settings).name,
        chunks=len(index.chunks),
        talks=len(index.talks),
        corpus_hash=index.corpus_hash,
        index=index.path.name,
    )


@api.post("/ask", response_model=AnswerOut)
def ask(body: AskRequest, assistant: AssistantDep) -> dict[str, Any]:
    """One question, one answer: the object `recapqa ask --json` prints."""
    answer, _ = assistant.ask(body.question, mode=body.mode, k=body.k, filters=filters_of(body))
    return answer.to_dict()


@api.get("/talks", response_model=list[TalkOut])
def talks(assistant: AssistantDep) -> list[dict[str, Any]]:
    return [t.to_dict() for t in assistant.index.talks.values()]


@api.post("/reload")
def reload(engine: EngineDep) -> dict[str, Any]:
    """Refresh the index from the corpus and swap it in; running requests finish on the old
    one, and so does every request if the refresh fails. Other worker processes load the
    new index on their next request."""
    index = engine.reload().index
    return {"status": "reloaded", "chunks": len(index.chunks), "corpus_hash": index.corpus_hash}


@api.post("/chat", response_model=ChatResponse, responses={200: {"content": {"text/event-stream": {}}}})
def chat(body: ChatRequest, assistant: AssistantDep) -> Any:
    """Multi-turn: the last user message, resolved against the earlier ones. With
    `stream: true`, Server-Sent Events: `meta`, `delta`* (answer text), `citations`, `done`;
    an error after the stream started is an `error` event."""
    question = question_of(body.messages, assistant)
    if not body.stream:
        answer, _ = assistant.ask(question, body.mode, body.k, filters_of(body))
        return {**answer.to_dict(), "resolved_question": question}
    return StreamingResponse(
        _chat_events(assistant, question, body),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def _chat_events(assistant: Assistant, question: str, body: ChatRequest) -> AsyncIterator[str]:
    yield sse("meta", {"resolved_question": question})
    try:
        answer, _ = await run_in_threadpool(assistant.ask, question, body.mode, body.k, filters_of(body))
        for piece in pieces(answer_text(answer)):
            yield sse("delta", {"text": piece})
        yield sse("citations", [c.to_dict() for c in answer.citations])
        yield sse("done", {**answer.to_dict(), "resolved_question": question})
    except Exception as exc:  # the stream has started: the error is its last event, as a reply would say it
        yield sse("error", {"error": error_of(exc, assistant.settings, "/v1/chat")[1]})
