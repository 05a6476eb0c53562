"""Answer types on a small corpus (real model and index): a sentence answers 'how many X'
only when it counts X or one of the kinds of a general X ('people' by 'attendees'); 'which
city' only when it names a place; a word the question writes in lower case is not a name."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.conftest import assistant_over, module_assistant

from recapqa.answer.kinds import kind_of
from recapqa.answer.question import _names, analyse, counted_as
from recapqa.answer.sentence_kinds import kind_score, names_other, note_taker_absent, number_near, says_more
from recapqa.embed import Embedder
from recapqa.pipeline import Assistant
from recapqa.settings import Settings
from recapqa.text import squash, terms

NOTES = """# DevDays 2025

DevDays 2025 was held in Lisbon and drew 800 attendees over two days, twice as many as the first edition.
The next edition is coming up in June, with a call for papers open until March.

## Scaling search (Jane Doe)

The search cluster grew from 3 nodes in 2019 to 120 nodes in 2024 across two regions.
Queries are routed by tenant so that one noisy customer cannot slow down the others.

## Feature flags at scale (Sam Roe)

Sam Roe leads the platform team at Tidal Systems and has run feature flags for eight years.
Flags are kept for at most two sprints and a linter fails the build when one is older.
"""


def test_a_general_counted_noun_is_answered_by_its_kinds_only() -> None:
    (people,) = terms("people")
    (attendees,) = terms("attendees")
    (engineers,) = terms("engineers")
    assert attendees in counted_as(people)
    assert counted_as(engineers) == frozenset({engineers})
    (folks,) = terms("folks")
    assert folks in counted_as(people) and people in counted_as(folks)  # synonyms count each other


@pytest.fixture(scope="module")
def devdays(tmp_path_factory: pytest.TempPathFactory, embedder_factory: Callable[[], Embedder]) -> Assistant:
    root = tmp_path_factory.mktemp("counts")
    settings = Settings(corpus_dir=root / "corpus", index_dir=root / "index")
    return assistant_over(settings, {"devdays.md": NOTES}, embedder_factory)


def test_how_many_people_is_answered_by_a_count_of_attendees(devdays: Assistant) -> None:
    answer, _ = devdays.ask("How many people came to DevDays 2025?", mode="extractive")
    assert not answer.abstained and "800 attendees" in answer.answer


def test_how_many_engineers_is_not_answered_by_a_count_of_attendees(devdays: Assistant) -> None:
    answer, _ = devdays.ask("How many engineers came to DevDays 2025?", mode="extractive")
    assert answer.abstained


def test_a_place_is_named_in_a_place_answer_and_a_month_is_not_a_place() -> None:
    info = analyse("Which city hosts DevDays?", frozenset())
    assert info.kind == "place"
    assert kind_score(info, "It was held in Lisbon and drew 800 attendees.", "", False) == 1.0
    assert kind_score(info, "Location: Lisbon, Portugal", "", True) == 1.0
    assert kind_score(info, "The next edition is coming up in June.", "", False) == 0.0


def test_which_city_is_answered_by_the_sentence_naming_it(devdays: Assistant) -> None:
    answer, _ = devdays.ask("Which city hosted DevDays 2025?", mode="extractive")
    assert not answer.abstained and "Lisbon" in answer.answer


def test_lower_case_words_of_a_cased_question_are_not_names() -> None:
    corpus_names = frozenset({"company", "uber"})
    assert _names("Which company does Chris Stivers work for?", corpus_names) == {"chris", "stivers"}
    assert _names("how many models does uber run?", corpus_names) == {"uber"}


def test_whom_a_speaker_works_for_needs_a_sentence_naming_them_beside_an_organisation(devdays: Assistant) -> None:
    answer, _ = devdays.ask("Which company does Sam Roe work for?", mode="extractive")
    assert not answer.abstained and "Tidal Systems" in answer.answer
    unknown, _ = devdays.ask("Which company does Jane Doe work for?", mode="extractive")
    assert unknown.abstained


def test_a_time_stamp_is_not_an_amount_and_a_percentage_needs_a_percentage() -> None:
    count = analyse("How many nodes did the cluster grow to?", frozenset())
    assert kind_score(count, "`38:20` - Sampling", "", True) == 0.0
    assert kind_score(count, "It grew to 120 nodes by 10:30 on launch day.", "", False) == 1.0
    share = analyse("What sampling percentage was recommended?", frozenset())
    assert share.kind == "number"
    assert kind_score(share, "Keep 10% of traces.", "", False) == 1.0
    assert kind_score(share, "They kept traces for 30 days.", "", False) == 0.0


def test_a_count_is_the_amount_written_beside_the_counted_noun() -> None:
    (talk,) = terms("talks")
    (microservice,) = terms("microservices")
    many_talks = "There were plenty of good talks, too many good subjects for only two days."
    assert not number_near(many_talks, frozenset({talk}), frozenset(), 5)
    assert number_near("Q7 was split into 8 microservices.", frozenset({microservice}), frozenset(), 5)
    assert number_near("Microservices at launch: 8", frozenset({microservice}), frozenset(), 5)
    assert not number_near("It started with 8 microservices.", frozenset({microservice}), frozenset({"8"}), 5)


def test_letters_with_digits_are_a_name_not_an_amount() -> None:
    count = analyse("How many microservices did it consist of?", frozenset())
    assert kind_score(count, "Storage: S3", "", True) == 0.0
    assert kind_score(count, "Compute: EC2 with 40 instances", "", True) == 1.0


def test_the_counted_noun_is_not_a_name_the_question_gives() -> None:
    (contributor,) = terms("contributors")
    assert analyse("How many CNCF contributors are women?", frozenset({"cncf"})).focus == contributor
    # a share is of a whole the notes may name otherwise ('the data' / 'the information'): no counted noun
    assert analyse("What percentage of CNCF contributors are women?", frozenset({"cncf"})).focus is None
    (project,) = terms("projects")
    assert analyse("How many CNCF projects had graduated?", frozenset({"cncf"})).focus == project


def test_a_sentence_naming_something_else_is_about_that_thing() -> None:
    assert names_other("When Q7 shipped in 2011, it was split into 8 microservices.", frozenset({"vaultr"}))
    assert not names_other("It was split into 8 microservices at launch.", frozenset({"vaultr"}))
    assert not names_other("When Vaultr shipped it had 8 microservices.", frozenset({"vaultr"}))


def test_a_count_beside_its_noun_answers_and_a_count_of_something_else_does_not(
    devdays: Assistant, settings: Settings, embedder_factory: Callable[[], Embedder]
) -> None:
    answer, _ = devdays.ask("How many sprints are feature flags kept for?", mode="extractive")
    assert not answer.abstained and "two sprints" in answer.answer
    notes = "# MiniConf 2025\n\nThere were plenty of good talks, too many subjects for only two days.\n"
    miniconf = assistant_over(settings, {"miniconf.md": notes}, embedder_factory)
    other, _ = miniconf.ask("How many talks were given at MiniConf 2025?", mode="extractive")
    assert other.abstained


def test_a_sentence_that_only_repeats_the_question_says_nothing_more() -> None:
    asked = frozenset(terms("What is the bytecode checker mainly there to guarantee?"))
    assert not says_more("`11:05` - Bytecode checker", asked)
    assert says_more("The checker guarantees memory safety.", asked)
    models = frozenset(terms("How many models does the platform train?"))
    assert says_more("5,000 models", models)


def test_a_one_digit_amount_the_question_does_not_give_is_news_but_a_numbered_label_is_not() -> None:
    split = frozenset(terms("How is FjordConf split between workshop days and conference days?"))
    assert says_more("2 days of workshops, 3 days of conference", split)
    assert not says_more("2 days of workshops, 3 days of conference", split | {"2", "3"})  # the question's own
    option = frozenset(terms("Which option is a direct connection?"))
    assert not says_more("3. Direct connection", option)  # an enumeration's number labels, counts nothing
    assert not says_more("Option 2) direct connection", option)
    aspect = frozenset(terms("What are layered caches, the second point?"))
    assert not says_more("`07:15` - Point #2: Layered caches", aspect)
    limits = frozenset(terms("Which option has egress fees?"))
    assert not says_more("1. NO egress fees", limits)  # a numbered denial still only denies


FJORD = """# FjordConf 2025 (Ola Nordmann)

- FjordConf: June 3-6 in Bergen, Norway
- 2 days of workshops, 3 days of conference
- Tickets go on sale in March
"""


def test_a_line_whose_only_news_is_a_one_digit_count_answers(
    settings: Settings, embedder_factory: Callable[[], Embedder]
) -> None:
    assistant = assistant_over(settings, {"fjord.md": FJORD}, embedder_factory)
    answer, _ = assistant.ask("How is FjordConf split between workshop days and conference days?", mode="extractive")
    assert not answer.abstained and "2 days of workshops" in answer.answer


def test_numbers_in_a_link_target_are_not_amounts() -> None:
    count = analyse("How many talks were on the program?", frozenset())
    listing = "Go kit — Peter Bourgon ([slides](https://example.org/2015-talks/Go%20kit.pdf))"
    assert kind_score(count, listing, "", True) == 0.0
    assert kind_score(count, "There were [22 talks](https://example.org/talks) in all.", "", False) == 1.0


def test_a_who_answer_names_someone_the_question_does_not() -> None:
    who = analyse("Who won the Dragons: the Reckoning tournament?", frozenset({"dragons", "reckoning"}))
    assert kind_score(who, "It closed with a Dragons: the Reckoning tournament.", "", False) == 0.0
    assert kind_score(who, "Jane Doe won the Dragons: the Reckoning tournament.", "", False) == 1.0


def test_the_note_taker_not_being_there_is_not_an_answer() -> None:
    assert note_taker_absent("I wasn’t at the keynote because I was at the booth.")
    assert note_taker_absent("Sadly I missed most of this talk.")
    assert not note_taker_absent("We didn't see any latency gains from the new cache.")
    assert not note_taker_absent("The speaker was at Acme for ten years.")


def test_a_role_line_of_the_talk_says_where_its_speaker_works() -> None:
    works = analyse("Where did Dana Whitlock work at the time of his keynote?", frozenset())
    assert works.kind == "company"
    assert kind_score(works, "Principal at Brightloom Labs", "", True) == 2.0
    assert kind_score(works, "by Jane Roe aka Janerific", "", True) == 0.0  # a nickname, no organisation
    assert kind_score(works, "Co-author of a book on Django", "", True) == 0.0


SUMMIT = """# SecSummit 2025

## Amber Team Review Cycle
**Amber Team Review Cycle** - Mia Wong

- demonstrates a few test scenarios with agile planning
- shares results with the blue team every week

## Threat hunting with scan data
**Threat hunting with scan data** - Raj Patel

- scans the internet weekly to find exposed services
- pivots on certificates to find related hosts
"""


def test_a_talk_title_line_says_nothing_about_its_speaker_company(
    settings: Settings, embedder_factory: Callable[[], Embedder]
) -> None:
    summit = assistant_over(settings, {"summit.md": SUMMIT}, embedder_factory)
    answer, _ = summit.ask("Which company does Mia Wong work for?", mode="extractive")
    assert answer.abstained


def test_a_name_ending_in_s_is_not_the_counted_noun() -> None:
    (cluster,) = terms("clusters")
    info = analyse("How many Kubernetes clusters does the Financial Times run?", frozenset({"kubernetes"}))
    assert info.focus == cluster


BLOG = """---
title: "DevDays 2025 Lisbon"
authors:
  - name: Ana Ruiz
---

## Day 1

The opening keynote was about platform teams and their budgets.
Be sure to try the custard tarts at Manteigaria next time you are in Lisbon.
"""


def test_the_note_taker_named_in_a_question_is_known_to_every_talk_of_their_notes(
    settings: Settings, embedder_factory: Callable[[], Embedder]
) -> None:
    blog = assistant_over(settings, {"devdays.md": BLOG}, embedder_factory)
    answer, _ = blog.ask("Where did Ana Ruiz recommend eating custard tarts in Lisbon?", mode="extractive")
    assert not answer.abstained and "Manteigaria" in answer.answer


def test_only_the_names_that_say_which_talk_must_be_the_talks_own() -> None:
    info = analyse("In the SolarWinds keynote, what does the UNC in UNC2452 mean?", frozenset())
    assert info.talk_only and info.talk_names == {"solarwinds"}
    plain = analyse("What did the speaker say about Kafka?", frozenset())
    assert plain.talk_names == {"kafka"}  # no name says which talk: every name must be the talk's


@pytest.mark.parametrize(
    ("question", "kind", "subject"),
    [
        ("In Lambda's architecture, what is the Worker Manager responsible for?", "definition", "worker manager"),
        ("What is the Worker Manager responsible for?", "definition", "worker manager"),
        ("What is Lambda's placement service responsible for?", "definition", "placement service"),  # its owner's
        ("In the tools sessions at GopherCon 2019, who raised debugger support?", "person", None),
        ("At the summit, how many teams joined?", "number", None),
        ("According to the keynote, why did they leave?", "reason", None),
        # a relative clause is not a leading clause: the question asks what was said
        ("What did Kelsey, who leads the team, say about events?", "speaker_topic", None),
        ("In 2019 the team met in Berlin. What did they decide?", "other", None),
    ],
)
def test_a_leading_clause_saying_where_the_question_is_asked_does_not_hide_its_kind(
    question: str, kind: str, subject: str | None
) -> None:
    info = analyse(question, frozenset())
    assert (info.kind, info.subject) == (kind, subject)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Which sandbox projects were shown in the keynote?", "list"),
        ("Which teams are hiring?", "list"),
        ("What kinds of visualizations do traces make possible?", "list"),
        ("Which process was used?", "other"),  # one thing, not a list
        ("Besides supervisord, which process managers were listed?", "list"),
        ("Which examples of Copernican refactors did he give?", "list"),
        ("Which company does she work for?", "company"),
        ("What was the class of bugs?", "definition"),
        # a relative 'who is' does not make it a who-question when another question word leads
        ("What warning do the notes give anyone who is presenting?", "other"),
        ("And who was the moderator?", "person"),
    ],
)
def test_a_plural_noun_asked_for_before_its_verb_asks_for_a_list(question: str, kind: str) -> None:
    assert kind_of(question) == kind


@pytest.mark.parametrize(
    ("question", "asks_speaker"),
    [
        ("Who presented the keynote?", True),
        ("Which talk did Ana Ortiz give?", True),
        ("Which company does the presenter work for?", True),
        ("How many proverbs did Rob Pike present at Gopherfest 2016?", False),  # a count, not who spoke
        ("When did she present the demo?", False),
        ("Which speakers talked about models in production?", True),
        ("Whose talk covered feature stores?", True),
        ("Whose work had the astronomer read?", False),  # what was read, not who spoke
    ],
)
def test_a_speaking_verb_asks_who_spoke_only_when_nothing_else_is_asked(question: str, asks_speaker: bool) -> None:
    assert analyse(question, frozenset()).asks_speaker is asks_speaker


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Why might it not pay off to rewrite the service?", "reason"),  # 'why' asks a reason, not an amount
        ("Why did they pay for the cluster?", "reason"),
        ("How much did they pay for the cluster?", "money"),
        ("What did they pay for the cluster?", "money"),
        ("What should teams pay attention to?", "other"),  # 'pay attention' names no amount
    ],
)
def test_a_why_question_asks_for_a_reason_and_pay_off_is_not_money(question: str, kind: str) -> None:
    assert kind_of(question) == kind


def test_a_month_is_a_date_not_a_name_the_notes_must_give() -> None:
    info = analyse("What did Amazon change after the outage in December 2004?", frozenset())
    assert info.names == {"amazon"}
    assert info.numbers == {"2004"}


def test_a_year_the_question_gives_may_be_said_anywhere_in_the_talk(devdays: Assistant) -> None:
    # '2019' is said in the talk's first sentence only; the answer is in its second
    answer = devdays.ask("How are queries routed in the search cluster that had 3 nodes in 2019?")[0]
    assert not answer.abstained
    assert answer.citations[0].quote.startswith("Queries are routed by tenant")
    missing = devdays.ask("How are queries routed in the search cluster that had 3 nodes in 2017?")[0]
    assert all("Queries are routed" not in c.quote for c in missing.citations)


def test_a_title_case_line_says_nothing_of_which_words_are_names() -> None:
    from recapqa.text import corpus_proper_nouns

    notes = ["- `04:10` - What's Possible with Tracing Probes?", "The demo ran on Netflix hardware."]
    assert corpus_proper_nouns(notes) == {"netflix"}  # 'Possible' is capitalised by the title only
    info = analyse("What kinds of visualizations do traces make possible?", corpus_proper_nouns(notes))
    assert info.names == frozenset()


@pytest.mark.parametrize(
    ("text", "holds"),
    [
        ("About 40% of attendees were women.", True),
        ("70% was single user, single region", True),  # a share of the whole the question names otherwise
        ("Only 3% of maintainers are women.", False),  # a share of something else
        ("Hilbert maps of the Internet in 2003 and 2020", False),  # numbers, but no share
        ("Half of the attendees were new to Go.", True),
        ("One in five attendees was a woman.", True),
        ("Most services are not seen on the 80/443 ports.", False),  # two numbers, not a fraction
    ],
)
def test_a_share_is_answered_by_a_share_of_what_the_question_asks(text: str, holds: bool) -> None:
    info = analyse("What share of KubeCon attendees were women?", frozenset({"kubecon"}))
    assert info.kind == "number"
    assert bool(kind_score(info, text, "", False)) is holds


def test_years_ago_is_a_time_not_an_amount_of_years() -> None:
    (years,) = terms("years")
    assert number_near("He worked with Java for 12 years.", frozenset({years}), frozenset(), 3)
    assert not number_near("About 2.5 years ago he worked on mobile.", frozenset({years}), frozenset(), 3)


def test_a_capitalised_function_word_is_no_organisation() -> None:
    info = analyse("Which company does Pavel Ostrov work for?", frozenset())
    assert kind_score(info, "> By [Pavel Ostrov](https://example.org/)", "", False) == 0.0
    assert kind_score(info, "Pavel Ostrov of Kestrel explained it.", "", False) == 1.0


@pytest.mark.parametrize(
    ("question", "kind", "holds", "lacks"),
    [
        ("Which colour stands for a degraded service?", "colour", "Yellow: a service is degraded", "Degraded: yes"),
        ("What colour does the chart give to errors?", "colour", "errors are drawn in dark red", "errors are drawn"),
        ("What is Kim Park's email address?", "contact", "Mail kim.park@example.org", "Kim Park answers mail"),
        ("What is the project's website?", "contact", "see https://example.org/docs", "see the docs"),
        ("Which port does the status page run on?", "number", "it listens on 8080", "it listens locally"),
    ],
)
def test_a_colour_an_address_or_a_port_is_answered_only_by_a_sentence_holding_one(
    question: str, kind: str, holds: str, lacks: str
) -> None:
    info = analyse(question, frozenset())
    assert info.kind == kind and not info.asks_speaker  # 'give' asks for the colour, not who spoke
    assert (kind_score(info, holds, "", False), kind_score(info, lacks, "", False)) == (1.0, 0.0)


STATUS = """# OpsCon 2025

## Alert levels (Kim Park)

Kim Park showed the alert levels of the paging service.

* Green: all good
* Yellow: a service is degraded

The status page runs on a small web server in each region.
Kim shared the slides by mail at kim.park@example.org after the talk.
"""


@pytest.fixture(scope="module")
def opscon(tmp_path_factory: pytest.TempPathFactory, embedder_factory: Callable[[], Embedder]) -> Assistant:
    return module_assistant(tmp_path_factory, embedder_factory, {"opscon.md": STATUS})


def test_colour_address_and_port_questions_on_notes(opscon: Assistant) -> None:
    colour = opscon.ask("Which colour stands for a degraded service?", mode="extractive")[0]
    assert "Yellow: a service is degraded" in colour.answer
    mail = opscon.ask("What is Kim Park's email address?", mode="extractive")[0]
    assert mail.answer == "Kim shared the slides by mail at kim.park@example.org after the talk."
    # the status page is described, but no port is given
    assert opscon.ask("Which port does the status page run on?", mode="extractive")[0].abstained


def test_how_much_of_asks_for_a_share_not_a_count_of_its_noun() -> None:
    info = analyse("How much of the data in Initech's database was single user, single region?", frozenset())
    assert info.kind == "number" and info.share_of == frozenset({"data"})
    assert info.focus is None  # 'data' is what the share is of, not a noun a count must stand beside
    assert kind_score(info, "70% was single user, single region", "", False) == 1.0
    assert kind_score(info, "Only remaining 10 tables were joined", "", False) == 0.0
    assert analyse("How much data does Initech store?", frozenset()).share_of is None  # an amount


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("In which countries did Initech want to run?", "list"),  # as 'Which countries did Initech want to run in?'
        ("For what reason did Initech leave the cloud?", "reason"),
        ("At which company does Sam Roe work?", "company"),
        ("In which city was the summit held?", "place"),
        ("On what day was the summit?", "date"),
    ],
)
def test_a_preposition_before_the_question_word_keeps_the_kind(question: str, kind: str) -> None:
    assert kind_of(question) == kind


@pytest.mark.parametrize(
    "question",
    ["Which Java expert moved to Python?", "Which security researcher found the bug?", "Which person gave the demo?"],
)
def test_which_person_noun_asks_for_a_person(question: str) -> None:
    assert kind_of(question) == "person"


def test_how_much_or_how_many_is_no_name_when_the_question_is_typed_in_lower_case() -> None:
    # the notes may shout 'MUCH better' and never write 'much', which makes it look like a name
    info = analyse("how much bandwidth does direct connect give?", frozenset({"much", "connect"}))
    assert info.names == frozenset({"connect"})
    assert "many" not in analyse("how many models does initech run?", frozenset({"many", "initech"})).names


def test_a_name_in_the_plural_or_the_singular_is_the_same_name() -> None:
    policy = analyse("Which FencePolicy setting stops containers from running as root?", frozenset())
    assert any(f in squash("FencePolicies in practice") for f in policy.forms_of("fencepolicy"))
    gates = analyse("What do the HarborGates filter?", frozenset())
    assert any(f in squash("Each HarborGate filters traffic") for f in gates.forms_of("harborgates"))
    assert analyse("Which AWS region hosts it?", frozenset()).forms_of("aws") == {"aws"}  # capitals: no plural


FENCE = """# HardenCon 2025

## FencePolicies in practice (Jo Park)

Every namespace gets FencePolicies from the platform team, and FencePolicies are reviewed weekly.

- `denyRootUser` stops containers from running as root
- `blockHostMounts` keeps containers off the host disks

## Faster builds (Ana Lee)

Remote caching cut build times in half for the monorepo.
"""


def test_a_question_naming_a_talk_s_subject_in_the_singular_is_answered_from_its_plural(
    settings: Settings, embedder_factory: Callable[[], Embedder]
) -> None:
    assistant = assistant_over(settings, {"fence.md": FENCE}, embedder_factory)
    answer, _ = assistant.ask("Which FencePolicy setting stops containers from running as root?", mode="extractive")
    assert not answer.abstained and "denyRootUser" in answer.answer
