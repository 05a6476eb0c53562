"""Themes: a talk is quoted by the line its notes label as its summary ("**Summary:** ...",
"TL;DR: ..."), not by a central sentence elsewhere in it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.conftest import assistant_over

from recapqa.answer.gist_words import SUMMARY_LABEL
from recapqa.embed import Embedder
from recapqa.settings import Settings


@pytest.mark.parametrize(
    ("line", "labelled"),
    [
        ("**Summary:** The speaker shows how to shard a database.", True),
        ("TL;DR: shard by customer.", True),
        ("- Abstract: a tour of search ranking.", True),
        ("In short: it works.", True),
        ("The summary of the day was short.", False),
        ("Summarizing: x", False),
        ("Summary:", False),  # a label alone is a lead-in, not the line
    ],
)
def test_summary_labels(line: str, labelled: bool) -> None:
    assert bool(SUMMARY_LABEL.match(line)) is labelled


# Each talk opens with central details on the themes it shares and says what it is about in
# a labelled paragraph of its own after them.
NOTES = """# Widgetcon 2030 notes

## Database sharding (Dev Patel)

The payments database was split into shards by customer identifier and each shard stores its own tables.
A shard of the payments database holds every table for customers in its identifier range.
Moving a customer between shards of the payments database takes a short write freeze.

**Summary:** Splitting one growing relational store lets a payments company keep adding merchants without downtime.

## Search relevance (Eve Laurent)

The search ranking model of the shop learns from clicks stored in the payments database shards.
Each shard of the search index stores products for one range of identifiers.
New products in the search index get a boost in their first week.

TL;DR: Shoppers find what they want sooner when ranking learns from what they bought before.

## Cache warming (Fay Chen)

The cache in front of the payments database keeps the rows of each shard that are read most.
A cold cache after a deploy sends every read to the payments database shards.
Warming the cache replays yesterday's reads before traffic arrives.

Abstract: Deploys stop slowing the site down once a fresh cache is filled ahead of the first visitors.
"""

SUMMARIES = (
    "Splitting one growing relational store",
    "Shoppers find what they want sooner",
    "Deploys stop slowing the site down",
)


def test_a_themes_answer_quotes_each_talks_labelled_summary(
    settings: Settings, embedder_factory: Callable[[], Embedder]
) -> None:
    assistant = assistant_over(settings, {"widgetcon.md": NOTES}, embedder_factory)
    answer, _ = assistant.ask("What were the main themes of Widgetcon 2030?", mode="extractive")
    assert not answer.abstained and answer.answer.startswith(("Themes across 3 talks", "What each of 3 talks"))
    quoted = [c.quote for c in answer.citations]
    for summary in SUMMARIES:
        assert any(summary in quote for quote in quoted), (summary, quoted)
