"""The PostgreSQL backend (`RECAPQA_STORE=postgres`): one index shared by every replica.

Tables in the schema `RECAPQA_DATABASE_SCHEMA` (created on first publish; store/postgres_sql.py):

    layout(version)                                            how the tables are laid out
    generation(id, manifest, talks, chunk_count, avg_length, segments, gist, documents)
                                                               one row per published build
    live(generation)                                           the live one (one row)
                 words, words_state)                           + the corpus word tables and their sums
    segment(id, name, chunks, sentences, total_length,         rows by segment (store/postgres_segments.py),
            lengths, sentence_offsets, sentence_rows)          each chunk's BM25 length and sentence rows
    chunk(segment, row_no, data, embedding vector(384))
    term(segment, term, rows, tfs)                             BM25 postings (store/postgres_bm25.py)
    sentence(segment, row_no, data, embedding vector(384))
    gist(name, sentences, digest, data)                        gist rows per segment (store/postgres_gist.py)

(`generation.documents`: each notes file's content hash and rows, `documents.Plan.record()`,
so a build parses and embeds only new and changed files, as with the file store.)

A generation is its list of segments; a build inserts only the segments the database does
not hold (the changed files'), its generation row, and switches `live`, in one transaction,
so readers see the old index or the new one, never a mix, and a failed build leaves nothing;
the previous generation (and every segment it lists) is kept so replicas that have not
reloaded yet keep answering; segments no kept generation lists are deleted. Search reads the
live generation's segments. Dense search is exact while a generation is small; from
`RECAPQA_ANN_THRESHOLD` chunks on it uses one pgvector HNSW index over every stored chunk
(built after the first bulk insert, then kept up to date row by row), the rows of segments
the live generation does not list filtered out during the index scan (pgvector 0.8's
iterative scan, strict order, so filtered rows never leave fewer than k). The lexical side
is BM25 over per-term postings (the file store's own tokenizer: English stop words, Snowball
stemming), a question reading only its terms' postings, scored as bm25s scores
(store/postgres_bm25.py), so both stores rank alike.

Loading a generation reads its record, talks, corpus word tables and small per-segment
arrays (chunk lengths, each chunk's sentence rows): a few MB at 10k files. Chunk and
sentence rows and sentence vectors are read when a question asks for them
(store/postgres_rows.py), so a worker starts in seconds and holds what it answered from.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, cast

import numpy as np

from recapqa.errors import ConfigError, IndexCorruptError, IndexMissingError, IndexOlderError, RecapqaError
from recapqa.models import Chunk, Talk
from recapqa.sentences import Sentence
from recapqa.store import Index, check_compatible, postgres_gist
from recapqa.store import postgres_segments as pseg
from recapqa.store.documents import Reuse
from recapqa.store.files import REBUILD_FIX, write_pointer
from recapqa.store.interface import IndexContent
from recapqa.store.pg_database import Database
from recapqa.store.postgres_bm25 import Postings, unpack
from recapqa.store.postgres_reuse import LiveRows
from recapqa.store.postgres_rows import PgRows, PgVectors
from recapqa.store.postgres_schema import create_schema
from recapqa.store.postgres_search import PostgresVectorStore, starts_of
from recapqa.store.rows import ChunkSentences
from recapqa.store.vectors import HNSW_EF_CONSTRUCTION as FAISS_HNSW_EF_CONSTRUCTION
from recapqa.store.vectors import HNSW_M as FAISS_HNSW_M
from recapqa.store.vectors import default_ef_search

log = logging.getLogger(__name__)
# the FAISS graph's degree and build effort (store/vectors.py): at 10k files (145,848 real
# chunk vectors) pgvector's graph reached recall@10 1.000 against exact at ef_search 192 with
# them, 0.911 with pgvector's defaults (16, 64; bench/SCALE.md). hnsw.ef_search: the
# ann_ef_search setting, per query
HNSW_M, HNSW_EF_CONSTRUCTION = FAISS_HNSW_M, FAISS_HNSW_EF_CONSTRUCTION
# the live generation's columns `_live` reads by default (id and manifest first)
LIVE_KEYS = ("id", "manifest", "talks", "chunk_count", "avg_length", "segments", "gist")


class PostgresBackend:
    name = "postgres"

    def __init__(
        self,
        url: str,
        schema: str,
        index_dir: Path,
        ann_threshold: int = 0,
        segment_documents: int = 128,
        gist_min_terms: int = 4,
    ) -> None:
        try:
            import psycopg  # noqa: F401
        except ImportError as exc:
            raise ConfigError(
                "RECAPQA_STORE is postgres but the PostgreSQL driver is not installed",
                "pip install 'recapqa[postgres]' (psycopg), or unset RECAPQA_STORE",
            ) from exc
        self.db = Database(url, schema)
        self.index_dir = index_dir  # the build lock, the query encoder and a CURRENT pointer stay local
        self.ann_threshold = ann_threshold
        self.segment_documents = segment_documents
        self.gist_min_terms = gist_min_terms
        self.last_inserted: list[str] = []  # the segments the last publish wrote (for tests and reports)

    def manifest(self) -> dict[str, Any]:
        with self.db.transaction(read_only=True) as cur:
            return self._live(cur, LIVE_KEYS[:2])["manifest"]

    def _live(self, cur: Any, keys: tuple[str, ...] = LIVE_KEYS) -> dict[str, Any]:
        """The live generation's columns `keys` (the first two: id and manifest); the talks
        (~19 MB of JSON at 10k files) only when asked for."""
        pseg.check_layout(cur, self.db)
        columns = ", ".join(f"g.{key}" for key in keys)
        cur.execute(self.db.sql(f"SELECT {columns} FROM {{s}}.live l JOIN {{s}}.generation g ON g.id = l.generation"))
        row = cur.fetchone()
        if row is None:
            raise IndexMissingError(f"no index in the database (schema {self.db.schema})", "run `recapqa index`")
        check_compatible(row[1])
        return dict(zip(keys, row, strict=True))

    def load(self) -> Index:
        """The live generation: its record, talks, corpus tables and per-segment arrays; the
        rows and sentence vectors are read when asked for (store/postgres_rows.py)."""
        folder = self.index_dir / postgres_gist.FOLDER
        with self.db.transaction(read_only=True) as cur:
            live = self._live(cur)
            generation, manifest, segments = int(live["id"]), live["manifest"], [int(s) for s in live["segments"]]
            cur.execute(
                self.db.sql(
                    "SELECT id, chunks, sentences, lengths, sentence_offsets, sentence_rows "
                    "FROM {s}.segment WHERE id = ANY(%s)"
                ),
                (segments,),
            )
            arrays = {int(r[0]): r[1:] for r in cur.fetchall()}
            if any(s not in arrays for s in segments):
                raise IndexCorruptError(f"index generation {generation} lists a missing segment", REBUILD_FIX)
            cur.execute(self.db.sql("SELECT words FROM {s}.generation WHERE id = %s"), (generation,))
            words = cur.fetchone()[0]
            gist = postgres_gist.lookup(cur, self.db, live["gist"], folder, starts_of(arrays, segments, 1))
            postgres_gist.prune(cur, self.db, folder)
        chunk_starts, sentence_starts = starts_of(arrays, segments, 0), starts_of(arrays, segments, 1)
        counts, count = manifest.get("counts", {}), int(live["chunk_count"])
        if chunk_starts[-1] != count or counts.get("chunks") != count or counts.get("sentences") != sentence_starts[-1]:
            raise IndexCorruptError(f"index generation {generation} in the database has mismatched parts", REBUILD_FIX)
        lengths = np.concatenate([unpack(arrays[s][2]) for s in segments]) if segments else np.zeros(0, np.int64)
        offsets, rows = [np.zeros(1, dtype=np.int64)], []
        for at, segment in enumerate(segments):
            offsets.append(unpack(arrays[segment][3])[1:] + offsets[-1][-1])
            rows.append(unpack(arrays[segment][4]) + sentence_starts[at])
        by_chunk = ChunkSentences(np.concatenate(offsets), np.concatenate(rows) if rows else np.zeros(0, np.int64))
        lexical = Postings(lengths, dict(zip(segments, chunk_starts, strict=False)), float(live["avg_length"]))
        kind = manifest.get("store", {}).get("dense", "exact")
        return Index(
            path=self.index_dir / f"pg-{generation}",
            manifest=manifest,
            talks={t.talk_id: t for t in (Talk.from_dict(d) for d in live["talks"])},
            chunks=cast(list[Chunk], PgRows(self.db, "chunk", segments, chunk_starts, Chunk.from_dict)),
            sentences=cast(list[Sentence], PgRows(self.db, "sentence", segments, sentence_starts, Sentence.from_dict)),
            store=PostgresVectorStore(self.db, generation, segments, chunk_starts, lexical, kind),
            sentence_vectors=cast(np.ndarray, PgVectors(self.db, "sentence", segments, sentence_starts)),
            chunk_sentences=cast(list[list[int]], by_chunk),
            gist=gist,
            words=words,
        )

    def publish(self, content: IndexContent, manifest: dict[str, Any]) -> str:
        approximate = bool(self.ann_threshold) and len(content.chunks) >= self.ann_threshold
        hnsw = f"hnsw(m={HNSW_M}, ef_construction={HNSW_EF_CONSTRUCTION}, ef_search={default_ef_search()})"
        store = {"backend": self.name, "dense": "approximate" if approximate else "exact"}
        manifest = {**manifest, "store": {**store, "pgvector": hnsw if approximate else None}}
        talks = json.dumps([t.to_dict() for t in content.talks])
        assert content.plan is not None, "the PostgreSQL store needs the build's documents"
        made_with = {"chunking": content.plan.chunking, "model": manifest["model"]}
        documents = json.dumps(content.plan.record(), ensure_ascii=False)  # what the next build keeps
        with self.db.transaction() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"recapqa.{self.db.schema}",))
            pseg.replace_old_layout(cur, self.db)
            create_schema(cur, self.db)
            stored = pseg.write_segments(cur, self.db, content, self.segment_documents, made_with)
            gist, _ = postgres_gist.write_parts(cur, self.db, content.plan, stored, self.gist_min_terms)
            tables = pseg.corpus_tables(cur, self.db, content)
            words, words_state = (json.dumps(part, ensure_ascii=False) for part in tables)
            cur.execute(
                self.db.sql(
                    "INSERT INTO {s}.generation "
                    "(manifest, talks, chunk_count, avg_length, segments, gist, documents, words, words_state) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id"
                ),
                (
                    json.dumps(manifest),
                    talks,
                    stored.chunk_count,
                    stored.avg_length,
                    stored.ids,
                    gist,
                    documents,
                    words,
                    words_state,
                ),
            )
            generation = int(cur.fetchone()[0])
            if approximate:  # built once, after the first bulk insert (much faster than row by row)
                cur.execute(
                    self.db.sql(
                        "CREATE INDEX IF NOT EXISTS chunk_hnsw ON {s}.chunk USING hnsw (embedding vector_ip_ops) "
                        f"WITH (m = {HNSW_M}, ef_construction = {HNSW_EF_CONSTRUCTION})"
                    )
                )
            self._switch_live(cur, generation)
            pseg.drop_unused(cur, self.db)
        self.last_inserted = stored.inserted
        with self.db.transaction() as cur:
            postgres_gist.prune(cur, self.db, self.index_dir / postgres_gist.FOLDER)
        name = f"pg-{generation}"
        write_pointer(self.index_dir, name)  # workers on this machine notice the new index
        return name

    def live_record(self) -> tuple[dict[str, Any], list[Talk], Reuse]:
        """The live generation's manifest, talks and documents' record (no rows)."""
        with self.db.transaction(read_only=True) as cur:
            live = self._live(cur)
            cur.execute(self.db.sql("SELECT documents FROM {s}.generation WHERE id = %s"), (live["id"],))
            record = cur.fetchone()[0]
        return live["manifest"], [Talk.from_dict(t) for t in live["talks"]], Reuse(record, {})

    def live_rows(self) -> tuple[dict[str, Any], list[Talk], Reuse, dict[str, LiveRows]] | None:
        """The live generation as a build reuses it: its manifest, talks, documents' record,
        gist parts' local files, and its rows by kind, each segment read when first asked
        for (store/postgres_reuse.py). None without a usable one."""
        folder = self.index_dir / postgres_gist.FOLDER
        try:
            with self.db.transaction(read_only=True) as cur:
                live = self._live(cur)
                ids = [int(s) for s in live["segments"]]
                cur.execute(self.db.sql("SELECT documents FROM {s}.generation WHERE id = %s"), (live["id"],))
                record = cur.fetchone()[0]
                chunk_starts, sentence_starts = pseg.starts(cur, self.db, ids)
                files = postgres_gist.local_files(cur, self.db, live["gist"], folder)
        except KeyError:
            log.warning("the live index lists a missing segment; embedding everything again")
            return None
        except RecapqaError as exc:
            if not isinstance(exc, (IndexMissingError, IndexOlderError)):  # an older one: build._build said it
                log.warning("existing index unusable (%s); embedding everything again", exc.message)
            return None
        rows = {"chunks": LiveRows(self.db, ids, chunk_starts, "chunks")}
        rows["sentences"] = LiveRows(self.db, ids, sentence_starts, "sentences")
        gist = (files, sentence_starts) if files is not None else None
        reuse = Reuse(record, {kind: live_rows.rows() for kind, live_rows in rows.items()}, gist)
        return live["manifest"], [Talk.from_dict(t) for t in live["talks"]], reuse, rows

    def _switch_live(self, cur: Any, generation: int) -> None:
        """Make `generation` live; keep the one it replaces (replicas still on it), drop older ones."""
        cur.execute(self.db.sql("SELECT generation FROM {s}.live"))
        previous = cur.fetchone()
        cur.execute(
            self.db.sql(
                "INSERT INTO {s}.live (generation) VALUES (%s) "
                "ON CONFLICT (only_row) DO UPDATE SET generation = excluded.generation"
            ),
            (generation,),
        )
        keep = [generation] + ([int(previous[0])] if previous else [])
        cur.execute(self.db.sql("DELETE FROM {s}.generation WHERE id <> ALL(%s)"), (keep,))
