"""'Which company does X work for?' is answered by a sentence placing X at an organisation
(a capitalised word beside the name, as notes write affiliations), not by any sentence
naming X that holds some capitalised word."""

from __future__ import annotations

import pytest

from recapqa.answer.question import analyse
from recapqa.answer.sentence_kinds import kind_score


@pytest.mark.parametrize(
    ("person", "text", "holds"),
    [
        ("Jane Roe", "Jane Roe, Staff Engineer, Acme Corp", True),
        ("Jane Roe", "Jane Roe (Acme) on rollouts", True),
        ("Jane Roe", "_by Jane Roe_ - a staff engineer at Acme, shares her experience", True),
        ("Jane Roe", "Jane Roe leads the platform team at Acme and has run flags for years.", True),
        ("Jane Roe", "Acme's Jane Roe told the story.", True),
        ("Jane Roe", "Acme Engineer Jane Roe described how they built it.", True),
        ("Jane Roe", "[_Jane Roe_](https://example.org/jroe) - a member of the Acme core team", True),
        ("Jane Roe", "“Aim high” -Sam Poe in Jane Roe’s keynote", False),  # another person's name
        ("Jane Roe", "Jane lists common DNS mistakes and how to avoid them:", False),
        ("Jane Roe", "[Botkit](https://example.org) _by_ [_Jane Roe_](https://example.org/j) - bots by Go", False),
        ("Jane Roe", '"It took 1,400 years after the Romans lost it." -- Jane Roe', False),
        ("Jane Roe", 'Jane Roe, "Shipping daily", Acme', True),  # a quoted title between them
    ],
)
def test_an_organisation_is_a_capitalised_word_beside_the_person(person: str, text: str, holds: bool) -> None:
    info = analyse(f"Which company does {person} work for?", frozenset())
    assert info.kind == "company"
    assert (kind_score(info, text, "", False) >= 1.0) is holds
