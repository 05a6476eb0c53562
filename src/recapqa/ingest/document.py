"""A notes file as text, with a map from its text lines back to source lines.

Plain text and Markdown are their own text, so quotes are verbatim in the file. HTML is
rendered to a Markdown-like text view, one line a block, each mapped to the source lines
the block came from, so a citation still points into the HTML file.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any

_PSEUDO_HEADING = re.compile(r"^\s*(==+[^=]+==+|\*\*[^*.!?]+\*\*[.:]?|__[^_.!?]+__[.:]?)\s*$")


@dataclass
class Document:
    source: str  # corpus-relative POSIX path
    text: str
    fmt: str  # "text" | "markdown" | "html"
    line_spans: list[tuple[int, int]] | None = None  # per text line: source (first, last)
    meta: dict[str, Any] = field(default_factory=dict)
    content_hash: str = ""
    # 0-based text lines that are not content, with the reason (front matter, markup, embeds...)
    dropped: dict[int, str] = field(default_factory=dict)
    # 0-based text lines that are headings (any format): their own unit, never an answer sentence
    heading_lines: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.lines = self.text.split("\n")
        self._line_starts = [0]
        for line in self.lines[:-1]:
            self._line_starts.append(self._line_starts[-1] + len(line) + 1)

    def drop(self, first: int, last: int, reason: str) -> None:
        """Mark 0-based text lines first..last (inclusive) as not content, for `reason`.
        Blank lines are not recorded: there is nothing to lose in them."""
        for i in range(max(0, first), min(last, len(self.lines) - 1) + 1):
            if self.lines[i].strip():
                self.dropped.setdefault(i, reason)

    def mark_pseudo_headings(self) -> None:
        """Lines that are headings without heading markup: '==Scope==', or a short line
        that is bold as a whole ('**Day 1 talks**', '**Write path**.')."""
        for i, line in enumerate(self.lines):
            if i not in self.dropped and _PSEUDO_HEADING.match(line) and len(line.split()) <= 8:
                self.heading_lines.add(i)

    def is_content(self, index: int) -> bool:
        return bool(self.lines[index].strip()) and index not in self.dropped

    def line_start(self, index: int) -> int:
        """Character offset where text line `index` (0-based) starts."""
        return self._line_starts[index]

    def line_end(self, index: int) -> int:
        """Character offset just past text line `index` (newline excluded)."""
        return self._line_starts[index] + len(self.lines[index])

    def line_of(self, offset: int) -> int:
        """0-based text line holding character `offset`."""
        return max(0, bisect.bisect_right(self._line_starts, offset) - 1)

    def source_lines(self, first: int, last: int) -> tuple[int, int]:
        """1-based inclusive source line range for 0-based text lines first..last."""
        if self.line_spans is None:
            return first + 1, last + 1
        return self.line_spans[first][0], self.line_spans[last][1]

    def span_lines(self, char_start: int, char_end: int) -> tuple[int, int]:
        last_char = max(char_start, char_end - 1)
        return self.source_lines(self.line_of(char_start), self.line_of(last_char))

    def text_between(self, start_line: int, end_line: int) -> str:
        """The text of source lines start_line..end_line (1-based, inclusive)."""
        if self.line_spans is None:
            return "\n".join(self.lines[start_line - 1 : end_line])
        picked = [
            line
            for line, (first, last) in zip(self.lines, self.line_spans, strict=True)
            if first >= start_line and last <= end_line
        ]
        return "\n".join(picked)
