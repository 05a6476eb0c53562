"""Talks -> sentences: the answer units the extractive answerer quotes.

Computed and embedded at index time so answering a question costs a dot product, not a
model call. A list item carries the line that introduces its list ("They presented some
numbers...including:") as context for its embedding, never in its quote.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from recapqa.chunking import LIST_MARKER, is_heading_line, sentence_spans, units
from recapqa.ingest import ParsedDocument
from recapqa.models import Span

_HEADING_MARKUP = re.compile(r"^[#=*_\s]+|[#=*_\s]+$")


@dataclass
class Sentence:
    talk_id: str
    source: str
    text: str  # verbatim
    span: Span
    list_item: bool
    context: str  # lead-in of the list this item belongs to, or ""
    previous: str = ""  # the sentence before, in the same paragraph ("These models..." needs it)
    heading: str = ""  # the sub-heading it sits under, inside its talk ("Copernican Refactor"), or ""

    @property
    def embed_text(self) -> str:
        return f"{self.context} {self.previous} {self.text}".strip()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Sentence:
        return cls(**{**data, "span": Span(**data["span"])})


def document_sentences(parsed: ParsedDocument) -> list[Sentence]:
    doc = parsed.document
    out: list[Sentence] = []
    for section in parsed.sections:
        lead_ins: list[tuple[int, str]] = []  # (indent, line ending with ':') above this unit
        heading = ""
        for start, end in units(doc, section.body_start, section.char_end):
            raw = doc.text[start:end]
            marker = LIST_MARKER.match(raw)
            if is_heading_line(doc, doc.line_of(start)):
                heading = _HEADING_MARKUP.sub("", raw).strip()
                lead_ins = []
                continue
            indent = start - doc.line_start(doc.line_of(start))
            if marker:
                while lead_ins and lead_ins[-1][0] >= indent:
                    lead_ins.pop()
                spans = [(start + marker.end(), end)]
            else:
                lead_ins = []
                spans = sentence_spans(raw, start)
            context = lead_ins[-1][1] if marker and lead_ins else ""
            previous = ""
            for s, e in spans:
                text = doc.text[s:e]
                if len(text.split()) < 2 and not (context and re.search(r"[^\W\d_]{2}", text)):
                    continue  # one word is not a sentence, but an item of an introduced list is ("1. security")
                first, last = doc.span_lines(s, e)
                out.append(
                    Sentence(
                        talk_id=section.talk.talk_id,
                        source=doc.source,
                        text=text,
                        span=Span(s, e, first, last),
                        list_item=bool(marker),
                        context=context,
                        previous=previous,
                        heading=heading,
                    )
                )
                previous = text
            if raw.rstrip().endswith(":") and spans:
                lead_ins.append((indent if marker else -1, doc.text[spans[-1][0] : spans[-1][1]]))
    return out
