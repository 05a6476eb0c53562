"""Sentences that point back, and years (real model and index on small notes): a blog's
'They use X for…' answers a question naming the company an earlier sentence introduced, and
only that company; 'what year' is answered by a year."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.conftest import assistant_over, module_assistant

from recapqa.answer.question import _names, analyse
from recapqa.answer.sentence_kinds import kind_score, names_other, number_near
from recapqa.answer.times import other_time
from recapqa.embed import Embedder
from recapqa.pipeline import Assistant
from recapqa.settings import Settings
from recapqa.text import terms

BLOG = """# My week at CloudConf

## Customer keynotes

There were two customer talks on the main stage that I kept thinking about.

{bank_paragraph}

- Firstly, they are beginning to receive supplier tools packaged as images.
- They built a platform team of their own and called it Stratus.
- They plan to use Open Rule Engine for compliance as code, with reviews like any other code.

The second company was Fabrikam Media, a publisher with offices on four continents.

I enjoyed this session a lot - they had tough latency problems to fix.
For instance - they run 9 clusters on 100 rented servers today.
""".format(
    bank_paragraph="The first of these was Northwind Bank - a large retail bank. They have a story much like ours. "
    "I noted a few things from this talk:"
)


@pytest.fixture(scope="module")
def blog(tmp_path_factory: pytest.TempPathFactory, embedder_factory: Callable[[], Embedder]) -> Assistant:
    return module_assistant(tmp_path_factory, embedder_factory, {"cloudconf.md": BLOG})


def test_a_list_item_that_points_back_belongs_to_the_company_its_lead_in_paragraph_names(blog: Assistant) -> None:
    answer, _ = blog.ask("What does Northwind Bank want to use Open Rule Engine for?", mode="extractive")
    assert not answer.abstained
    assert "compliance as code" in answer.answer
    assert answer.citations[0].quote.startswith("They plan to use Open Rule Engine")


def test_a_sentence_that_points_back_belongs_to_the_company_named_sentences_before(blog: Assistant) -> None:
    answer, _ = blog.ask("How many clusters does Fabrikam Media run?", mode="extractive")
    assert not answer.abstained and "9 clusters" in answer.answer


def test_what_one_company_does_is_not_said_of_the_other(blog: Assistant) -> None:
    answer, _ = blog.ask("What did Fabrikam Media call its platform team?", mode="extractive")
    assert "Stratus" not in answer.answer  # 'They … called it Stratus' is in the bank's list


def test_what_year_is_answered_by_a_year_the_question_does_not_give() -> None:
    year = analyse("In what year was the storage engine first launched?", frozenset())
    assert year.kind == "year"
    assert kind_score(year, "The engine was launched in 2014 after two years of work.", "", False) == 1.0
    assert kind_score(year, "The log sequence number tells readers which nodes have the data.", "", False) == 0.0
    assert kind_score(year, "It serves 2,019 tables.", "", False) == 0.0
    since = analyse("In which year after 2010 did it launch?", frozenset())
    assert kind_score(since, "It was planned in 2010.", "", False) == 0.0


def test_a_name_with_a_capital_inside_opens_a_sentence_about_it() -> None:
    assert names_other("PebbleDB design paper came out in 2011.", frozenset({"quartzite"}))
    assert not names_other("Quartzite design paper came out in 2011.", frozenset({"quartzite"}))


LABELS = """# NetConf 2025

## Connecting networks (Ana Lima)

Methods of connecting two networks:

1. Peering
- allows private addresses both ways
- NO bandwidth constraints

2. Dedicated Link
- allows private addresses both ways
- FACES bandwidth constraints (a 5 Gb port)

Storage tiers
- Glacier Vault keeps archives for ten years
- Hot tier keeps the last week

- Retries
  - capped at three attempts per call

- The vendor report on espionage, from five years of breach data
  - 6 years, 9 sectors, 2K+ incident reports
"""


@pytest.fixture(scope="module")
def labels(tmp_path_factory: pytest.TempPathFactory, embedder_factory: Callable[[], Embedder]) -> Assistant:
    return module_assistant(tmp_path_factory, embedder_factory, {"netconf.md": LABELS})


def test_a_short_line_above_bullets_is_their_lead_in(labels: Assistant) -> None:
    context = {s.text: s.context for s in labels.index.sentences}
    assert context["FACES bandwidth constraints (a 5 Gb port)"] == "Dedicated Link"
    assert context["NO bandwidth constraints"] == "Peering"
    assert context["Glacier Vault keeps archives for ten years"] == "Storage tiers"
    assert context["capped at three attempts per call"] == "Retries"
    assert context["6 years, 9 sectors, 2K+ incident reports"].startswith("The vendor report on espionage")
    assert context["Dedicated Link"] == "Methods of connecting two networks:"  # the next numbered item ends 'Peering'


def test_an_item_under_a_label_is_quoted_after_its_label(labels: Assistant) -> None:
    answer, _ = labels.ask("Which way of connecting networks has a 5 Gb port?", mode="extractive")
    assert not answer.abstained
    quotes = [c.quote for c in answer.citations]
    assert quotes[:2] == ["Dedicated Link", "FACES bandwidth constraints (a 5 Gb port)"]


LISTS = """# ToolConf 2025

## Process managers (Lee Park)

### Missing features of the old supervisor

* Realtime output streaming
* realtime stats
* clustering
* a powerful web console

Since those were missing, Lee wrote a new process manager in a weekend.

### Benchmarks

The new manager restarts a crashed worker in under 50 ms on a laptop.
"""


@pytest.fixture(scope="module")
def lists(tmp_path_factory: pytest.TempPathFactory, embedder_factory: Callable[[], Embedder]) -> Assistant:
    return module_assistant(tmp_path_factory, embedder_factory, {"toolconf.md": LISTS})


def test_a_one_word_item_under_a_sub_heading_is_a_sentence(lists: Assistant) -> None:
    assert "clustering" in [s.text for s in lists.index.sentences]


def test_a_list_question_is_answered_with_the_whole_list(lists: Assistant) -> None:
    answer, _ = lists.ask("Which features were missing from the old supervisor?", mode="extractive")
    assert not answer.abstained
    quotes = [c.quote for c in answer.citations]
    items = ["Realtime output streaming", "realtime stats", "clustering", "a powerful web console"]
    assert quotes[: len(items)] == items  # in source order, whichever item or pointer scored best


def test_a_place_answer_names_a_place_the_question_does_not() -> None:
    city = analyse("In which city was the 2019 contributors summit held?", frozenset())
    assert kind_score(city, "One of the roundtables I was in at the Contributors Summit this year.", "", False) == 0.0
    assert kind_score(city, "The summit was held in Lisbon this year.", "", False) == 1.0


def test_a_count_may_be_of_any_word_of_the_counted_phrase_or_its_initials() -> None:
    info = analyse("How many intelligence requirements per client do vendors keep?", frozenset())
    (requirement,) = terms("requirements")
    assert requirement in info.counted and "ir" in info.counted
    assert number_near("how many IRs: vendors keep 20-25 per client", info.counted, info.numbers, 5)
    assert not number_near("they met 3 clients last week", info.counted, info.numbers, 5)
    different = analyse("How many different tools do they use?", frozenset())
    (tool,) = terms("tools")
    assert different.counted == frozenset({tool})  # 'different' says how to count, not what


def test_how_things_are_now_does_not_say_how_they_started() -> None:
    question = "How many microservices did the database consist of when it first launched?"
    assert other_time("Today, it spans more than 310 microservices.", question)
    assert not other_time("At launch it had 8 microservices; today it has 310.", question)
    assert not other_time("Today, it spans more than 310 microservices.", "How many microservices does it have?")


def test_a_name_counted_right_beside_its_amount_and_a_longer_form_of_the_noun() -> None:
    info = analyse("How many Kubernetes clusters was the lab running?", frozenset({"kubernetes"}))
    (cluster,) = terms("clusters")
    assert info.counted == frozenset({cluster}) and info.counted_names == frozenset(terms("Kubernetes"))
    assert number_near("Some 200 Kubernetes now sit in racks.", info.counted_names, info.numbers, 1)
    assert not number_near("Porting 150+ Services to Kubernetes", info.counted_names, info.numbers, 1)
    members = analyse("How many members does the quorum have?", frozenset())
    assert number_near("Member count of 3 is too low, so it keeps 6.", members.counted, members.numbers, 5)


def test_an_inflected_name_names_the_thing() -> None:
    assert _names("How did the team end up DDoS-ing their own log intake?", frozenset()) == {"ddos"}


READING = """# Revolutions

## First keynote: On the Orbits (Lena Loomis)

The speaker opened with the history of astronomy before any code.

Brannock read:

* Halvard
* Ostrander charts
* the Roman surveyors

Refactoring is moving things to the centre.
"""


def test_a_question_asking_what_a_lead_in_introduces_gets_its_items_and_the_path_names_the_event(
    settings: Settings, embedder_factory: Callable[[], Embedder]
) -> None:
    notes = assistant_over(settings, {"PyConfEurope2013/keynotes.md": READING}, embedder_factory)
    answer, _ = notes.ask(
        "According to the PyConf Europe 2013 keynote, whose work had Brannock read?", mode="extractive"
    )
    assert not answer.abstained  # '2013' and 'PyConf' are in the notes file's path only
    assert [c.quote for c in answer.citations][:3] == ["Halvard", "Ostrander charts", "the Roman surveyors"]


def test_what_dates_is_answered_by_a_date_and_a_counted_phrase_ends_at_its_verb() -> None:
    dates = analyse("On what dates does the next game jam run?", frozenset())
    assert dates.kind == "date"
    assert kind_score(dates, "Take a week building a puzzle game.", "", False) == 0.0
    assert kind_score(dates, "The next one runs October 14-19.", "", False) == 1.0
    assert kind_score(dates, "Thursday Nov 29th @ the main hall", "", False) == 1.0
    people = analyse("How many people took part in the education roundtable?", frozenset())
    (part,) = terms("part")
    assert part not in people.counted  # 'two parts' does not count people


def test_which_director_asks_for_a_person() -> None:
    info = analyse("Which director in the leadership session was in charge of compute?", frozenset())
    assert info.kind == "person" and info.asks_speaker
    assert analyse("Which engineering tools were announced?", frozenset()).kind != "person"


def test_which_version_is_answered_by_a_version() -> None:
    info = analyse("From which Linux kernel version on can a program hold a million instructions?", frozenset())
    assert info.kind == "version"
    assert kind_score(info, "Recent kernels permit as many as 1 million instructions.", "", False) == 0.0
    assert kind_score(info, "Since kernel 5.3 the limit is 1 million instructions.", "", False) == 1.0
    assert analyse("In which release channels is the distribution delivered?", frozenset()).kind != "version"


def test_an_item_saying_no_to_the_question_and_its_label_do_not_answer_it(labels: Assistant) -> None:
    answer, _ = labels.ask("Which way of connecting networks comes with bandwidth constraints?", mode="extractive")
    quotes = [c.quote for c in answer.citations]
    assert "NO bandwidth constraints" not in quotes and "Peering" not in quotes
    assert quotes[:2] == ["Dedicated Link", "FACES bandwidth constraints (a 5 Gb port)"]
