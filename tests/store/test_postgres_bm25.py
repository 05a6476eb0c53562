"""BM25 of the PostgreSQL store from per-term postings (store/postgres_bm25.py): the same
rows and the same scores, bit for bit, as bm25s (the file store's), in memory and on a real
server; loading a generation reads no chunk or sentence row, and rows read later are the
file store's."""

from __future__ import annotations

import itertools

import numpy as np

from conftest import REPO, CountingEmbedder
from postgres_data import QUERIES, Replay, pg, write_notes
from recapqa.settings import Settings
from recapqa.store import load_index
from recapqa.store.build import build_index
from recapqa.store.lexical import LexicalIndex, tokenize
from recapqa.store.postgres_bm25 import Postings, postings
from recapqa.store.postgres_rows import PgRows


def _paragraphs() -> list[str]:
    """The real corpus's paragraphs: a few hundred texts of notes."""
    text = (REPO / "corpus" / "apply-ops-23-recap.txt").read_text(encoding="utf-8")
    return [p.strip() for p in text.split("\n\n") if len(p.split()) > 3]


def test_postings_score_exactly_as_bm25s_over_several_segments() -> None:
    texts = _paragraphs()
    assert len(texts) > 50
    tokens = tokenize(texts)
    cuts = [0, len(texts) // 5, len(texts) // 2, len(texts)]  # three segments of unequal sizes
    found: list[tuple[int, str, bytes, bytes]] = []
    starts: dict[int, int] = {}
    for segment, (start, end) in enumerate(itertools.pairwise(cuts), start=7):
        starts[segment] = start
        found += [(segment, term, rows, tfs) for term, (rows, tfs) in postings(tokens[start:end]).items()]
    lengths = np.array([len(t) for t in tokens], dtype=np.int64)
    store = Postings(lengths, starts, int(lengths.sum()) / len(lengths))
    files = LexicalIndex.build(texts)
    queries = [*QUERIES, "model model serving latency", texts[3], texts[-1][:80], texts[5] + " " + texts[5]]
    for query in queries:
        words = tokenize([query])[0]
        wanted = [f for f in found if f[1] in set(words)]  # what the SQL returns: the query's terms only
        for k in (1, 10, len(texts)):
            assert store.top(words, wanted, k) == files.search(query, k), (query, k)
    term = tokens[3][0]
    once, twice = ([f for f in found if f[1] == term] for _ in range(2))
    assert store.top([term, term], twice, 1)[0][1] > store.top([term], once, 1)[0][1] > 0  # a repeated term counts


def test_postgres_lexical_search_equals_the_file_store_and_load_reads_no_row(
    settings: Settings, counting_embedder: CountingEmbedder, postgres_url: str, schema: str, replay: Replay
) -> None:
    settings = settings.model_copy(update={"chunk_max_tokens": 32, "chunk_overlap_tokens": 8})
    write_notes(settings)
    build_index(settings.corpus_dir, settings.index_dir, settings, lambda: counting_embedder)
    files = load_index(settings.index_dir, settings)
    on_pg = pg(settings, postgres_url, schema, index_dir=settings.index_dir.with_name("pg"), index_segment_documents=1)
    build_index(on_pg.corpus_dir, on_pg.index_dir, on_pg, replay(files))
    database = load_index(on_pg.index_dir, on_pg)
    assert isinstance(database.chunks, PgRows) and isinstance(database.sentences, PgRows)
    assert not database.chunks._kept and not database.sentences._kept  # nothing read yet
    assert len(database.chunks) == len(files.chunks) and len(database.sentences) == len(files.sentences)
    for query in [*QUERIES, "Initech Initech users", "feature drift models"]:
        for k in (2, len(files.chunks)):
            assert database.store.search_text(query, k) == files.store.search_text(query, k), query
    rows = [0, len(files.sentences) - 1, 2]
    assert (database.sentence_vectors[rows] == files.sentence_vectors[rows]).all()
    assert list(database.chunk_sentences) == list(files.chunk_sentences)
    assert database.chunks[-1].chunk_id == files.chunks[-1].chunk_id
    assert database.chunk_talk_ids() == files.chunk_talk_ids()  # read as ids alone
    assert [c.chunk_id for c in database.chunks] == [c.chunk_id for c in files.chunks]  # a segment a query
