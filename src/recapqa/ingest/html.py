"""HTML notes: parsed with Python's HTML parser, which reports source positions, so a
citation points at lines of the HTML file. Each block becomes one line of a Markdown-like
text view (`## ` for h2, `- ` for list items); navigation, scripts, styles, forms and a
heading that is only a link ("Back to main table") are not content.
"""

from __future__ import annotations

from html.parser import HTMLParser

_BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "dt", "dd", "td"}
_BLOCKS |= {"th", "figcaption", "div", "section", "article", "main", "ul", "ol", "table", "tr"}
_SKIP = {"script", "style", "nav", "footer", "aside", "noscript", "template", "form", "svg"}
_SKIP |= {"head", "button"}


class _BlockCollector(HTMLParser):
    """Collects block texts with the source lines they span (html.parser reports positions,
    which a citation into the HTML file needs)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str, int, int]] = []  # (prefix, text, first, last)
        self.title = ""
        self._skip_depth = 0
        self._in_title = False
        self._parts: list[str] = []
        self._prefix = ""
        self._first = 0
        self._list_stack: list[str] = []
        self._link_depth = 0
        self._plain_text = False  # the current block has text outside links
        self.navigation: set[int] = set()  # indexes of blocks that are only a link heading

    def _flush(self) -> None:
        text = " ".join("".join(self._parts).split())
        if text:
            last = self.getpos()[0]
            if self._prefix.startswith("#") and not self._plain_text:
                self.navigation.add(len(self.blocks))
            self.blocks.append((self._prefix, text, self._first or last, last))
        self._parts = []
        self._plain_text = False
        self._prefix = ""
        self._first = 0

    def finish(self) -> None:
        """Flush the block still open at the end of the document."""
        self._flush()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip_depth += 1
            return
        if tag == "title":
            self._in_title = True
            return
        if tag in ("ul", "ol"):
            self._list_stack.append(tag)
        if tag == "a":
            self._link_depth += 1
        if tag == "br":
            self._parts.append(" ")
        if tag in _BLOCKS:
            self._flush()
            self._first = self.getpos()[0]
            if tag[0] == "h" and tag[1:].isdigit():
                self._prefix = "#" * int(tag[1]) + " "
            elif tag == "li":
                depth = max(0, len(self._list_stack) - 1)
                self._prefix = "  " * depth + "- "

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
            return
        if tag == "title":
            self._in_title = False
            return
        if tag == "a":
            self._link_depth = max(0, self._link_depth - 1)
        if tag in _BLOCKS:
            self._flush()
        if tag in ("ul", "ol") and self._list_stack:
            self._list_stack.pop()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data.strip()
        elif not self._skip_depth:
            if not self._parts and not self._first:
                self._first = self.getpos()[0]
            if data.strip() and not self._link_depth:
                self._plain_text = True
            self._parts.append(data)


def html_view(html: str) -> tuple[str, list[tuple[int, int]], str, list[int]]:
    """(text view, source line span per view line, <title>, view lines that are navigation)"""
    parser = _BlockCollector()
    parser.feed(html)
    parser.close()
    parser.finish()
    lines: list[str] = []
    spans: list[tuple[int, int]] = []
    navigation = []
    for n, (prefix, text, first, last) in enumerate(parser.blocks):
        if lines:  # blank line between blocks, mapped to the previous block's end
            lines.append("")
            spans.append((spans[-1][1], spans[-1][1]))
        if n in parser.navigation:
            navigation.append(len(lines))
        lines.append(prefix + text)
        spans.append((first, max(first, last)))
    return "\n".join(lines), spans, parser.title, navigation
