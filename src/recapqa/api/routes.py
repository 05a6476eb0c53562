"""recapqa's own routes: ask, chat (JSON or Server-Sent Events), talks, reload, health."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from recapqa.api import deps
from recapqa.api.formatting import answer_text, pieces
from recapqa.api.schemas import AnswerOut, AskRequest, ChatRequest, ChatResponse, Ready, TalkOut
from recapqa.api.state import Engine
from recapqa.chat import Turn, resolve
from recapqa.embed import MODEL_NAME
from recapqa.errors import RecapqaError
from recapqa.pipeline import Assistant, clean_question
from recapqa.retrieve import Filters

health = APIRouter(tags=["health"])
api = APIRouter(prefix="/v1", tags=["recapqa"], dependencies=[Depends(deps.require_key)])
AssistantDep = Annotated[Assistant, Depends(deps.assistant)]


@health.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@health.get("/readyz", response_model=Ready, responses={503: {"description": "index not loaded"}})
def readyz(engine: Annotated[Engine, Depends(deps.engine)]) -> Any:
    """Readiness: the index is loaded."""
    if not engine.ready:
        error = engine.load_error
        body = {
            "status": "loading" if error is None else "error",
            "message": error.message if error else "",
            "fix": error.fix if error else "",
        }
        return JSONResponse(body, status_code=503)
    index = engine.assistant.index
    return Ready(
        status="ready",
        model=MODEL_NAME,
        chunks=len(index.chunks),
        talks=len(index.talks),
        corpus_hash=index.corpus_hash,
        index=index.path.name,
    )


@api.post("/ask", response_model=AnswerOut)
def ask(body: AskRequest, assistant: AssistantDep) -> dict[str, Any]:
    """One question, one answer: the object `recapqa ask --json` prints."""
    answer, _ = assistant.ask(body.question, mode=body.mode, k=body.k, filters=_filters(body))
    return answer.to_dict()


@api.get("/talks", response_model=list[TalkOut])
def talks(assistant: AssistantDep) -> list[dict[str, Any]]:
    return [t.to_dict() for t in assistant.index.talks.values()]


@api.post("/reload")
def reload(engine: Annotated[Engine, Depends(deps.engine)]) -> dict[str, Any]:
    """Refresh the index from the corpus and swap it in; running requests finish on the old one."""
    index = engine.reload().index
    return {"status": "reloaded", "chunks": len(index.chunks), "corpus_hash": index.corpus_hash}


@api.post("/chat", response_model=ChatResponse, responses={200: {"content": {"text/event-stream": {}}}})
async def chat(body: ChatRequest, assistant: AssistantDep) -> Any:
    """Multi-turn: the last user message, resolved against the earlier ones. With
    `stream: true`, Server-Sent Events: `meta`, `delta`* (answer text), `citations`, `done`;
    an error after the stream started is an `error` event."""
    turns = [Turn(m.role, m.content) for m in body.messages]
    resolved = resolve(turns, assistant.index.talks, assistant.retriever.matcher)
    clean_question(resolved.question, assistant.settings.max_question_chars)  # 422/413 before streaming
    if not body.stream:
        answer, _ = await run_in_threadpool(assistant.ask, resolved.question, body.mode, body.k, _filters(body))
        return {**answer.to_dict(), "resolved_question": resolved.question}
    return StreamingResponse(
        _chat_events(assistant, resolved.question, body),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def _chat_events(assistant: Assistant, question: str, body: ChatRequest) -> AsyncIterator[str]:
    yield sse("meta", {"resolved_question": question})
    try:
        answer, _ = await run_in_threadpool(assistant.ask, question, body.mode, body.k, _filters(body))
        for piece in pieces(answer_text(answer)):
            yield sse("delta", {"text": piece})
        yield sse("citations", [c.to_dict() for c in answer.citations])
        yield sse("done", {**answer.to_dict(), "resolved_question": question})
    except RecapqaError as exc:
        yield sse("error", {"error": {"type": type(exc).__name__, "message": exc.message, "fix": exc.fix}})
    except Exception:  # an unexpected failure still ends the stream with an event
        yield sse("error", {"error": {"type": "internal_error", "message": "unexpected server error"}})


def _filters(body: Any) -> Filters | None:
    filters = Filters(body.talk_id, body.company, body.speaker)
    return filters or None
