"""What a format reader finds in a document, before any decision about talks.

Every reader (Markdown, reStructuredText, HTML, Go present, plain text) produces the same
Layout: headings with their level, list items with their depth, document metadata, and the
lines it dropped as noise (recorded on the Document with a reason). `structure.py` then
decides from this evidence where talks begin.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Heading:
    line: int  # 0-based text line of the heading text
    level: int  # 1 = shallowest
    text: str  # plain text, markup removed


@dataclass(frozen=True)
class Item:
    """A list item: its first line, last line, nesting depth (0 = top) and plain text."""

    line: int
    last: int
    depth: int
    text: str


@dataclass
class Layout:
    headings: list[Heading] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    body_start: int = 0  # first line after front matter or a header block
    warnings: list[str] = field(default_factory=list)
