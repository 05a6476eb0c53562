"""Near misses on small made-up notes (real model and index): a word opening a quotation is
not an organisation beside the person a 'which company' question asks about ('> "Reaching
big goals…" by …' names no employer)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.conftest import module_assistant

from recapqa.answer.question import analyse
from recapqa.answer.sentence_kinds import kind_score
from recapqa.embed import Embedder
from recapqa.pipeline import Assistant

NOTES = """# Kernel Days 2024

## Keynote: small steps (Jane Bloggs)

> "Reaching big goals in small steps"
>
> By Jane Bloggs

Jane Bloggs showed how the kernel ships a new release every nine weeks.

## Scaling builds (Sam Roe, Initech)

Sam Roe works at Initech, where builds run on 400 machines.
"""


@pytest.fixture(scope="module")
def kernel_days(tmp_path_factory: pytest.TempPathFactory, embedder_factory: Callable[[], Embedder]) -> Assistant:
    return module_assistant(tmp_path_factory, embedder_factory, {"kernel-days.md": NOTES})


def test_a_word_opening_a_quotation_is_not_an_organisation() -> None:
    info = analyse("Which company does Jane Bloggs work for?", frozenset())
    assert info.kind == "company"
    assert kind_score(info, '> "Reaching big goals in small steps" by Jane Bloggs', "", False) == 0.0
    assert kind_score(info, "“Small steps” by Jane Bloggs", "", False) == 0.0
    assert kind_score(info, "Talk by Jane Bloggs of Initech", "", False) == 1.0
    assert kind_score(info, 'Jane Bloggs, "Reaching big goals", Initech', "", False) == 1.0


def test_a_quotation_by_the_person_does_not_answer_which_company(kernel_days: Assistant) -> None:
    answer, _ = kernel_days.ask("Which company does Jane Bloggs work for?", mode="extractive")
    assert answer.abstained and answer.citations == []
    answer, _ = kernel_days.ask("Which company does Sam Roe work for?", mode="extractive")
    assert not answer.abstained and "Initech" in answer.answer
    assert answer.citations[0].talk.title == "Scaling builds"
