"""Whose talks a speaker-on-a-topic or a comparison question means, when the notes name the
speaker or company only in their text: a talk listed with its speakers in one file and
written up, naming them, in another; a company the notes introduce in a sentence ("The first
was Globex"); two sides of a comparison, one named by a talk's label, one only in the notes
(real model and index)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.conftest import assistant_over

from recapqa.embed import Embedder
from recapqa.pipeline import Assistant
from recapqa.settings import Settings

SCHEDULE = """# CloudConf 2025

## Sessions I went to

### Multi-region ingress (Priya Nair)

### Paying for idle machines (Lena Fox)
"""

WRITTEN = """# CloudConf 2025: what I took home

## How the project itself changes

I went to two talks on proposals for changing the project itself.

The first was from Priya Nair, who asked how portable an ingress should be.
The current ingress was kept small so that it stays portable across providers, at the cost of features.
Users can trade portability for features through extension APIs on top.

Pod specs cannot change today, so new resource limits mean restarting the pod.
The proposal lets the autoscaler resize a running pod without a restart.
"""

CUSTOMERS = """# BankTech Day 2025

## Other customers doing what we do

Two customer talks on the main stage stood out to me.

The first was Globex, a large bank that is moving its payment systems to containers.
They write their compliance rules as code and test them in the same pipeline as the services.
A policy stops engineers from opening a public load balancer and tells them why.

The second was Initech, a publisher running nine clusters on two clouds.
They keep their own control plane so they can move nodes to another provider later.

## Compliance at scale (Dana Smith, Acme)

Dana explained that every compliance check at Acme runs as a test before a change is merged.
Auditors read the same test reports as the engineers, so nobody keeps a second spreadsheet.
The checks once took an hour; caching the scans brought them under five minutes.
"""


@pytest.fixture
def assistant(settings: Settings, embedder_factory: Callable[[], Embedder]) -> Assistant:
    notes = {"schedule.md": SCHEDULE, "written.md": WRITTEN, "customers.md": CUSTOMERS}
    return assistant_over(settings, notes, embedder_factory)


def test_a_speaker_listed_in_one_file_is_quoted_from_the_notes_that_name_them(assistant: Assistant) -> None:
    answer, _ = assistant.ask("What did Priya Nair say about portability?", mode="extractive")
    assert not answer.abstained
    assert answer.answer.startswith("What Multi-region ingress (Priya Nair) and How the project itself changes said:")
    assert {c.source for c in answer.citations} == {"written.md"}
    assert [c.quote for c in answer.citations][:3] == [
        "The first was from Priya Nair, who asked how portable an ingress should be.",
        "The current ingress was kept small so that it stays portable across providers, at the cost of features.",
        "Users can trade portability for features through extension APIs on top.",
    ]


def test_a_company_named_only_in_the_notes_text_is_quoted_from_there(assistant: Assistant) -> None:
    answer, _ = assistant.ask("What did Globex say about compliance?", mode="extractive")
    assert answer.answer.startswith("What Other customers doing what we do said:")
    assert [c.quote for c in answer.citations] == [
        "Two customer talks on the main stage stood out to me.",  # places filled with the units next to them,
        "The first was Globex, a large bank that is moving its payment systems to containers.",
        "They write their compliance rules as code and test them in the same pipeline as the services.",
        "A policy stops engineers from opening a public load balancer and tells them why.",
    ]  # not with the next company's ("The second was Initech, ...")


def test_the_two_sides_of_a_comparison_are_the_talks_their_names_point_at(assistant: Assistant) -> None:
    answer, _ = assistant.ask("How do Globex's and Acme's keynotes talk about compliance?", mode="extractive")
    assert answer.answer.startswith("On compliance:")  # not "On Globex": who is compared is no topic
    assert [(c.talk.title, c.quote) for c in answer.citations][2:] == [
        ("Compliance at scale", "The checks once took an hour; caching the scans brought them under five minutes."),
        (
            "Other customers doing what we do",
            "They write their compliance rules as code and test them in the same pipeline as the services.",
        ),
        (
            "Other customers doing what we do",
            "A policy stops engineers from opening a public load balancer and tells them why.",
        ),
    ]
    assert [c.talk.title for c in answer.citations][:2] == ["Compliance at scale"] * 2


def test_a_speaker_whose_talk_has_no_notes_anywhere_is_not_quoted_from_another(assistant: Assistant) -> None:
    answer, _ = assistant.ask("What did Lena Fox say about idle machines?", mode="extractive")
    assert answer.abstained
    assert answer.citations == []


def test_a_compared_side_that_never_says_the_topic_is_quoted_closest_and_said_so(assistant: Assistant) -> None:
    answer, _ = assistant.ask("How do Priya Nair's and Acme's talks differ on caching?", mode="extractive")
    assert answer.answer.splitlines()[:2] == [
        "On caching:",
        "- Compliance at scale: The checks once took an hour; caching the scans brought them under five minutes.",
    ]
    closest = [c for c in answer.citations if c.talk.title == "How the project itself changes"]
    assert len(closest) == 2
    assert "- How the project itself changes (closest; the notes never say it): " in answer.answer
    # neither side says it at all: no answer from the closest units alone
    none, _ = assistant.ask("How do Globex's and Acme's keynotes talk about quantum computing?", mode="extractive")
    assert none.abstained


def test_a_compared_side_named_by_words_of_its_title_is_that_talk(assistant: Assistant) -> None:
    answer, _ = assistant.ask(
        "How did the customers session and Dana Smith's talk compare on engineers?", mode="extractive"
    )
    assert {c.talk.title for c in answer.citations} == {"Other customers doing what we do", "Compliance at scale"}
    # the sides, not the talks that say the topic: the topic names a third talk
    other, _ = assistant.ask(
        "How did the customers session and Dana Smith's talk compare on project changes?", mode="extractive"
    )
    assert "How the project itself changes" not in {c.talk.title for c in other.citations}
