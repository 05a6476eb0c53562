"""A line that opens with a short label and a colon, its gist after it, labels the bullets on
the very next line: chosen, it brings them (the detail asked is in them, not in the line)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import cast

import pytest
from tests.conftest import module_assistant, write

from recapqa.answer.candidates import Candidate, with_list_items
from recapqa.embed import Embedder
from recapqa.ingest import load_corpus
from recapqa.models import Hit
from recapqa.pipeline import Assistant
from recapqa.sentences import document_sentences

NOTES = """# Notes from ShopConf

## How the bookshop grew (Mara Quist)

Mara Quist told how the bookshop's software grew over ten years.

Bookshop site in 2005: one big program and one team
- Ledgerly took the orders, Shelfie kept the stock

In 2008: split into small services
- each service owned by one team

Her advice was to split only when a team waits on another.
"""


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory, embedder_factory: Callable[[], Embedder]) -> Assistant:
    return module_assistant(tmp_path_factory, embedder_factory, {"shop.md": NOTES})


def test_a_chosen_label_with_its_gist_brings_the_bullets_under_it(shop: Assistant) -> None:
    answer, _ = shop.ask("Which two programs made up the bookshop site in 2005?", mode="extractive")
    assert not answer.abstained
    assert "Ledgerly took the orders, Shelfie kept the stock" in answer.answer
    assert "each service owned by one team" not in answer.answer


def test_only_a_short_label_and_its_gist_on_the_line_right_above_label_bullets(tmp_path: Path) -> None:
    notes = (
        "## The shop (Mara Quist)\n\n"
        "Shop site in 2005: one program that did everything\n"
        "- made of Ledgerly and Shelfie\n- part of the old stack\n\n"
        "In 2008: small services each owned by a team\n\n- each service has one team\n\n"  # a blank line between
        "The team that ran the shop for its first seven years said: it was one program\n- and Shelfie too\n"
    )
    write(tmp_path / "notes.md", notes)
    sentences = document_sentences(load_corpus(tmp_path).documents[0])  # the index knows which lines label
    assert [s.text for s in sentences if s.gist_label] == ["Shop site in 2005: one program that did everything"]
    assert not any(s.context for s in sentences)  # its bullets keep no lead-in: their embedding stays theirs
    hit = cast(Hit, None)

    def rows(row: int) -> list[int]:
        return [c.row for c in with_list_items(sentences, [Candidate(row, hit, 0, 0.9, True)])]

    assert rows(0) == [0, 1, 2]
    assert rows(3) == [3]
    assert rows(5) == [5]  # what comes before the colon is no short label
