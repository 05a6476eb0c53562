"""Plain dataclasses shared by every stage. Citations stay data (chunk -> talk -> source span)
until an edge formats them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

SectionKind = Literal["talk", "section"]

CANNOT_ANSWER = "The notes do not cover this."


@dataclass(frozen=True)
class Speaker:
    name: str
    role: str | None = None
    company: str | None = None


@dataclass
class Talk:
    """A talk or a general section (introduction, conclusion) of one notes file."""

    talk_id: str
    title: str
    kind: SectionKind
    source: str  # corpus-relative path, POSIX separators
    start_line: int  # 1-based, inclusive
    end_line: int  # 1-based, inclusive
    company: str | None = None
    speakers: list[Speaker] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def speaker_names(self) -> list[str]:
        return [s.name for s in self.speakers]

    @property
    def described(self) -> str:
        """'Title (Speaker, Speaker)', as answers name a talk."""
        names = ", ".join(self.speaker_names)
        return f"{self.title} ({names})" if names else self.title

    def to_dict(self) -> dict[str, Any]:
        return {
            "talk_id": self.talk_id,
            "title": self.title,
            "company": self.company,
            "speakers": [{"name": s.name, "role": s.role, "company": s.company} for s in self.speakers],
            "kind": self.kind,
            "source": self.source,
            "start_line": self.start_line,
            "end_line": self.end_line,
            "track": self.meta.get("track"),
            "conference": self.meta.get("conference"),
            "date": self.meta.get("date"),
            "meta": self.meta,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Talk:
        return cls(
            talk_id=data["talk_id"],
            title=data["title"],
            kind=data["kind"],
            source=data["source"],
            start_line=data["start_line"],
            end_line=data["end_line"],
            company=data.get("company"),
            speakers=[Speaker(**s) for s in data.get("speakers", [])],
            meta=data.get("meta", {}),
        )


@dataclass(frozen=True)
class Span:
    """Where a piece of text sits in its source: character offsets into the document text
    (end exclusive) and 1-based inclusive source lines."""

    char_start: int
    char_end: int
    start_line: int
    end_line: int


@dataclass
class Chunk:
    chunk_id: str
    talk_id: str
    source: str
    text: str  # verbatim slice of the document text
    span: Span
    embed_text: str  # text + a header with talk title and speakers
    n_tokens: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "chunk_id": self.chunk_id,
            "talk_id": self.talk_id,
            "source": self.source,
            "text": self.text,
            "span": asdict(self.span),
            "embed_text": self.embed_text,
            "n_tokens": self.n_tokens,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Chunk:
        return cls(
            chunk_id=data["chunk_id"],
            talk_id=data["talk_id"],
            source=data["source"],
            text=data["text"],
            span=Span(**data["span"]),
            embed_text=data["embed_text"],
            n_tokens=data["n_tokens"],
        )


@dataclass
class Hit:
    """A retrieved chunk with its fused score and the ranks that produced it."""

    chunk: Chunk
    talk: Talk
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None
    row: int | None = None  # the chunk's row in `Index.chunks` (retrieval knows it: no id lookup)


@dataclass
class Citation:
    chunk_id: str
    talk: Talk
    source: str
    start_line: int
    end_line: int
    quote: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "talk_id": self.talk.talk_id,
            "talk_title": self.talk.title,
            "speakers": self.talk.speaker_names,
            "conference": self.talk.meta.get("conference"),
            "date": self.talk.meta.get("date"),
            "source": self.source,
            "start_line": self.start_line,
            "end_line": self.end_line,
            "quote": self.quote,
            "score": round(self.score, 4),
        }


def quote_list(quotes: list[str]) -> str:
    """How quoted answers are written: one quote as it is, several as a '- ' list."""
    return quotes[0] if len(quotes) == 1 else "\n".join(f"- {q}" for q in quotes)


@dataclass
class Answer:
    """The one answer shape. CLI --json, the HTTP API and eval all serialise this."""

    question: str
    answer: str
    abstained: bool
    mode: Literal["extractive", "llm"]
    citations: list[Citation] = field(default_factory=list)
    fallback_reason: str | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)
    closest_talks: list[Talk] = field(default_factory=list)
    llm_reply: str | None = None  # the raw LLM reply, for debugging; not in to_dict()

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            "mode": self.mode,
            "fallback_reason": self.fallback_reason,
            "citations": [c.to_dict() for c in self.citations],
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
        }
