"""The gist rows (store/gist_rows.py) of a PostgreSQL generation, so that replicas answer the
questions over every talk from stored rows, as the file store does, instead of each reading
every sentence.

The builder makes them once per part of `index_segment_documents` documents (cut as the file
store cuts its segments) and stores each part's pack of arrays (store/array_pack.py) in the
`gist` table; a part whose documents are those of a part of the live generation (same
segment name: sources, content, talk ids, chunking, model, `gist_min_terms`) is copied
inside the database, not made again. A replica writes each part it has not seen yet to a
local file named by its digest (`<index folder>/pg-gist/`) and memory-maps it: the page
cache holds one copy for every worker on the machine."""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from recapqa.gist_text import WordTerms
from recapqa.store import array_pack
from recapqa.store import segments as seg
from recapqa.store.gist_lookup import GistLookup
from recapqa.store.gist_rows import GistRows
from recapqa.store.pg_database import Database

if TYPE_CHECKING:
    from recapqa.store.documents import Plan

FOLDER = "pg-gist"
_COPY = (
    "INSERT INTO {s}.gist (generation, part, name, sentence_start, sentences, digest, data) "
    "SELECT %s, %s, name, %s, sentences, digest, data FROM {s}.gist WHERE generation = %s AND name = %s LIMIT 1"
)
_INSERT = (
    "INSERT INTO {s}.gist (generation, part, name, sentence_start, sentences, digest, data) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s)"
)


def write_parts(
    cur: Any, db: Database, generation: int, plan: Plan, every: int, min_terms: int, made_with: dict[str, Any]
) -> int:
    """Every part's gist rows into the `gist` table for `generation`; returns how many parts
    were made (the others copied from the live generation)."""
    cur.execute(db.sql("SELECT generation FROM {s}.live"))
    live = cur.fetchone()
    have: set[str] = set()
    if live is not None:
        cur.execute(db.sql("SELECT name FROM {s}.gist WHERE generation = %s"), (live[0],))
        have = {r[0] for r in cur.fetchall()}
    ranges, stems, made = plan.ranges("sentences"), WordTerms(), 0
    for number, (d0, d1) in enumerate(seg.cut([p.source for p in plan.parts], every)):
        parts = plan.parts[d0:d1]
        docs = [(p.source, p.print, [t.talk_id for t in p.talks]) for p in parts]
        name = seg.segment_name(docs, {**made_with, "gist_min_terms": min_terms})
        start, end = ranges[d0][0], ranges[d1 - 1][1]
        if name in have:
            cur.execute(db.sql(_COPY), (generation, number, start, live[0], name))
            continue
        if any(p.sentences is None for p in parts):
            raise ValueError("the PostgreSQL store parses every document of a build")
        rows = GistRows.concat([GistRows.of_part(p.talks, p.sentences or [], stems) for p in parts])
        data = array_pack.to_bytes(*rows.packed(min_terms))
        digest = hashlib.sha256(data).hexdigest()
        cur.execute(db.sql(_INSERT), (generation, number, name, start, end - start, digest, data))
        made += 1
    return made


def lookup(cur: Any, db: Database, generation: int, folder: Path, sentences: int) -> GistLookup | None:
    """The generation's gist rows, from local files (written from the database the first
    time); None when it has none (built before them) or they do not cover `sentences` rows."""
    cur.execute("SELECT to_regclass(%s)", (db.sql("{s}.gist"),))
    if cur.fetchone()[0] is None:
        return None
    cur.execute(
        db.sql("SELECT part, sentence_start, sentences, digest FROM {s}.gist WHERE generation = %s ORDER BY part"),
        (generation,),
    )
    parts = cur.fetchall()
    starts = [int(p[1]) for p in parts] + [int(parts[-1][1]) + int(parts[-1][2])] if parts else [0]
    if (
        not parts
        or starts[-1] != sentences
        or any(int(p[1]) + int(p[2]) != s for p, s in zip(parts, starts[1:], strict=True))
    ):
        return None
    folder.mkdir(parents=True, exist_ok=True)
    files = [folder / f"{p[3]}.npy" for p in parts]
    for (number, _, _, digest), path in zip(parts, files, strict=True):
        if not path.is_file():
            cur.execute(db.sql("SELECT data FROM {s}.gist WHERE generation = %s AND part = %s"), (generation, number))
            data = bytes(cur.fetchone()[0])
            if hashlib.sha256(data).hexdigest() != digest:
                raise ValueError(f"gist part {number} does not match its digest")
            _write(path, data)
    return GistLookup(files, starts)


def _write(path: Path, data: bytes) -> None:
    """Whole or not at all (another worker may read the same file)."""
    part = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        part.write_bytes(data)
        os.replace(part, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            part.unlink()
