"""Go `present` articles (`.article`): a header block, then Markdown.

    # Title
    9 Jan 2015
    Tags: conference, report
    Summary: ...

    Author Name
    author@example.org

    ##

The header (title, date, tags, summary, the authors: note takers, never speakers) becomes
document metadata; `.image`/`.iframe`/... directive lines are dropped; the rest is Markdown.
"""

from __future__ import annotations

import re
from datetime import datetime

from recapqa.ingest.document import Document
from recapqa.ingest.layout import Layout
from recapqa.ingest.markdown import parse_markdown

_DIRECTIVE = re.compile(r"^\.(image|iframe|play|code|html|caption|link|background|video|figure)\b")
_HEADER_KEY = re.compile(r"^(Tags|Summary|OldURL|Authors?)\s*:\s*(.*)$", re.I)
_DATE_FORMATS = ("%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%Y-%m-%d")


def _date(text: str) -> str | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).date().isoformat()
        except ValueError:
            continue
    return None


def _skip_blank(lines: list[str], i: int) -> int:
    while i < len(lines) and not lines[i].strip():
        i += 1
    return i


def parse_article(doc: Document) -> Layout:
    lines = doc.lines
    meta: dict[str, object] = {}
    i = _skip_blank(lines, 0)
    if i < len(lines):
        meta["title"] = lines[i].lstrip("#* ").strip()
        i += 1
    while i < len(lines) and lines[i].strip() and not lines[i].startswith("#"):  # date, Tags:, Summary:
        text = lines[i].strip()
        if key := _HEADER_KEY.match(text):
            meta[key.group(1).lower()] = key.group(2).strip()
        elif iso := _date(text):
            meta["date"] = iso
        i += 1
    i = _skip_blank(lines, i)
    authors = []
    while i < len(lines) and lines[i].strip() and not lines[i].startswith(("#", ".")):  # the authors
        text = lines[i].strip()
        if "@" not in text and not text.startswith(("http", "<")):
            authors.append(text)
        i += 1
    if authors:
        meta["authors"] = authors
    i = _skip_blank(lines, i)
    if i < len(lines) and re.fullmatch(r"#{1,6}", lines[i].strip()):
        i += 1
    doc.drop(0, i - 1, "article header")
    for n in range(i, len(lines)):
        if _DIRECTIVE.match(lines[n]):
            doc.drop(n, n, "present directive")
    layout = parse_markdown(doc, start=max(i, 1))
    layout.meta = {**meta, **layout.meta}
    return layout
