"""Which sentences the extractive answerer weighs, on small made-up notes (real model and
index): a retrieved talk's sentence closest to the question comes in even when the chunk
holding it was not retrieved (`talk_sentences`), ranked after every retrieved chunk; and the
eligibility rule that removes a sentence is named, and can be left to the features
(`soft_rules`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from tests.conftest import assistant_over

from recapqa.answer.extractive import ExtractiveAnswerer
from recapqa.answer.features import NAMES
from recapqa.answer.question import analyse
from recapqa.embed import Embedder
from recapqa.errors import ConfigError
from recapqa.pipeline import Assistant
from recapqa.settings import Settings

NOTES = """# Billing at Acme (Jane Roe)

Jane Roe opened with the history of the billing team, which started as two people in a
shared office and grew to forty engineers over six years of steady hiring.

The team ships a release every week and keeps a changelog that every engineer reads
before the Monday planning meeting, so that nobody is surprised by a change.

On-call is shared by all forty engineers, with one week of duty every ten weeks and a
quiet week afterwards to recover from the pages of the night shifts.

Invoices are stored in PostgreSQL, replicated to a second region every five minutes.

Jane closed by inviting people to the hallway track to talk about hiring and careers.
"""
QUESTION = "Which database keeps Acme's invoices?"


@pytest.fixture(scope="module")
def billing(tmp_path_factory: pytest.TempPathFactory, embedder_factory: Callable[[], Embedder]) -> Assistant:
    root = tmp_path_factory.mktemp("billing")
    settings = Settings(
        corpus_dir=root / "corpus", index_dir=root / "index", chunk_max_tokens=40, chunk_overlap_tokens=0
    )
    return assistant_over(settings, {"billing.md": NOTES}, embedder_factory)


def test_a_retrieved_talks_closest_sentence_is_a_candidate_though_its_chunk_is_not(billing: Assistant) -> None:
    row = next(r for r, s in enumerate(billing.index.sentences) if "PostgreSQL" in s.text)
    answerer = billing.extractive
    retrieval = billing.retriever.retrieve(QUESTION)
    # the talk retrieved by its other chunks only (as when the answer's chunk ranks below the cut)
    hits = [h for h in retrieval.hits if row not in billing.index.chunk_sentences[answerer.chunk_row(h)]]
    assert hits and len(hits) < len(retrieval.hits)
    retrieval = replace(retrieval, hits=hits)
    without = ExtractiveAnswerer(billing.index, billing.settings.model_copy(update={"talk_sentences": 0}))
    assert row not in [c.row for c in without.candidates(retrieval)]
    with_talk = ExtractiveAnswerer(billing.index, billing.settings.model_copy(update={"talk_sentences": 1}))
    candidates = with_talk.candidates(retrieval)
    held = {r for h in hits for r in billing.index.chunk_sentences[answerer.chunk_row(h)]}
    extra = [c for c in candidates if c.row not in held]
    assert [c.row for c in extra] == [row]  # the one sentence of the talk closest to the question
    assert extra[0].features[NAMES.index("rank")] == 1 / (1 + len(hits))  # after every retrieved chunk
    answer = with_talk.answer_from(retrieval, candidates)
    assert answer.citations[0].quote == (
        "Invoices are stored in PostgreSQL, replicated to a second region every five minutes."
    )


def test_the_rule_that_removes_a_sentence_is_named_and_can_be_left_to_the_features(billing: Assistant) -> None:
    answerer = billing.extractive
    row = next(r for r, s in enumerate(billing.index.sentences) if "PostgreSQL" in s.text)
    kind = 0.0
    info = analyse("Which database does Initech keep its invoices in?", answerer.proper_nouns | {"initech"})
    assert answerer.eligible.rejected_by(row, info, kind) == "name"  # Initech: neither sentence nor talk
    assert not answerer.eligible(row, info, kind)
    soft = ExtractiveAnswerer(billing.index, billing.settings.model_copy(update={"soft_rules": ("name",)}))
    assert soft.eligible.rejected_by(row, info, kind) is None
    assert soft.eligible(row, info, kind)
    count = analyse("How many engineers keep the invoices?", answerer.proper_nouns)
    assert answerer.eligible.rejected_by(row, count, kind) == "kind"  # a count asked: the sentence has none


def test_a_runner_up_of_the_same_talk_within_nine_tenths_of_the_best_is_quoted_too(billing: Assistant) -> None:
    rows = {s.text.split()[0]: r for r, s in enumerate(billing.index.sentences)}
    retrieval = billing.retriever.retrieve(QUESTION)
    scored = {c.row: c for c in billing.extractive.candidates(retrieval)}
    best = replace(scored[rows["Invoices"]], score=0.80, eligible=True)
    # (the other two with the best's features: only scores decide which runner-ups are quoted)
    runner_up = replace(best, row=rows["On-call"], score=0.73)  # 0.9125 of the best
    far = replace(best, row=rows["Jane"], score=0.70)  # 0.875: not quoted
    sure = {"abstain_threshold": 0.0}
    answerer = ExtractiveAnswerer(billing.index, billing.settings.model_copy(update=sure))
    answer = answerer.answer_from(retrieval, [best, runner_up, far])
    assert [c.quote.split()[0] for c in answer.citations] == ["Invoices", "On-call"]
    strict = ExtractiveAnswerer(billing.index, billing.settings.model_copy(update={**sure, "runner_up_ratio": 0.95}))
    assert [c.quote.split()[0] for c in strict.answer_from(retrieval, [best, runner_up, far]).citations] == ["Invoices"]


def test_a_soft_rule_that_names_no_rule_is_refused(billing: Assistant) -> None:
    misspelt = billing.settings.model_copy(update={"soft_rules": ("name", "nmae")})
    with pytest.raises(ConfigError) as refused:
        ExtractiveAnswerer(billing.index, misspelt)
    assert refused.value.message == "RECAPQA_SOFT_RULES names no eligibility rule: nmae"


LONG_SENTENCE = (
    "The archive keeps every invoice in cold storage "
    + " ".join(f"batch{i}" for i in range(120))
    + " until the auditors ask for it."
)
TWO_TALKS = f"""# Queues (Bob Ray)

Bob talked about queues and nothing else at all here.

# Storage (Ann Lee)

Ann opened with the history of storage at her company.

{LONG_SENTENCE}

She closed with hiring.
"""


def test_a_sentence_no_chunk_holds_whole_is_cited_by_the_chunk_of_its_talk_where_it_starts(
    tmp_path_factory: pytest.TempPathFactory, embedder_factory: Callable[[], Embedder]
) -> None:
    root = tmp_path_factory.mktemp("long")
    settings = Settings(
        corpus_dir=root / "corpus", index_dir=root / "index", chunk_max_tokens=40, chunk_overlap_tokens=0
    )
    assistant = assistant_over(settings, {"storage.md": TWO_TALKS}, embedder_factory)
    index = assistant.index
    row = next(r for r, s in enumerate(index.sentences) if s.text.startswith("The archive"))
    assert all(row not in rows for rows in index.chunk_sentences)  # cut at words: no chunk holds it whole
    chunk = index.chunks[assistant.extractive.facts.sentences[row].chunk_row]
    assert (chunk.talk_id, chunk.text.split()[:3]) == (index.sentences[row].talk_id, ["The", "archive", "keeps"])
    answer, _ = assistant.ask("Where does the archive keep invoices until the auditors ask?", mode="extractive")
    assert [(c.chunk_id, c.talk.title, c.quote) for c in answer.citations] == [
        (chunk.chunk_id, "Storage", LONG_SENTENCE)
    ]
