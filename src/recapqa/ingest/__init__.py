"""Corpus -> documents -> talks. The only stage that reads notes files: which files are
notes (`files.py`), one file to its talks (`parsed.py`), the whole corpus (here)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from recapqa.errors import CorpusError
from recapqa.ingest.document import Document
from recapqa.ingest.files import (
    corpus_files,
    load_document,
    named_files,
    no_usable_notes,
    prepare_file,
    quote_in_source,
    skip_textless,
    unreadable,
)
from recapqa.ingest.parsed import (
    LAYOUT_READERS,
    ParsedDocument,
    PreparedDocument,
    Section,
    assign_ids,
    finish_document,
    parse_document,
    prepare_document,
    segment_document,
)
from recapqa.ingest.readers import SkipFile
from recapqa.models import Talk

__all__ = [
    "LAYOUT_READERS",
    "Corpus",
    "Document",
    "ParsedDocument",
    "PreparedDocument",
    "Section",
    "SkipFile",
    "assign_ids",
    "corpus_files",
    "finish_document",
    "load_corpus",
    "load_document",
    "named_files",
    "no_usable_notes",
    "parse_document",
    "prepare_document",
    "prepare_file",
    "quote_in_source",
    "segment_document",
    "skip_textless",
    "unreadable",
]

log = logging.getLogger(__name__)


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
