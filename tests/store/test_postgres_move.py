"""Moving from the file store to PostgreSQL: the first PostgreSQL build in an index folder
that holds a file index reuses that index's vectors (by text digest, same model only) and
embeds nothing; the database then searches and answers as the file store did."""

from __future__ import annotations

import json

import pytest

from conftest import CountingEmbedder
from postgres_data import NOTES, QUERIES, assert_same_search, pg, write_notes
from recapqa.pipeline import Assistant, query_embedder
from recapqa.settings import Settings
from recapqa.store import load_index
from recapqa.store.build import build_index
from recapqa.store.files import MANIFEST, POINTER, current_generation


@pytest.fixture()
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"chunk_max_tokens": 32, "chunk_overlap_tokens": 8, "index_segment_documents": 2})


def test_a_postgres_build_after_a_file_build_embeds_nothing(
    settings: Settings, counting_embedder: CountingEmbedder, postgres_url: str, schema: str
) -> None:
    write_notes(settings)
    first = build_index(settings.corpus_dir, settings.index_dir, settings, lambda: counting_embedder)
    files = load_index(settings.index_dir, settings)
    assert first.embedded == len(files.chunks) >= 8 and first.sentences_embedded == len(files.sentences)

    on_pg, fresh = pg(settings, postgres_url, schema), CountingEmbedder()
    report = build_index(on_pg.corpus_dir, on_pg.index_dir, on_pg, lambda: fresh)
    assert (report.embedded, report.sentences_embedded, fresh.calls) == (0, 0, [])
    assert (report.chunks, report.reused, report.files) == (len(files.chunks), len(files.chunks), len(NOTES))
    database = load_index(on_pg.index_dir, on_pg)
    assert (on_pg.index_dir / POINTER).read_text().strip() == database.path.name
    assert [c.chunk_id for c in database.chunks] == [c.chunk_id for c in files.chunks]
    assert (database.store.chunk_vectors() == files.store.chunk_vectors()).all()
    assert (database.sentence_vectors == files.sentence_vectors).all()
    assert_same_search(files, database, QUERIES, lambda q: counting_embedder.embed([q])[0])

    encoder = query_embedder(settings.index_dir)
    asked = [(Assistant(index, s, encoder), s) for index, s in ((files, settings), (database, on_pg))]
    for question in QUERIES[:4]:
        (want, _), (got, _) = (a.ask(question) for a, _ in asked)
        assert (got.answer, got.abstained) == (want.answer, want.abstained), question
        cited = [[(c.chunk_id, c.quote) for c in answer.citations] for answer in (got, want)]
        assert cited[0] == cited[1] and cited[0], question
    assert build_index(on_pg.corpus_dir, on_pg.index_dir, on_pg, lambda: fresh).embedded == 0 and fresh.calls == []


def test_a_file_index_of_another_model_is_not_reused(
    settings: Settings, counting_embedder: CountingEmbedder, postgres_url: str, schema: str
) -> None:
    write_notes(settings)
    build_index(settings.corpus_dir, settings.index_dir, settings, lambda: counting_embedder)
    manifest_path = current_generation(settings.index_dir) / MANIFEST
    manifest = json.loads(manifest_path.read_text())
    manifest["model"]["name"] = "another-model"  # what an index built with RECAPQA_EMBED_MODEL=another-model says
    manifest_path.write_text(json.dumps(manifest))

    on_pg, fresh = pg(settings, postgres_url, schema), CountingEmbedder()
    report = build_index(on_pg.corpus_dir, on_pg.index_dir, on_pg, lambda: fresh)
    assert report.embedded == report.chunks == sum(1 for _ in load_index(on_pg.index_dir, on_pg).chunks) >= 8
    assert report.sentences_embedded == len(load_index(on_pg.index_dir, on_pg).sentences) > 0
