"""`talk_words` and `topic_cover`, two features of the confidence model (answer/features.py),
on small made-up notes (real model and index): a near miss often names a real talk and asks what
its notes do not say, so most of the question's weight is the talk's name (`talk_words` high)
and the sentence picked for it holds little of the rest (`topic_cover` low)."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from tests.conftest import module_assistant

from recapqa.answer.features import CONFIDENCE_NAMES, NAMES, topic_values
from recapqa.answer.question import analyse
from recapqa.embed import Embedder
from recapqa.pipeline import Assistant

NOTES = """# Cache Days 2024

## Caching at the edge (Jane Bloggs, Initech)

Jane Bloggs explained that Initech keeps rendered pages in edge caches for ten minutes.

The cache key holds the reader's locale and the page version.

## Build farms (Sam Roe, Globex)

Sam Roe showed a build farm of 400 machines that compiles every change twice.
"""

NEAR_MISS = "Which build tool does Jane Bloggs prefer at Initech?"  # her notes say nothing of builds
ANSWERED = "What does the cache key hold, according to Jane Bloggs?"


@pytest.fixture(scope="module")
def days(tmp_path_factory: pytest.TempPathFactory, embedder_factory: Callable[[], Embedder]) -> Assistant:
    return module_assistant(tmp_path_factory, embedder_factory, {"cache-days.md": NOTES})


def _one(term: str) -> float:
    return 1.0


def test_talk_words_is_the_share_of_the_question_the_talk_metadata_holds() -> None:
    talk = {"jane", "initech", "cach"}
    assert topic_values({"jane", "initech", "edg", "local"}, _one, lambda t: True, talk, set())[0] == 0.5
    assert topic_values({"jane", "initech"}, _one, lambda t: True, talk, set())[0] == 1.0
    assert topic_values({"edg", "local"}, _one, lambda t: True, talk, set())[0] == 0.0
    # words the notes never use are left out (terms_unknown weighs them), rare words weigh more
    assert topic_values({"jane", "edg", "zzz"}, _one, lambda t: t != "zzz", talk, set())[0] == 0.5
    idf = {"jane": 3.0, "edg": 1.0}.__getitem__
    assert topic_values({"jane", "edg"}, idf, lambda t: True, talk, set())[0] == 0.75


def test_topic_cover_is_the_share_of_the_rest_the_sentence_holds() -> None:
    talk = {"jane", "initech"}
    assert topic_values({"jane", "edg", "local"}, _one, lambda t: True, talk, {"edg"})[1] == 0.5
    assert topic_values({"jane", "edg", "local"}, _one, lambda t: True, talk, {"jane"})[1] == 0.0
    assert topic_values({"jane", "initech"}, _one, lambda t: True, talk, set())[1] == 1.0  # nothing else asked


def _best(assistant: Assistant, question: str) -> tuple[dict[str, float], float]:
    """The best eligible sentence's features and the answer's confidence."""
    answerer = assistant.extractive
    retrieval = assistant.retriever.retrieve(question, assistant.settings.top_k)
    eligible = [c for c in answerer.candidates(retrieval, analyse(question, answerer.proper_nouns)) if c.eligible]
    return dict(zip(NAMES, eligible[0].features, strict=True)), answerer.confidence(eligible)


def _log_odds(p: float) -> float:
    return math.log(p / (1 - p))


def _blind(days: Assistant) -> Assistant:
    weights = list(days.settings.confidence_weights)
    for name in ("talk_words", "topic_cover"):
        weights[CONFIDENCE_NAMES.index(name)] = 0.0
    return Assistant.open(days.settings.model_copy(update={"confidence_weights": tuple(weights)}))


def test_a_question_naming_the_talk_and_asking_what_it_does_not_say_loses_confidence(days: Assistant) -> None:
    weights = dict(zip(CONFIDENCE_NAMES, days.settings.confidence_weights, strict=True))
    assert weights["talk_words"] < 0 < weights["topic_cover"]
    blind = _blind(days)
    shifts = {}
    for question in (NEAR_MISS, ANSWERED):
        features, confidence = _best(days, question)
        shift = _log_odds(confidence) - _log_odds(_best(blind, question)[1])
        expected = weights["talk_words"] * features["talk_words"] + weights["topic_cover"] * features["topic_cover"]
        assert shift == pytest.approx(expected)
        shifts[question] = shift
    near, answered = _best(days, NEAR_MISS)[0], _best(days, ANSWERED)[0]
    assert near["talk_words"] > answered["talk_words"]
    assert near["topic_cover"] == 0.0 < answered["topic_cover"]
    assert shifts[NEAR_MISS] < shifts[ANSWERED]
    answer, _ = days.ask(ANSWERED, mode="extractive")
    assert not answer.abstained and "locale" in answer.answer
