"""Near misses on small made-up notes (real model and index): a version the question gives
is matched whole, not by its digits; a word opening a quotation is not an organisation."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.conftest import assistant_over

from recapqa.answer.question import analyse
from recapqa.answer.sentence_kinds import kind_score
from recapqa.embed import Embedder
from recapqa.pipeline import Assistant
from recapqa.settings import Settings

NOTES = """# StoreCon 2024

## The history of Quarrydb (Ann Lee)

The first version of Quarrydb was cut in March 2014, and it was announced publicly in 2015.
Quarrydb stores time series on local disk and compacts them every two hours.

## Quarrydb 2.0 storage engine (Bo Chen)

The 2.0 engine can persist 800000 samples per core per second to disk.
"""


@pytest.fixture(scope="module")
def storecon(tmp_path_factory: pytest.TempPathFactory, embedder_factory: Callable[[], Embedder]) -> Assistant:
    root = tmp_path_factory.mktemp("near-misses")
    settings = Settings(corpus_dir=root / "corpus", index_dir=root / "index")
    return assistant_over(settings, {"storecon.md": NOTES}, embedder_factory)


def test_a_version_the_question_gives_is_read_whole() -> None:
    assert analyse("When was Quarrydb 3.0 released?", frozenset()).versions == {"3.0"}
    assert analyse("How fast was Quarrydb 1.x?", frozenset()).versions == {"1.x"}
    assert analyse("When was Quarrydb announced in 2015?", frozenset()).versions == frozenset()


def test_a_version_no_talk_gives_is_not_answered_from_its_digits(storecon: Assistant) -> None:
    answer, _ = storecon.ask("When was Quarrydb 3.0 released?", mode="extractive")
    assert answer.abstained  # '3' and '0' are in '2014' and '800000', '3.0' is nowhere
    answer, _ = storecon.ask("How many samples per core per second can Quarrydb 1.x persist?", mode="extractive")
    assert answer.abstained


def test_a_version_the_talk_gives_is_answered(storecon: Assistant) -> None:
    answer, _ = storecon.ask("How many samples per core per second can Quarrydb 2.0 persist?", mode="extractive")
    assert not answer.abstained and "800000 samples" in answer.answer
    answer, _ = storecon.ask("When was the first version of Quarrydb cut?", mode="extractive")
    assert not answer.abstained and "March 2014" in answer.answer


def test_a_word_opening_a_quotation_is_not_an_organisation() -> None:
    info = analyse("Which company does Jane Bloggs work for?", frozenset())
    assert info.kind == "company"
    assert kind_score(info, '> "Reaching big goals in small steps" by Jane Bloggs', "", False) == 0.0
    assert kind_score(info, "“Small steps” by Jane Bloggs", "", False) == 0.0
    assert kind_score(info, "Talk by Jane Bloggs of Initech", "", False) == 1.0
