"""Markdown notes through markdown-it-py: token line maps give headings (ATX and setext),
list items and blocks with their source lines; fenced code never holds a heading.

Noise is dropped with a reason: front matter, embeds (script, style, tweets, iframes, HTML
comments), image-only paragraphs, shortcodes, thematic breaks and separator lines, tables
of contents. The same reader serves Go `.article` files after their header block.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

from recapqa.ingest.document import Document
from recapqa.ingest.frontmatter import read_front_matter
from recapqa.ingest.layout import Heading, Item, Layout

_MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])
_MD.disable("inline")  # block structure only: inline text is parsed for the few tokens that need it
_INLINE = MarkdownIt("commonmark").enable(["strikethrough"])
_IMAGES_ONLY = re.compile(r"^(?:\s*\[?!\[[^\]]*\]\([^)]*\)(?:\]\([^)]*\))?\s*)+$")
_SHORTCODE = re.compile(r"^\s*\{\{[<%].*[>%]\}\}\s*$")
_SEPARATOR = re.compile(r"^\s*([#=*_~+-])\1{2,}\s*$")
_EMBED_HTML = re.compile(r"^\s*<(script|style|iframe|noscript|blockquote class=\"twitter|!--)", re.I)
_TOC_OPEN = re.compile(r"<!--\s*(MarkdownTOC|TOC|toc)\b(?!\s*-->)?")
_TOC_CLOSE = re.compile(r"<!--\s*/\s*(MarkdownTOC|TOC|toc)\s*-->")
_ANCHOR_ONLY = re.compile(r"^\s*\[[^\]]*\]\(#[^)]*\)\s*$")


def inline_text(token: Token) -> str:
    """Plain text of an inline token: link text kept, images and markup left out."""
    parts: list[str] = []
    children = token.children or (_INLINE.parseInline(token.content)[0].children if token.content else [])
    for child in children or []:
        if child.type == "image":
            continue
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "html_inline":
            continue
    return " ".join("".join(parts).split())


def _only_images(token: Token) -> bool:
    return bool(token.content.strip()) and bool(_IMAGES_ONLY.match(token.content))


def _drop_tocs(doc: Document, start: int) -> None:
    """Tables of contents: a TOC comment block, or a list whose items are all in-page links."""
    opened = None
    for i in range(start, len(doc.lines)):
        if opened is None and _TOC_OPEN.search(doc.lines[i]) and not _TOC_CLOSE.search(doc.lines[i]):
            opened = i
        elif opened is not None and _TOC_CLOSE.search(doc.lines[i]):
            doc.drop(opened, i, "table of contents")
            opened = None


def parse_markdown(doc: Document, start: int = 0) -> Layout:
    """Layout of doc.lines[start:] (front matter read first when start is 0)."""
    layout = Layout()
    if start == 0:
        front = read_front_matter(doc.lines)
        if front.end:
            doc.drop(0, front.end - 1, "front matter")
            layout.meta.update(front.data)
            if front.warning:
                layout.warnings.append(f"{doc.source}: {front.warning}")
        start = front.end
    layout.body_start = start
    for i in range(start, len(doc.lines)):
        if _SHORTCODE.match(doc.lines[i]):
            doc.drop(i, i, "shortcode")
    _drop_tocs(doc, start)
    body = "\n" * start + "\n".join(doc.lines[start:])
    tokens = _MD.parse(body)
    depth = -1
    for n, token in enumerate(tokens):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        if token.map is None:
            continue
        first, end = token.map
        last = max(first, end - 1)
        if token.type == "heading_open":
            text = inline_text(tokens[n + 1])
            if text:
                layout.headings.append(Heading(first, int(token.tag[1]), text))
            doc.heading_lines.add(first)
            if last > first and not doc.lines[last].lstrip().startswith("#"):
                doc.drop(last, last, "heading underline")
        elif token.type == "html_block" and _EMBED_HTML.match(token.content):
            doc.drop(first, last, "embed or HTML comment")
        elif token.type == "hr":
            doc.drop(first, last, "thematic break")
        elif token.type == "inline" and tokens[n - 1].type == "paragraph_open":
            if _only_images(token):
                doc.drop(first, last, "image")
            elif all(_SEPARATOR.match(doc.lines[i]) for i in range(first, last + 1) if doc.lines[i].strip()):
                doc.drop(first, last, "separator line")
        elif token.type == "list_item_open":
            text = next((inline_text(t) for t in tokens[n + 1 : n + 4] if t.type == "inline"), "")
            layout.items.append(Item(first, last, depth, text))
    _drop_anchor_lists(doc, layout)
    return layout


def _drop_anchor_lists(doc: Document, layout: Layout) -> None:
    """A run of list items that are only in-page links (#anchors) is a table of contents."""
    run: list[Item] = []
    for item in [*layout.items, None]:
        if item is not None and _ANCHOR_ONLY.match(re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", doc.lines[item.line])):
            run.append(item)
            continue
        if len(run) >= 2:
            doc.drop(run[0].line, run[-1].last, "table of contents")
        run = []
