"""The second eval set on PostgreSQL: every question of eval/corpora_questions.jsonl, each on
its collection of ../shared/corpora, gets from a PostgreSQL index the answer, abstention,
citations and retrieved talks it gets from the file index (same vectors, replayed; a real
pgvector server). The default corpus's set: tests/store/test_postgres.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import REPO
from postgres_data import Replay, pg, seen
from recapqa.evaluate.questions import load_questions
from recapqa.evaluate.runner import collections, run_collections
from recapqa.pipeline import Assistant, query_embedder
from recapqa.store import load_index
from recapqa.store.build import build_index


def test_corpora_questions_get_the_same_answers(
    open_collection: tuple[Callable[[str | None], Assistant], Callable[[str | None], Path]],
    postgres_url: str,
    schema: str,
    replay: Replay,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    open_files, corpus_of = open_collection
    questions = load_questions(REPO / "eval" / "corpora_questions.jsonl")
    names = collections(questions)
    assert len(names) >= 7 and None not in names
    files: dict[str | None, Assistant] = {}
    database: dict[str | None, Assistant] = {}
    for name in names:
        on_files = open_files(name)
        encoder = query_embedder(on_files.settings.index_dir)  # one query encoder for both stores
        files[name] = Assistant(on_files.index, on_files.settings, encoder)
        on_pg = pg(on_files.settings, postgres_url, f"{schema}_{name}".replace("-", "_"))
        on_pg = on_pg.model_copy(update={"index_dir": tmp_path_factory.mktemp(f"pg-{name}")})
        build_index(on_pg.corpus_dir, on_pg.index_dir, on_pg, replay(on_files.index))
        database[name] = Assistant(load_index(on_pg.index_dir, on_pg), on_pg, encoder)
        assert len(database[name].index.chunks) == len(on_files.index.chunks) > 0, name

    expected = run_collections(files.__getitem__, questions, corpus_of)
    got = run_collections(database.__getitem__, questions, corpus_of)
    assert len(got) == len(questions) >= 150
    assert sum(row["abstained"] for row in got) >= 30  # both kinds of answer are compared
    assert not [row["error"] for row in got if row["error"]]
    differ = [row["id"] for want, row in zip(expected, got, strict=True) if seen(row) != seen(want)]
    assert not differ, differ  # ids only: a test row's text and answer are not for reading
