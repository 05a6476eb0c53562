"""The gist answerer's tables are made per talk when a question reads them (issue 13): a
summary or a speaker on a topic reads only the named talks' rows and nothing of the whole
corpus; a question over every talk reads every row; what the tables hold is what one pass
over the index gives (real model and index)."""

from __future__ import annotations

import dataclasses
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from tests.conftest import mapped_paths
from tests.shared_data import corpora_dir

from recapqa.answer.gist_tables import (
    GistTables,
    StoredExpansions,
    StoredSpelling,
    _expansions,
    _spelling,
    acronyms,
    gist_tables,
)
from recapqa.answer.lazy_tables import Once, PerRow
from recapqa.answer.targets import TalkTargets
from recapqa.embed import Embedder
from recapqa.gist_text import WordTerms, label, pairs
from recapqa.pipeline import Assistant
from recapqa.settings import Settings
from recapqa.store import Index, corpus_words, gist_rows, load_index
from recapqa.store.build import build_index
from recapqa.store.gist_rows import GistRows
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
    assert gist.terms.made() == 0  # how much a row says is stored with the index (store/gist_rows.py)
    assert len(gist.rows[talk]) < len(fresh.index.sentences) / 3
    assert isinstance(gist.spelling, StoredSpelling) and isinstance(gist.expansions, StoredExpansions)

    fresh.ask("What did Min Cai say about LLMs?", mode="extractive")
    assert "llm" in gist.expansions  # the topic's acronym, as the notes first expand it
    made = gist.terms.made()
    assert made < len(fresh.index.sentences)

    answer, _ = fresh.ask("Which talks mention feature stores?", mode="extractive")
    assert answer.answer.startswith("Talks that mention feature stores (")
    assert gist.terms.made() == made  # every talk looked up in the stored gist rows: no row made


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
    assert all(tables.expansions[stem] == long for stem, long in expansions.items())
    assert "zzzz" not in tables.expansions
    assert list(tables.filler) == [tables.filler[r] for r in range(len(index.sentences))]


def test_a_sentence_without_a_parenthesis_defines_no_acronym() -> None:
    assert acronyms("LLMs Large Language Models are everywhere") == []
    assert acronyms("LLMs (Large Language Models) are everywhere") == [("LLM", "Large Language Models")]


WHOLE_CORPUS_QUESTIONS = [
    "Which talks mention Lambda?",
    "Which talks mention security?",
    "Which talks mention serverless containers?",
    "What were the main themes of the conference?",
    "What were the main themes of re:Invent Wednesday?",
    "What did Chris Hickman say about quantum computing?",
    "Summarize the talk about serverless",
    "How do the two container talks differ on security?",
]


def test_stored_gist_rows_are_what_the_answerer_makes_from_the_text(
    tmp_path: Path, embedder_factory: Callable[[], Embedder]
) -> None:
    """Every stored row (store/gist_rows.py) equals what the answerer makes of the sentence
    itself (an index without them: `gist=None`), in the order its sets are made in; the
    lookups over every talk give what reading every row gives; answers are the same."""
    folder = tmp_path / "corpus"
    shutil.copytree(corpora_dir() / "aws-reinvent-2018-chrishic", folder)
    settings = Settings(corpus_dir=folder, index_dir=tmp_path / "index", index_segment_documents=2)
    build_index(folder, settings.index_dir, settings, embedder_factory)
    index = load_index(settings.index_dir, settings)
    assert index.gist is not None and len(index.manifest["segments"]) > 1
    stored, made = _tables(index, settings), _tables(dataclasses.replace(index, gist=None), settings)
    assert isinstance(stored.spelling, StoredSpelling) and isinstance(made.spelling, Once)
    assert isinstance(stored.expansions, StoredExpansions) and isinstance(made.expansions, Once)
    rows = range(len(index.sentences))
    stems = WordTerms()
    phrases = [[*stems.sentence(s.text), *pairs(s.text)] for s in index.sentences]
    assert all(set(phrases[r]) == made.terms[r] | {x for x in phrases[r] if " " in x} for r in rows)
    talks, counted = list(made.rows), []
    for min_terms in (settings.gist_min_terms, 2):  # 2: counted again from the stored rows
        filler = _tables(
            dataclasses.replace(index, gist=None), settings.model_copy(update={"gist_min_terms": min_terms})
        ).filler
        expected = []  # each talk's phrases as the themes answer counts them from the text
        for at, talk in enumerate(talks):
            kept = Counter(x for r in made.rows[talk] if not filler[r] for x in phrases[r])
            every = Counter(x for r in made.rows[talk] for x in phrases[r])
            expected += [(at, x, kept[x], every[x]) for x in [*kept, *(x for x in every if x not in kept)]]
        table = index.gist.phrase_table(talks, min_terms)
        got = zip(table.talk.tolist(), table.phrase.tolist(), table.count.tolist(), table.rows.tolist(), strict=True)
        assert [(t, table.text(p), c, n) for t, p, c, n in got] == expected
        counted.append(expected)
    assert counted[0] != counted[1]  # fewer rows are filler with 2
    stored_file = index.path / "segments" / index.manifest["segments"][0]["name"] / gist_rows.FILE
    stored_rows = GistRows.load(stored_file)
    assert stored_rows.themes is not None and stored_rows.min_terms == settings.gist_min_terms
    assert str(stored_file) in mapped_paths()  # shared through the page cache
    for array in (stored_rows.lists["terms"].cols["id"], stored_rows.scalars["said"], stored_rows.themes.cols["count"]):
        assert not array.flags.writeable and not array.flags.owndata  # views of that mapping
    assert [stored.filler[r] for r in rows] == [made.filler[r] for r in rows]
    assert 0 < sum(made.filler[r] for r in rows) < len(rows)
    assert _expansions(index) and all(stored.expansions[s] == long for s, long in _expansions(index).items())
    every = _spelling(index)
    assert all(list(stored.spelling[stem].items()) == list(counts.items()) for stem, counts in every.items())
    assert "lambda" in stored.spelling and "zzzz" not in stored.spelling
    targets, labels = TalkTargets(index), Counter(x for t in index.talks.values() for x in set(terms(label(t))))
    assert all(index.gist.label_df(x) == n for x, n in labels.items()) and index.gist.label_df("zzzz") == 0
    assert targets.weight({"aws", "lambda"}) == TalkTargets(dataclasses.replace(index, gist=None)).weight(
        {"aws", "lambda"}
    )
    for topic in ({"lambda"}, {"serverless", "contain"}, {"secur"}, {"aw"}, {"lambda", "zzzz"}):
        expected: dict[str, list[int]] = {}
        for talk, held in made.rows.items():
            titled = targets.label_terms[talk]
            lead = [set(terms(index.sentences[r].context or "")) for r in held]
            hits = [r for r, c in zip(held, lead, strict=True) if topic <= made.terms[r] | c | titled]
            if hits:
                expected[talk] = hits
        assert index.gist.mentions(topic) == expected
        saying = {t for t, held in made.rows.items() if any(topic & made.terms[r] for r in held)}
        assert index.gist.talks_saying(topic) == saying
    assert index.gist.mentions({"lambda"}) and index.gist.mentions({"zzzz"}) == {}

    with_rows = Assistant(index, settings, embedder_factory)
    without = Assistant(dataclasses.replace(index, gist=None), settings, embedder_factory)
    for question in WHOLE_CORPUS_QUESTIONS:
        one, _ = with_rows.ask(question, mode="extractive")
        other, _ = without.ask(question, mode="extractive")
        assert repr((one.answer, one.citations, one.closest_talks)) == repr(
            (other.answer, other.citations, other.closest_talks)
        ), question
    assert without.extractive.gist.terms.made() == len(index.sentences)  # that one read every row
