"""A name that frames the answer rather than says what it is about (its source, 'according to
the X survey'; the sort of thing asked, 'which Jira ticket') need only be in the talk, not
beside the answer sentence (real model and index on small notes)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.conftest import module_assistant

from recapqa.answer.question import analyse
from recapqa.embed import Embedder
from recapqa.pipeline import Assistant

SOURCED = """# Notes from DeployDays

## Safer rollouts (Mia Chen)

Mia opened with the Northwind survey of platform teams, whose work is tracked in Jira.
Most teams still deploy on Fridays.
Rollbacks are rare but slow.
Feature flags are the first tool teams reach for.
Canary releases are used by 41 teams out of 60.
Rollback drills are written up in ticket OPS-4411.
"""


@pytest.fixture(scope="module")
def sourced(tmp_path_factory: pytest.TempPathFactory, embedder_factory: Callable[[], Embedder]) -> Assistant:
    return module_assistant(tmp_path_factory, embedder_factory, {"deploydays.md": SOURCED})


def test_a_name_framing_the_answer_is_the_talks_not_the_sentences(sourced: Assistant) -> None:
    question = "How many teams use canary releases, according to the Northwind survey?"
    info = analyse(question, frozenset())
    assert (info.names, info.framing_names) == (frozenset({"northwind"}), frozenset({"northwind"}))
    assert analyse("How many requests per second, per Mia?", frozenset()).framing_names == frozenset({"mia"})
    # the source phrase ends at a question word: what follows is what is asked
    asked = analyse("According to the Northwind survey what share of teams use Argo?", frozenset())
    assert asked.framing_names == frozenset({"northwind"}) and "argo" in asked.names
    answer = sourced.ask(question, mode="extractive")[0]
    assert answer.answer == "Canary releases are used by 41 teams out of 60."
    # nor need the sort of thing asked be named beside the answer
    assert analyse("Which Jira ticket has the rollback drills?", frozenset()).framing_names == frozenset({"jira"})
    answer = sourced.ask("Which Jira ticket has the rollback drills?", mode="extractive")[0]
    assert answer.answer == "Rollback drills are written up in ticket OPS-4411."
    # a name no talk cites is still a reason to abstain
    assert sourced.ask("How many teams use canary releases, according to the Contoso report?")[0].abstained
