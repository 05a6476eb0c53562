"""The PostgreSQL store (pgvector + full-text search) against the file store (FAISS +
bm25s), on a real server: same search results, same answers, same incremental builds."""

from __future__ import annotations

import dataclasses
import json
import shutil

import psycopg
import pytest

from conftest import REPO, CountingEmbedder, write
from postgres_data import NOTES, QUERIES, Replay, assert_same_search, pg, seen, write_notes
from recapqa.errors import ConfigError, DatabaseError, IndexMissingError
from recapqa.evaluate.questions import load_questions
from recapqa.evaluate.runner import run
from recapqa.pipeline import Assistant, query_embedder
from recapqa.settings import Settings
from recapqa.store import Index, load_index
from recapqa.store.build import Stale, build_index, ensure_index, staleness
from recapqa.store.files import POINTER
from recapqa.store.postgres_sql import APPROXIMATE
from recapqa.store.vectors import PiecesStore


@pytest.fixture()
def settings(settings: Settings) -> Settings:
    """Small chunks: a few notes make a dozen chunks to rank."""
    return settings.model_copy(update={"chunk_max_tokens": 32, "chunk_overlap_tokens": 8})


def test_small_corpus_searches_alike(
    settings: Settings, counting_embedder: CountingEmbedder, postgres_url: str, schema: str, replay: Replay
) -> None:
    write_notes(settings)
    build_index(settings.corpus_dir, settings.index_dir, settings, lambda: counting_embedder)
    files = load_index(settings.index_dir, settings)
    on_pg = pg(settings, postgres_url, schema, index_dir=settings.index_dir.with_name("pg-index"))
    report = build_index(on_pg.corpus_dir, on_pg.index_dir, on_pg, replay(files))
    assert report.chunks == len(files.chunks) >= 8
    database = load_index(on_pg.index_dir, on_pg)
    assert [c.chunk_id for c in database.chunks] == [c.chunk_id for c in files.chunks]
    assert [s.text for s in database.sentences] == [s.text for s in files.sentences]
    assert (database.sentence_vectors == files.sentence_vectors).all()
    assert database.talks.keys() == files.talks.keys()
    assert database.manifest["store"]["backend"] == "postgres"
    assert database.store.kind == "exact" and files.store.kind == "exact"
    assert database.store.search_text("the and of", 5) == [] and database.store.search_text("zebra", 5) == []
    assert_same_search(files, database, QUERIES, lambda q: counting_embedder.embed([q])[0])


def test_hnsw_past_the_threshold_finds_the_same_chunks(
    settings: Settings, counting_embedder: CountingEmbedder, postgres_url: str, schema: str
) -> None:
    write_notes(settings)
    exact = pg(settings, postgres_url, schema + "_exact")
    build_index(exact.corpus_dir, exact.index_dir, exact, lambda: counting_embedder)
    hnsw = pg(settings, postgres_url, schema, ann_threshold=2, index_dir=settings.index_dir.with_name("hnsw"))
    build_index(hnsw.corpus_dir, hnsw.index_dir, hnsw, lambda: counting_embedder)
    a, b = load_index(exact.index_dir, exact), load_index(hnsw.index_dir, hnsw)
    assert b.manifest["store"]["dense"] == "approximate" and b.store.kind == "approximate"
    with psycopg.connect(postgres_url) as conn:
        indexes = conn.execute("SELECT indexdef FROM pg_indexes WHERE schemaname = %s", (schema,)).fetchall()
        conn.execute("SET enable_seqscan = off")  # what the store sets for an approximate generation
        conn.execute("SET hnsw.iterative_scan = strict_order")
        vector = conn.execute(f"SELECT embedding::text FROM {schema}.chunk LIMIT 1").fetchone()
        segments = conn.execute(f"SELECT segments FROM {schema}.generation WHERE id = %s", (b.path.name[3:],))
        params = {"q": vector[0], "segs": segments.fetchone()[0], "k": 3}
        plan = conn.execute("EXPLAIN " + APPROXIMATE.format(s=schema), params).fetchall()  # the store's query
    assert any("USING hnsw" in row[0] for row in indexes)
    assert any("chunk_hnsw" in row[0] for row in plan), plan
    assert_same_search(a, b, QUERIES[:4], lambda q: counting_embedder.embed([q])[0])


def test_eval_questions_get_the_same_answers(
    assistant: Assistant, tmp_path_factory: pytest.TempPathFactory, postgres_url: str, schema: str, replay: Replay
) -> None:
    on_pg = pg(assistant.settings, postgres_url, schema, index_dir=tmp_path_factory.mktemp("pg-default"))
    build_index(on_pg.corpus_dir, on_pg.index_dir, on_pg, replay(assistant.index))
    with psycopg.connect(postgres_url) as conn:  # chunk vectors in the row, not in TOAST (exact search reads them all)
        toasted = conn.execute(
            "SELECT count(*) FILTER (WHERE pg_column_toast_chunk_id(embedding) IS NOT NULL), count(*) FILTER "
            "(WHERE pg_column_size(data) + pg_column_size(embedding) > 2032) "
            f"FROM {schema}.chunk"
        ).fetchone()
    assert toasted[0] == 0 and toasted[1] > 0, toasted  # rows long enough that something had to be moved out
    encoder = query_embedder(assistant.settings.index_dir)  # the file store's query encoder, for both
    files = Assistant(assistant.index, assistant.settings, encoder)
    database = Assistant(load_index(on_pg.index_dir, on_pg), on_pg, encoder)
    questions = load_questions(REPO / "eval" / "questions.jsonl")
    expected = run(files, questions, assistant.settings.corpus_dir, mode="extractive")
    got = run(database, questions, on_pg.corpus_dir, mode="extractive")
    assert len(got) == len(questions) >= 90
    for want, row in zip(expected, got, strict=True):
        assert row["error"] is None, row["error"]
        assert seen(row) == seen(want), row["question"]
        assert row["scores"] == want["scores"]


def test_builds_are_incremental_and_keep_the_previous_generation(
    settings: Settings, counting_embedder: CountingEmbedder, postgres_url: str, schema: str
) -> None:
    write_notes(settings)
    s = pg(settings, postgres_url, schema)
    first = build_index(s.corpus_dir, s.index_dir, s, lambda: counting_embedder)
    assert first.embedded == first.chunks and staleness(s.corpus_dir, s.index_dir, s) is None
    old = load_index(s.index_dir, s)
    assert (s.index_dir / POINTER).read_text().strip() == old.path.name  # same-host workers notice
    assert build_index(s.corpus_dir, s.index_dir, s, lambda: counting_embedder).embedded == 0

    write(s.corpus_dir / "acme.md", NOTES["acme.md"].replace("40 models", "45 models"))
    assert staleness(s.corpus_dir, s.index_dir, s) == Stale("corpus changed")
    second = build_index(s.corpus_dir, s.index_dir, s, lambda: counting_embedder)
    acme = [c for c in load_index(s.index_dir, s).chunks if c.source == "acme.md"]
    assert 0 < second.embedded <= len(acme) and second.reused == second.chunks - second.embedded
    assert old.store.search_text("Initech users", 3), "an index loaded before the rebuild keeps answering"

    (s.corpus_dir / "globex.txt").unlink()
    third = build_index(s.corpus_dir, s.index_dir, s, lambda: counting_embedder)
    assert third.embedded == 0 and third.removed > 0
    assert {c.source for c in load_index(s.index_dir, s).chunks} == {"acme.md", "initech.md"}
    with psycopg.connect(postgres_url) as conn:
        generations = conn.execute(f"SELECT count(*) FROM {schema}.generation").fetchone()
    assert generations == (2,), "the live generation and the one before it"


def test_ensure_index_builds_from_the_corpus_and_the_assistant_answers(
    settings: Settings, counting_embedder: CountingEmbedder, postgres_url: str, schema: str
) -> None:
    write_notes(settings)
    s = pg(settings, postgres_url, schema)
    with pytest.raises(IndexMissingError):
        load_index(s.index_dir, s)
    index = ensure_index(s.corpus_dir, s.index_dir, s, lambda: counting_embedder)
    answer, _ = Assistant(index, s, lambda: counting_embedder).ask("How many models does Acme train a day?")
    assert "40 models" in answer.answer and answer.citations[0].source == "acme.md"


def test_unreachable_database_is_a_database_error_without_the_password(settings: Settings) -> None:
    s = pg(settings, "postgresql://reader:s3cret@127.0.0.1:9/recapqa?connect_timeout=2", "recapqa")
    with pytest.raises(DatabaseError) as caught:
        staleness(s.corpus_dir, s.index_dir, s)
    assert "s3cret" not in str(caught.value) and "RECAPQA_DATABASE_URL" in caught.value.fix
    assert caught.value.http_status == 503


def test_postgres_without_a_url_is_a_config_error(settings: Settings) -> None:
    with pytest.raises(ConfigError, match="RECAPQA_DATABASE_URL"):
        load_index(settings.index_dir, settings.model_copy(update={"store": "postgres"}))


def test_manifest_records_the_backend(settings: Settings, counting_embedder: CountingEmbedder) -> None:
    write(settings.corpus_dir / "acme.md", NOTES["acme.md"])
    build_index(settings.corpus_dir, settings.index_dir, settings, lambda: counting_embedder)
    store = json.loads(next(settings.index_dir.glob("gen-*/manifest.json")).read_text())["store"]
    assert store == {"backend": "file", "dense": "exact", "faiss": PiecesStore.description}


def test_gist_rows_are_stored_once_per_part_and_answer_as_the_file_store(
    settings: Settings, counting_embedder: CountingEmbedder, postgres_url: str, schema: str, replay: Replay
) -> None:
    """The questions over every talk read gist rows stored in the database (written to local
    files once per replica, memory-mapped): the file store's answers; a rebuild after one
    file changed makes only that part's rows again."""
    write_notes(settings)
    write(  # a talk sharing phrases with two others: themes
        settings.corpus_dir / "hooli.md",
        "## Feature pipelines at Hooli (Gavin Belson, Hooli)\n\nSpeaker: Gavin Belson, CEO of Hooli\n\n"
        "Hooli backfills features nightly for its ranking models.\n\nTheir feature store keeps two years of "
        "history for online inference.\n\nGavin said data contracts stopped most pipeline breakages.\n",
    )
    one_per_part = settings.model_copy(update={"index_segment_documents": 1})
    build_index(settings.corpus_dir, settings.index_dir, one_per_part, lambda: counting_embedder)
    files = load_index(settings.index_dir, one_per_part)
    on_pg = pg(one_per_part, postgres_url, schema, index_dir=settings.index_dir.with_name("pg-index"))
    build_index(on_pg.corpus_dir, on_pg.index_dir, on_pg, replay(files))
    database = load_index(on_pg.index_dir, on_pg)
    local = on_pg.index_dir / "pg-gist"
    assert database.gist is not None and len(list(local.glob("*.npy"))) == 4  # a part per file
    questions = ["Which talks mention models?", "What were the main themes of the conference?"]
    questions.append("What did Jane Doe say about drift?")

    def answers(index: Index, s: Settings) -> list[str]:
        assistant = Assistant(index, s, lambda: counting_embedder)
        got = [assistant.ask(q, mode="extractive")[0] for q in questions]
        cited = [[{**c.to_dict(), "score": round(c.score, 4)} for c in a.citations] for a in got]  # as the eval test
        closest = [[t.talk_id for t in a.closest_talks or []] for a in got]
        return [repr(x) for x in zip([a.answer for a in got], cited, closest, strict=True)]

    expected = answers(files, one_per_part)
    assert expected[0].startswith("('Talks that mention models (2)") and expected[1].startswith("('Themes across")
    assert answers(database, on_pg) == expected
    assert answers(dataclasses.replace(database, gist=None), on_pg) == expected  # from every row: the same
    shutil.rmtree(local)  # a new replica: the parts come from the database again
    assert answers(load_index(on_pg.index_dir, on_pg), on_pg) == expected and len(list(local.glob("*.npy"))) == 4

    def digests() -> list[str]:
        with psycopg.connect(postgres_url) as conn:
            query = (
                f"SELECT x.digest FROM {schema}.live l JOIN {schema}.generation g ON g.id = l.generation "
                f"CROSS JOIN unnest(g.gist) WITH ORDINALITY AS p(name, at) JOIN {schema}.gist x USING (name) "
                "ORDER BY p.at"
            )
            return [r[0] for r in conn.execute(query).fetchall()]

    before = digests()
    write(on_pg.corpus_dir / "initech.md", NOTES["initech.md"].replace("two GPUs", "three GPUs"))
    build_index(on_pg.corpus_dir, on_pg.index_dir, on_pg, lambda: counting_embedder)
    after = digests()
    assert len(before) == len(after) == 4 and [a == b for a, b in zip(before, after, strict=True)].count(False) == 1
