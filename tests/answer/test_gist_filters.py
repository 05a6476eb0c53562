"""Gist answers (which talks mention X, themes, summaries) keep to the filters of the ask
(talk, speaker, company, conference), as fact answers do: they used to range over every talk
(real model and index on small notes)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.conftest import module_assistant

from recapqa.embed import Embedder
from recapqa.pipeline import Assistant
from recapqa.retrieve import Filters

NORTHCONF = """---
title: Northconf 2024
conference: Northconf 2024
---

# Northconf 2024

## Streaming at scale - Alice Moreau, Acme

Acme moved its event pipeline to Kafka in 2021.
Kafka consumers at Acme are written in Go.
The pipeline handles peak traffic during sales.

## Search relevance - Bruno Diaz, Globex

Globex tunes search ranking with click data.
Kafka feeds their click events into the ranking jobs.
Offline evaluation runs every night.
"""

SOUTHCONF = """---
title: Southconf 2024
conference: Southconf 2024
---

# Southconf 2024

## Queues in practice - Chen Wu, Initech

Initech replaced its queue with Kafka last year.
Kafka retention at Initech is seven days.
They alert on consumer lag.

## Data contracts - Dana Fox, Umbrella

Umbrella writes data contracts for every Kafka topic.
Contracts are reviewed like code.
Breaking changes need a new topic version.
"""


@pytest.fixture(scope="module")
def two_events(tmp_path_factory: pytest.TempPathFactory, embedder_factory: Callable[[], Embedder]) -> Assistant:
    return module_assistant(tmp_path_factory, embedder_factory, {"north.md": NORTHCONF, "south.md": SOUTHCONF})


def cited(assistant: Assistant, question: str, filters: Filters | None = None) -> tuple[str, set[str]]:
    answer, _ = assistant.ask(question, filters=filters)
    return answer.answer, {c.talk.talk_id for c in answer.citations}


def test_which_talks_mention_keeps_to_the_conference_filter(two_events: Assistant) -> None:
    text, talks = cited(two_events, "Which talks mention Kafka?")
    assert text.startswith("Talks that mention Kafka (4):")
    text, talks = cited(two_events, "Which talks mention Kafka?", Filters(conference="Southconf"))
    assert text.startswith("Talks that mention Kafka (2):")
    assert talks == {"queues-in-practice", "data-contracts"}


def test_themes_and_summaries_keep_to_the_talk_speaker_and_conference_filters(two_events: Assistant) -> None:
    text, talks = cited(two_events, "What were the main themes of the conference?", Filters(conference="Northconf"))
    assert text.startswith("Themes across 2 talks: Kafka (2 talks).")
    assert talks == {"streaming-at-scale", "search-relevance"}
    # a talk the filter leaves out is not summarised: the talk it lets through is
    text, talks = cited(two_events, "Summarize the data contracts talk", Filters(speaker="Alice Moreau"))
    assert text.startswith("Summary of Streaming at scale (Alice Moreau):") and talks == {"streaming-at-scale"}
    text, talks = cited(two_events, "Summarize the data contracts talk")
    assert text.startswith("Summary of Data contracts (Dana Fox):") and talks == {"data-contracts"}
