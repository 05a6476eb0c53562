"""Lists whose items name talks and speakers (`- Title — Speaker`): each item a talk, the
lines before the list and after it sections of their own, each talk's track the nearest
grouping above it (a heading inside the section, or a lead-in such as '[Day 1](url):')."""

from __future__ import annotations

import re

from recapqa.ingest.document import Document
from recapqa.ingest.layout import Item, Layout
from recapqa.ingest.sections import RawSection, trim
from recapqa.ingest.talkline import parse_talk_line, plain

# Headings that group talks: days, weekdays, tracks, "Morning Keynotes", "Talks".
GROUPING = re.compile(
    r"^((\w+\s+)?day\s*#?\s*\d*\b.*|(mon|tues|wednes|thurs|fri|satur|sun)day\b.*|track\b.*|room\b.*"
    r"|(morning|afternoon|evening|opening|closing|main|lightning|sponsored)?\s*"
    r"(keynotes|talks|sessions|presentations|workshops|tutorials|panels|breakouts))\W*$",
    re.I,
)
LIST_TALK_SHARE = 0.6  # share of a list's items that must name a talk and a speaker
MIN_LIST_TALKS = 3


def list_talks(doc: Document, layout: Layout, section: RawSection) -> list[RawSection]:
    """Split a section whose list items name talks and speakers into one talk per item."""
    items = [it for it in layout.items if section.first < it.line <= section.last or it.line == section.first]
    if not items:
        return [section]
    depth = min(it.depth for it in items)
    level = [it for it in items if it.depth == depth]
    parsed = [(it, parse_talk_line(_item_text(doc, it))) for it in level]
    talks = [(it, p) for it, p in parsed if p.speakers]
    if len(talks) < MIN_LIST_TALKS or len(talks) < LIST_TALK_SHARE * len(level):
        return [section]
    out: list[RawSection] = []
    head_first, head_last = trim(doc, section.first, talks[0][0].line - 1)
    if any(doc.is_content(i) for i in range(head_first, head_last + 1)) and head_last < talks[0][0].line:
        lead = RawSection(section.title, "section", head_first, head_last)
        lead.track, lead.has_heading = section.track, section.has_heading
        out.append(lead)
    for n, (item, line) in enumerate(talks):
        stop = talks[n + 1][0].line - 1 if n + 1 < len(talks) else item.last
        stop = _before_heading(doc, item.line, stop)
        first, last = trim(doc, item.line, stop)
        talk = RawSection(line.title, "talk", first, last, None, line.speakers, has_heading=False)
        talk.track = _item_track(doc, layout, item, section)
        out.append(talk)
    for h in layout.headings:
        if talks[0][0].line < h.line < talks[-1][0].line:
            doc.drop(h.line, h.line, "grouping heading")
    tail_first = talks[-1][0].last + 1
    if any(doc.is_content(i) and i not in doc.heading_lines for i in range(tail_first, section.last + 1)):
        first, last = trim(doc, tail_first, section.last)
        rest = RawSection("Conclusion" if section.title == "Introduction" else section.title, "section", first, last)
        rest.has_heading = False
        rest.track = section.track
        out.append(rest)
    return out


def _item_text(doc: Document, item: Item) -> str:
    """The first paragraph of a list item, its marker removed, wrapped lines joined."""
    lines = []
    for i in range(item.line, item.last + 1):
        if not doc.lines[i].strip() or (i > item.line and re.match(r"^\s*(?:[-*+•]|\d+[.)])\s", doc.lines[i])):
            break
        lines.append(doc.lines[i].strip())
    return re.sub(r"^(?:[-*+•]|\d+[.)])\s+", "", " ".join(lines))


def _before_heading(doc: Document, start: int, stop: int) -> int:
    for i in range(start + 1, stop + 1):
        if i in doc.heading_lines:
            return i - 1
    return stop


def _item_track(doc: Document, layout: Layout, item: Item, section: RawSection) -> str | None:
    """The nearest grouping above an item: a heading inside its section, or a short lead-in
    line such as '[Day 1](url):'."""
    for h in reversed(layout.headings):
        if section.first < h.line < item.line:
            return plain(h.text)
    own = section.title if section.has_heading and GROUPING.match(section.title) else None
    fallback = " / ".join(x for x in (section.track, own) if x) or None
    for i in range(item.line - 1, section.first, -1):
        if doc.is_content(i) and not doc.lines[i][:1].isspace():
            lead = plain(doc.lines[i]).rstrip(":").strip()
            return lead if GROUPING.match(lead) else fallback
    return fallback
