"""Whose talks a comparison or a speaker-on-a-topic question means (answer/gist_topic.py): a
compared side written out as a talk's title that holds 'with' is one side, not two; a speaker's
name written one letter off the notes' spelling names the speaker and is no topic (real model
and index)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.conftest import module_assistant

from recapqa.answer.gist_topic import _one_letter_off, _side_parts
from recapqa.embed import Embedder
from recapqa.pipeline import Assistant

STORAGE = """# StoreCamp 2025

## Distributed storage with Quarry (Ines Roth)

Quarry runs the storage inside the cluster, so stateful workloads can move between clouds.
The demo moved a search cluster to new nodes while it kept serving queries.
Sadly one part of the demo failed, and the talk ran out of time for questions.

## Distributed databases in many regions (Olga Weiss)

Olga showed how a distributed database on Quarry storage keeps three copies of every row in three regions.
Writes wait for two of the three regions, so a whole region can fail without data loss.

## Quarry Project Intro (Tariq Mann)

Quarry is a framework for storage systems, with one operator for each storage backend.
The operator keeps the storage cluster healthy and replaces a failed disk on its own.
Killing a database pod caused no data loss, because Quarry moved its volume to the new pod.
"""

KERNEL = """# KernelDays 2025

## What is new in the kernel (Maren Oddvik)

Maren explained that the new tracing tools attach small programs to kernel events.
Tracing no longer needs a rebuilt kernel, since the programs load while the system runs.
The tracing programs are checked before they run, so a bad one cannot crash the machine.
Two front ends make tracing easier: a compiler for small scripts and a library for larger tools.
Tracing overhead stays low because the programs run inside the kernel, next to the events.
Maren Oddvick closed with the plans for the next release of the scheduler.
"""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory, embedder_factory: Callable[[], Embedder]) -> Assistant:
    return module_assistant(tmp_path_factory, embedder_factory, {"storage.md": STORAGE, "kernel.md": KERNEL})


def test_a_side_split_at_with_only_outside_the_titles_it_writes_out() -> None:
    titles = ["Distributed storage with Quarry", "Quarry Project Intro"]
    assert [
        p.strip() for p in _side_parts("the Quarry Project Intro and the Distributed storage with Quarry talk", titles)
    ] == [
        "the Quarry Project Intro",
        "the Distributed storage with Quarry talk",
    ]
    assert [p.strip() for p in _side_parts("Ines Roth with Tariq Mann", titles)] == ["Ines Roth", "Tariq Mann"]


def test_a_compared_talk_whose_title_holds_with_is_one_side(assistant: Assistant) -> None:
    answer, _ = assistant.ask(
        "Compare what the Quarry Project Intro and the Distributed storage with Quarry talk said"
        " about copies in regions",
        mode="extractive",
    )
    assert not answer.abstained
    # the sides the question writes out, not the talk that says the topic most
    assert {c.talk.title for c in answer.citations} == {"Distributed storage with Quarry", "Quarry Project Intro"}


def test_one_letter_off_is_a_replaced_added_or_dropped_letter_of_a_long_word() -> None:
    assert _one_letter_off("oddvick", "oddvik")
    assert _one_letter_off("oddvik", "oddvit")
    assert not _one_letter_off("oddvik", "oddvik")
    assert not _one_letter_off("grpc", "rpc")  # short words: as likely another word
    assert not _one_letter_off("oddvick", "odvi")


def test_a_speaker_name_misspelt_by_one_letter_is_who_not_the_topic(assistant: Assistant) -> None:
    answer, _ = assistant.ask("What did Maren Oddvick say about tracing?", mode="extractive")
    assert answer.answer.startswith("What What is new in the kernel (Maren Oddvik) said:")
    quotes = [c.quote for c in answer.citations]
    assert len(quotes) == 5
    assert all("racing" in q for q in quotes)  # not the line naming her, which says nothing of tracing
