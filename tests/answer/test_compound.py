"""Compound questions are split into their parts, and each part is answered and cited."""

from __future__ import annotations

import pytest

from recapqa.answer.compound import split_compound


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "Who moderated the panel and which serving library did they use?",
            ["Who moderated the panel?", "which serving library did they use? (the panel)"],
        ),
        (
            "Who gave the Lambda talk, and when did he join Amazon?",
            ["Who gave the Lambda talk?", "when did he join Amazon? (Lambda, the Lambda talk)"],
        ),
        ("How many models does Uber run in production?", ["How many models does Uber run in production?"]),
        ("What are feature stores and vector databases?", ["What are feature stores and vector databases?"]),
        ("Which tools and which libraries?", ["Which tools and which libraries?"]),
        (
            "In Lambda's architecture, what is the Worker Manager responsible for?",
            ["In Lambda's architecture, what is the Worker Manager responsible for?"],
        ),
        (
            "In the keynote, who spoke and what did they say about storage?",
            ["In the keynote, who spoke?", "what did they say about storage? (the keynote)"],
        ),
        (  # a question word after a preposition opens a new question too
            "Who thanked the sponsors, and on what date had the founder passed away?",
            ["Who thanked the sponsors?", "on what date had the founder passed away?"],
        ),
        ("Who spoke on memory and on disks?", ["Who spoke on memory and on disks?"]),
        (  # a relative clause between commas describes a name: one question
            "Which company does Ann Lee, who built the tracer, work for?",
            ["Which company does Ann Lee, who built the tracer, work for?"],
        ),
        (  # ... and is kept whole inside the part it belongs to
            "What is Vitess, which the team adopted, and how does it shard?",
            ["What is Vitess, which the team adopted?", "how does it shard? (Vitess)"],
        ),
        (  # after a framing phrase that asks nothing, 'who …,' is the first question
            "In the keynote, who spoke first, and which tool did she show?",
            ["In the keynote, who spoke first?", "which tool did she show? (the keynote)"],
        ),
    ],
)
def test_split(question: str, parts: list[str]) -> None:
    assert split_compound(question) == parts


def test_each_part_is_answered_and_cited(assistant) -> None:  # type: ignore[no-untyped-def]
    answer, _ = assistant.ask("How many models does Uber run in production, and which feature store did Lidl suggest?")
    assert "5.3k" in answer.answer and "Feast" in answer.answer
    talks = {c.talk.talk_id for c in answer.citations}
    assert any("uber" in t for t in talks) and any("multi-cloud" in t for t in talks)
    assert not answer.abstained


def test_a_first_part_that_is_only_what_it_asks_for_ends_as_the_second_does() -> None:
    question = "How many years and how many verticals of breach data does the report cover?"
    assert split_compound(question) == [
        "How many years of breach data does the report cover?",
        "how many verticals of breach data does the report cover?",
    ]
    assert split_compound("Who moderated the panel and which serving library did they use?")[0] == (
        "Who moderated the panel?"
    )


def test_a_later_part_pointing_back_borrows_what_a_nameless_first_part_says() -> None:
    parts = split_compound("Who talked about hunting extortion actors on day 2, and which rule format did they use?")
    assert parts[1] == "which rule format did they use? (talked about hunting extortion actors on day 2)"
