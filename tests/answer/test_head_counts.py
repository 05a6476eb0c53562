"""'How many people attended?' is answered by a head count written as who came, whatever the
notes call them ('two hundred developers … got together'): an amount, a few words, a verb of
coming together. Not a year, not a passive ('was attended by'), and only for a count of
people. Made-up notes, real model and index."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import assistant_over

from recapqa.answer.question import analyse
from recapqa.answer.sentence_kinds import counts_attendance
from recapqa.embed import Embedder
from recapqa.settings import Settings

NOTES = """# MeetConf 2025

Last spring more than two hundred developers from all across the country got together in
a converted warehouse for the first MeetConf.

The programme had a single track, with lightning talks after lunch and a long hallway
track in the evening.
"""


def test_a_head_count_is_an_amount_then_a_verb_of_coming_together() -> None:
    people = analyse("How many people attended the summit?", frozenset()).counted
    talks = analyse("How many talks were given at the summit?", frozenset()).counted
    came = "Last year more than two hundred developers from all across the country got together."
    assert counts_attendance(came, people)
    assert counts_attendance("About 300 folks attended.", people)
    assert counts_attendance("Some 1,200 engineers were there.", people)
    assert not counts_attendance(came, talks)  # it counts people, not talks
    assert not counts_attendance("The summit had 12 talks and was attended by many.", people)
    assert not counts_attendance("In 2019 we attended the summit.", people)  # a year
    assert not counts_attendance("Bob joined 3 years ago.", people)


def test_how_many_people_attended_is_answered_by_who_came(
    settings: Settings, embedder_factory: Callable[[], Embedder]
) -> None:
    meetconf = assistant_over(settings, {"meetconf.md": NOTES}, embedder_factory)
    answer, _ = meetconf.ask("How many people attended MeetConf 2025?", mode="extractive")
    assert not answer.abstained and "two hundred developers" in answer.answer
    other, _ = meetconf.ask("How many talks were given at MeetConf 2025?", mode="extractive")
    assert other.abstained or "two hundred" not in other.answer
