"""POST /v1/chat/completions, the OpenAI shape, so the `openai` client and chat front-ends
work unchanged. The content carries [n] markers and a Sources footer; the structured
`citations` ride on the response (and on the final stream chunk). A plain `def`: history
resolution, answering and token counting run in a worker thread, off the event loop."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse

from recapqa.api import deps
from recapqa.api.conversation import filters_of, question_of
from recapqa.api.errors import ERROR_RESPONSES
from recapqa.api.formatting import chat_content, pieces
from recapqa.api.schemas import ChatCompletionRequest
from recapqa.models import Answer
from recapqa.pipeline import Assistant
from recapqa.tokens import count_tokens

router = APIRouter(prefix="/v1", tags=["openai"], responses=ERROR_RESPONSES)


@router.get("/models")
def models() -> dict[str, Any]:
    return {"object": "list", "data": [{"id": "recapqa", "object": "model", "created": 0, "owned_by": "recapqa"}]}


@router.post("/chat/completions", responses={200: {"content": {"text/event-stream": {}}}})
def chat_completions(body: ChatCompletionRequest, assistant: Annotated[Assistant, Depends(deps.assistant)]) -> Any:
    question = question_of(body.messages, assistant)
    answer, _ = assistant.ask(question, body.mode, body.k, filters_of(body))
    completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
    created = int(time.time())
    content = chat_content(answer)
    citations = [c.to_dict() for c in answer.citations]
    extra = {"citations": citations, "recapqa": _meta(answer, question)}
    if body.stream:
        return StreamingResponse(
            _chunks(completion_id, created, body.model, content, extra), media_type="text/event-stream"
        )
    prompt_tokens = sum(count_tokens(m.content) for m in body.messages)
    completion_tokens = count_tokens(content)
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": body.model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
        **extra,
    }


def _meta(answer: Answer, question: str) -> dict[str, Any]:
    return {
        "abstained": answer.abstained,
        "mode": answer.mode,
        "fallback_reason": answer.fallback_reason,
        "resolved_question": question,
        "timings_ms": answer.to_dict()["timings_ms"],
    }


def _chunks(completion_id: str, created: int, model: str, content: str, extra: dict[str, Any]) -> Iterator[str]:
    def chunk(delta: dict[str, Any], finish: str | None = None, **more: Any) -> str:
        payload = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            **more,
        }
        return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    for piece in pieces(content):
        yield chunk({"content": piece})
    yield chunk({}, "stop", **extra)
    yield "data: [DONE]\n\n"
