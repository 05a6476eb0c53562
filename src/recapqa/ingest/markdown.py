"""Markdown and HTML notes: headings are authoritative.

The talk level is the shallowest heading level, unless a single heading opens the file at
that level (the document title), in which case it is the next level down.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import yaml

from recapqa.ingest.document import Document
from recapqa.ingest.plaintext import find_footer
from recapqa.ingest.sections import RawSection, build_sections

_ATX = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


class FrontMatterError(ValueError):
    pass


def _front_matter(doc: Document) -> tuple[dict[str, Any], int]:
    if doc.lines[0].strip() != "---":
        return {}, 0
    for end in range(1, min(len(doc.lines), 200)):
        if doc.lines[end].strip() in ("---", "..."):
            try:
                data = yaml.safe_load("\n".join(doc.lines[1:end])) or {}
            except yaml.YAMLError as exc:
                raise FrontMatterError(f"invalid YAML front matter: {exc}") from exc
            if not isinstance(data, dict):
                raise FrontMatterError("front matter is not a mapping")
            clean = {str(k): v.isoformat() if isinstance(v, date | datetime) else v for k, v in data.items()}
            return clean, end + 1
    return {}, 0


def _headings(doc: Document, start: int, stop: int) -> list[tuple[int, int, str]]:
    found, fenced = [], False
    for i in range(start, stop):
        line = doc.lines[i]
        if _FENCE.match(line):
            fenced = not fenced
            continue
        match = None if fenced else _ATX.match(line)
        if match:
            text = re.sub(r"[*_`]+", "", match.group(2)).strip()
            if text:
                found.append((i, len(match.group(1)), text))
    return found


def segment_markdown(doc: Document) -> tuple[list[RawSection], dict[str, Any]]:
    meta, body_start = _front_matter(doc)
    footer = find_footer(doc, body_start)
    headings = _headings(doc, body_start, footer)
    if not headings:
        return build_sections(doc, [], body_start, footer - 1), meta
    levels = [level for _, level, _ in headings]
    talk_level = min(levels)
    top = [h for h in headings if h[1] == talk_level]
    deeper = [lv for lv in levels if lv > talk_level]
    if len(top) == 1 and top[0] is headings[0] and deeper:
        meta.setdefault("title", top[0][2])
        body_start = top[0][0] + 1
        talk_level = min(deeper)
    marked = [(i, text) for i, level, text in headings if level == talk_level and i >= body_start]
    return build_sections(doc, marked, body_start, footer - 1), meta
