"""Pydantic models at the HTTP edge. The answer object mirrors `Answer.to_dict()`, the one
shape the CLI prints too."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from recapqa.settings import AnswerMode


def _valid_text(value: str) -> str:
    """Text that can be written back out: no NUL, no lone UTF-16 surrogate (JSON allows
    `"\\ud800"`, UTF-8 cannot encode it)."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text (it holds a lone surrogate)") from None
    return value


Text = Annotated[str, AfterValidator(_valid_text)]
# the length checked on the string itself ("at most 300 characters", not "items after validation")
Name = Annotated[str, Field(max_length=300), AfterValidator(_valid_text)]
# strict: `k` is a JSON integer and `stream` a JSON boolean; "5", true, "yes" are refused
STRICT = ConfigDict(strict=True)


class Filters(BaseModel):
    model_config = STRICT
    talk_id: Name | None = Field(default=None, description="Only this talk (ids: GET /v1/talks).")
    company: Name | None = Field(default=None, description="Only talks whose company contains this.")
    speaker: Name | None = Field(default=None, description="Only talks with a speaker whose name contains this.")
    conference: Name | None = Field(default=None, description="Only talks from notes of this conference (or event).")


class AskRequest(Filters):
    model_config = ConfigDict(extra="forbid", strict=True)
    question: Text = Field(min_length=1, description="The question; limited to RECAPQA_MAX_QUESTION_CHARS.")
    mode: AnswerMode | None = None
    k: int | None = Field(default=None, ge=1, le=50)


class CitationOut(BaseModel):
    talk_id: str
    talk_title: str
    speakers: list[str]
    source: str
    start_line: int
    end_line: int
    track: str | None = None
    conference: str | None = None
    date: str | None = None
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
    model_config = STRICT
    role: Literal["system", "user", "assistant"]
    content: Text = Field(description="At most RECAPQA_MAX_MESSAGE_CHARS characters.")


class Conversation(BaseModel):
    """What both chat routes take: the history (the last message is the question)."""

    model_config = STRICT
    messages: list[Message] = Field(min_length=1, description="At most RECAPQA_MAX_CHAT_MESSAGES messages.")
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
    company: str | None = None


class TalkOut(BaseModel):
    talk_id: str
    title: str
    company: str | None
    speakers: list[SpeakerOut]
    kind: Literal["talk", "section"]
    source: str
    start_line: int
    end_line: int


class CompletionMessage(Message):
    """A message as OpenAI clients send it: content as text or as a list of parts
    (`[{"type": "text", "text": ...}]`, joined; other parts refused), "developer" for the
    system role, null content on an assistant turn; tool fields are ignored."""

    model_config = ConfigDict(strict=True, extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _openai_shape(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if data.get("role") == "developer":
            data["role"] = "system"
        content = data.get("content")
        if content is None and data.get("role") == "assistant":
            data["content"] = ""
        elif isinstance(content, list):
            data["content"] = "\n".join(_text_part(part) for part in content)
        return data


def _text_part(part: object) -> str:
    if isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("text"), str):
        return part["text"]
    kind = part.get("type") if isinstance(part, dict) else type(part).__name__
    raise ValueError(f"only text content parts are supported, not {kind!r}")


class ChatCompletionRequest(Filters, Conversation):
    """The OpenAI request; sampling fields are accepted and ignored, `mode`/`k` and the talk
    filters (as /v1/ask and /v1/chat take them) are extras."""

    model_config = ConfigDict(extra="allow", strict=True)
    messages: list[CompletionMessage] = Field(  # type: ignore[assignment]
        min_length=1, description="At most RECAPQA_MAX_CHAT_MESSAGES messages."
    )
    model: Name = "recapqa"


class ErrorBody(BaseModel):
    type: str
    message: str
    fix: str = ""
    details: list[dict[str, Any]] | None = None


class ErrorOut(BaseModel):
    error: ErrorBody


class Ready(BaseModel):
    status: Literal["ready"]
    worker: int = Field(description="Process id of the server worker that answered.")
    model: str
    chunks: int
    talks: int
    corpus_hash: str
    index: str
