"""What a build indexes, document by document, reusing unchanged documents whole: a notes
file whose content hash (notes and sidecar, as `freshness.corpus_fingerprints` records it)
is the one the live generation indexed keeps its talks, chunks and sentences from that
generation, unparsed; only new and changed files are read, segmented, chunked and split.

Talk ids are the one thing a document shares with the others: the first document with a
slug keeps it, later ones get -2, -3... (`ingest.assign_ids`). A document is parsed on its
own (`ingest.prepare_document`) and its ids are assigned in one pass over every document's
slugs, kept or not (stored in `documents.json`); a kept document whose ids come out
different (another document's edit added or removed a talk with the same slug before it)
is parsed again. So the talks, chunks and sentences are the ones a build from scratch
makes, row for row."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recapqa.chunking import chunk_document
from recapqa.ingest import (
    PreparedDocument,
    assign_ids,
    corpus_files,
    finish_document,
    no_usable_notes,
    prepare_file,
    skip_textless,
)
from recapqa.models import Chunk, Talk
from recapqa.sentences import Sentence, document_sentences
from recapqa.settings import Settings
from recapqa.store.corpus_sums import DocRows
from recapqa.store.freshness import chunking_params, corpus_fingerprints
from recapqa.store.rows import RowRuns
from recapqa.store.segments import generation_rows, is_segmented
from recapqa.talk_mentions import all_aliases

FILE = "documents.json"
VERSION = 4  # 2: bm25_terms.VERSION 2; 3: each document's talk aliases; 4: rows in segments
# what a generation must hold for its documents to be reused, besides its segments (store/segments.py)
REUSED_FILES = (FILE, "talks.json")

log = logging.getLogger(__name__)


@dataclass
class Run:
    """Consecutive documents' rows: new (`chunks`, `sentences`), or the previous
    generation's rows [start, end) of each kind (`old`)."""

    chunks: list[Chunk] | None = None
    sentences: list[Sentence] | None = None
    old: dict[str, Any] | None = None


@dataclass
class Part:
    """One indexed document: new rows (`chunks`, `sentences`), or kept ones (`old`: its
    entry in the previous generation's record, whose row ranges hold them)."""

    source: str
    print: str
    slugs: list[str]
    talks: list[Talk]
    dropped: int
    chunks: list[Chunk] | None = None
    sentences: list[Sentence] | None = None
    old: dict[str, Any] | None = None

    def count(self, kind: str) -> int:
        rows = self.chunks if kind == "chunks" else self.sentences
        if rows is not None:
            return len(rows)
        assert self.old is not None
        return int(self.old[kind][1] - self.old[kind][0])

    def aliases(self) -> list[str]:
        if self.old is not None:
            return list(self.old["aliases"])
        return sorted(all_aliases(self.talks))

    def talk_sentences(self) -> list[int]:
        if self.sentences is None:
            assert self.old is not None
            return list(self.old["talk_sentences"])
        counts = dict.fromkeys((t.talk_id for t in self.talks), 0)
        for sentence in self.sentences:
            counts[sentence.talk_id] += 1
        return list(counts.values())


@dataclass
class Plan:
    parts: list[Part]
    prints: dict[str, str]  # every notes file's content hash (the manifest's `files`)
    stats: dict[str, list[int]]  # and its stat (`file_stats`)
    previous: Path | None  # the generation the kept parts' rows are in
    chunking: dict[str, Any]  # freshness.chunking_params the rows were made with
    skipped: list[tuple[str, str]] = field(default_factory=list)
    _rows: dict[str, RowRuns[Any]] = field(default_factory=dict)
    reuse: Reuse | None = None  # the kept parts' rows, when not in `previous`

    @property
    def kept(self) -> int:
        return sum(p.old is not None for p in self.parts)

    @property
    def talks(self) -> list[Talk]:
        return [t for p in self.parts for t in p.talks]

    def ranges(self, kind: str) -> list[tuple[int, int]]:
        """Each part's rows of `kind` ("chunks", "sentences") in the new generation."""
        out, start = [], 0
        for part in self.parts:
            out.append((start, start + part.count(kind)))
            start = out[-1][1]
        return out

    def rows(self, kind: str) -> RowRuns[Any]:
        if kind not in self._rows:
            make = Chunk.from_dict if kind == "chunks" else Sentence.from_dict
            old = self.reuse.rows.get(kind) if self.reuse is not None else None
            if old is None and self.previous and self.kept:
                old = generation_rows(self.previous, kind, make)
            runs: list[tuple[Sequence[Any], int, int]] = []
            for part in self.parts:
                fresh = part.chunks if kind == "chunks" else part.sentences
                if fresh is not None:
                    runs.append((fresh, 0, len(fresh)))
                else:
                    assert old is not None and part.old is not None
                    runs.append((old, *part.old[kind]))
            self._rows[kind] = RowRuns(runs)
        return self._rows[kind]

    def runs(self) -> list[Run]:
        """The parts' rows, consecutive kept parts merged: one piece per run of unchanged
        documents, not one per document."""
        out: list[Run] = []
        for part in self.parts:
            last = out[-1].old if out else None
            if part.old is not None and last is not None and _follows(last, part.old):
                out[-1].old = {k: [last[k][0], part.old[k][1]] for k in ("chunks", "sentences")}
            elif part.old is not None:
                out.append(Run(old={k: list(part.old[k]) for k in ("chunks", "sentences")}))
            else:
                out.append(Run(part.chunks, part.sentences))
        return out

    def aliases(self) -> frozenset[str]:
        """Every talk's aliases (talk_mentions.all_aliases), from each document's."""
        return frozenset(a for p in self.parts for a in p.aliases())

    def layout(self) -> list[DocRows]:
        """Where each document's rows go (corpus_words.update reads no kept row)."""
        out = []
        for part, chunks, sentences in zip(self.parts, self.ranges("chunks"), self.ranges("sentences"), strict=True):
            counts = list(zip((t.talk_id for t in part.talks), part.talk_sentences(), strict=True))
            out.append(DocRows(part.source, chunks, sentences, part.old is not None, counts))
        return out

    def record(self) -> dict[str, Any]:
        """`documents.json` of the generation being written."""
        docs, talk_start = [], 0
        for part, chunks, sentences in zip(self.parts, self.ranges("chunks"), self.ranges("sentences"), strict=True):
            docs.append(
                {
                    "source": part.source,
                    "print": part.print,
                    "slugs": part.slugs,
                    "talk_ids": [t.talk_id for t in part.talks],
                    "talks": [talk_start, talk_start + len(part.talks)],
                    "chunks": list(chunks),
                    "sentences": list(sentences),
                    "talk_sentences": part.talk_sentences(),
                    "dropped": part.dropped,
                    "aliases": part.aliases(),
                }
            )
            talk_start += len(part.talks)
        return {"version": VERSION, "chunking": self.chunking, "documents": docs}


def _follows(first: dict[str, Any], then: dict[str, Any]) -> bool:
    return all(first[k][1] == then[k][0] for k in ("chunks", "sentences"))


def _inside(path: Path, root: Path, parents: dict[Path, bool]) -> bool:
    """Is the file in the corpus folder, links resolved? (Each folder resolved once.)"""
    if path.is_symlink():
        return path.resolve().is_relative_to(root)
    if path.parent not in parents:
        parents[path.parent] = path.parent.resolve().is_relative_to(root)
    return parents[path.parent]


def previous_record(generation: Path | None, settings: Settings) -> dict[str, dict[str, Any]]:
    """The previous generation's documents by source, when they can be reused: same
    chunking settings and pipeline, every file they need present."""
    if generation is None or not all((generation / name).is_file() for name in REUSED_FILES):
        return {}
    if not is_segmented(generation):
        return {}  # an older layout: every file is parsed once
    try:
        return usable_record(json.loads((generation / FILE).read_text(encoding="utf-8")), settings)
    except (OSError, ValueError) as exc:
        log.info("previous documents record unusable (%s); parsing every notes file", exc)
        return {}


def usable_record(record: Any, settings: Settings) -> dict[str, dict[str, Any]]:
    """A generation's `Plan.record()` by source, when it was made with these settings."""
    try:
        if record.get("version") != VERSION or record.get("chunking") != chunking_params(settings):
            return {}
        return {d["source"]: d for d in record["documents"]}
    except (KeyError, TypeError, AttributeError) as exc:
        log.info("previous documents record unusable (%s); parsing every notes file", exc)
        return {}


@dataclass
class Reuse:
    """A live generation held elsewhere than in a folder (PostgreSQL): its `Plan.record()`,
    its rows, loaded, and its gist parts (store/gist_rows.py files, each part's first
    sentence row and the row count last) when they are at hand."""

    record: Any
    rows: dict[str, Sequence[Any]]  # "chunks", "sentences"
    gist: tuple[list[Path], list[int]] | None = None


def gather(
    corpus_dir: Path,
    settings: Settings,
    previous: Path | None = None,
    manifest: dict[str, Any] | None = None,
    talks: list[Talk] | None = None,
    reuse: Reuse | None = None,
) -> Plan:
    """The documents to index: kept from `previous` (the live generation, whose manifest
    is `manifest` and talks `talks`, read from it when not given; or `reuse`) where their
    content hash is unchanged, parsed again otherwise."""
    stats: dict[str, list[int]] = {}
    paths = corpus_files(corpus_dir)
    prints = corpus_fingerprints(corpus_dir, known=manifest, stats=stats, paths=paths)
    record = previous_record(previous, settings) if reuse is None else usable_record(reuse.record, settings)
    plan = Plan([], prints, stats, previous if record else None, chunking_params(settings))
    if reuse is not None and record:
        plan.reuse = reuse
    found: list[tuple[Path, PreparedDocument | None, dict[str, Any] | None]] = []
    root, parents = corpus_dir.resolve(), dict[Path, bool]()
    for path in paths:
        source = path.relative_to(corpus_dir).as_posix()
        old = record.get(source)
        if old is not None and old["print"] == prints.get(source) and _inside(path, root, parents):
            found.append((path, None, old))
        elif (prepared := prepare_file(corpus_dir, path, plan.skipped)) is not None:
            found.append((path, prepared, None))
    old_talks = talks
    used: set[str] = set()
    for path, prepared, old in found:
        slugs = old["slugs"] if old is not None else prepared.slugs if prepared else []
        ids = assign_ids(slugs, used)
        if old is not None and ids == old["talk_ids"]:
            if old_talks is None:
                assert plan.previous is not None
                data = json.loads((plan.previous / "talks.json").read_text(encoding="utf-8"))
                old_talks = [Talk.from_dict(t) for t in data]
            kept = old_talks[old["talks"][0] : old["talks"][1]]
            plan.parts.append(Part(old["source"], old["print"], slugs, kept, old["dropped"], old=old))
            continue
        if prepared is None:  # kept, but its talk ids changed: parse it again
            prepared = prepare_file(corpus_dir, path, plan.skipped)
            if prepared is None:
                continue
        parsed, warnings = finish_document(prepared, ids)
        for warning in warnings:
            log.warning("%s", warning)
        source = parsed.document.source
        if not parsed.sections:
            skip_textless(source, plan.skipped)
            continue
        chunks = chunk_document(parsed, settings.chunk_max_tokens, settings.chunk_overlap_tokens)
        new_talks = [s.talk for s in parsed.sections]
        dropped = len(parsed.document.dropped)
        sentences = document_sentences(parsed)
        part = Part(source, prints.get(source, ""), prepared.slugs, new_talks, dropped, chunks, sentences)
        plan.parts.append(part)
    if not plan.parts:
        raise no_usable_notes(corpus_dir, plan.skipped)
    return plan
