"""What one bullet of a gist answer quotes (answer/gist_select.py), over small made-up notes
with the real model and index: a list's lead-in with the one short item it leads to."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import assistant_over

from recapqa.embed import Embedder
from recapqa.settings import Settings

PEERING = """# NetConf 2025

## Connecting cloud accounts (Priya Nair)

Priya described how her team connects hundreds of cloud accounts across three regions.
Each account gets its own network, so a mistake in one account cannot spread to the others.

Preferred solution:
- Use VPC peering

Peering links are created by the same pipeline that creates the accounts and reviewed like code.
"""


def test_a_lead_in_is_quoted_with_its_one_short_item(
    settings: Settings, embedder_factory: Callable[[], Embedder]
) -> None:
    """`gist_lead_items` (1): "Preferred solution:" with its one item is a point of the talk;
    each alone is filler (fewer than `gist_min_terms` content words), so with 2 (before h61)
    neither is quoted."""
    assert settings.gist_lead_items == 1
    assistant = assistant_over(settings, {"netconf.md": PEERING}, embedder_factory)
    answer, _ = assistant.ask("Summarize Priya Nair's talk", mode="extractive")
    assert [c.quote for c in answer.citations] == [
        "Priya described how her team connects hundreds of cloud accounts across three regions.",
        "Each account gets its own network, so a mistake in one account cannot spread to the others.",
        "Preferred solution:\n- Use VPC peering",
        "Peering links are created by the same pipeline that creates the accounts and reviewed like code.",
    ]
    before = assistant_over(settings.model_copy(update={"gist_lead_items": 2}), {}, embedder_factory)
    answer, _ = before.ask("Summarize Priya Nair's talk", mode="extractive")
    assert [c.quote for c in answer.citations] == [
        "Priya described how her team connects hundreds of cloud accounts across three regions.",
        "Each account gets its own network, so a mistake in one account cannot spread to the others.",
        "Peering links are created by the same pipeline that creates the accounts and reviewed like code.",
    ]
