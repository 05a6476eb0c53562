"""A themes answer over more talks than it has quotes leaves out the talks it would quote least
surely: those whose leading sentence says least what they are about, not the shortest ones
(real model and index)."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import assistant_over

from recapqa.embed import Embedder
from recapqa.settings import Settings

# Five short talks whose notes open on what the talk is about, and one long talk noted as a
# string of loose remarks that share little with each other.
FAIR = """# Builders Fair 2025

## Greenhouse sensors (Ana Ruiz)

The talk focused on how cheap soil sensors let small greenhouses water their plants automatically.
Each sensor reports soil moisture every ten minutes over a low power radio link.
The greenhouse controller opens a valve whenever the soil moisture drops below its threshold.

## Bicycle courier routing (Ben Okafor)

The presentation was about routing bicycle couriers through a dense city centre in real time.
Couriers get a new route whenever a street closes or a delivery is added to their round.
The routing engine weighs hills, traffic lights and cycle lanes when it plans a round.

## Library catalogue search (Chloe Martin)

The session discussed how a public library rebuilt the search of its catalogue for readers.
Readers can now search the catalogue by author, subject and shelf at the same time.
The catalogue search also suggests books that other readers borrowed after the same title.

## Bakery ovens scheduling (Dev Patel)

The keynote highlighted how an industrial bakery schedules its ovens to save energy overnight.
Bread batches are planned so that each oven stays hot between two consecutive batches.
The oven schedule cut the bakery's overnight gas use by a fifth in its first winter.

## Museum audio guides (Eve Laurent)

The talk mainly covered audio guides that a history museum built for visitors' own phones.
Visitors scan a code next to each exhibit to hear its story in one of six languages.
The audio guides also offer a shorter children's version of every exhibit's story.

## Odds and ends (Finn Novak)

Someone asked about parking near the venue before lunch was served upstairs.
Quantum error correction needs thousands of physical qubits per logical qubit.
My laptop battery died halfway through, annoyingly, so some slides went unrecorded.
Medieval trade routes carried saffron from Persia to the monasteries of northern Europe.
Seventeen volunteers repainted the community hall in a single weekend last spring.
Penguins huddle together in large groups to survive the winter storms of Antarctica.
"""


def test_themes_over_more_talks_than_quotes_leave_out_the_talk_quoted_least_surely(
    settings: Settings, embedder_factory: Callable[[], Embedder]
) -> None:
    assistant = assistant_over(settings, {"fair.md": FAIR}, embedder_factory)
    answer, _ = assistant.ask("What were the main themes of the conference?", mode="extractive")
    assert not answer.abstained and "6 talks" in answer.answer.splitlines()[0]
    cited = {c.talk.title for c in answer.citations}
    assert len(answer.citations) == len(cited) == assistant.settings.gist_sentences == 5
    # the longest talk, a string of loose remarks, is the one left out
    assert "Odds and ends" not in cited
    assert "Museum audio guides" in cited and "Greenhouse sensors" in cited
