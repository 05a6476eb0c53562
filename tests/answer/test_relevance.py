"""Which shown sentences answer the question for the support check (answer/relevance.py): the
answerer's own ranking, and a sentence that goes on about the one before it."""

from collections.abc import Callable
from pathlib import Path

from conftest import assistant_over
from recapqa.answer.citations import SupportChecker
from recapqa.answer.extractive import Candidate
from recapqa.answer.relevance import log_odds, relevant_rows
from recapqa.embed import Embedder
from recapqa.models import Span
from recapqa.sentences import Sentence
from recapqa.settings import Settings

GAP = 1.6


def sentences(*texts: str, talk: str = "t") -> list[Sentence]:
    return [Sentence(talk, "notes.md", text, Span(0, 1, 1, 1), True, "") for text in texts]


def candidate(row: int, score: float, eligible: bool = True) -> Candidate:
    return Candidate(row, None, 0, score, eligible)  # type: ignore[arg-type]  # relevance reads rows and scores


def test_the_answerers_best_sentences_answer_and_the_ones_far_below_do_not() -> None:
    rows = sentences("Ledger keeps balances.", "The office is in Berlin.", "Lunch was good.")
    found = relevant_rows([candidate(0, 0.99), candidate(1, 0.96), candidate(2, 0.5)], rows, 0.1, GAP)
    assert sorted(found) == [0, 1]  # 0.96 is 1.4 log-odds below 0.99, 0.5 is 4.6 below


def test_only_the_top_eligible_sentences_answer_by_their_own_score() -> None:
    rows = sentences("Ledger keeps balances.", "The office is in Berlin.", "Lunch was good.", "It rained.")
    cands = [candidate(0, 0.99), candidate(1, 0.985), candidate(2, 0.98, eligible=False), candidate(3, 0.97)]
    assert sorted(relevant_rows(cands, rows, 0.1, GAP)) == [0, 1, 3]  # all within the gap
    assert sorted(relevant_rows(cands, rows, 0.1, GAP, top=2)) == [0, 1]  # 2 is not eligible
    assert sorted(relevant_rows(cands, rows, 0.1, GAP, top=1)) == [0]


def test_a_sentence_opening_with_a_pronoun_answers_when_the_one_before_it_does() -> None:
    rows = sentences("The Console offers one screen.", "It connects the logs and the alerts.", "Logs are kept.")
    cands = [candidate(0, 0.999), candidate(1, 0.98), candidate(2, 0.98)]
    assert log_odds(0.98) < log_odds(0.999) - GAP
    assert sorted(relevant_rows(cands, rows, 0.1, GAP)) == [0, 1]


NOTES = """# Inside the Ledger platform

Speaker: Jane Doe

The platform runs three services in every region.

Services of the platform:

1. Ledger Service
- keeps a region wide record of account balances for audits
- uses quorum consensus for replicated state

2. Routing Service
- sends each request to the nearest healthy region
- retries failed requests twice

The team also runs a weekly game day to test failover between regions.
"""


def test_a_claim_resting_on_an_item_under_its_heading_is_kept(
    tmp_path: Path, embedder_factory: Callable[[], Embedder]
) -> None:
    settings = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
    assistant = assistant_over(settings, {"ledger.md": NOTES}, embedder_factory)
    question = "What is the job of the Ledger Service?"
    retrieval = assistant.retriever.retrieve(question)
    checker = SupportChecker(assistant.extractive, assistant.embed_query)
    reply = "The Ledger Service keeps a region wide record of account balances for audits [1]."
    [verdict] = checker.check(reply, retrieval, retrieval.hits[:1])
    assert verdict.kept, verdict.reason
    [(_, row, _)] = verdict.sources
    assert assistant.index.sentences[row].text == "keeps a region wide record of account balances for audits"
