"""Talks -> sentences: the answer units the extractive answerer quotes.

Computed and embedded at index time so answering a question costs a dot product, not a
model call. A list item carries the line that introduces its list ("They presented some
numbers...including:") as context for its embedding, never in its quote.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from recapqa.chunking import LIST_MARKER, is_heading_line, sentence_spans, units
from recapqa.ingest import Document, ParsedDocument
from recapqa.models import Span

_HEADING_MARKUP = re.compile(r"^[#=*_\s]+|[#=*_\s]+$")
LABEL_WORDS = 6  # a line of at most this many words, without end punctuation, can label the list below it


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
    gist_label: bool = False  # a short label, ':' and its gist, labelling the bullets right below (`_gist_label`)

    @property
    def label(self) -> str:
        """The lead-in this item sits under when it is a label, without ':' ('3. Private
        Links' above '- LIMITED bandwidth'), else ''."""
        return self.context if self.context and not self.context.rstrip().endswith(":") else ""

    @property
    def embed_text(self) -> str:
        return f"{self.context} {self.previous} {self.text}".strip()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Sentence:
        return cls(**{**data, "span": Span(**data["span"])})


def same_talk_rows(sentences: Sequence[Sentence], row: int, step: int, reach: int) -> Iterator[int]:
    """The rows after `row` (`step` 1) or before it (-1), nearest first, at most `reach` of
    them, while they belong to its talk: where a list item looks for its label or lead-in,
    and a lead-in for its items."""
    talk = sentences[row].talk_id
    end = min(len(sentences), row + 1 + reach) if step > 0 else max(-1, row - 1 - reach)
    for other in range(row + step, end, step):
        if sentences[other].talk_id != talk:
            return
        yield other


def document_sentences(parsed: ParsedDocument) -> list[Sentence]:
    doc = parsed.document
    out: list[Sentence] = []
    for section in parsed.sections:
        lead_ins: list[tuple[int, str, str]] = []  # (indent, lead-in, its marker kind) above this unit
        heading = ""
        spans_of = list(units(doc, section.body_start, section.char_end))
        for n, (start, end) in enumerate(spans_of):
            raw = doc.text[start:end]
            marker = LIST_MARKER.match(raw)
            if is_heading_line(doc, doc.line_of(start)):
                heading = _HEADING_MARKUP.sub("", raw).strip()
                lead_ins = []
                continue
            indent = start - doc.line_start(doc.line_of(start))
            kind = _marker_kind(raw)
            if marker:
                # a sibling item ends a lead-in; a bullet under a numbered label ('3. Direct Connect') does not
                while lead_ins and (lead_ins[-1][0], lead_ins[-1][2] == kind) > (indent, False):
                    lead_ins.pop()
                spans = [(start + marker.end(), end)]
            else:
                lead_ins = []
                spans = sentence_spans(raw, start)
            context = lead_ins[-1][1] if marker and lead_ins else ""
            following = spans_of[n + 1] if n + 1 < len(spans_of) else None
            leads = bool(spans) and (
                raw.rstrip().endswith(":") or _asks_list(raw, doc, following) or _labels(doc, (start, end), following)
            )
            previous = ""
            for s, e in spans:
                text = doc.text[s:e]
                # one word is not a sentence, but an item of an introduced list is ("1. security"), and
                # a label is, quoted with its items ('12/04/2004' above what happened that day)
                item = (context or (marker and heading)) and re.search(r"[^\W\d_]{2}", text)
                label = leads and (s, e) == spans[-1]
                if len(text.split()) < 2 and not item and not label:
                    continue
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
            if leads:
                lead_ins.append((indent if marker else -1, doc.text[spans[-1][0] : spans[-1][1]], kind))
    for row, sentence in enumerate(out):
        sentence.gist_label = _gist_label(out, row)
    return out


def _gist_label(sentences: Sequence[Sentence], row: int) -> bool:
    """Does the line open with a short label and a colon, its gist after it, and the notes'
    bullets start on the very next line with no lead-in of their own ('Acme in 2012:
    one big service and one team' then '- two applications and one database…')? Such a
    line labels those bullets as a short line does (`_labels`), though it is longer; its
    bullets keep no lead-in (what they are embedded with stays theirs)."""
    line = sentences[row]
    below = next(same_talk_rows(sentences, row, 1, 1), None)
    label, colon, gist = line.text.partition(":")
    return (
        below is not None
        and not line.list_item
        and sentences[below].list_item
        and not sentences[below].context
        and sentences[below].span.start_line == line.span.end_line + 1
        and bool(colon and gist.strip() and label.split())
        and len(label.split()) <= LABEL_WORDS
    )


def _marker_kind(raw: str) -> str:
    """'numbered', 'bullet', or '' for a paragraph."""
    marker = LIST_MARKER.match(raw)
    if not marker:
        return ""
    return "numbered" if marker.group(0).strip()[:1].isdigit() else "bullet"


def _asks_list(raw: str, doc: Document, following: tuple[int, int] | None) -> bool:
    """A paragraph asking a question that the list after it answers ('So why did it win?' then
    '1. It works', '2. …'): a lead-in, as if it ended with ':'."""
    return bool(
        following
        and not LIST_MARKER.match(raw)
        and raw.rstrip().endswith("?")
        and _marker_kind(doc.text[following[0] : following[1]])
    )


def _labels(doc: Document, unit: tuple[int, int], following: tuple[int, int] | None) -> bool:
    """Is this unit a short label whose bullets follow on the next line, a lead-in without its
    ':'? '3. Private Links' then '- LIMITED bandwidth'; 'Storage' then '- S3'.
    An item is the lead-in of the sub-items indented under it (bulleted or numbered: '* in four
    phases' above '  1. Research'), however long, also across the
    blank line reStructuredText puts before a nested list."""
    if following is None:
        return False
    last, below = doc.line_of(max(unit[0], unit[1] - 1)), doc.line_of(following[0])
    blank_between = all(not doc.lines[i].strip() for i in range(last + 1, below))
    raw, after = doc.text[unit[0] : unit[1]], doc.text[following[0] : following[1]]
    if below <= last or not blank_between or not _marker_kind(after):
        return False
    kind, marker = _marker_kind(raw), LIST_MARKER.match(raw)
    indent = unit[0] - doc.line_start(doc.line_of(unit[0]))
    after_indent = following[0] - doc.line_start(below)
    if kind and after_indent > indent:
        return True  # an item with sub-items, bulleted or numbered, however long
    if _marker_kind(after) != "bullet":
        return False
    if below != last + 1:
        return False
    text = raw[marker.end() :] if marker else raw
    words = text.split()
    if not words or len(words) > LABEL_WORDS or text.rstrip()[-1:] in ".!?;,":
        return False
    return kind != "bullet"
