"""Who gave a talk and whom a speaker works for, answered from the talks' metadata when no
sentence of the talk names them (real model and index on a small corpus)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.conftest import assistant_over

from recapqa.embed import Embedder
from recapqa.ingest import quote_in_source
from recapqa.pipeline import Assistant
from recapqa.settings import Settings

NOTES = """# DevDays 2025 notes

## Scaling search to a hundred nodes (Jane Doe, Acme Search)

The search cluster grew from 3 nodes in 2019 to 120 nodes in 2024 across two regions.
Queries are routed by tenant so that one noisy customer cannot slow down the others.
They replaced nightly full reindexing with a change stream that updates documents within seconds.

## Feature flags for everyone

Flags are kept for at most two sprints and a linter fails the build when one is older.
Every flag has an owner and an expiry date written next to its definition in the code.
Stale flags once caused an outage when an old branch of code was switched on by mistake.

## Panel: running databases on Kubernetes

Panelists:

- Ann Lee, VP Storage at Blockworks
- Raj Patel, SRE at Tidal Systems

Operators now handle failover, but backups still need a human to test restores every quarter.
Local disks beat network volumes for write-heavy databases, at the cost of harder rescheduling.

## Hallway track on release trains (report by Kim Ode)

Teams that release weekly found that a fixed train removed most arguments about scope.
A missed train costs a week, so nobody rushes half-finished work onto it.
"""


@pytest.fixture(scope="module")
def devdays(tmp_path_factory: pytest.TempPathFactory, embedder_factory: Callable[[], Embedder]) -> Assistant:
    root = tmp_path_factory.mktemp("devdays")
    settings = Settings(corpus_dir=root / "corpus", index_dir=root / "index")
    return assistant_over(settings, {"devdays.md": NOTES}, embedder_factory)


def test_who_gave_a_talk_quotes_the_line_that_names_the_speaker(devdays: Assistant) -> None:
    answer, _ = devdays.ask("Who presented the talk on scaling search to a hundred nodes?", mode="extractive")
    assert not answer.abstained
    assert answer.answer == "Scaling search to a hundred nodes (Jane Doe, Acme Search)"
    (citation,) = answer.citations
    assert citation.start_line == citation.end_line == 3
    assert quote_in_source(devdays.settings.corpus_dir, citation.source, 3, 3, citation.quote)


def test_the_company_of_a_speaker_comes_from_the_talk_metadata(devdays: Assistant) -> None:
    answer, _ = devdays.ask("Which company does Jane Doe work for?", mode="extractive")
    assert not answer.abstained and "Acme Search" in answer.answer
    assert answer.citations[0].talk.title == "Scaling search to a hundred nodes"


def test_of_several_speakers_the_one_whose_role_is_asked_is_named(devdays: Assistant) -> None:
    answer, _ = devdays.ask("Who was the storage VP on the databases on Kubernetes panel?", mode="extractive")
    assert answer.answer == "Ann Lee, VP Storage at Blockworks"
    both, _ = devdays.ask("Who spoke on the panel about running databases on Kubernetes?", mode="extractive")
    assert [c.quote for c in both.citations] == ["Ann Lee, VP Storage at Blockworks", "Raj Patel, SRE at Tidal Systems"]


def test_where_a_speaker_works_is_their_company(devdays: Assistant) -> None:
    answer, _ = devdays.ask("Where does Jane Doe work?", mode="extractive")
    assert answer.answer == "Scaling search to a hundred nodes (Jane Doe, Acme Search)"


def test_who_wrote_up_a_session_is_the_report_line_of_its_heading(devdays: Assistant) -> None:
    answer, _ = devdays.ask("Who wrote up the release trains discussion?", mode="extractive")
    assert answer.answer == "Hallway track on release trains (report by Kim Ode)"
    assert answer.citations[0].talk.title == "Hallway track on release trains"
    speaker, _ = devdays.ask("Who gave the hallway track on release trains?", mode="extractive")
    assert "Kim Ode" not in speaker.answer  # the report's writer is not its speaker


def test_a_talk_the_notes_give_no_speaker_for_is_said_so(devdays: Assistant) -> None:
    answer, _ = devdays.ask("Who gave the feature flags for everyone talk?", mode="extractive")
    assert answer.abstained
    assert answer.answer.endswith("The notes on Feature flags for everyone do not say who gave it.")


def test_an_event_named_in_the_question_does_not_pick_the_talk(devdays: Assistant) -> None:
    """'at DevDays 2025' says where; the talk asked about (on caching) is not in the notes."""
    answer, _ = devdays.ask("Who gave the caching talk at DevDays 2025?", mode="extractive")
    assert "Jane Doe" not in answer.answer


MIGRATION = """# Cloud Summit 2025

## Migrating 150+ services to Kubernetes (Sarah Kim, Daily Ledger)

The move took two years of work and one freeze over the holidays.
Billing stayed on the old platform because of its audit trail.

## Search at scale (Ann Lee, Blockworks)

Queries are routed by tenant so that one noisy customer cannot slow down the others.
"""


def test_a_count_no_sentence_gives_is_answered_from_the_talk_title(
    devdays: Assistant, settings: Settings, embedder_factory: Callable[[], Embedder]
) -> None:
    answer, _ = devdays.ask("How many nodes did Acme Search scale search to?", mode="extractive")
    assert not answer.abstained and "120 nodes" in answer.answer  # a sentence's count comes first
    summit = assistant_over(settings, {"summit.md": MIGRATION}, embedder_factory)
    titled, _ = summit.ask("How many services did Daily Ledger move to Kubernetes?", mode="extractive")
    assert not titled.abstained
    assert titled.answer == "Migrating 150+ services to Kubernetes (Sarah Kim, Daily Ledger)"
    assert titled.citations[0].start_line == 3
    other, _ = summit.ask("How many services did Blockworks move to Kubernetes?", mode="extractive")
    assert other.abstained  # the title's count belongs to another company's talk


def test_who_gave_the_talk_about_a_topic_names_the_speakers_of_the_talk_that_covers_it(
    settings: Settings, embedder_factory: Callable[[], Embedder]
) -> None:
    summit = assistant_over(settings, {"summit.md": MIGRATION}, embedder_factory)
    answer, _ = summit.ask("Who gave the talk about routing queries by tenant?", mode="extractive")
    assert not answer.abstained
    assert [c.quote for c in answer.citations] == [
        "Search at scale (Ann Lee, Blockworks)",
        "Queries are routed by tenant so that one noisy customer cannot slow down the others.",
    ]
    unknown, _ = summit.ask("Who gave the talk about quantum error correction?", mode="extractive")
    assert unknown.abstained


SESSIONS = """# KubeDays 2025

## Companies doing what we do

A large bank talked about its platform team and how it moved every service to containers.
A publisher runs nine clusters on a few hundred cloud instances across three regions.
Both said that platform teams need product managers, not only engineers.
A retailer explained how it cut its cloud bill by a third with spot instances.

## Every session I attended

- [Keynote: Opening Words](https://example.org/1) - Nora Quill, Software Engineer, Zentrix
- [Fine-Grained Quotas in Kubernetes](https://example.org/2) - Talia Brennock, Rydex & Omar Feld, Plinko
- [Intro: Open Rule Engine](https://example.org/3) - Rita Vale, Initech
- [The Fleet Handbook](https://example.org/4) - Pavel Drost, Harborly
- [Keynote: Queues are Hard](https://example.org/5) - Lena Marsh, Senior Software Engineer, Zentrix
- [Keynote: Controllers](https://example.org/6) - Ivo Brandt, Principal Product Manager, Blue Fern
"""


def test_the_company_of_a_speaker_comes_from_a_one_line_listing_of_their_talk(
    settings: Settings, embedder_factory: Callable[[], Embedder]
) -> None:
    days = assistant_over(settings, {"kubedays.md": SESSIONS}, embedder_factory)
    answer, _ = days.ask("What company did Talia Brennock work for?", mode="extractive")
    assert not answer.abstained and "Rydex" in answer.answer
    other, _ = days.ask("What company did Omar Feld work for?", mode="extractive")
    assert not other.abstained and "Plinko" in other.answer  # the line naming both, quoted whole


def test_who_gave_the_keynote_of_an_event_is_the_one_keynote_of_that_event(
    settings: Settings, embedder_factory: Callable[[], Embedder]
) -> None:
    listing = "Thanks to the video team.\n\n## SecCon 2019\n\n* Keynote: Ada Byron\n* Attribution at scale: Tom Hale\n"
    summit = "# Hunt Summit 2020\n\n## Greg Bell's keynote: detection and response\n\n- networks are noisy\n"
    notes = assistant_over(settings, {"seccon_2019.md": listing, "hunt.md": summit}, embedder_factory)
    answer, _ = notes.ask("Who gave the keynote at SecCon 2019?", mode="extractive")
    assert not answer.abstained
    assert answer.citations[0].quote == "Keynote: Ada Byron"


def test_the_company_of_the_speaker_who_presented_a_topic_is_their_talks_company(
    settings: Settings, embedder_factory: Callable[[], Embedder]
) -> None:
    notes = (
        "# Container Days 2025\n\n"
        "## Database troubles? Kubernetes for the win! - Akira Chen, GridWorks Systems\n\n"
        "- Apache Ignite is an in-memory computing platform.\n- It runs as a StatefulSet with persistent volumes.\n\n"
        "## Slatecar in production - Rina Holt, Corvane\n\n- A friendly fork of Quarry Linux.\n"
    )
    days = assistant_over(settings, {"days.md": notes}, embedder_factory)
    answer, _ = days.ask(
        "Which company is the speaker who presented Apache Ignite on Kubernetes from?", mode="extractive"
    )
    assert not answer.abstained and "GridWorks Systems" in answer.citations[0].quote
    assert "Apache Ignite is an in-memory computing platform." in [c.quote for c in answer.citations]


@pytest.mark.parametrize(
    ("question", "line"),
    [
        ("What is Ann Lee's job?", "Ann Lee, VP Storage at Blockworks"),
        ("What is Raj Patel's title?", "Raj Patel, SRE at Tidal Systems"),
        ("What does Ann Lee do at Blockworks?", "Ann Lee, VP Storage at Blockworks"),
    ],
)
def test_a_speakers_job_is_quoted_from_the_line_that_gives_it(devdays: Assistant, question: str, line: str) -> None:
    answer, _ = devdays.ask(question, mode="extractive")
    assert answer.answer == line
    assert [c.talk.title for c in answer.citations] == ["Panel: running databases on Kubernetes"]
