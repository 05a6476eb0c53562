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

import bisect
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
    from recapqa.store.documents import Part, Plan
    from recapqa.store.postgres_segments import Stored

FOLDER = "pg-gist"


def write_parts(cur: Any, db: Database, plan: Plan, stored: Stored, min_terms: int) -> tuple[list[str], int]:
    """Every segment's gist part into the `gist` table unless it is there; returns the
    parts' names in row order and how many were made."""
    names = [f"{name}:{min_terms}" for name in stored.names]
    cur.execute(db.sql("SELECT name FROM {s}.gist WHERE name = ANY(%s)"), (names,))
    have = {r[0] for r in cur.fetchall()}
    stems, made, ranges = WordTerms(), 0, plan.ranges("sentences")
    old = _Old(plan.reuse.gist if plan.reuse is not None else None)
    for name, (d0, d1) in zip(names, stored.cuts, strict=True):
        if name in have:
            continue
        pieces = []
        for at in range(d0, d1):
            part = plan.parts[at]
            kept = old.part(part) if part.sentences is None else None
            if kept is None:  # a kept document whose rows could not be sliced: from its sentences
                rows = part.sentences if part.sentences is not None else plan.rows("sentences")[slice(*ranges[at])]
                kept = GistRows.of_part(part.talks, rows, stems)
            pieces.append(kept)
        data = array_pack.to_bytes(*GistRows.concat(pieces).packed(min_terms))
        digest = hashlib.sha256(data).hexdigest()
        sentences = ranges[d1 - 1][1] - ranges[d0][0]
        cur.execute(
            db.sql("INSERT INTO {s}.gist (name, sentences, digest, data) VALUES (%s, %s, %s, %s)"),
            (name, sentences, digest, data),
        )
        have.add(name)
        made += 1
    return names, made


class _Old:
    """The live generation's gist parts: a kept document's rows sliced from its part, as
    the file store does (store/generation.py), not made again from its sentences."""

    def __init__(self, parts: tuple[list[Path], list[int]] | None) -> None:
        self.files, self.starts = parts or ([], [0])
        self.loaded: dict[int, GistRows] = {}

    def part(self, part: Part) -> GistRows | None:
        if part.old is None or not self.files:
            return None
        s0, s1 = part.old["sentences"]
        at = min(bisect.bisect_right(self.starts, s0) - 1, len(self.files) - 1)
        if not self.starts[at] <= s0 <= s1 <= self.starts[at + 1]:
            return None
        try:
            if at not in self.loaded:
                self.loaded[at] = GistRows.load(self.files[at])
            rows = self.loaded[at]
            t0 = rows.talk_start(part.talks[0].talk_id) if part.talks else 0
            return rows.part((s0 - self.starts[at], s1 - self.starts[at]), (t0, t0 + len(part.talks)))
        except (OSError, ValueError, KeyError):
            return None


def local_files(cur: Any, db: Database, names: list[str] | None, folder: Path) -> list[Path] | None:
    """The local files of the parts `names`, when every one is there."""
    if not names:
        return None
    cur.execute(db.sql("SELECT name, digest FROM {s}.gist WHERE name = ANY(%s)"), (names,))
    digests = dict(cur.fetchall())
    files = [folder / f"{digests.get(name)}.npy" for name in names]
    return files if all(name in digests for name in names) and all(f.is_file() for f in files) else None


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
