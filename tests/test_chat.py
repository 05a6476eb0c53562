from pathlib import Path

import pytest

from conftest import write
from recapqa.chat import Turn, resolve
from recapqa.errors import InvalidQuestionError
from recapqa.ingest import load_corpus
from recapqa.pipeline import Assistant
from recapqa.talk_mentions import TalkMatcher


def resolved(assistant: Assistant, *contents: str) -> str:
    turns = [Turn("user" if i % 2 == 0 else "assistant", c) for i, c in enumerate(contents)]
    return resolve(turns, assistant.index.talks, assistant.retriever.matcher).question


def test_a_question_that_names_its_talk_is_left_alone(assistant: Assistant) -> None:
    question = "What did Aayush Mudgal say about MLflow?"
    assert resolved(assistant, "Who spoke about Uber?", "Min Cai [1]", question) == question


def test_a_standalone_question_is_left_alone(assistant: Assistant) -> None:
    assert resolved(assistant, "Who spoke about Uber?", "Min Cai", "Which feature store is Feast?") == (
        "Which feature store is Feast?"
    )


def test_pronouns_and_that_talk_point_to_the_latest_talk_named(assistant: Assistant) -> None:
    history = [
        "What did the Lidl speaker recommend?",
        "Feast as a feature store [1]\n\nSources: [1] ML in a multi-cloud environment — Dr. Rebecca Taylor",
    ]
    question = resolved(assistant, *history, "and what did she say about Kafka?")
    assert question.startswith("and what did she say about Kafka? (")
    assert "Lidl" in question and "Rebecca Taylor" in question
    later = resolved(
        assistant, *history, "Who spoke about Pinterest?", "Aayush Mudgal [1]", "which tools did that talk list?"
    )
    assert "Pinterest" in later and "Lidl" not in later


def test_only_the_speakers_named_earlier_are_carried_over(assistant: Assistant) -> None:
    question = resolved(
        assistant, "What did Morena say about A/B testing?", "It is essential [1]", "and what else did she say?"
    )
    assert "Morena Bastiaansen" in question and "Ian Schweer" not in question


def test_the_last_message_must_be_the_users(assistant: Assistant) -> None:
    with pytest.raises(InvalidQuestionError):
        resolve([Turn("user", "hi"), Turn("assistant", "hello")], assistant.index.talks, assistant.retriever.matcher)


NETCON = """# Netcon 2025

## Migrating the mobile core to 5G - Karla Stone, Intelix

She pinned workloads to cores to cut latency.

## Migrating 150 services to Kubernetes - Sara Wolfe, Newsco

They replayed traffic to test both stacks.
"""


def test_a_person_named_in_full_earlier_is_whom_she_refers_to(tmp_path: Path) -> None:
    """The earlier turn names one talk by its speaker's full name and shares a title word
    ("migrating") with another: "she" is that speaker, not both talks' speakers."""
    write(tmp_path / "netcon.md", NETCON)
    talks = {t.talk_id: t for t in load_corpus(tmp_path).talks}
    turns = [
        Turn("user", "Who talked about 5G?"),
        Turn(
            "assistant",
            "Migrating the mobile core to 5G - Karla Stone, Intelix [1]\n\nSources:\n"
            "[1] Migrating the mobile core to 5G — Karla Stone",
        ),
        Turn("user", "and what did she say about latency?"),
    ]
    resolved = resolve(turns, talks, TalkMatcher(talks.values()))
    assert resolved.focus == ("migrating-the-mobile-core-to-5g",)
    assert resolved.question == ("and what did she say about latency? (Migrating the mobile core to 5G, Karla Stone)")
