"""Plain-text notes: find page chrome, the body, and talk headings by their shape.

A talk heading is a short, title-like line standing alone between blank lines that ends in
"(Company)", starts with "Panel:"/"Keynote:"..., or is followed by a Speaker:/Disclaimer:
line. Everything above the first prose paragraph is page header (title, tags, dates,
author), and a trailing "Related"/"Dive in" list is page footer: neither is content.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from typing import Any

from recapqa.ingest.document import Document
from recapqa.ingest.headings import TALK_PREFIX_RE, is_general_heading, split_company
from recapqa.ingest.sections import RawSection, build_sections
from recapqa.ingest.speakers import LABEL_RE, LIST_ITEM_RE, MENTION_RE

FOOTER_MARKERS = {
    "related",
    "related posts",
    "related articles",
    "read next",
    "read more",
    "you might also like",
    "more from the blog",
    "recommended",
    "share this post",
}
_SENTENCE_END = re.compile(r"[.!?…:]['\"”’)]*$")
_DATE_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%Y-%m-%d")


def _is_blank(doc: Document, i: int) -> bool:
    return i < 0 or i >= len(doc.lines) or not doc.lines[i].strip()


def _next_nonblank(doc: Document, i: int) -> str:
    for line in doc.lines[i + 1 : i + 6]:
        if line.strip():
            return line
    return ""


def _is_prose(line: str) -> bool:
    text = line.strip()
    return len(text.split()) >= 12 and bool(_SENTENCE_END.search(text))


def find_footer(doc: Document, start: int) -> int:
    """Index of the first footer line (or len(lines) if none): a footer marker such as
    "Related", with the short, unpunctuated lines stuck right above it (a "Dive in" or
    "Share" button label belongs to the same page chrome)."""
    for i in range(start, len(doc.lines)):
        if doc.lines[i].strip().lower().rstrip(":") in FOOTER_MARKERS:
            while i - 1 > start and _is_chrome_label(doc.lines[i - 1]):
                i -= 1
            return i
    return len(doc.lines)


def _is_chrome_label(line: str) -> bool:
    text = line.strip()
    return bool(text) and len(text.split()) <= 3 and not _SENTENCE_END.search(text)


def is_talk_heading(doc: Document, i: int) -> bool:
    text = doc.lines[i].strip()
    if not text or doc.lines[i][:1].isspace() or not _is_blank(doc, i - 1):
        return False
    if not _is_blank(doc, i + 1) and not LABEL_RE.match(doc.lines[i + 1]):
        return False
    if len(text) > 160 or len(text.split()) > 22 or LIST_ITEM_RE.match(text):
        return False
    if is_general_heading(text):
        return True
    if re.search(r"[.,;!?:]$", text) or LABEL_RE.match(text) or MENTION_RE.match(text):
        return False
    if TALK_PREFIX_RE.match(text) or split_company(text)[1]:
        return text[0].isupper() or text[0].isdigit()
    following = _next_nonblank(doc, i)
    return bool(LABEL_RE.match(following) or MENTION_RE.match(following))


def _header_meta(lines: list[str]) -> dict[str, Any]:
    """Title (the most repeated header line), date and author from the page header."""
    meta: dict[str, Any] = {}
    texts = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    if not texts:
        return meta
    counts = Counter(texts)
    title, seen = counts.most_common(1)[0]
    if seen > 1 or len(texts) == 1:
        meta["title"] = title
    for n, text in enumerate(texts):
        for fmt in _DATE_FORMATS:
            try:
                meta["date"] = datetime.strptime(text, fmt).date().isoformat()
            except ValueError:
                continue
            after = texts[n + 1] if n + 1 < len(texts) else ""
            if after and after != title and len(after.split()) <= 4:
                meta["author"] = after
            break
    tags = [line.lstrip("# ").strip() for line in lines if re.match(r"^#\s*\S", line)]
    if tags:
        meta["tags"] = tags
    return meta


def is_plain_heading(doc: Document, i: int) -> bool:
    """A weaker shape, used only in a file that has talk headings already: a short line
    alone, not ending in punctuation, with a blank line or a list right after it (a talk
    whose notes have no Speaker: line still starts at its title)."""
    text = doc.lines[i].strip()
    if not text or doc.lines[i][:1].isspace() or not _is_blank(doc, i - 1):
        return False
    following = doc.lines[i + 1] if i + 1 < len(doc.lines) else ""
    if following.strip() and not LIST_ITEM_RE.match(following):
        return False
    if len(text.split()) > 10 or len(text) > 80 or re.search(r"[.,;:!?…]$", text):
        return False
    if not (text[0].isupper() or text[0].isdigit()):
        return False
    return not (LABEL_RE.match(text) or MENTION_RE.match(text) or LIST_ITEM_RE.match(text))


def _body_start(doc: Document, first_heading: int) -> int:
    """The page header is what stands above the first prose paragraph; without prose, above
    the first list item, long line or heading (a talk of bullet notes is not header)."""
    for i in range(first_heading):
        if _is_prose(doc.lines[i]):
            return i
    for i in range(first_heading):
        line = doc.lines[i]
        if LIST_ITEM_RE.match(line) or len(line.split()) >= 8:
            return i
    if first_heading < len(doc.lines):
        return first_heading
    return next(i for i, line in enumerate(doc.lines) if line.strip())


def segment_plaintext(doc: Document) -> tuple[list[RawSection], dict[str, Any]]:
    strong = [i for i in range(len(doc.lines)) if is_talk_heading(doc, i)]
    body_start = _body_start(doc, strong[0] if strong else len(doc.lines))
    weak = [i for i in range(len(doc.lines)) if strong and i not in strong and is_plain_heading(doc, i)]
    before = [i for i in weak if i < body_start]
    if (
        before
        and LIST_ITEM_RE.match(doc.lines[body_start])
        and all(not doc.lines[j].strip() for j in range(before[-1] + 1, body_start))
    ):
        body_start = before[-1]  # a talk of bullet notes right under its title is not page header
    headings = [i for i in sorted(strong + weak) if i >= body_start]
    meta = _header_meta(doc.lines[:body_start])
    doc.drop(0, body_start - 1, "page header")
    footer = find_footer(doc, max(body_start, headings[0] if headings else body_start))
    doc.drop(footer, len(doc.lines) - 1, "page footer")
    headings = [i for i in headings if i < footer]
    marked = [(i, doc.lines[i].strip()) for i in headings]
    return build_sections(doc, marked, body_start, footer - 1), meta
