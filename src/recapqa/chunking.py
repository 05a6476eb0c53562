"""Talks -> chunks, token-aware, never across a section boundary.

Units are paragraphs and list items (their boundaries are where a reader's thought ends);
a unit longer than the budget is cut at sentences, then at words. Chunks pack whole units
up to `max_tokens` and repeat the last units of the previous chunk, up to
`overlap_tokens`, so a fact on a boundary is whole in at least one chunk.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

from recapqa.ingest import ParsedDocument, Section
from recapqa.ingest.document import Document
from recapqa.models import Chunk, Span, Talk
from recapqa.tokens import count_tokens

LIST_MARKER = re.compile(r"^\s*(?:\d+[.)]|[-*•+])\s+")
SENTENCE_BREAK = re.compile(r"(?<=[.!?…])[\"”’)]*\s+(?=[\"“(]?[A-Z0-9])")
_ABBREVIATIONS = ("dr.", "mr.", "ms.", "prof.", "e.g.", "i.e.", "etc.", "vs.", "inc.", "st.")


def units(doc: Document, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Paragraph and list-item character spans inside [start, end) of doc.text."""
    unit_start = None
    first, last = doc.line_of(start), doc.line_of(max(start, end - 1))
    for i in range(first, last + 1):
        line = doc.lines[i]
        content = doc.is_content(i)
        begins_item = content and bool(LIST_MARKER.match(line))
        heading = content and is_heading_line(doc, i)
        if (not content or heading or (begins_item and unit_start is not None)) and unit_start is not None:
            yield unit_start, doc.line_end(i - 1)
            unit_start = None
        if content and unit_start is None:
            unit_start = doc.line_start(i) + (len(line) - len(line.lstrip()))
        if unit_start is not None and heading:
            yield unit_start, doc.line_end(i)
            unit_start = None
    if unit_start is not None:
        yield unit_start, doc.line_end(last)


def is_heading_line(doc: Document, i: int) -> bool:
    """A heading of any format (recorded by the reader), or in plain text a '#' line."""
    return i in doc.heading_lines or (doc.fmt == "text" and doc.lines[i].lstrip().startswith("#"))


def sentence_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Sentence character spans of one unit (offset added), abbreviations respected."""
    spans, start = [], 0
    for match in SENTENCE_BREAK.finditer(text):
        before = text[start : match.start()].rsplit(None, 1)
        if before and before[-1].lower().endswith(_ABBREVIATIONS):
            continue
        spans.append((offset + start, offset + match.start()))
        start = match.end()
    if text[start:].strip():
        spans.append((offset + start, offset + len(text.rstrip())))
    return [(s, e) for s, e in spans if e > s]


def _fit(doc: Document, span: tuple[int, int], max_tokens: int) -> list[tuple[int, int]]:
    """Cut a unit that is over budget at sentences, then at whitespace."""
    start, end = span
    if count_tokens(doc.text[start:end]) <= max_tokens:
        return [span]
    pieces: list[tuple[int, int]] = []
    for s, e in sentence_spans(doc.text[start:end], start):
        if count_tokens(doc.text[s:e]) <= max_tokens:
            pieces.append((s, e))
            continue
        words = [(m.start() + s, m.end() + s) for m in re.finditer(r"\S+", doc.text[s:e])]
        piece_start, budget = words[0][0], 0
        for w_start, w_end in words:
            cost = count_tokens(doc.text[w_start:w_end]) + 1
            if budget + cost > max_tokens and budget:
                pieces.append((piece_start, w_start - 1))
                piece_start, budget = w_start, 0
            budget += cost
        pieces.append((piece_start, e))
    return pieces


def embed_header(talk: Talk) -> str:
    """Talk context for the embedded text, so 'the Acme speaker' finds Acme chunks."""
    if talk.kind == "section":
        doc_title = talk.meta.get("title")
        return f"Section: {talk.title}" + (f" of {doc_title}" if doc_title else "")
    head = f"Talk: {talk.title}" + (f" ({talk.company})" if talk.company else "")
    if talk.speakers:
        head += ". Speakers: " + ", ".join(f"{s.name} ({s.role})" if s.role else s.name for s in talk.speakers)
    return head


def chunk_id(source: str, talk_id: str, text: str, occurrence: int) -> str:
    key = "\0".join((source, talk_id, text, str(occurrence)))
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def chunk_section(doc: Document, section: Section, max_tokens: int, overlap_tokens: int) -> list[Chunk]:
    header = embed_header(section.talk)
    budget = max(16, max_tokens - count_tokens(header + "\n"))
    pieces = [p for u in units(doc, section.char_start, section.char_end) for p in _fit(doc, u, budget)]
    costs = [count_tokens(doc.text[s:e]) for s, e in pieces]
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    i = 0
    while i < len(pieces):
        j = i + 1  # a chunk holds at least one piece; add more while the exact count fits
        while j < len(pieces) and count_tokens(doc.text[pieces[i][0] : pieces[j][1]]) <= budget:
            j += 1
        start, end = pieces[i][0], pieces[j - 1][1]
        text = doc.text[start:end]
        occurrence = seen.get(text, 0)
        seen[text] = occurrence + 1
        first_line, last_line = doc.span_lines(start, end)
        chunks.append(
            Chunk(
                chunk_id=chunk_id(doc.source, section.talk.talk_id, text, occurrence),
                talk_id=section.talk.talk_id,
                source=doc.source,
                text=text,
                span=Span(start, end, first_line, last_line),
                embed_text=f"{header}\n{text}",
                n_tokens=count_tokens(text),
            )
        )
        if j >= len(pieces):
            break
        k, overlap = j, 0
        while k - 1 > i and overlap + costs[k - 1] <= overlap_tokens:
            k -= 1
            overlap += costs[k]
        i = k
    return chunks


def chunk_document(parsed: ParsedDocument, max_tokens: int, overlap_tokens: int) -> list[Chunk]:
    return [
        chunk
        for section in parsed.sections
        for chunk in chunk_section(parsed.document, section, max_tokens, overlap_tokens)
    ]
