"""The gist answerer's tables are made per talk when a question reads them (issue 13): a
summary or a speaker on a topic reads only the named talks' rows and nothing of the whole
corpus; a question over every talk reads every row; what the tables hold is what one pass
over the index gives (real model and index)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from tests.shared_data import corpora_dir

from recapqa.answer.gist_tables import GistTables, acronyms, gist_tables
from recapqa.answer.lazy_tables import Once, PerRow
from recapqa.answer.targets import TalkTargets
from recapqa.embed import Embedder
from recapqa.pipeline import Assistant
from recapqa.settings import Settings
from recapqa.store import Index, corpus_words, load_index
from recapqa.store.build import build_index
from recapqa.text import terms


def _tables(index: Index, settings: Settings) -> GistTables:
    rows = corpus_words.load(index).talk_rows
    return gist_tables(index, TalkTargets(index).label_terms, settings.gist_min_terms, rows)


def test_a_summary_reads_only_its_talks_rows_and_nothing_of_the_whole_corpus(
    assistant: Assistant, default_settings: Settings
) -> None:
    fresh = Assistant.open(default_settings)  # the session's index, a new answerer: no table made yet
    gist = fresh.extractive.gist
    answer, _ = fresh.ask("Summarize the Pinterest talk", mode="extractive")
    talk = answer.citations[0].talk.talk_id
    assert "pinterest" in talk
    assert isinstance(gist.filler, PerRow) and isinstance(gist.terms, PerRow) and isinstance(gist.words, PerRow)
    assert 0 < gist.filler.made() <= len(gist.rows[talk])  # rows of that talk, no other
    assert 0 < gist.terms.made() <= len(gist.rows[talk])
    assert len(gist.rows[talk]) < len(fresh.index.sentences) / 3
    assert isinstance(gist.spelling, Once) and isinstance(gist.expansions, Once)
    assert not gist.spelling.ready and not gist.expansions.ready

    fresh.ask("What did Min Cai say about LLMs?", mode="extractive")
    assert gist.expansions.ready  # the topic's acronym, as the notes first expand it
    assert gist.terms.made() < len(fresh.index.sentences)

    fresh.ask("Which talks mention feature stores?", mode="extractive")
    assert gist.terms.made() == len(fresh.index.sentences)  # every talk is read for the topic


def test_stored_talk_rows_and_first_chunks_are_those_of_one_pass_over_the_index(
    tmp_path: Path, embedder_factory: Callable[[], Embedder]
) -> None:
    folder = tmp_path / "corpus"
    shutil.copytree(corpora_dir() / "aws-reinvent-2018-chrishic", folder)
    settings = Settings(corpus_dir=folder, index_dir=tmp_path / "index")
    build_index(folder, settings.index_dir, settings, embedder_factory)
    index = load_index(settings.index_dir, settings)
    tables = _tables(index, settings)

    by_talk: dict[str, list[int]] = {}
    for row, sentence in enumerate(index.sentences):
        by_talk.setdefault(sentence.talk_id, []).append(row)
    assert list(tables.rows.items()) == list(by_talk.items())  # same talks in the same order

    first: dict[int, str] = {}
    for chunk, held in zip(index.chunks, index.chunk_sentences, strict=True):
        for row in held:
            first.setdefault(row, chunk.chunk_id)
    assert [tables.chunk_of.get(r, "") for r in range(len(index.sentences))] == [
        first.get(r, "") for r in range(len(index.sentences))
    ]
    assert dict(tables.chunk_of) == first
    assert all(tables.chunks[cid].chunk_id == cid for cid in set(first.values()))

    expansions: dict[str, str] = {}
    for sentence in index.sentences:
        for short, long in acronyms(sentence.text):
            for stem in terms(f"{short} {short}s"):
                expansions.setdefault(stem, long)
    assert expansions  # this collection expands acronyms
    assert list(tables.expansions.items()) == list(expansions.items())
    assert list(tables.filler) == [tables.filler[r] for r in range(len(index.sentences))]


def test_a_sentence_without_a_parenthesis_defines_no_acronym() -> None:
    assert acronyms("LLMs Large Language Models are everywhere") == []
    assert acronyms("LLMs (Large Language Models) are everywhere") == [("LLM", "Large Language Models")]
