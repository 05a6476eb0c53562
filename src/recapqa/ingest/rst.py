"""reStructuredText notes through docutils: sections with their titles' source lines.

Heading levels come from docutils (order of first use of each underline style, as rST
defines them); the document title is not promoted, so it stays a level-1 heading. Underline
and overline rows, `toctree` and comment blocks are dropped as markup; other directives
(`note`, `code-block`) are content: their bodies are kept, their marker lines (`.. note::`,
`.. code-block:: python`: the directive and at most one word of argument) are dropped as markup.
"""

from __future__ import annotations

import re

from recapqa.ingest.document import Document
from recapqa.ingest.layout import Heading, Item, Layout

_ADORNMENT = re.compile(r"^\s*([=\-`:'\"~^_*+#<>.])\1{2,}\s*$")
_DROPPED_DIRECTIVES = re.compile(r"^\.\.\s+(toctree|contents|include|raw|meta|index)::", re.I)
_DIRECTIVE_MARKER = re.compile(r"^\s*\.\.\s+[\w-]+::\s*(\S+\s*)?$")  # '.. note::', '.. image:: a.png'
_COMMENT = re.compile(r"^\.\.(\s+(?!\w[\w-]*::)|\s*$)")
_BULLET = re.compile(r"^(\s*)(?:[-*+•]|\d+[.)]|#\.)\s+(.*)$")
_SETTINGS = {
    "report_level": 5,
    "halt_level": 5,
    "warning_stream": False,
    "file_insertion_enabled": False,
    "raw_enabled": False,
    "doctitle_xform": False,
    "sectsubtitle_xform": False,
    "input_encoding": "unicode",
}


def _sections(text: str) -> list[tuple[int, int, str]]:
    """(1-based underline line, depth, title) of every section, from docutils."""
    from docutils import nodes
    from docutils.core import publish_doctree

    tree = publish_doctree(text, settings_overrides=dict(_SETTINGS))
    found = []
    for section in tree.findall(nodes.section):
        title = section.next_node(nodes.title)
        if title is None or title.line is None:
            continue
        depth, parent = 1, section.parent
        while parent is not None:
            depth += isinstance(parent, nodes.section)
            parent = parent.parent
        found.append((title.line, depth, " ".join(title.astext().split())))
    return found


def _drop_block(doc: Document, start: int, reason: str) -> int:
    """Drop line `start` and the indented block under it; return the next line."""
    i = start + 1
    while i < len(doc.lines) and (not doc.lines[i].strip() or doc.lines[i][:1].isspace()):
        i += 1
    doc.drop(start, i - 1, reason)
    return i


def parse_rst(doc: Document) -> Layout:
    layout = Layout()
    for underline, depth, title in _sections(doc.text):
        line = underline - 2  # 0-based line of the title text
        if not 0 <= line < len(doc.lines) or " ".join(doc.lines[line].split()) != title:
            candidates = [i for i, text in enumerate(doc.lines) if " ".join(text.split()) == title]
            if not candidates:
                continue
            line = min(candidates, key=lambda i: abs(i - (underline - 2)))
        layout.headings.append(Heading(line, depth, title))
        doc.heading_lines.add(line)
    for i, text in enumerate(doc.lines):
        if _ADORNMENT.match(text) and ((i + 1) in doc.heading_lines or (i - 1) in doc.heading_lines):
            doc.drop(i, i, "heading underline")
    i = 0
    while i < len(doc.lines):
        if _DROPPED_DIRECTIVES.match(doc.lines[i]):
            i = _drop_block(doc, i, "toctree or other directive")
        elif _COMMENT.match(doc.lines[i]):
            i = _drop_block(doc, i, "comment")
        elif _DIRECTIVE_MARKER.match(doc.lines[i]):
            doc.drop(i, i, "directive marker")
            i += 1
        else:
            i += 1
    layout.headings.sort(key=lambda h: h.line)
    layout.items = _items(doc)
    return layout


def _items(doc: Document) -> list[Item]:
    """Bullet list items (rST lists are indentation-based; depth by indent)."""
    items: list[Item] = []
    indents: list[int] = []
    for i, text in enumerate(doc.lines):
        match = _BULLET.match(text)
        if not match or not doc.is_content(i):
            continue
        indent = len(match.group(1))
        while indents and indents[-1] > indent:
            indents.pop()
        if not indents or indents[-1] < indent:
            indents.append(indent)
        last = i
        while last + 1 < len(doc.lines) and doc.lines[last + 1].strip() and not _BULLET.match(doc.lines[last + 1]):
            last += 1
        items.append(Item(i, last, len(indents) - 1, match.group(2).strip()))
    return items
