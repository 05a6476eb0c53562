"""Corpus -> documents -> talks. The only stage that reads notes files."""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recapqa.errors import CorpusError
from recapqa.ingest import docmeta
from recapqa.ingest.article import parse_article
from recapqa.ingest.document import Document
from recapqa.ingest.headings import slugify
from recapqa.ingest.layout import Layout
from recapqa.ingest.links import recording_links
from recapqa.ingest.markdown import parse_markdown
from recapqa.ingest.plaintext import segment_plaintext
from recapqa.ingest.readers import SUPPORTED_SUFFIXES, SkipFile, read_document
from recapqa.ingest.rst import parse_rst
from recapqa.ingest.sections import RawSection
from recapqa.ingest.sidecar import SIDECAR_SUFFIX, Sidecar, SidecarError, apply_sidecar, load_sidecar
from recapqa.ingest.structure import segment
from recapqa.models import Talk

log = logging.getLogger(__name__)
_IGNORED_NAMES = {"readme.md", "readme.txt", "readme", "readme.rst", "license", "license.md", "license.txt"}
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


@dataclass
class Corpus:
    documents: list[ParsedDocument]
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)
    warnings: list[str] = field(default_factory=list)

    @property
    def talks(self) -> list[Talk]:
        return [s.talk for d in self.documents for s in d.sections]

    @property
    def dropped_lines(self) -> dict[str, int]:
        """Per notes file, how many lines were dropped as noise (front matter, chrome...)."""
        return {d.document.source: len(d.document.dropped) for d in self.documents}


def corpus_files(corpus_dir: Path) -> list[Path]:
    """Every candidate notes file, sorted; sidecars, READMEs and hidden files excluded."""
    if corpus_dir.is_file():
        raise CorpusError(
            f"corpus directory {corpus_dir} is a file, not a folder",
            f"point --corpus (or RECAPQA_CORPUS_DIR) at the folder of notes holding it ({corpus_dir.parent})",
        )
    if not corpus_dir.is_dir():
        raise CorpusError(
            f"corpus directory {corpus_dir} does not exist",
            "point --corpus (or RECAPQA_CORPUS_DIR) at a folder of .txt, .md or .html notes",
        )
    files = []
    for path in sorted(corpus_dir.rglob("*")):
        rel = path.relative_to(corpus_dir)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if not path.is_file() and not (path.is_symlink() and not path.exists()):  # a broken link is reported
            continue
        if path.name.endswith(SIDECAR_SUFFIX) or path.name.lower() in _IGNORED_NAMES:
            continue
        files.append(path)
    return files


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


def load_document(corpus_dir: Path, source: str) -> Document:
    """Re-read one notes file as the ingester saw it (used to verify quotes)."""
    return read_document(corpus_dir / source, source)


def prepare_file(corpus_dir: Path, path: Path, skipped: list[tuple[str, str]]) -> PreparedDocument | None:
    """Read and prepare one notes file; None (and the reason added to `skipped`) when it
    cannot be used."""
    source = path.relative_to(corpus_dir).as_posix()
    if path.is_symlink() and not path.exists():
        skipped.append((source, "a link to nothing (its target is missing, or the links loop); fix or remove it"))
        log.warning("skipping %s: %s", source, skipped[-1][1])
        return None
    if not path.resolve().is_relative_to(corpus_dir.resolve()):
        skipped.append((source, "a link to a file outside the corpus folder; copy the file in instead"))
        log.warning("skipping %s: it links outside the corpus folder", source)
        return None
    try:
        return prepare_document(read_document(path, source), path)
    except (SkipFile, SidecarError) as exc:
        skipped.append((source, str(exc)))
        log.warning("skipping %s: %s", source, exc)
    except OSError as exc:
        skipped.append((source, unreadable(exc)))
        log.warning("skipping %s: %s", source, skipped[-1][1])
    return None


def skip_textless(source: str, skipped: list[tuple[str, str]]) -> None:
    """A file that parsed to nothing (only front matter, only page chrome): skipped, said so."""
    skipped.append((source, "no text left after removing front matter and page chrome"))
    log.warning("skipping %s: %s", source, skipped[-1][1])


def unreadable(exc: OSError) -> str:
    """Why a notes file could not be read, and what to do (no path: the source names it)."""
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "cannot read it (permission denied); let the user running recapqa read it (chmod a+r)"
    return f"cannot read it ({exc.strerror or type(exc).__name__}); check the file, or move it out of the corpus folder"


def named_files(files: list[Path], corpus_dir: Path | None, default_dir: Path) -> tuple[Path, list[Path]]:
    """The corpus folder and the notes files `talks --outline FILE…` names. A name is a path
    (from the current folder) or, when there is no such file, a source as citations print it
    (inside the corpus folder). Without a corpus folder given: the default one when it holds
    every file named, else their nearest common folder."""
    base = corpus_dir or default_dir
    named = []
    for name in files:
        path = name if name.is_file() else base / name
        if not path.is_file():
            raise CorpusError(f"no such notes file: {name}", f"give its path, or its source inside {base}")
        named.append(path.resolve())
    if corpus_dir is None:
        home = default_dir.resolve()
        within = home.is_dir() and all(p.is_relative_to(home) for p in named)
        corpus_dir = home if within else Path(os.path.commonpath([str(p.parent) for p in named]))
    corpus_dir = corpus_dir.resolve()
    outside = [name for name, p in zip(files, named, strict=True) if not p.is_relative_to(corpus_dir)]
    if outside:
        raise CorpusError(
            f"{outside[0]} is not inside the corpus folder {corpus_dir}",
            "pass --corpus the folder that holds it (or leave --corpus out)",
        )
    return corpus_dir, named


def load_corpus(corpus_dir: Path, only: list[Path] | None = None) -> Corpus:
    """Every notes file of the corpus (or only those named: `named_files`), parsed into talks."""
    corpus = Corpus(documents=[])
    used_ids: set[str] = set()
    paths = corpus_files(corpus_dir)
    if only is not None:  # in corpus order, then those the corpus does not list (a README)
        corpus_dir, only = named_files(only, corpus_dir, corpus_dir)
        listed = [p.resolve() if p.exists() else p.absolute() for p in paths]  # a looping link has no target
        paths = [p for p in listed if p in only] + [p for p in only if p not in listed]
    for path in paths:
        prepared = prepare_file(corpus_dir, path, corpus.skipped)
        if prepared is None:
            continue
        source = prepared.parsed.document.source
        parsed, warnings = finish_document(prepared, assign_ids(prepared.slugs, used_ids))
        for warning in warnings:
            log.warning("%s", warning)
        corpus.warnings.extend(warnings)
        if parsed.sections:
            corpus.documents.append(parsed)
        else:
            skip_textless(source, corpus.skipped)
    if not corpus.documents and only is not None:
        detail = "; ".join(f"{s}: {r}" for s, r in corpus.skipped)
        raise CorpusError(
            f"no notes in the files named ({detail})", "name notes files; `recapqa index` skips these ones too"
        )
    if not corpus.documents:
        raise no_usable_notes(corpus_dir, corpus.skipped)
    return corpus


def no_usable_notes(corpus_dir: Path, skipped: list[tuple[str, str]]) -> CorpusError:
    detail = "; ".join(f"{s}: {r}" for s, r in skipped) or "no files"
    return CorpusError(
        f"no usable notes in {corpus_dir} ({detail})",
        f"add .txt, .md or .html notes ({', '.join(sorted(SUPPORTED_SUFFIXES))}) to the corpus folder",
    )


def quote_in_source(corpus_dir: Path, source: str, start_line: int, end_line: int, quote: str) -> bool:
    """Is `quote` verbatim in `source` between those lines? (The check behind every citation.)"""
    try:
        doc = load_document(corpus_dir, source)
    except (SkipFile, OSError):
        return False
    return bool(quote) and quote in doc.text_between(start_line, end_line)
