"""Talks linking the same recording are one talk written up twice (a listing and a write-up):
naming the listing's speaker finds the write-up too (real model and index on small notes)."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import assistant_over

from recapqa.embed import Embedder
from recapqa.ingest.links import recording_links
from recapqa.settings import Settings

NOTES = """# My KubeDays 2025

## Failure stories

One of the deepest sessions was [by Dataworks](https://www.youtube.com/watch?v=AbC123xyz).
They operate a huge fleet and average about 1,500 nodes per cluster.
Their biggest outage came from audit logging on every node at once.

## Observability

The [metrics talk](https://youtu.be/other999) compared three storage engines.
The [project site](https://github.com/example/project) has the code.

## Every session I attended

- [Ten ways to break a fleet](https://www.youtube.com/watch?v=AbC123xyz&list=PL42&index=7&t=0s) - Lena Roth, Dataworks
- [Storage engines compared](https://youtu.be/other999) - Omar Said, Metrix
- [Project kickoff](https://github.com/example/project) - Ivy Chen, Example
"""


def test_recording_links_are_normalised_and_other_links_are_not_recordings() -> None:
    text = "[a](https://www.youtube.com/watch?v=AbC123xyz&list=PL42&index=7&t=0s), https://github.com/x/y"
    assert recording_links(text) == ["youtube.com/watch?v=abc123xyz"]
    assert recording_links("slides: https://example.org/talks/deck.pdf.") == ["example.org/talks/deck.pdf"]


def test_naming_the_speaker_of_a_listing_finds_the_write_up_that_links_the_same_video(
    settings: Settings, embedder_factory: Callable[[], Embedder]
) -> None:
    notes = assistant_over(settings, {"kubedays.md": NOTES}, embedder_factory)
    talks = {t.title: t for t in notes.index.talks.values()}
    assert talks["Failure stories"].meta["recordings"] == ["youtube.com/watch?v=abc123xyz"]
    mentioned = notes.retriever.matcher.mentioned("What did Lena Roth say about audit logging?")
    listing = next(t.talk_id for t in talks.values() if t.title == "Ten ways to break a fleet")
    assert mentioned == {listing, talks["Failure stories"].talk_id}  # not the talk sharing only a repo link
    answer, _ = notes.ask("What caused Lena Roth's biggest outage?", mode="extractive")
    assert not answer.abstained and "audit logging" in answer.answer
    assert answer.citations[0].talk.title == "Failure stories"
