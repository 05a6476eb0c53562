"""One notes file -> its talks: the reader of its format finds the layout, the structure
rules make talks of it, and the talks get their ids (unique within the document first,
then across the corpus: `assign_ids`) and their sidecar's corrections."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recapqa.ingest import docmeta
from recapqa.ingest.article import parse_article
from recapqa.ingest.document import Document
from recapqa.ingest.headings import slugify
from recapqa.ingest.layout import Layout
from recapqa.ingest.links import recording_links
from recapqa.ingest.markdown import parse_markdown
from recapqa.ingest.plaintext import segment_plaintext
from recapqa.ingest.rst import parse_rst
from recapqa.ingest.sections import RawSection
from recapqa.ingest.sidecar import Sidecar, apply_sidecar, load_sidecar
from recapqa.ingest.structure import segment
from recapqa.models import Talk

# format -> the reader that finds its layout (plain text has its own segmenter)
LAYOUT_READERS: dict[str, Callable[[Document], Layout]] = {
    "markdown": parse_markdown,
    "html": parse_markdown,
    "article": parse_article,
    "rst": parse_rst,
}


@dataclass
class Section:
    """A talk with the character range it covers in its document's text."""

    talk: Talk
    char_start: int
    char_end: int
    body_start: int  # where the content starts (past the heading line, if any)


@dataclass
class ParsedDocument:
    document: Document
    sections: list[Section]
    fingerprint: str  # content hash of the notes file and its sidecar


def segment_document(doc: Document) -> tuple[list[RawSection], dict[str, Any], list[str]]:
    """Sections of one document, its metadata, and warnings (e.g. front matter read line-wise)."""
    reader = LAYOUT_READERS.get(doc.fmt)
    doc.mark_pseudo_headings()
    if reader is None:
        sections, meta = segment_plaintext(doc)
        return sections, {**doc.meta, **meta}, []
    layout = reader(doc)
    layout.meta = {**doc.meta, **layout.meta}
    sections, meta = segment(doc, layout)
    return sections, meta, layout.warnings


@dataclass
class PreparedDocument:
    """A document parsed on its own: its talks carry provisional ids (their slugs, made
    unique within the document); `assign_ids` gives the corpus-wide ids, then `finish`."""

    parsed: ParsedDocument
    slugs: list[str]  # each talk's slug before de-duplication
    sidecar: Sidecar | None
    warnings: list[str]


def prepare_document(doc: Document, notes: Path) -> PreparedDocument:
    """Everything of one document that does not depend on the other documents."""
    raw_sections, meta, warnings = segment_document(doc)
    sidecar = load_sidecar(notes)
    if sidecar:
        meta.update(sidecar.document)
    doc.meta = docmeta.normalize(meta)
    several = sum(s.kind == "talk" for s in raw_sections) > 1
    conference = docmeta.conference_of({**doc.meta, "heading_title": meta.get("heading_title")}, several)
    if conference:
        doc.meta["conference"] = conference
    sections, slugs, local = [], [], set[str]()
    for raw in raw_sections:
        start_line, end_line = doc.source_lines(raw.first, raw.last)
        slugs.append(slugify(raw.title if raw.kind == "talk" else f"{notes.stem} {raw.title}"))
        heading = doc.lines[raw.first].strip() if raw.has_heading else None
        extra = {
            "heading": heading,
            "track": raw.track,
            "note_taker_of_talk": raw.note_taker,
            "code": raw.code,
            "recordings": recording_links(doc.text[doc.line_start(raw.first) : doc.line_end(raw.last)]),
        }
        talk = Talk(
            talk_id=_unique(slugs[-1], local),
            title=raw.title,
            kind=raw.kind,
            source=doc.source,
            start_line=start_line,
            end_line=end_line,
            company=raw.company,
            speakers=raw.speakers,
            meta={**doc.meta, **{k: v for k, v in extra.items() if v}},
        )
        start = doc.line_start(raw.first)
        body = doc.line_start(raw.first + 1) if raw.has_heading and raw.first < raw.last else start
        sections.append(Section(talk, start, doc.line_end(raw.last), body))
    fingerprint = doc.content_hash + (sidecar.content_hash if sidecar else "")
    return PreparedDocument(ParsedDocument(doc, sections, fingerprint), slugs, sidecar, warnings)


def assign_ids(slugs: list[str], used: set[str]) -> list[str]:
    """Corpus-wide talk ids of one document's slugs, given the ids of the documents before
    it (`used`, updated): the first document with a slug keeps it, later ones get -2, -3..."""
    return [_unique(slug, used) for slug in slugs]


def finish_document(prepared: PreparedDocument, talk_ids: list[str]) -> tuple[ParsedDocument, list[str]]:
    """Give the talks their corpus-wide ids, then apply the sidecar (which may name them)."""
    for section, talk_id in zip(prepared.parsed.sections, talk_ids, strict=True):
        section.talk.talk_id = talk_id
    sidecar, talks = prepared.sidecar, [s.talk for s in prepared.parsed.sections]
    return prepared.parsed, prepared.warnings + (apply_sidecar(talks, sidecar) if sidecar else [])


def parse_document(doc: Document, notes: Path, used_ids: set[str]) -> tuple[ParsedDocument, list[str]]:
    prepared = prepare_document(doc, notes)
    return finish_document(prepared, assign_ids(prepared.slugs, used_ids))


def _unique(slug: str, used: set[str]) -> str:
    candidate, n = slug, 2
    while candidate in used:
        candidate, n = f"{slug}-{n}", n + 1
    used.add(candidate)
    return candidate
