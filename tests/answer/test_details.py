"""The type of detail a question asks for and whether a sentence lacks it (answer/details.py),
and `kind_missing` in the confidence model, on small made-up notes (real model and index): a
'when' question answered by a sentence that names the thing asked about but gives no time is a
near miss, and its weight lowers the answer's confidence."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from tests.conftest import module_assistant

from recapqa.answer.details import asked_detail, lacks_detail
from recapqa.answer.features import CONFIDENCE_NAMES, NAMES
from recapqa.answer.question import analyse
from recapqa.answer.sentence_kinds import kind_score
from recapqa.embed import Embedder
from recapqa.pipeline import Assistant

NOTES = """# Parser Summit 2024

## The new parser (Jane Bloggs, Initech)

Jane Bloggs is principal engineer at Initech and leads the parser team.

The old parser first shipped in 2019 and is still the default.

The new parser is expected to replace the old one once its error messages are good enough.

## Build farms (Sam Roe)

Sam Roe showed a build farm of 400 machines that compiles every change twice.
"""


@pytest.fixture(scope="module")
def summit(tmp_path_factory: pytest.TempPathFactory, embedder_factory: Callable[[], Embedder]) -> Assistant:
    return module_assistant(tmp_path_factory, embedder_factory, {"parser-summit.md": NOTES})


def _asked(question: str) -> str | None:
    info = analyse(question, frozenset())
    return asked_detail(info.text, info.kind)


def _lacks(question: str, text: str, context: str = "", list_item: bool = False) -> bool:
    info = analyse(question, frozenset())
    return lacks_detail(info, text, context, list_item, kind_score(info, text, context, list_item))


def test_the_detail_asked_is_a_typed_kind_or_a_job_title() -> None:
    assert _asked("When did the old parser first ship?") == "time"
    assert _asked("How many machines does the build farm have?") == "number"
    assert _asked("What is Jane Bloggs' job title at Initech?") == "role"
    assert _asked("Why is the new parser needed?") is None
    assert _asked("What does the build farm compile?") is None
    assert _asked("Which parser was Jane Bloggs' favourite?") == "verdict"
    assert _asked("Who won the parser contest?") == "verdict"


def test_a_sentence_lacks_the_detail_unless_it_or_its_lead_in_holds_one() -> None:
    when = "When will the new parser replace the old one?"
    assert _lacks(when, "The new parser will replace the old one.")
    assert not _lacks(when, "The new parser will replace the old one in March.")
    assert not _lacks(when, "the new parser replaces the old one", "Plans for 2025:", True)
    role = "What is Jane Bloggs' job title at Initech?"
    assert _lacks(role, "Jane Bloggs spoke about the parser at Initech.")
    assert not _lacks(role, "Jane Bloggs is principal engineer at Initech.")
    assert not _lacks("Why is the new parser needed?", "The new parser is needed.")
    favourite = "Which parser was Jane Bloggs' favourite?"
    assert _lacks(favourite, "Jane Bloggs compared the old parser and the new parser.")
    assert not _lacks(favourite, "Jane Bloggs' favourite is the new parser.")
    won = "Who won the parser contest?"
    assert _lacks(won, "Thanks to Sam Roe and Jane Bloggs for running the parser contest.")
    assert not _lacks(won, "Sam Roe won the parser contest.")


def _confidence(assistant: Assistant, question: str) -> tuple[float, float]:
    """The kind_missing value of the best eligible sentence, and the answer's confidence."""
    answerer = assistant.extractive
    retrieval = assistant.retriever.retrieve(question, assistant.settings.top_k)
    eligible = [c for c in answerer.candidates(retrieval, analyse(question, answerer.proper_nouns)) if c.eligible]
    return eligible[0].features[NAMES.index("kind_missing")], answerer.confidence(eligible)


def _log_odds(p: float) -> float:
    return math.log(p / (1 - p))


def test_kind_missing_lowers_the_confidence_by_its_weight_only_where_the_time_is_missing(summit: Assistant) -> None:
    weights = list(summit.settings.confidence_weights)
    weight = weights[CONFIDENCE_NAMES.index("kind_missing")]
    weights[CONFIDENCE_NAMES.index("kind_missing")] = 0.0
    blind = Assistant.open(summit.settings.model_copy(update={"confidence_weights": tuple(weights)}))
    near_miss = "When is the new parser expected to be finished?"  # the notes say 'once …', no time
    missing, confidence = _confidence(summit, near_miss)
    assert missing == 1.0 and weight < 0
    assert _log_odds(confidence) - _log_odds(_confidence(blind, near_miss)[1]) == pytest.approx(weight)
    answered = "When did the old parser first ship?"  # 'in 2019'
    missing, confidence = _confidence(summit, answered)
    assert missing == 0.0 and confidence == _confidence(blind, answered)[1]
    answer, _ = summit.ask(answered, mode="extractive")
    assert not answer.abstained and "2019" in answer.answer
