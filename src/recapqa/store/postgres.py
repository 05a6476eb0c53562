"""The PostgreSQL backend (`RECAPQA_STORE=postgres`): one index shared by every replica.

Tables in the schema `RECAPQA_DATABASE_SCHEMA` (created on first publish):

    generation(id, manifest, talks, chunk_count, avg_length)   one row per published build
    live(generation)                                           the live one (one row)
    chunk(generation, row_no, data, embedding vector(384), lexemes tsvector, length)
    term(generation, term, df)                                 document frequencies for BM25
    sentence(generation, row_no, data, embedding vector(384))
    gist(generation, part, name, sentence_start, sentences, digest, data)   gist rows per part
                                                               (store/postgres_gist.py)

A build inserts a whole generation and switches `live` in one transaction, so readers see
the old index or the new one, never a mix; the previous generation is kept so replicas that
have not reloaded yet keep answering. Dense search is exact while a generation is small and
uses a pgvector HNSW index (built after the bulk insert, partial on that generation) from
`RECAPQA_ANN_THRESHOLD` chunks on. The lexical side is Postgres full-text search: the chunks'
lexemes (the file store's own tokenizer: English stop words, Snowball stemming) with their
positions in a `tsvector` under a GIN index, matched with `@@`, ranked by BM25 (Lucene
variant, as bm25s) computed from the positions, so both stores rank alike.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from recapqa.embed import active_model
from recapqa.errors import ConfigError, DatabaseError, IndexCorruptError, IndexMissingError
from recapqa.models import Chunk, Talk
from recapqa.sentences import Sentence
from recapqa.store import Index, check_compatible, postgres_gist
from recapqa.store.files import REBUILD_FIX, write_pointer
from recapqa.store.interface import IndexContent
from recapqa.store.lexical import tokenize
from recapqa.store.pg_database import Database
from recapqa.store.postgres_sql import (
    BM25,
    K1,
    SCHEMA,
    B,
    lexemes_literal,
    parse_vector,
    quote_lexeme,
    vector_literal,
)
from recapqa.store.vectors import default_ef_search

HNSW_M, HNSW_EF_CONSTRUCTION = 16, 64  # hnsw.ef_search: the ann_ef_search setting, per query


class PostgresVectorStore:
    """Search over one generation; rows are `row_no`, the positions in `Index.chunks`."""

    def __init__(self, db: Database, generation: int, size: int, avg_length: float, kind: str) -> None:
        self._db = db
        self.generation = generation
        self._size = size
        self._avg_length = avg_length
        self.kind = kind

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        k = min(k, self._size)
        if k <= 0:
            return []
        approximate = self.kind == "approximate" and k <= 1000
        order = "embedding <#> %(q)s::vector" + ("" if approximate else ", row_no")
        sql = self._db.sql(
            "SELECT row_no, -(embedding <#> %(q)s::vector) FROM {s}.chunk WHERE generation = %(g)s "
            f"ORDER BY {order} LIMIT %(k)s"
        )
        with self._db.transaction() as cur:
            if approximate:
                cur.execute(f"SET LOCAL hnsw.ef_search = {max(default_ef_search(), k)}")
                cur.execute("SET LOCAL enable_seqscan = off")  # the generation's HNSW index, even when small
            else:
                cur.execute("SET LOCAL enable_indexscan = off")  # exact: no HNSW, whatever the planner thinks
            cur.execute(sql, {"q": vector_literal(query.reshape(-1)), "g": self.generation, "k": k})
            return [(int(row), float(score)) for row, score in cur.fetchall()]

    def search_text(self, text: str, k: int) -> list[tuple[int, float]]:
        terms = tokenize([text])[0]
        k = min(k, self._size)
        if not terms or k <= 0:
            return []
        params = {
            "terms": terms,
            "query": " | ".join(quote_lexeme(t) for t in set(terms)),
            "g": self.generation,
            "n": self._size,
            "k1": K1,
            "b": B,
            "avg": self._avg_length,
            "k": k,
        }
        with self._db.transaction() as cur:
            cur.execute(self._db.sql(BM25), params)
            return [(int(row), float(score)) for row, score in cur.fetchall() if score > 0]

    def chunk_vectors(self) -> np.ndarray:
        sql = self._db.sql("SELECT embedding::text FROM {s}.chunk WHERE generation = %s ORDER BY row_no")
        with self._db.transaction(read_only=True) as cur:
            cur.execute(sql, (self.generation,))
            rows = [parse_vector(r[0]) for r in cur.fetchall()]
        return np.stack(rows) if rows else np.zeros((0, self._db.dimension), dtype=np.float32)

    def __len__(self) -> int:
        return self._size


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

    def manifest(self) -> dict[str, Any]:
        with self.db.transaction(read_only=True) as cur:
            return self._live(cur)[1]

    def _live(self, cur: Any) -> tuple[int, dict[str, Any], list[dict[str, Any]], int, float]:
        cur.execute(
            self.db.sql(
                "SELECT g.id, g.manifest, g.talks, g.chunk_count, g.avg_length "
                "FROM {s}.live l JOIN {s}.generation g ON g.id = l.generation"
            )
        )
        row = cur.fetchone()
        if row is None:
            raise IndexMissingError(f"no index in the database (schema {self.db.schema})", "run `recapqa index`")
        check_compatible(row[1])
        return int(row[0]), row[1], row[2], int(row[3]), float(row[4])

    def load(self) -> Index:
        with self.db.transaction(read_only=True) as cur:
            generation, manifest, talks, count, avg_length = self._live(cur)
            cur.execute(self.db.sql("SELECT data FROM {s}.chunk WHERE generation = %s ORDER BY row_no"), (generation,))
            chunks = [Chunk.from_dict(r[0]) for r in cur.fetchall()]
            cur.execute(
                self.db.sql("SELECT data, embedding::text FROM {s}.sentence WHERE generation = %s ORDER BY row_no"),
                (generation,),
            )
            rows = cur.fetchall()
            gist = postgres_gist.lookup(cur, self.db, generation, self.index_dir / postgres_gist.FOLDER, len(rows))
        sentences = [Sentence.from_dict(r[0]) for r in rows]
        vectors = np.stack([parse_vector(r[1]) for r in rows]) if rows else np.zeros((0, self.db.dimension), np.float32)
        counts = manifest.get("counts", {})
        if len(chunks) != count or counts.get("chunks") != count or counts.get("sentences") != len(sentences):
            raise IndexCorruptError(f"index generation {generation} in the database has mismatched parts", REBUILD_FIX)
        kind = manifest.get("store", {}).get("dense", "exact")
        return Index(
            path=self.index_dir / f"pg-{generation}",
            manifest=manifest,
            talks={t.talk_id: t for t in (Talk.from_dict(d) for d in talks)},
            chunks=chunks,
            sentences=sentences,
            store=PostgresVectorStore(self.db, generation, count, avg_length, kind),
            sentence_vectors=vectors,
            gist=gist,
        )

    def publish(self, content: IndexContent, manifest: dict[str, Any]) -> str:
        tokens = tokenize([c.embed_text for c in content.chunks]) if content.chunks else []
        avg_length = max(float(np.mean([len(t) for t in tokens])), 1e-9) if tokens else 1.0
        approximate = bool(self.ann_threshold) and len(content.chunks) >= self.ann_threshold
        hnsw = f"hnsw(m={HNSW_M}, ef_construction={HNSW_EF_CONSTRUCTION}, ef_search={default_ef_search()})"
        store = {"backend": self.name, "dense": "approximate" if approximate else "exact"}
        manifest = {**manifest, "store": {**store, "pgvector": hnsw if approximate else None}}
        talks = json.dumps([t.to_dict() for t in content.talks])
        with self.db.transaction() as cur:
            self._create_schema(cur)
            cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"recapqa.{self.db.schema}",))
            cur.execute(
                self.db.sql(
                    "INSERT INTO {s}.generation (manifest, talks, chunk_count, avg_length) "
                    "VALUES (%s, %s, %s, %s) RETURNING id"
                ),
                (json.dumps(manifest), talks, len(content.chunks), avg_length),
            )
            generation = int(cur.fetchone()[0])
            self._copy_rows(cur, generation, content, tokens)
            if content.plan is not None:
                made_with = {"chunking": content.plan.chunking, "model": manifest["model"]}
                every, min_terms = self.segment_documents, self.gist_min_terms
                postgres_gist.write_parts(cur, self.db, generation, content.plan, every, min_terms, made_with)
            if approximate:  # built after the bulk insert: much faster than row by row
                cur.execute(
                    self.db.sql(
                        f"CREATE INDEX chunk_hnsw_{generation} ON {{s}}.chunk USING hnsw (embedding vector_ip_ops) "
                        f"WITH (m = {HNSW_M}, ef_construction = {HNSW_EF_CONSTRUCTION}) WHERE generation = {generation}"
                    )
                )
            self._switch_live(cur, generation)
        name = f"pg-{generation}"
        write_pointer(self.index_dir, name)  # workers on this machine notice the new index
        return name

    def _copy_rows(self, cur: Any, generation: int, content: IndexContent, tokens: list[list[str]]) -> None:
        sql = self.db.sql("COPY {s}.chunk (generation, row_no, data, embedding, lexemes, length) FROM STDIN")
        with cur.copy(sql) as copy:
            rows = zip(content.chunks, content.chunk_vectors, tokens, strict=True)
            for row, (chunk, vector, words) in enumerate(rows):
                data = json.dumps(chunk.to_dict(), ensure_ascii=False)
                copy.write_row((generation, row, data, vector_literal(vector), lexemes_literal(words), len(words)))
        with cur.copy(self.db.sql("COPY {s}.term (generation, term, df) FROM STDIN")) as copy:
            for term, df in Counter(t for words in tokens for t in set(words)).items():
                copy.write_row((generation, term, df))
        with cur.copy(self.db.sql("COPY {s}.sentence (generation, row_no, data, embedding) FROM STDIN")) as copy:
            for row, (sentence, vector) in enumerate(zip(content.sentences, content.sentence_vectors, strict=True)):
                data = json.dumps(sentence.to_dict(), ensure_ascii=False)
                copy.write_row((generation, row, data, vector_literal(vector)))

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
        cur.execute(self.db.sql("SELECT id FROM {s}.generation WHERE id <> ALL(%s)"), (keep,))
        for (old,) in cur.fetchall():
            cur.execute(self.db.sql(f"DROP INDEX IF EXISTS {{s}}.chunk_hnsw_{int(old)}"))
            cur.execute(self.db.sql("DELETE FROM {s}.generation WHERE id = %s"), (old,))

    def _create_schema(self, cur: Any) -> None:
        import psycopg

        try:
            cur.execute("CREATE EXTENSION IF NOT EXISTS vector")
        except psycopg.Error as exc:
            raise DatabaseError(
                "the database has no pgvector extension, and this user cannot create it",
                "run `CREATE EXTENSION vector;` in that database as its owner (managed services: enable "
                "the 'vector' extension), then retry",
            ) from exc
        cur.execute(self.db.sql(SCHEMA))
        cur.execute(  # a vector column's type modifier is its dimension
            "SELECT atttypmod FROM pg_attribute WHERE attrelid = %s::regclass AND attname = 'embedding'",
            (f'"{self.db.schema}".chunk',),
        )
        found = cur.fetchone()
        if found is not None and int(found[0]) != self.db.dimension:
            raise ConfigError(
                f"the PostgreSQL schema {self.db.schema} holds {found[0]}-dimensional vectors; the embedding model "
                f"{active_model().name} (RECAPQA_EMBED_MODEL) makes {self.db.dimension}-dimensional ones",
                "use another RECAPQA_DATABASE_SCHEMA for this model (or drop that schema), or set "
                "RECAPQA_EMBED_MODEL back",
            )
