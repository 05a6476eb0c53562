"""A speaker or company on a topic (answer/gist_topic.py): a talk only listed with its speakers
is answered from the named talk written up elsewhere, and an answer whose talk says the topic
in fewer units than the five places fills them with the units right next to those, across a
paragraph break (real model and index)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.conftest import assistant_over

from recapqa.embed import Embedder
from recapqa.pipeline import Assistant
from recapqa.settings import Settings

SCHEDULE = """# ShipConf 2025

## Sessions

### Canary releases with a rollout controller (Ann Lee, Contoso)

### Paying for idle machines (Lena Fox, Initech)
"""

WRITTEN = """# ShipConf 2025: notes

## Contoso and their rollout controller

Contoso wrote their own controller because their platform has no built-in way to run canary releases.
Their teams follow a strict GitOps process, so every release has to be declared in the repository.
The controller shifts ten percent of the traffic at each step of a canary release and waits before the next step.
They still need many replicas for a small canary, so they are looking at a service mesh to split traffic instead.
The demo showed a dashboard that draws the traffic split in colours.
"""

KERNEL = """# KernelDays 2025

## Kernel news (Tom Berg)

Tom Berg opened with the scheduler rewrite, which took four years of small patches.

The new scheduler treats every core alike, whatever its speed.

Another example of steady change is eBPF, which runs small programs inside the kernel.

Other subsystems are now looking at eBPF as well.

BPF also brings much better tracing to the kernel through bpftrace.

Firewalls written this way filter traffic without leaving the kernel.

Realtime support finally landed after two decades of work.

The talk ended with a call for more reviewers of patches.
"""


@pytest.fixture
def assistant(settings: Settings, embedder_factory: Callable[[], Embedder]) -> Assistant:
    notes = {"schedule.md": SCHEDULE, "written.md": WRITTEN, "kernel.md": KERNEL}
    return assistant_over(settings, notes, embedder_factory)


def test_a_company_whose_talk_is_only_listed_is_quoted_from_the_named_talk_written_up(assistant: Assistant) -> None:
    # the listing's title holds the topic and it has no notes: the write-up its label names answers
    answer, _ = assistant.ask("What did Contoso say about canary releases?", mode="extractive")
    assert answer.answer.startswith("What Contoso and their rollout controller said:")
    assert {c.source for c in answer.citations} == {"written.md"}
    assert [c.quote for c in answer.citations][:4] == [
        "Contoso wrote their own controller because their platform has no built-in way to run canary releases.",
        "Their teams follow a strict GitOps process, so every release has to be declared in the repository.",
        "The controller shifts ten percent of the traffic at each step of a canary release and waits before the "
        "next step.",
        "They still need many replicas for a small canary, so they are looking at a service mesh to split traffic "
        "instead.",
    ]
    # a speaker the write-up never names is still not quoted from it
    lee, _ = assistant.ask("What did Ann Lee say about canary releases?", mode="extractive")
    assert lee.abstained


def test_an_answer_on_a_topic_said_in_few_units_fills_its_places_with_the_units_next_to_them(
    assistant: Assistant,
) -> None:
    answer, _ = assistant.ask("What did Tom Berg say about eBPF?", mode="extractive")
    # two units hold the word, each its own paragraph: the paragraphs right before and after
    # join (what the passage goes on to say in other words), not the rest of the talk
    assert [c.quote for c in answer.citations] == [
        "The new scheduler treats every core alike, whatever its speed.",
        "Another example of steady change is eBPF, which runs small programs inside the kernel.",
        "Other subsystems are now looking at eBPF as well.",
        "BPF also brings much better tracing to the kernel through bpftrace.",
    ]
    assert {c.talk.title for c in answer.citations} == {"Kernel news"}
