"""Files -> Documents. Unreadable files raise SkipFile with a reason the user can act on."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from recapqa.ingest.document import Document
from recapqa.ingest.html import html_view

# File suffix -> format. Other text files are read as Markdown when they clearly are notes
# (front matter, then Markdown headings), as in a Markdown note saved as `.yaml`.
SUFFIX_FORMATS = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdx": "markdown",
    ".rst": "rst",
    ".rest": "rst",
    ".article": "article",
    ".html": "html",
    ".htm": "html",
}
SUPPORTED_SUFFIXES = set(SUFFIX_FORMATS)
MAX_FILE_BYTES = 20_000_000
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+\S", re.M)


class SkipFile(Exception):
    """This file cannot be used as notes; the message says why."""


def _sniff(text: str) -> str | None:
    """Markdown notes under another name: front matter, then at least one Markdown heading."""
    lines = text.lstrip("\ufeff").split("\n")
    if lines[0].strip() != "---":
        return None
    end = next((i for i in range(1, min(len(lines), 200)) if lines[i].strip() in ("---", "...")), None)
    if end is None or not _MARKDOWN_HEADING.search("\n".join(lines[end + 1 :])):
        return None
    return "markdown"


def read_document(path: Path, source: str) -> Document:
    suffix = path.suffix.lower()
    too_large = f"larger than {MAX_FILE_BYTES // 1_000_000} MB; split it into several notes files"
    if path.stat().st_size > MAX_FILE_BYTES:  # not read at all: it could be gigabytes
        raise SkipFile(too_large)
    raw = path.read_bytes()
    if len(raw) > MAX_FILE_BYTES:
        raise SkipFile(too_large)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SkipFile("UTF-16 text; re-save it as UTF-8")
    if b"\x00" in raw[:8192]:
        raise SkipFile("binary file (contains NUL bytes)")
    if (nul := raw.find(b"\x00")) >= 0:  # text with stray NULs: no store can hold them as text
        raise SkipFile(f"contains a NUL byte (byte {nul}); remove the NUL bytes (e.g. `tr -d '\\000'`) and re-save it")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SkipFile(f"not valid UTF-8 (byte {exc.start}); re-save it as UTF-8") from exc
    if not text.strip():
        raise SkipFile("empty file")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    digest = hashlib.sha256(raw).hexdigest()
    fmt = SUFFIX_FORMATS.get(suffix) or _sniff(text)
    if fmt is None:
        known = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise SkipFile(f"unsupported file type {suffix or '(none)'} and not Markdown notes; use {known}")
    if fmt == "html":
        view, spans, title, navigation = html_view(text)
        if not view.strip():
            raise SkipFile("HTML file with no readable text")
        meta = {"html_title": title} if title else {}
        doc = Document(source, view, "html", spans, meta=meta, content_hash=digest)
        for line in navigation:
            doc.drop(line, line, "navigation")
        return doc
    return Document(source, text, fmt, content_hash=digest)
