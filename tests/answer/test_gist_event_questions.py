"""Questions about a whole event: read as themes in its common wordings (the question-kind
table), and drawn from the notes of the event they name only."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.conftest import assistant_over

from recapqa.answer.gist_words import ASKING_WORDS, SESSION_KINDS
from recapqa.answer.kinds import kind_of
from recapqa.answer.themes import event_scope
from recapqa.embed import Embedder
from recapqa.models import Talk
from recapqa.settings import Settings


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Summarize the main ideas of the conference", "themes"),
        ("Summarize the main ideas of the Widgetcon 2021 conference", "themes"),
        ("What were the key takeaways from the summit?", "themes"),
        ("What were the highlights of Gadget Days 2020 event?", "themes"),
        ("What was the conference mostly about?", "themes"),
        ("What did the conference cover?", "themes"),
        ("What trends did you see at Widgetcon 2021?", "themes"),
        # one talk, or a person at the event: not themes across talks
        ("What were the main ideas of Jane Roe's talk?", "takeaways"),
        ("What were the key takeaways from the keynote at the conference?", "takeaways"),
        ("What are the key takeaways from Jane Roe and Bob Lee at the conference?", "takeaways"),
        ("Summarize the Widgetcon keynote", "summary"),
    ],
)
def test_whole_event_questions_are_themes(question: str, kind: str) -> None:
    assert kind_of(question) == kind


def _talk(n: int, source: str, conference: str) -> Talk:
    return Talk(f"t{n}", f"Talk {n}", "talk", source, 1, 2, meta={"conference": conference})


def test_an_events_name_outweighs_a_kind_of_session_another_event_is_titled_by() -> None:
    """The GadgetFest talks: the file of GadgetFest, not also the one titled "... talks at ..."."""
    talks = [
        _talk(1, "blog/gadgetfest.md", "GadgetFest: makers in the city"),
        _talk(2, "blog/gadgetfest.md", "GadgetFest: makers in the city"),
        _talk(3, "blog/widgetcon14.md", "Parser talks at Widgetcon 2014"),
        _talk(4, "blog/widgetcon14.md", "Parser talks at Widgetcon 2014"),
    ]
    asking = ASKING_WORDS - SESSION_KINDS
    asked = "What topics did the GadgetFest talks cover?"
    assert event_scope(talks, asked, asking, SESSION_KINDS) == {"blog/gadgetfest.md"}
    # a kind of session alone still points at the file titled by it
    assert event_scope(talks, "What themes ran through the talks?", asking, SESSION_KINDS) == {"blog/widgetcon14.md"}


# One event's notes give each talk a line; another's are written out talk by talk.
LISTED = """# GadgetFest 2024 report

## Solar kettles (Ana Ruiz)

A maker showed a kettle that boils water with a folding solar mirror in twelve minutes.

## Bicycle generators (Ben Okafor)

Pedal power charged the hall's phones all afternoon through a bicycle generator.

## Paper robots (Chloe Martin)

Children folded paper robots that walk on a vibrating motor from an old phone.
"""

WRITTEN = """# Widgetcon 2014 notes

## Database sharding (Dev Patel)

The talk explained how a payments company split its database into shards by customer.
Each shard holds every table of the customers whose identifier falls in its range.
Moving a customer between shards takes a short write freeze of a few seconds.

## Search relevance (Eve Laurent)

The session covered how an online shop tunes the relevance of its product search.
Clicks and purchases after a search are the labels its ranking model learns from.
New products get a boost for their first week so that they collect some clicks.
"""


def test_an_event_whose_notes_give_each_talk_a_line_has_themes_from_those_lines(
    settings: Settings, embedder_factory: Callable[[], Embedder]
) -> None:
    assistant = assistant_over(settings, {"gadgetfest.md": LISTED, "widgetcon.md": WRITTEN}, embedder_factory)
    answer, _ = assistant.ask("What were the main themes of GadgetFest 2024?", mode="extractive")
    cited = {c.talk.title for c in answer.citations}
    assert not answer.abstained and "3 talks" in answer.answer.splitlines()[0]
    assert cited == {"Solar kettles", "Bicycle generators", "Paper robots"}
