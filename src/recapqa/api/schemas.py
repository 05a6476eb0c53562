"""Pydantic models at the HTTP edge. The answer object mirrors `Answer.to_dict()`, the one
shape the CLI prints too."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from recapqa.settings import AnswerMode


class Filters(BaseModel):
    talk_id: str | None = None
    company: str | None = None
    speaker: str | None = None


class AskRequest(Filters):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(min_length=1, description="The question; limited to RECAPQA_MAX_QUESTION_CHARS.")
    mode: AnswerMode | None = None
    k: int | None = Field(default=None, ge=1, le=50)


class CitationOut(BaseModel):
    talk_id: str
    talk_title: str
    speakers: list[str]
    source: str
    start_line: int
    end_line: int
    quote: str
    score: float


class AnswerOut(BaseModel):
    question: str
    answer: str
    abstained: bool
    mode: Literal["extractive", "llm"]
    fallback_reason: str | None
    citations: list[CitationOut]
    timings_ms: dict[str, float]


class Message(BaseModel):
    role: Literal["system", "user", "assistant"]
    content: str


class Conversation(BaseModel):
    """What both chat routes take: the history (the last message is the question)."""

    messages: list[Message] = Field(min_length=1)
    stream: bool = False
    mode: AnswerMode | None = None
    k: int | None = Field(default=None, ge=1, le=50)


class ChatRequest(Filters, Conversation):
    pass


class ChatResponse(AnswerOut):
    resolved_question: str


class SpeakerOut(BaseModel):
    name: str
    role: str | None


class TalkOut(BaseModel):
    talk_id: str
    title: str
    company: str | None
    speakers: list[SpeakerOut]
    kind: Literal["talk", "section"]
    source: str
    start_line: int
    end_line: int


class ChatCompletionRequest(Conversation):
    """The OpenAI request; sampling fields are accepted and ignored, `mode`/`k` are extras."""

    model_config = ConfigDict(extra="allow")
    model: str = "recapqa"


class ErrorBody(BaseModel):
    type: str
    message: str
    fix: str = ""
    details: list[dict[str, Any]] | None = None


class ErrorOut(BaseModel):
    error: ErrorBody


class Ready(BaseModel):
    status: Literal["ready"]
    model: str
    chunks: int
    talks: int
    corpus_hash: str
    index: str
