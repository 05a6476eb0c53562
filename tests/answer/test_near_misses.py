"""Near misses on small made-up notes (real model and index): a word opening a quotation is
not an organisation beside the person a 'which company' question asks about ('> "Reaching
big goals…" by …' names no employer); 'which release' asks for a version; a mixed-case word
the notes never write ('nBuild') is a name they do not give."""

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

> "Small steps make long roads"
>
> By Jane Bloggs

Jane Bloggs showed how the kernel ships a new release every nine weeks.

## Scaling builds (Sam Roe, Initech)

Sam Roe works at Initech, where builds run on 400 machines.
Sam Roe said build caching landed in kernel release 6.2.
"""


@pytest.fixture(scope="module")
def kernel_days(tmp_path_factory: pytest.TempPathFactory, embedder_factory: Callable[[], Embedder]) -> Assistant:
    return module_assistant(tmp_path_factory, embedder_factory, {"kernel-days.md": NOTES})


def test_a_word_opening_a_quotation_is_not_an_organisation() -> None:
    info = analyse("Which company does Jane Bloggs work for?", frozenset())
    assert info.kind == "company"
    assert kind_score(info, '> "Small steps make long roads" by Jane Bloggs', "", False) == 0.0
    assert kind_score(info, "“Small steps” by Jane Bloggs", "", False) == 0.0
    assert kind_score(info, "Talk by Jane Bloggs of Initech", "", False) == 1.0
    assert kind_score(info, 'Jane Bloggs, "Small steps make long roads", Initech', "", False) == 1.0


def test_a_quotation_by_the_person_does_not_answer_which_company(kernel_days: Assistant) -> None:
    answer, _ = kernel_days.ask("Which company does Jane Bloggs work for?", mode="extractive")
    assert answer.abstained and answer.citations == []
    answer, _ = kernel_days.ask("Which company does Sam Roe work for?", mode="extractive")
    assert not answer.abstained and "Initech" in answer.answer
    assert answer.citations[0].talk.title == "Scaling builds"


def test_which_release_asks_for_a_version() -> None:
    assert analyse("In which Frobnitz release will the new API ship?", frozenset()).kind == "version"
    assert analyse("In which release channels is the distribution delivered?", frozenset()).kind != "version"
    # 'release' naming something else it qualifies: a date, a schedule
    assert analyse("What release date did Initech announce for the parser?", frozenset()).kind != "version"
    assert analyse("What release schedule does the kernel follow?", frozenset()).kind != "version"


def test_which_release_is_answered_by_a_version_only(kernel_days: Assistant) -> None:
    answer, _ = kernel_days.ask("In which kernel release did build caching land, per Sam Roe?", mode="extractive")
    assert not answer.abstained and "6.2" in answer.answer
    answer, _ = kernel_days.ask("Which kernel release ships Jane Bloggs' small steps?", mode="extractive")
    assert answer.abstained  # 'a new release every nine weeks' names no version


def test_a_mixed_case_word_is_a_name_the_notes_must_give(kernel_days: Assistant) -> None:
    assert "nbuild" in analyse("how many machines run builds at Initech with nBuild?", frozenset()).names
    answer, _ = kernel_days.ask("How many machines run builds at Initech?", mode="extractive")
    assert not answer.abstained and "400" in answer.answer
    answer, _ = kernel_days.ask("How many machines run builds at Initech with nBuild?", mode="extractive")
    assert answer.abstained
