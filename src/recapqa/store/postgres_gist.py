"""The gist rows (store/gist_rows.py) of a PostgreSQL generation, so that replicas answer the
questions over every talk from stored rows, as the file store does, instead of each reading
every sentence.

One part per segment (store/postgres_segments.py), named by the segment and `gist_min_terms`:
the builder makes the parts the database does not hold (after a one-file edit, that file's
segment's) and stores each one's pack of arrays (store/array_pack.py) in the `gist` table; a
generation lists its parts in row order. A replica writes each part it has not seen yet to a
local file named by its digest (`<index folder>/pg-gist/`) and memory-maps it: the page cache
holds one copy for every worker on the machine. Files of parts the database no longer holds
(neither the live generation nor the one before it lists them) are deleted by the builder
and by each replica when it loads."""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from recapqa.gist_text import WordTerms
from recapqa.store import array_pack
from recapqa.store.gist_lookup import GistLookup
from recapqa.store.gist_rows import GistRows
from recapqa.store.pg_database import Database

if TYPE_CHECKING:
    from recapqa.store.documents import Plan
    from recapqa.store.postgres_segments import Stored

FOLDER = "pg-gist"


def write_parts(cur: Any, db: Database, plan: Plan, stored: Stored, min_terms: int) -> tuple[list[str], int]:
    """Every segment's gist part into the `gist` table unless it is there; returns the
    parts' names in row order and how many were made."""
    names = [f"{name}:{min_terms}" for name in stored.names]
    cur.execute(db.sql("SELECT name FROM {s}.gist WHERE name = ANY(%s)"), (names,))
    have = {r[0] for r in cur.fetchall()}
    stems, made = WordTerms(), 0
    for name, (d0, d1) in zip(names, stored.cuts, strict=True):
        if name in have:
            continue
        parts = plan.parts[d0:d1]
        if any(p.sentences is None for p in parts):
            raise ValueError("the PostgreSQL store parses every document of a new segment")
        rows = GistRows.concat([GistRows.of_part(p.talks, p.sentences or [], stems) for p in parts])
        data = array_pack.to_bytes(*rows.packed(min_terms))
        digest = hashlib.sha256(data).hexdigest()
        sentences = sum(len(p.sentences or []) for p in parts)
        cur.execute(
            db.sql("INSERT INTO {s}.gist (name, sentences, digest, data) VALUES (%s, %s, %s, %s)"),
            (name, sentences, digest, data),
        )
        have.add(name)
        made += 1
    return names, made


def lookup(cur: Any, db: Database, names: list[str] | None, folder: Path, starts: list[int]) -> GistLookup | None:
    """The generation's gist rows, from local files (written from the database the first
    time); None when it has none or they do not cover the rows `starts` delimits."""
    if not names:
        return None
    cur.execute(db.sql("SELECT name, sentences, digest FROM {s}.gist WHERE name = ANY(%s)"), (names,))
    found = {r[0]: (int(r[1]), str(r[2])) for r in cur.fetchall()}
    if len(names) != len(starts) - 1 or any(
        name not in found or found[name][0] != end - start
        for name, start, end in zip(names, starts[:-1], starts[1:], strict=True)
    ):
        return None
    folder.mkdir(parents=True, exist_ok=True)
    files = [folder / f"{found[name][1]}.npy" for name in names]
    for name, path in zip(names, files, strict=True):
        if not path.is_file():
            cur.execute(db.sql("SELECT data FROM {s}.gist WHERE name = %s"), (name,))
            data = bytes(cur.fetchone()[0])
            if hashlib.sha256(data).hexdigest() != found[name][1]:
                raise ValueError(f"gist part {name} does not match its digest")
            _write(path, data)
    return GistLookup(files, starts)


def prune(cur: Any, db: Database, folder: Path) -> int:
    """Delete the local files of parts the database no longer holds; how many."""
    if not folder.is_dir():
        return 0
    cur.execute(db.sql("SELECT digest FROM {s}.gist"))
    keep = {r[0] for r in cur.fetchall()}
    removed = 0
    for path in folder.glob("*.npy"):
        if path.stem not in keep and not path.name.startswith("."):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed += 1
    return removed


def _write(path: Path, data: bytes) -> None:
    """Whole or not at all (another worker may read the same file)."""
    part = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        part.write_bytes(data)
        os.replace(part, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            part.unlink()
