"""A rate or a span asked in one unit of time is not answered by one in another; a range of
units is a length of time; '@ Venue' names a place; 'I have not been to' is the note-taker
absent; "DevConf'21" is an edition, not an amount."""

from __future__ import annotations

import pytest

from recapqa.answer.question import analyse
from recapqa.answer.sentence_kinds import kind_score, note_taker_absent
from recapqa.answer.times import other_time


@pytest.mark.parametrize(
    ("text", "question", "other"),
    [
        ("The scheduler runs thousands of jobs per week.", "How many jobs does the scheduler run per day?", True),
        ("Builds are now 2x faster than 3 months ago.", "How much faster are builds than a year ago?", True),
        ("The scheduler runs thousands of jobs every week.", "How many jobs does it run each week?", False),
        ("The scheduler runs thousands of jobs weekly.", "How many jobs does it run a week?", False),
        ("The scheduler runs thousands of jobs.", "How many jobs does it run per day?", False),  # no unit said
        ("The first release came out in 2019.", "How many jobs does it run per day?", False),
        ("Today it has 235 services.", "How many services did it have when it first launched?", True),
    ],
)
def test_a_rate_or_span_in_another_unit_of_time_is_another_time(text: str, question: str, other: bool) -> None:
    assert other_time(text, question) is other


def test_a_range_of_units_is_a_length_of_time_and_at_sign_apart_names_a_place() -> None:
    how_long = analyse("How long does it take defenders to notice a breach?", frozenset())
    assert kind_score(how_long, "time to notice: days to weeks (peak in weeks)", "", False) == 1.0
    assert kind_score(how_long, "discovery is slow for most teams", "", False) == 0.0
    where = analyse("Where did the CTO give her keynote?", frozenset())
    assert where.kind == "place"
    assert kind_score(where, "Friday Oct 3rd @ Harborview", "", False) == 1.0
    assert kind_score(where, "Questions to @Organizers on Slack", "", False) == 0.0  # a handle


def test_having_not_been_to_the_talk_is_the_note_taker_absent() -> None:
    assert note_taker_absent("> **NOTE** I have not been to this keynote.")
    assert note_taker_absent("I haven't been at that session, sadly.")
    assert not note_taker_absent("We have not been to production with it yet.")


def test_two_digits_glued_to_a_name_by_an_apostrophe_are_an_edition_not_an_amount() -> None:
    how_many = analyse("How many people attended DevConf 2020?", frozenset())
    assert how_many.kind == "number"
    assert kind_score(how_many, "I hope the rooms are bigger at DevConf'21.", "", False) == 0.0
    assert kind_score(how_many, "DevConf’21 drew 800 people to Brno.", "", False) == 1.0
