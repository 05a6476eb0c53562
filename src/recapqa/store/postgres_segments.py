"""The rows of a PostgreSQL generation, stored by segment (store/postgres.py).

A generation is the list of its segments (store/segments.py: runs of about
`index_segment_documents` notes files, cut where the file store cuts them, named by a hash
of their documents' paths, content hashes and talk ids, the chunking settings and the
model), each with its chunk, sentence and BM25 term rows (`row_no` counted from the
segment's first row). A build inserts only the segments the database does not hold yet:
after a one-file edit, that file's segment. Segments and gist parts that neither the live
generation nor the one before it lists are deleted in the transaction that switches the
live generation, their rows with them."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from recapqa.errors import IndexNewerError, IndexOlderError
from recapqa.store import OLDER, sentences_by_chunk
from recapqa.store import segments as seg
from recapqa.store.lexical import tokenize
from recapqa.store.pg_database import Database
from recapqa.store.postgres_bm25 import postings
from recapqa.store.postgres_sql import LAYOUT, OLD_TABLES, vector_literal
from recapqa.store.rows import ChunkSentences

if TYPE_CHECKING:
    from recapqa.store.interface import IndexContent

# how the index of a schema laid out by another version is reported (its table layout, then ours)
OLD_LAYOUT = (
    OLDER + " (PostgreSQL schema {schema} has an older layout: table layout {found}; this version's is {layout})",
    "run `recapqa index`: it replaces it with this version's layout (every chunk is embedded again)",
)
NEWER_LAYOUT = (
    "the index in PostgreSQL schema {schema} was written by a newer recapqa (table layout {found}); "
    "this version reads table layout {layout} and leaves it as it is",
    "upgrade recapqa to the version that built it, or run `recapqa index --rebuild` to replace it "
    "with an index of this version (built again from the corpus)",
)


@dataclass
class Stored:
    """What a generation row records of its segments."""

    ids: list[int]  # in row order
    names: list[str]
    cuts: list[tuple[int, int]]  # each one's documents [start, end) in the plan
    chunk_count: int
    avg_length: float  # chunks' mean BM25 length
    inserted: list[str]  # the names of the segments this build wrote


def layout(cur: Any, db: Database) -> int | None:
    """The schema's layout (`postgres_sql.LAYOUT`; 1: an older version's tables without a
    `layout` table), or None (no index)."""
    cur.execute("SELECT to_regclass(%s), to_regclass(%s)", (db.sql("{s}.layout"), db.sql("{s}.generation")))
    has_layout, has_generation = cur.fetchone()
    if has_layout is not None:
        cur.execute(db.sql("SELECT version FROM {s}.layout"))
        found = cur.fetchone()
        return int(found[0]) if found else None
    return 1 if has_generation is not None else None


def check_layout(cur: Any, db: Database) -> None:
    """IndexOlderError for a schema an older version laid out (the next build replaces
    it), IndexNewerError for a newer version's (left as it is; only `--rebuild` replaces it)."""
    found = layout(cur, db)
    if found is None or found == LAYOUT:
        return
    error, (message, fix) = (IndexNewerError, NEWER_LAYOUT) if found > LAYOUT else (IndexOlderError, OLD_LAYOUT)
    raise error(message.format(schema=db.schema, found=found, layout=LAYOUT), fix)


def replace_old_layout(cur: Any, db: Database) -> None:
    """Drop an older layout's tables (in the build's transaction: a failed build keeps them)."""
    found = layout(cur, db)
    if found is not None and found != LAYOUT:
        cur.execute(db.sql("DROP TABLE IF EXISTS {s}.segment CASCADE"))
        cur.execute(db.sql("DROP TABLE IF EXISTS " + ", ".join(f"{{s}}.{t}" for t in OLD_TABLES) + " CASCADE"))
        cur.execute(db.sql("DROP TABLE IF EXISTS {s}.layout"))


def write_segments(cur: Any, db: Database, content: IndexContent, every: int, made_with: dict[str, Any]) -> Stored:
    """Insert the segments of `content` the database does not hold; the ids of all of them."""
    plan = content.plan
    if plan is None:
        raise ValueError("the PostgreSQL store needs the build's documents (IndexContent.plan)")
    chunk_ranges, sentence_ranges = plan.ranges("chunks"), plan.ranges("sentences")
    cuts = seg.cut([p.source for p in plan.parts], every)
    names = []
    for d0, d1 in cuts:
        docs = [(p.source, p.print, [t.talk_id for t in p.talks]) for p in plan.parts[d0:d1]]
        names.append(seg.segment_name(docs, {**made_with, "postgres_layout": LAYOUT}))
    cur.execute(db.sql("SELECT name, id, chunks, total_length FROM {s}.segment WHERE name = ANY(%s)"), (names,))
    have = {r[0]: (int(r[1]), int(r[2]), int(r[3])) for r in cur.fetchall()}
    ids, inserted, chunks, total = [], [], 0, 0
    for name, (d0, d1) in zip(names, cuts, strict=True):
        if name not in have:
            rows = (chunk_ranges[d0][0], chunk_ranges[d1 - 1][1]), (sentence_ranges[d0][0], sentence_ranges[d1 - 1][1])
            have[name] = _insert(cur, db, name, content, *rows)
            inserted.append(name)
        ids.append(have[name][0])
        chunks, total = chunks + have[name][1], total + have[name][2]
    avg_length = max(total / chunks, 1e-9) if chunks else 1.0
    return Stored(ids, names, cuts, chunks, avg_length, inserted)


def _insert(
    cur: Any,
    db: Database,
    name: str,
    content: IndexContent,
    chunk_rows: tuple[int, int],
    sentence_rows: tuple[int, int],
) -> tuple[int, int, int]:
    """One segment's rows; (its id, its chunk count, its chunks' total BM25 length)."""
    (c0, c1), (s0, s1) = chunk_rows, sentence_rows
    chunks = [content.chunks[i] for i in range(c0, c1)]
    sentences = [content.sentences[i] for i in range(s0, s1)]
    tokens = tokenize([c.embed_text for c in chunks]) if chunks else []
    total = sum(len(t) for t in tokens)
    lengths = np.array([len(t) for t in tokens], dtype="<i4").tobytes()
    by_chunk = ChunkSentences.of(sentences_by_chunk(chunks, sentences))  # rows counted from the segment's first
    cur.execute(
        db.sql(
            "INSERT INTO {s}.segment (name, chunks, sentences, total_length, lengths, sentence_offsets, sentence_rows) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id"
        ),
        (name, c1 - c0, s1 - s0, total, lengths, _int32(by_chunk.offsets), _int32(by_chunk.rows)),
    )
    segment = int(cur.fetchone()[0])
    with cur.copy(db.sql("COPY {s}.chunk (segment, row_no, data, embedding) FROM STDIN")) as copy:
        for row, chunk in enumerate(chunks):
            data = json.dumps(chunk.to_dict(), ensure_ascii=False)
            copy.write_row((segment, row, data, vector_literal(content.chunk_vectors[c0 + row])))
    with cur.copy(db.sql("COPY {s}.term (segment, term, rows, tfs) FROM STDIN")) as copy:
        for term, (rows, tfs) in postings(tokens).items():
            copy.write_row((segment, term, rows, tfs))
    with cur.copy(db.sql("COPY {s}.sentence (segment, row_no, data, embedding) FROM STDIN")) as copy:
        for row, sentence in enumerate(sentences):
            data = json.dumps(sentence.to_dict(), ensure_ascii=False)
            copy.write_row((segment, row, data, vector_literal(content.sentence_vectors[s0 + row])))
    return segment, c1 - c0, total


def _int32(values: np.ndarray) -> bytes:
    return np.asarray(values).astype("<i4").tobytes()


def drop_unused(cur: Any, db: Database) -> None:
    """Delete the segments and gist parts no remaining generation lists (rows cascade)."""
    cur.execute(
        db.sql(
            "DELETE FROM {s}.segment x WHERE NOT EXISTS (SELECT 1 FROM {s}.generation g WHERE x.id = ANY(g.segments))"
        )
    )
    cur.execute(
        db.sql("DELETE FROM {s}.gist x WHERE NOT EXISTS (SELECT 1 FROM {s}.generation g WHERE x.name = ANY(g.gist))")
    )


def starts(cur: Any, db: Database, ids: list[int]) -> tuple[list[int], list[int]]:
    """The global row of each segment's first chunk and first sentence, and the totals."""
    cur.execute(db.sql("SELECT id, chunks, sentences FROM {s}.segment WHERE id = ANY(%s)"), (ids,))
    counts = {int(r[0]): (int(r[1]), int(r[2])) for r in cur.fetchall()}
    chunk_starts, sentence_starts = [0], [0]
    for segment in ids:
        if segment not in counts:
            raise KeyError(segment)
        chunk_starts.append(chunk_starts[-1] + counts[segment][0])
        sentence_starts.append(sentence_starts[-1] + counts[segment][1])
    return chunk_starts, sentence_starts


def corpus_tables(cur: Any, db: Database, content: IndexContent) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The corpus word tables of `content` and their sums (store/corpus_words.py), the live
    generation's sums updated for the documents that changed, as the file store does."""
    from recapqa.store import corpus_sums, corpus_words

    plan = content.plan
    assert plan is not None
    stored: tuple[corpus_sums.State | None, corpus_sums.OldRows] | None = None
    current = (corpus_words.VERSION, corpus_sums.STATE_VERSION)
    if plan.reuse is not None:
        cur.execute(  # of the tables, only what the update reads (not their other ~3 MB at 10k files)
            db.sql(
                "SELECT g.words->'version', g.words->'term_counts', g.words_state "
                "FROM {s}.live l JOIN {s}.generation g ON g.id = l.generation"
            )
        )
        version, term_counts, sums = cur.fetchone() or (None, None, None)
        if term_counts is not None and isinstance(sums, dict) and (version, sums.get("version")) == current:
            old_rows = (plan.reuse.rows["chunks"], plan.reuse.rows["sentences"])
            stored = (sums, Counter(term_counts)), old_rows
    return corpus_words.update(
        content.talks, content.chunks, content.sentences, None, plan.layout(), plan.aliases(), stored
    )
