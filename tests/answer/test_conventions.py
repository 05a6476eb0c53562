"""More conventions of how people write notes (real model and index on small notes): a term
defined by apposition ('Kestrel (a queue for …)', 'SLO - service level objective'); a
paragraph asking the question the list after it answers; an ordinal counting occurrences
('for the third year in a row'); 'what caused' asks for a reason; a word shouted in capitals
('MUCH better') is not another name when the question writes it as a common word; a sentence
pointing back ('This change would let it…') is quoted after the one it points to."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.conftest import module_assistant

from recapqa.answer.question import analyse
from recapqa.answer.sentence_kinds import counts_repeats, kind_score, names_other, says_more
from recapqa.embed import Embedder
from recapqa.pipeline import Assistant
from recapqa.text import terms

NOTES = """# Notes from InfraSummit

## Project updates keynote

The foundation showed three projects that joined this spring:

* Kestrel (a message queue for edge sites, replaces polling in the application)
* Lumen - dashboards for cost reports
* Tern, which schedules batch jobs

Kestrel showed a live demo:

* a screenshot of the Kestrel web console

## Why teams moved to containers (Ana Ortiz)

So why did the teams move to containers?

1. Builds became the same on every laptop.
2. Upgrades ship without a maintenance window, which the operators had asked for.

## Maintainers day

For the third year in a row, the maintainers met the day before the summit to plan releases.
The rooms were booked by the organizers for twelve hours.

## Resizing pods

Today the Resizer autoscaler recreates pods to apply new limits. This change would let it apply them in place.
"""


@pytest.fixture(scope="module")
def summit(tmp_path_factory: pytest.TempPathFactory, embedder_factory: Callable[[], Embedder]) -> Assistant:
    return module_assistant(tmp_path_factory, embedder_factory, {"summit.md": NOTES})


def test_a_term_defined_in_parentheses_after_it_answers_what_it_is(summit: Assistant) -> None:
    answer, _ = summit.ask("What is Kestrel, as described in the project updates keynote?", mode="extractive")
    assert not answer.abstained
    assert answer.citations[0].quote.startswith("Kestrel (a message queue for edge sites")


def test_the_subject_of_a_definition_question_and_its_appositive_forms() -> None:
    assert analyse("In the keynote, what does the SLO in SLO42 mean?", frozenset()).subject == "slo"
    assert analyse("What is Lumen, per the keynote?", frozenset()).subject == "lumen"
    lumen = analyse("What is Lumen?", frozenset())
    assert kind_score(lumen, "Lumen - dashboards for cost reports", "", True) == 2.0
    assert kind_score(lumen, "Lumen (dashboards for cost reports)", "", True) == 2.0
    assert kind_score(lumen, "Lumen showed a live demo", "", True) == 0.0
    assert kind_score(lumen, "Lumens-per-watt were measured", "", True) == 0.0


def test_a_paragraph_asking_a_question_is_the_lead_in_of_the_list_that_answers_it(summit: Assistant) -> None:
    items = [s for s in summit.index.sentences if s.text.startswith(("Builds became", "Upgrades ship"))]
    assert [s.context for s in items] == ["So why did the teams move to containers?"] * 2
    answer, _ = summit.ask("Why did the teams move to containers, according to Ana Ortiz?", mode="extractive")
    assert not answer.abstained
    assert "Builds became the same on every laptop." in answer.answer


def test_an_ordinal_of_occurrences_answers_how_many_times(summit: Assistant) -> None:
    answer, _ = summit.ask("How many times had the maintainers met before the summit?", mode="extractive")
    assert not answer.abstained
    assert "third year in a row" in answer.answer
    times = frozenset(terms("times"))
    assert counts_repeats("for the 5th consecutive year", times)
    assert counts_repeats("It was held for the first time in Oslo", times)
    assert not counts_repeats("the third speaker talked about flags", times)
    assert not counts_repeats("for the third year in a row", frozenset(terms("engineers")))


def test_what_caused_asks_for_a_reason() -> None:
    assert analyse("What caused the outage in the storage talk?", frozenset()).kind == "reason"
    assert analyse("What causes drift?", frozenset()).kind == "reason"
    assert analyse("What was the cause about?", frozenset()).kind != "reason"


def test_a_shouted_common_word_is_not_another_name() -> None:
    info = analyse("Which approach gives far better insight into retries?", frozenset())
    assert not names_other("gives you FAR better insight into retries", info.names | info.words)
    assert names_other("gives you FAR better insight into retries", info.names)
    assert names_other("better insight into retries with Spokely", info.names | info.words)
    assert not names_other("gives you MUCH better insight into retries", frozenset())  # a question word


def test_an_at_handle_says_nothing_new() -> None:
    known = frozenset(terms("which company does dana whitlock work for build chain green"))
    assert not says_more("**Build Chain Green** Dana Whitlock @dwhitlock", known)
    assert says_more("Dana Whitlock @dwhitlock, Acme Security", known)


def test_a_possessive_employer_asks_for_a_company() -> None:
    assert analyse("Who is Jane Doe's employer?", frozenset()).kind == "company"
    assert analyse("Who is Jane Doe's manager?", frozenset()).kind == "person"


def test_a_number_the_question_gives_or_a_hyphenated_one_does_not_count() -> None:
    info = analyse("How many two-pizza teams does the company have?", frozenset())
    assert {"two", "2"} <= info.given_numbers
    assert kind_score(info, "2 pizza teams:", "", False) == 0.0
    assert kind_score(info, "switch to monorepos and 2-pizza teams", "", False) == 0.0
    assert kind_score(info, "they run 400 two-pizza teams", "", False) == 1.0
    assert kind_score(info, "two pizza teams, then three more", "", False) == 1.0


def test_digits_hyphenated_to_a_name_are_part_of_the_name_not_an_amount() -> None:
    info = analyse("How many models does Acme run?", frozenset())
    assert kind_score(info, "Also use private models like GPT-4 and Palm-2.", "", False) == 0.0
    assert kind_score(info, "They moved off COVID-19 era servers.", "", False) == 0.0
    assert kind_score(info, "Around 5.3k models in production.", "", False) == 1.0
    assert kind_score(info, "They ran 40 models, up from 12 in 2014-2016.", "", False) == 1.0
    amount = analyse("How much did the project cost?", frozenset())
    assert kind_score(amount, "The GPT-4 bill was paid in dollars.", "", False) == 0.0
    assert kind_score(amount, "The bill was $4 million.", "", False) == 1.0


def test_a_sentence_pointing_back_is_quoted_after_the_sentence_it_points_to(summit: Assistant) -> None:
    answer, _ = summit.ask("Which autoscaler could apply new limits in place after this change?", mode="extractive")
    assert [c.quote for c in answer.citations[:2]] == [
        "Today the Resizer autoscaler recreates pods to apply new limits.",
        "This change would let it apply them in place.",
    ]


def test_how_long_is_answered_by_a_length_of_time() -> None:
    info = analyse("How long did the migration take?", frozenset())
    assert info.kind == "duration"
    lengths = ("It took about three years.", "a two-day event", "20-45 seconds")
    assert [kind_score(info, text, "", False) for text in lengths] == [1.0] * 3
    assert kind_score(info, "The migration was hard and slow.", "", False) == 0.0
    assert kind_score(info, "Migration results (Jane Doe)", "", False) == 0.0
    assert analyse("How often do they deploy?", frozenset()).kind == "time"


def test_how_long_is_answered_by_the_sentence_giving_a_length_not_the_closer_one_without(summit: Assistant) -> None:
    answer, _ = summit.ask("How long did the maintainers day last?", mode="extractive")
    assert answer.answer == "The rooms were booked by the organizers for twelve hours."


def test_an_item_under_the_term_asked_about_defines_it() -> None:
    info = analyse("How does Jane Doe define design thinking?", frozenset())
    assert (info.kind, info.subject) == ("definition", "design thinking")
    assert kind_score(info, '"repeated cycle of shaping early ideas"', "Design thinking", True) == 2.0
    assert kind_score(info, '"repeated cycle of shaping early ideas"', "Threat modelling", True) == 0.0


ORCHESTRATOR = """# Cloud networking day

## A day in the life of a network team (Rosa Lind, Streamly)

Harbor is the container orchestrator of Streamly, running thousands of containers a day.
Harbor places every container on a host with spare addresses.
Harbor gives each container its own IP address.

On container startup, it must make the following cloud API calls: -CreateInterface -AttachInterface -AssignAddress

## Storage at scale (Omar Quist)

Snapshots are taken every hour.
"""


@pytest.fixture(scope="module")
def orchestrator(tmp_path_factory: pytest.TempPathFactory, embedder_factory: Callable[[], Embedder]) -> Assistant:
    return module_assistant(tmp_path_factory, embedder_factory, {"day.md": ORCHESTRATOR})


def test_what_a_line_lists_after_its_colon_is_its_answer_not_another_subject(orchestrator: Assistant) -> None:
    # 'Harbor' is not in the line, but the talk is about it; the API names after ':' are what
    # the line says, not something else it is about; 'when a container starts' is not a 'when' question
    question = "Which cloud API calls does Streamly's Harbor make when a container starts?"
    assert analyse(question, frozenset()).kind == "list"
    answer, _ = orchestrator.ask(question, mode="extractive")
    assert not answer.abstained
    assert "-CreateInterface -AttachInterface -AssignAddress" in answer.answer


@pytest.mark.parametrize(
    ("text", "asked", "other"),
    [
        ("the following AWS API calls", {"aws", "api", "calls"}, False),  # 'AWS' is not 'aw'
        ("Uber's models", {"uber"}, False),
        ("the APIs", {"api"}, False),
        ("it is deployed by Spinnaker", {"titus"}, True),
    ],
)
def test_a_name_the_question_gives_is_not_another_name_in_any_form(text: str, asked: set[str], other: bool) -> None:
    assert names_other(text, frozenset(asked)) is other


OUTAGE = """## Keynote - Vera Lindqvist

She starts her keynote with the worst day of her career.

03/11/2009
- the billing database went down for nine hours
- orders were kept on paper until it came back

After that, they split the database by customer.
"""


@pytest.fixture(scope="module")
def outage(tmp_path_factory: pytest.TempPathFactory, embedder_factory: Callable[[], Embedder]) -> Assistant:
    return module_assistant(tmp_path_factory, embedder_factory, {"keynote.md": OUTAGE})


def test_a_label_of_one_word_is_a_sentence_and_holds_the_kind_for_its_items(outage: Assistant) -> None:
    texts = [s.text for s in outage.index.sentences]
    assert "03/11/2009" in texts  # one word, but the label its items are quoted with
    answer, _ = outage.ask(
        "On what date did the billing database go down, in Vera Lindqvist's keynote?", mode="extractive"
    )
    assert not answer.abstained
    assert answer.answer.startswith("- 03/11/2009\n- the billing database went down for nine hours")


def test_a_chosen_label_brings_the_items_under_it_like_a_lead_in() -> None:
    from typing import cast

    from recapqa.answer.candidates import Candidate, with_list_items
    from recapqa.models import Hit, Span
    from recapqa.sentences import Sentence

    def line(n: int, text: str, item: bool = False, context: str = "") -> Sentence:
        return Sentence("t", "notes.md", text, Span(0, 0, n, n), item, context)

    label = "Home lab setup in 2019"
    sentences = [
        line(1, label),
        line(2, "File server", True, label),
        line(3, "Media server", True, label),
        line(4, "Later they moved it all to one box."),
        line(5, "Storage notes"),
        line(6, "Only what is backed up counts.", True, ""),  # an item with no label
    ]
    hit = cast(Hit, None)
    chosen = with_list_items(sentences, [Candidate(0, hit, 0, 0.9, True)])
    assert [c.row for c in chosen] == [0, 1, 2]
    alone = with_list_items(sentences, [Candidate(4, hit, 0, 0.9, True)])
    assert [c.row for c in alone] == [4]


TITLED = """# Notes from WidgetConf

## Storage for widgets (Ann Lee)

Ann Lee showed how widgets are stored in three tiers, hot data on flash.

## Scaling Widgets Forever (Bob Stone)

Bob Stone sharded the widget store by customer.
The talk that stood out to me was "Scaling Widgets Forever".
"""


@pytest.fixture(scope="module")
def titled(tmp_path_factory: pytest.TempPathFactory, embedder_factory: Callable[[], Embedder]) -> Assistant:
    return module_assistant(tmp_path_factory, embedder_factory, {"widgetconf.md": TITLED})


def test_which_talk_is_answered_by_the_sentence_giving_its_title(titled: Assistant) -> None:
    answer = titled.ask("Which talk stood out to the note taker?")[0]
    assert answer.answer == 'The talk that stood out to me was "Scaling Widgets Forever".'
