"""What a PostgreSQL build reuses of the live generation, read by segment when asked for.

A re-index after a one-file edit needs, of the live generation, its documents' record (which
notes files are unchanged), its talks, and the rows and vectors of one segment: the one
holding the edited file, whose kept documents' rows are written again with it, and whose
old texts' vectors are reused by text. Every other segment is kept as it is in the database
(store/postgres_segments.py), so its rows are never read. `LiveRows` gives the kept
documents' rows and vectors as sequences over the whole generation, each segment fetched on
its first read (`read` counts them), and seeds the vector cache with the rows of the
documents that changed or went away (their old texts, by digest, as a file-store re-index
reuses them)."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from recapqa.errors import IndexCorruptError
from recapqa.models import Chunk
from recapqa.sentences import Sentence
from recapqa.store.pg_database import Database
from recapqa.store.postgres_sql import stack_vectors
from recapqa.store.vector_reuse import VectorCache, add_file_index, text_key

if TYPE_CHECKING:
    from pathlib import Path

    from recapqa.settings import Settings
    from recapqa.store.documents import Plan
    from recapqa.store.journal import EmbeddingJournal
    from recapqa.store.postgres import PostgresBackend

RETRY = "run `recapqa index` again"
KINDS = {"chunks": ("chunk", Chunk.from_dict), "sentences": ("sentence", Sentence.from_dict)}


class LiveRows:
    """One kind's rows ("chunks", "sentences") and vectors of the live generation's segments
    `ids` (each one's first row in `starts`, the total last), fetched a segment at a time."""

    def __init__(self, db: Database, ids: list[int], starts: list[int], kind: str) -> None:
        self.db, self.ids, self.starts, self.kind = db, ids, starts, kind
        self.loaded: dict[int, tuple[list[Any], np.ndarray]] = {}  # by position in `ids`

    @property
    def read(self) -> int:
        """Rows read from the database so far."""
        return sum(len(rows) for rows, _ in self.loaded.values())

    def segment(self, at: int) -> tuple[list[Any], np.ndarray]:
        if at not in self.loaded:
            table, make = KINDS[self.kind]
            sql = f"SELECT data, vector_send(embedding) FROM {{s}}.{table} WHERE segment = %s ORDER BY row_no"
            with self.db.transaction(read_only=True) as cur:
                cur.execute(self.db.sql(sql), (self.ids[at],), binary=True)
                found = cur.fetchall()
            if len(found) != self.starts[at + 1] - self.starts[at]:  # a build elsewhere dropped it since
                raise IndexCorruptError(f"segment {self.ids[at]} of the live index changed during the build", RETRY)
            self.loaded[at] = [make(r[0]) for r in found], stack_vectors([r[1] for r in found], self.db.dimension)
        return self.loaded[at]

    def locate(self, row: int) -> tuple[int, int]:
        """(segment position, row in it) of a row of the generation."""
        at = bisect.bisect_right(self.starts, row) - 1
        return at, row - self.starts[at]

    def rows(self) -> LazyRows:
        return LazyRows(self, 0, self.starts[-1], vectors=False)

    def vectors(self) -> LazyRows:
        return LazyRows(self, 0, self.starts[-1], vectors=True)

    def seed(self, plan: Plan, cache: VectorCache) -> set[str]:
        """Put in `cache` the vectors of the rows of the record's documents the plan does not
        keep (changed or removed), by text; their ids (chunks), for counting what went away."""
        kept = {p.source for p in plan.parts if p.old is not None}
        record = plan.reuse.record["documents"] if plan.reuse is not None else []
        kind, ids = "c" if self.kind == "chunks" else "s", set()
        for doc in record:
            if doc["source"] in kept:
                continue
            for row in range(*doc[self.kind]):
                at, offset = self.locate(row)
                rows, vectors = self.segment(at)
                cache.known.setdefault(text_key(kind, rows[offset].embed_text), vectors[offset])
                ids.add(getattr(rows[offset], "chunk_id", ""))
        return ids


class LazyRows(Sequence[Any]):
    """Rows [start, stop) of a `LiveRows`: its rows or its vectors, read as a list or an
    array is. Slices are views (no row read); an index reads the row's segment once."""

    def __init__(self, live: LiveRows, start: int, stop: int, vectors: bool) -> None:
        self.live, self.start, self.stop, self.vectors = live, start, stop, vectors
        self.shape = (stop - start, live.db.dimension)

    def __len__(self) -> int:
        return self.stop - self.start

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            assert step == 1, "a view of consecutive rows"
            return LazyRows(self.live, self.start + start, self.start + max(start, stop), self.vectors)
        index = int(index)
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        at, offset = self.live.locate(self.start + index % len(self))
        return self.live.segment(at)[1 if self.vectors else 0][offset]


def plan_on_live(
    backend: PostgresBackend, corpus_dir: Path, settings: Settings, journal: EmbeddingJournal, force: bool
) -> tuple[Plan, VectorCache, set[str] | None]:
    """A PostgreSQL build's documents and vector cache: unchanged notes files kept from the
    live generation (their rows read only where a changed segment rewrites them), the old
    texts of the others ready for reuse, and those others' old chunk ids (None without a
    live generation: then the file index in the folder offers its vectors, when there is one)."""
    from recapqa.store.documents import gather

    live = None if force else backend.live_rows()
    cache = VectorCache(journal.load())
    if live is None:
        if not force:
            add_file_index(cache, backend.index_dir, settings)
        return gather(corpus_dir, settings), cache, None
    manifest, talks, reuse, rows = live
    plan = gather(corpus_dir, settings, None, manifest, talks, reuse=reuse)
    no_digests = np.zeros((0, 20), dtype=np.uint8)  # old texts are found among `known`, filled by `seed`
    for kind, key in (("chunks", "c"), ("sentences", "s")):  # kept rows' vectors: read as an array is
        cache.add_index(key, no_digests, cast(np.ndarray, rows[kind].vectors()))
    gone = rows["chunks"].seed(plan, cache)
    rows["sentences"].seed(plan, cache)
    return plan, cache, gone
