"""Files -> Documents. Unreadable files raise SkipFile with a reason the user can act on."""

from __future__ import annotations

import hashlib
from html.parser import HTMLParser
from pathlib import Path

from recapqa.ingest.document import Document

TEXT_SUFFIXES = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown"}
HTML_SUFFIXES = {".html", ".htm"}
SUPPORTED_SUFFIXES = set(TEXT_SUFFIXES) | HTML_SUFFIXES
MAX_FILE_BYTES = 20_000_000


class SkipFile(Exception):
    """This file cannot be used as notes; the message says why."""


def read_document(path: Path, source: str) -> Document:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise SkipFile(f"unsupported file type {suffix or '(none)'}; use .txt, .md or .html")
    raw = path.read_bytes()
    if len(raw) > MAX_FILE_BYTES:
        raise SkipFile(f"larger than {MAX_FILE_BYTES // 1_000_000} MB")
    if b"\x00" in raw[:8192]:
        raise SkipFile("binary file (contains NUL bytes)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SkipFile(f"not valid UTF-8 (byte {exc.start}); re-save it as UTF-8") from exc
    if not text.strip():
        raise SkipFile("empty file")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    digest = hashlib.sha256(raw).hexdigest()
    if suffix in HTML_SUFFIXES:
        view, spans, title = _html_view(text)
        if not view.strip():
            raise SkipFile("HTML file with no readable text")
        meta = {"title": title} if title else {}
        return Document(source, view, "html", spans, meta=meta, content_hash=digest)
    return Document(source, text, TEXT_SUFFIXES[suffix], content_hash=digest)


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

    def _flush(self) -> None:
        text = " ".join("".join(self._parts).split())
        if text:
            last = self.getpos()[0]
            self.blocks.append((self._prefix, text, self._first or last, last))
        self._parts = []
        self._prefix = ""
        self._first = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip_depth += 1
            return
        if tag == "title":
            self._in_title = True
            return
        if tag in ("ul", "ol"):
            self._list_stack.append(tag)
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
            self._parts.append(data)


def _html_view(html: str) -> tuple[str, list[tuple[int, int]], str]:
    parser = _BlockCollector()
    parser.feed(html)
    parser.close()
    parser._flush()
    lines: list[str] = []
    spans: list[tuple[int, int]] = []
    for prefix, text, first, last in parser.blocks:
        if lines:  # blank line between blocks, mapped to the previous block's end
            lines.append("")
            spans.append((spans[-1][1], spans[-1][1]))
        lines.append(prefix + text)
        spans.append((first, max(first, last)))
    return "\n".join(lines), spans, parser.title
