"""The intermediate shape both segmenters produce: titled line ranges of one document."""

from __future__ import annotations

from dataclasses import dataclass, field

from recapqa.ingest.document import Document
from recapqa.ingest.headings import is_general_heading, split_company
from recapqa.ingest.speakers import extract_speakers
from recapqa.models import SectionKind, Speaker


@dataclass
class RawSection:
    title: str
    kind: SectionKind
    first: int  # 0-based text line of the heading (or first content line)
    last: int  # 0-based, inclusive
    company: str | None = None
    speakers: list[Speaker] = field(default_factory=list)
    has_heading: bool = True  # False for the introduction, which starts with content
    track: str | None = None  # the day/track/group heading the talk sits under
    note_taker: str | None = None  # '(report by X)': who wrote the notes, not a speaker
    code: str | None = None  # a session code such as 'NET312'


def trim(doc: Document, first: int, last: int) -> tuple[int, int]:
    """Drop blank lines at both ends of a line range."""
    while first < last and not doc.lines[first].strip():
        first += 1
    while last > first and not doc.lines[last].strip():
        last -= 1
    return first, last


def build_sections(doc: Document, headings: list[tuple[int, str]], body_start: int, body_end: int) -> list[RawSection]:
    """Cut [body_start, body_end] at heading lines; text before the first heading is the
    introduction. Headings are (line index, heading text without markup)."""
    sections: list[RawSection] = []
    first_heading = headings[0][0] if headings else body_end + 1
    if any(line.strip() for line in doc.lines[body_start:first_heading]):
        first, last = trim(doc, body_start, first_heading - 1)
        sections.append(RawSection("Introduction", "section", first, last, has_heading=False))
    for i, (line_no, text) in enumerate(headings):
        end = headings[i + 1][0] - 1 if i + 1 < len(headings) else body_end
        first, last = trim(doc, line_no, end)
        if is_general_heading(text):
            sections.append(RawSection(text.rstrip(":").strip(), "section", first, last))
            continue
        title, company = split_company(text)
        speakers = extract_speakers(doc.lines[line_no + 1 : last + 1])
        sections.append(RawSection(title, "talk", first, last, company, speakers))
    return sections
