"""Cues a summary reads in a unit's own words (real model and index): a sentence saying how the
talk concluded is favoured (`gist_conclusion_boost`); a line quoted word for word ('> ...')
is not a point the notes make (`gist_quoted_penalty`)."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import assistant_over

from recapqa.answer.gist_words import CONCLUDING_CUE, QUOTED_LINE
from recapqa.embed import Embedder
from recapqa.settings import Settings

TALK = """# Infra Days 2025

## Moving the monolith to services (Rosa Lind)

Rosa described how her team split a ten-year-old billing monolith into twelve services over two years.
They started with the reporting module because it had the fewest callers and the clearest boundary.

Every new service got its own database, and the old tables were copied nightly until the cutover.
The team wrote contract tests for each service interface before moving any code.
Traffic was shifted one customer segment at a time behind a feature flag.
"""

CONCLUDED = (
    TALK
    + """Each service team owned its own on-call rotation and its own deployment pipeline from the first day.

Latency went up at first because of the extra network hops, and caching brought it back down.
The old monolith was switched off for good after the last customer segment moved over.

She concluded that the split paid off within a year of the cutover.
"""
)

QUOTED = (
    TALK
    + """
Latency went up at first because of the extra network hops, and caching brought it back down.

> Nobody ever regretted a smaller deploy, and every big bang migration we did ended in a long night of rollbacks.
"""
)

HEAD = "Summary of Moving the monolith to services (Rosa Lind):"


def first_words(settings: Settings, notes: str, embedder_factory: Callable[[], Embedder]) -> list[str]:
    assistant = assistant_over(settings, {"infra.md": notes}, embedder_factory)
    answer, _ = assistant.ask("Summarize Rosa Lind's talk", mode="extractive")
    assert answer.answer.startswith(HEAD)
    return [c.quote.split()[0] for c in answer.citations]


def test_the_cues_read_a_units_own_words() -> None:
    assert CONCLUDING_CUE.search("She concluded that the split paid off")
    assert CONCLUDING_CUE.search("In the end, they managed a sizeable cost cut")
    assert not CONCLUDING_CUE.search("The end of the pipeline writes to the warehouse")
    assert QUOTED_LINE.search('With an own tool, you need the docs.\n> "You pay a cost"')
    assert not QUOTED_LINE.search("Latency went up -> caching brought it down")


def test_a_summary_quotes_how_the_talk_concluded(settings: Settings, embedder_factory: Callable[[], Embedder]) -> None:
    assert first_words(settings, CONCLUDED, embedder_factory) == ["They", "Every", "Traffic", "The", "She"]
    # without the convention, the conclusion is the sixth best: longer sentences take its place
    plain = settings.model_copy(update={"gist_conclusion_boost": 0.0, "index_dir": settings.index_dir.parent / "i2"})
    assert first_words(plain, CONCLUDED, embedder_factory) == ["They", "Every", "Traffic", "Each", "The"]


def test_a_summary_leaves_out_a_line_quoted_word_for_word(
    settings: Settings, embedder_factory: Callable[[], Embedder]
) -> None:
    assert first_words(settings, QUOTED, embedder_factory) == ["They", "Every", "The", "Traffic", "Latency"]
    # without the convention, the long quoted one-liner takes the place of the latency point
    plain = settings.model_copy(update={"gist_quoted_penalty": 0.0, "index_dir": settings.index_dir.parent / "i2"})
    assert first_words(plain, QUOTED, embedder_factory) == ["They", "Every", "The", "Traffic", ">"]
