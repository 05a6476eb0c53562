"""Panel notes written panelist by panelist (real model and index, made-up notes): under a
lead-in naming one panelist ('Bruno (Trailfinder):', also by a first name or the first word
of a company), the other panelists are not what an item is about, so a question about one
panelist is not answered from another's items, however often the notes name them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.conftest import module_assistant

from recapqa.embed import Embedder
from recapqa.pipeline import Assistant

NOTES = """# Data Days 2025

## Panel: Search ranking in production

Speakers: This panel was moderated by Alma Quist from Vortexa and included:

1. Bruno Lindqvist, Data Scientist at Trailfinder
2. Ian Okafor, Staff Engineer at Pixelforge Studios

The panel focused on the tools and the challenges of ranking.

### Tools

1. Bruno (Trailfinder):
    1. Redis as the feature cache for ranking.
    2. Around 40 models in production for ranking.
2. Ian (Pixelforge):
    1. Uses a lot of Spark for ranking data.
    2. Ships the ranking model in the game client.

### Challenges

1. Bruno (Trailfinder):
    1. Low latency matters for live ranking.
2. Ian (Pixelforge):
    1. The ranking model must stay small in memory.
"""


@pytest.fixture(scope="module")
def panel(tmp_path_factory: pytest.TempPathFactory, embedder_factory: Callable[[], Embedder]) -> Assistant:
    return module_assistant(tmp_path_factory, embedder_factory, {"data-days.md": NOTES})


def test_a_panelist_is_answered_from_their_own_items(panel: Assistant) -> None:
    answer, _ = panel.ask("How many models does Trailfinder have in production?", mode="extractive")
    assert not answer.abstained and "40 models" in answer.answer
    answer, _ = panel.ask("Which feature cache does Bruno Lindqvist use?", mode="extractive")
    assert not answer.abstained and "Redis" in answer.answer


def test_another_panelists_items_do_not_answer(panel: Assistant) -> None:
    # Ian's items sit under 'Ian (Pixelforge):': his first name, his company's first word
    answer, _ = panel.ask("How many models does Pixelforge Studios have in production?", mode="extractive")
    assert "40 models" not in answer.answer
    answer, _ = panel.ask("Which feature cache does Ian Okafor use?", mode="extractive")
    assert "Redis" not in answer.answer
