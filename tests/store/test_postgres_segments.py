"""The PostgreSQL store updated by segment, on a real server: a build after a one-file edit
inserts that file's segment only, answers as a build from scratch and the file store do,
deletes what no kept generation lists (rows and local gist files), a failed build leaves the
live generation answering, and an older layout is replaced, never a traceback."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np
import psycopg
import pytest

from conftest import CountingEmbedder, write
from postgres_data import NOTES, QUERIES, assert_same_search, pg
from recapqa.errors import IndexIncompatibleError
from recapqa.settings import Settings
from recapqa.store import Index, corpus_words, documents, load_index, postgres_segments
from recapqa.store.build import Stale, build_index, staleness
from recapqa.store.pg_database import Database
from recapqa.store.postgres_reuse import LiveRows
from recapqa.store.postgres_sql import LAYOUT
from recapqa.store.rows import prefetch

MORE = {  # more files, so that a corpus makes several segments
    f"conf/day{n}.md": f"## Talk {n} on pipelines (Speaker {n}, Org{n})\n\nSpeaker: Speaker {n}, Engineer at Org{n}\n\n"
    f"Org{n} runs {10 + n} feature pipelines on Spark.\n\nThe team retrains {n} models weekly.\n"
    for n in range(1, 9)
}


@pytest.fixture()
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"chunk_max_tokens": 32, "chunk_overlap_tokens": 8, "index_segment_documents": 3})


class Memo:
    """The real embedder, each text's first vector kept: every build of a test gets the very
    same vector for a text (the model's output varies in the last bits with the batch)."""

    def __init__(self, inner: CountingEmbedder) -> None:
        self.inner, self.name, self.dimension = inner, inner.name, inner.dimension
        self.vectors: dict[str, np.ndarray] = {}

    def embed(self, texts: list[str]) -> np.ndarray:
        todo = [t for t in dict.fromkeys(texts) if t not in self.vectors]
        if todo:
            self.vectors.update(zip(todo, self.inner.embed(todo), strict=True))
        return np.stack([self.vectors[t] for t in texts]).astype(np.float32)


def rows(url: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def generations(url: str, schema: str) -> dict[str, list[int]]:
    """The live and the previous generation's segment ids."""
    live = rows(url, f"SELECT g.segments FROM {schema}.live l JOIN {schema}.generation g ON g.id = l.generation")
    other = rows(url, f"SELECT segments FROM {schema}.generation WHERE id <> (SELECT generation FROM {schema}.live)")
    return {"live": list(live[0][0]), "previous": list(other[0][0]) if other else []}


def gist_digests(url: str, schema: str) -> list[str]:
    """The live generation's gist parts, in row order."""
    query = (
        f"SELECT x.digest FROM {schema}.live l JOIN {schema}.generation g ON g.id = l.generation "
        f"CROSS JOIN unnest(g.gist) WITH ORDINALITY AS p(name, at) JOIN {schema}.gist x USING (name) ORDER BY p.at"
    )
    return [r[0] for r in rows(url, query)]


def chunk_rows(url: str, schema: str) -> dict[int, int]:
    return dict(rows(url, f"SELECT segment, count(*) FROM {schema}.chunk GROUP BY segment"))


def build(s: Settings, embedder: Memo) -> Index:
    build_index(s.corpus_dir, s.index_dir, s, lambda: embedder)
    return load_index(s.index_dir, s)


def write_corpus(s: Settings) -> None:
    for name, text in {**NOTES, **MORE}.items():
        write(s.corpus_dir / name, text)


def pg_corpus(settings: Settings, embedder: CountingEmbedder, url: str, schema: str) -> tuple[Settings, Memo]:
    """The test corpus written, the settings of a PostgreSQL index in `schema`, a memoising embedder."""
    write_corpus(settings)
    return pg(settings, url, schema), Memo(embedder)


def test_a_one_file_edit_inserts_its_segment_only_and_answers_as_from_scratch(
    settings: Settings,
    counting_embedder: CountingEmbedder,
    postgres_url: str,
    schema: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s, memo = pg_corpus(settings, counting_embedder, postgres_url, schema)
    first = build(s, memo)
    before = generations(postgres_url, schema)
    assert len(before["live"]) >= 3 and before["previous"] == []
    assert sum(chunk_rows(postgres_url, schema).values()) == len(first.chunks)

    parsed: list[str] = []
    real = documents.prepare_file
    monkeypatch.setattr(documents, "prepare_file", lambda c, p, sk: parsed.append(p.name) or real(c, p, sk))
    again = build_index(s.corpus_dir, s.index_dir, s, lambda: memo)  # up to date: counted from the record
    assert (again.rebuilt, again.files, again.chunks, again.talks, parsed) == (
        False,
        len(NOTES) + len(MORE),
        len(first.chunks),
        len(first.talks),
        [],
    )
    read: list[tuple[str, int, int]] = []  # (kind, segment, rows) the build read from the database
    segment = LiveRows.segment
    monkeypatch.setattr(
        LiveRows, "segment", lambda r, at: read.append((r.kind, r.ids[at], len(segment(r, at)[0]))) or segment(r, at)
    )
    edited = "conf/day4.md"
    write(s.corpus_dir / edited, MORE[edited].replace("weekly", "weekly, and serves them from Redis"))
    summed: list[object] = []  # the live generation's corpus sums, updated (not every document counted)
    sums_from = corpus_words.sums_from
    monkeypatch.setattr(corpus_words, "sums_from", lambda *a: summed.append(sums_from(*a)) or summed[-1])
    incremental = build(s, memo)
    monkeypatch.undo()
    assert len(summed) == 1 and summed[0] is not None
    assert parsed == ["day4.md"], "the other files' rows are kept from the database, unparsed"
    after = generations(postgres_url, schema)
    (replaced,) = set(before["live"]) - set(after["live"])  # the edited file's segment: the only one read
    counted = rows(postgres_url, f"SELECT chunks, sentences FROM {schema}.segment WHERE id = %s", replaced)[0]
    assert sorted({(kind, seg): n for kind, seg, n in read}.items()) == [
        (("chunks", replaced), counted[0]),
        (("sentences", replaced), counted[1]),
    ]
    assert after["previous"] == before["live"]
    new = [seg for seg in after["live"] if seg not in before["live"]]
    assert len(new) == 1 and len(after["live"]) == len(before["live"])
    assert all(seg in before["live"] for seg in after["live"] if seg != new[0])
    counts = chunk_rows(postgres_url, schema)
    sources = {
        r[0] for r in rows(postgres_url, f"SELECT data->>'source' FROM {schema}.chunk WHERE segment = %s", new[0])
    }
    assert edited in sources
    assert counts[new[0]] == sum(c.source in sources for c in incremental.chunks)  # only its rows were inserted
    assert sum(counts.values()) == len(first.chunks) + counts[new[0]]  # the previous generation kept whole
    assert set(counts) == set(before["live"]) | set(after["live"])

    scratch = pg(settings, postgres_url, schema + "_scratch", index_dir=settings.index_dir.with_name("scratch"))
    from_scratch = build(scratch, memo)
    files = build(settings.model_copy(update={"index_dir": settings.index_dir.with_name("files")}), memo)
    assert gist_digests(postgres_url, schema) == gist_digests(postgres_url, schema + "_scratch")  # byte for byte
    for other in (from_scratch, files):
        assert [c.chunk_id for c in incremental.chunks] == [c.chunk_id for c in other.chunks]
        assert [x.text for x in incremental.sentences] == [x.text for x in other.sentences]
        assert np.array_equal(np.asarray(incremental.sentence_vectors), np.asarray(other.sentence_vectors))
        assert_same_search(other, incremental, [*QUERIES, "Redis", "Spark pipelines weekly"], embed(memo))
    # the corpus word tables: the live sums updated for the edited file, as counted from scratch
    assert incremental.words is not None and incremental.words == from_scratch.words
    assert incremental.words == json.loads((files.path / corpus_words.FILE).read_text(encoding="utf-8"))


def embed(embedder: Memo) -> Callable[[str], np.ndarray]:
    return lambda q: embedder.embed([q])[0]


def test_a_deleted_file_and_stale_gist_parts_go(
    settings: Settings, counting_embedder: CountingEmbedder, postgres_url: str, schema: str
) -> None:
    s, memo = pg_corpus(settings, counting_embedder, postgres_url, schema)
    build(s, memo)
    local = s.index_dir / "pg-gist"
    first_files = {p.name for p in local.glob("*.npy")}
    (s.corpus_dir / "conf/day2.md").unlink()
    build(s, memo)  # the previous generation still lists day2's segment
    count = f"SELECT count(*) FROM {schema}.chunk WHERE data->>'source' = 'conf/day2.md'"
    assert rows(postgres_url, count)[0][0] > 0
    write(s.corpus_dir / "acme.md", NOTES["acme.md"].replace("40 models", "45 models"))
    index = build(s, memo)
    assert rows(postgres_url, count) == [(0,)], "no kept generation lists day2's old segment: its rows are gone"
    assert "conf/day2.md" not in {c.source for c in index.chunks}
    kept = generations(postgres_url, schema)
    assert {r[0] for r in rows(postgres_url, f"SELECT id FROM {schema}.segment")} == set(kept["live"]) | set(
        kept["previous"]
    )
    listed = rows(postgres_url, f"SELECT DISTINCT unnest(gist) FROM {schema}.generation")
    stored = rows(postgres_url, f"SELECT name, digest FROM {schema}.gist")
    assert {r[0] for r in listed} == {r[0] for r in stored}
    assert {p.name for p in local.glob("*.npy")} == {f"{r[1]}.npy" for r in stored}
    assert first_files - {p.name for p in local.glob("*.npy")}, "the first build's replaced parts were deleted"
    sums = rows(
        postgres_url, f"SELECT count(*) FROM {schema}.term WHERE segment <> ALL(%s)", kept["live"] + kept["previous"]
    )
    assert sums == [(0,)]


def test_a_build_failing_mid_insert_leaves_the_live_generation_answering(
    settings: Settings,
    counting_embedder: CountingEmbedder,
    postgres_url: str,
    schema: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s, memo = pg_corpus(settings, counting_embedder, postgres_url, schema)
    before = build(s, memo)
    expected = before.store.search_text("feature pipelines Spark", 5)
    segments = rows(postgres_url, f"SELECT id FROM {schema}.segment ORDER BY id")
    write(s.corpus_dir / "conf/day5.md", MORE["conf/day5.md"] + "\nThey moved to Flink in 2024.\n")
    write(s.corpus_dir / "conf/day7.md", MORE["conf/day7.md"] + "\nThey moved to Beam in 2025.\n")
    written: list[int] = []
    real = postgres_segments.vector_literal

    def fail_later(values: np.ndarray) -> str:
        written.append(1)
        if len(written) > 3:  # rows of the first new segment already sent
            raise RuntimeError("killed")
        return real(values)

    monkeypatch.setattr(postgres_segments, "vector_literal", fail_later)
    with pytest.raises(RuntimeError, match="killed"):
        build_index(s.corpus_dir, s.index_dir, s, lambda: memo)
    monkeypatch.undo()
    assert len(written) > 3
    assert rows(postgres_url, f"SELECT id FROM {schema}.segment ORDER BY id") == segments
    assert staleness(s.corpus_dir, s.index_dir, s) == Stale("corpus changed")
    live = load_index(s.index_dir, s)
    assert live.path == before.path and live.store.search_text("feature pipelines Spark", 5) == expected
    assert before.store.search_text("feature pipelines Spark", 5) == expected
    after = build(s, memo)
    assert {c.source for c in after.chunks if "Flink" in c.text} == {"conf/day5.md"}


def test_hnsw_after_an_edit_finds_the_live_rows_only(
    settings: Settings, counting_embedder: CountingEmbedder, postgres_url: str, schema: str
) -> None:
    """One HNSW index over every stored chunk: the previous generation's replaced rows are in
    it, and are filtered out during the scan."""
    write_corpus(settings)
    memo = Memo(counting_embedder)
    exact = pg(settings, postgres_url, schema + "_exact")
    hnsw = pg(settings, postgres_url, schema, ann_threshold=2, index_dir=settings.index_dir.with_name("hnsw"))
    build(exact, memo), build(hnsw, memo)  # one corpus folder for both
    write(settings.corpus_dir / "initech.md", NOTES["initech.md"].replace("two GPUs", "four GPUs"))
    a, b = build(exact, memo), build(hnsw, memo)
    assert b.store.kind == "approximate" and len(generations(postgres_url, schema)["previous"]) > 0
    assert len(chunk_rows(postgres_url, schema)) > len(generations(postgres_url, schema)["live"])
    assert_same_search(a, b, [*QUERIES[:4], "GPUs"], embed(memo))
    vector = embed(memo)("Initech GPUs")
    assert len(b.store.search(vector, len(b.chunks))) == len(b.chunks)


def test_an_older_layout_is_reported_then_replaced(
    settings: Settings, counting_embedder: CountingEmbedder, postgres_url: str, schema: str
) -> None:
    s, memo = pg_corpus(settings, counting_embedder, postgres_url, schema)
    with psycopg.connect(postgres_url, autocommit=True) as conn:  # layout 1, as an older version made it
        conn.execute(f"CREATE SCHEMA {schema}")
        conn.execute(
            f"CREATE TABLE {schema}.generation (id bigserial PRIMARY KEY, manifest jsonb NOT NULL, "
            "talks jsonb NOT NULL, "
            "chunk_count int NOT NULL, avg_length float8 NOT NULL)"
        )
        conn.execute(f"CREATE TABLE {schema}.live (only_row boolean PRIMARY KEY DEFAULT true, generation bigint)")
        conn.execute(f"CREATE TABLE {schema}.chunk (generation bigint, row_no int, data jsonb)")
        conn.execute(
            f"INSERT INTO {schema}.generation (manifest, talks, chunk_count, avg_length) VALUES ('{{}}', '[]', 0, 1)"
        )
        conn.execute(f"INSERT INTO {schema}.live (generation) VALUES (1)")
    with pytest.raises(IndexIncompatibleError, match="older layout") as caught:
        load_index(s.index_dir, s)
    assert "recapqa index" in caught.value.fix
    assert "older layout" in (staleness(s.corpus_dir, s.index_dir, s) or Stale("")).reason
    index = build(s, memo)
    assert len(index.chunks) > 0 and staleness(s.corpus_dir, s.index_dir, s) is None
    assert rows(postgres_url, f"SELECT version FROM {schema}.layout") == [(LAYOUT,)]


def counted_queries(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The statements `Database.query` runs from now on (rows read on demand)."""
    queries: list[str] = []
    query = Database.query
    monkeypatch.setattr(Database, "query", lambda db, sql, *a, **k: queries.append(sql) or query(db, sql, *a, **k))
    return queries


def test_prefetched_rows_come_in_one_query_and_equal_rows_read_one_by_one(
    settings: Settings,
    counting_embedder: CountingEmbedder,
    postgres_url: str,
    schema: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s, memo = pg_corpus(settings, counting_embedder, postgres_url, schema)
    fresh, index = build(s, memo), load_index(s.index_dir, s)
    assert len(generations(postgres_url, schema)["live"]) >= 3
    chunk_rows_, sentence_rows_ = range(0, len(index.chunks), 2), range(1, len(index.sentences), 3)
    queries = counted_queries(monkeypatch)
    prefetch(index.chunks, chunk_rows_)
    prefetch(index.sentences, sentence_rows_)
    prefetch(index.sentence_vectors, sentence_rows_)
    assert len(queries) == 3, "one query per kind, whatever the segments"
    chunks = [index.chunks[r].to_dict() for r in chunk_rows_]
    sentences = [index.sentences[r].to_dict() for r in sentence_rows_]
    vectors = index.sentence_vectors[list(sentence_rows_)]
    assert len(queries) == 3, "read from memory"
    monkeypatch.undo()
    assert chunks == [fresh.chunks[r].to_dict() for r in chunk_rows_]
    assert sentences == [fresh.sentences[r].to_dict() for r in sentence_rows_]
    assert np.array_equal(vectors, np.stack([fresh.sentence_vectors[r] for r in sentence_rows_]))
    # retrieval's candidates (`around=False`): exactly the rows asked for, not their blocks
    index, wanted = load_index(s.index_dir, s), list(range(0, len(fresh.chunks), 3))
    queries = counted_queries(monkeypatch)
    prefetch(index.chunks, wanted, around=False)
    chunks = [index.chunks[r].to_dict() for r in wanted]
    assert len(queries) == 1, "one query, whatever the segments, then read from memory"
    index.chunks[1].to_dict()  # a neighbour of a prefetched row: not read with it
    assert len(queries) == 2
    monkeypatch.undo()
    assert chunks == [fresh.chunks[r].to_dict() for r in wanted]
