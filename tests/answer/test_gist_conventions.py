"""Gist answers over notes written the way real notes are: a talk listed in one file and
written up in another, an event with fewer talks than a themes answer has quotes, a topic
the notes give by its initials, bullets and numbered items indented alike, the note-taker's
asides, themes of the notes titled as the kind of session asked for (real model and index)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from tests.conftest import assistant_over

from recapqa.answer.gist_words import ASKING_WORDS, SESSION_KINDS
from recapqa.answer.themes import event_scope, ranked
from recapqa.embed import Embedder
from recapqa.models import Talk
from recapqa.settings import Settings

SCHEDULE = """# Ops Summit 2025

## Keynote: How Acme Accidentally Deleted All Its Clusters

Dana Smith, Acme
"""

WRITE_UP = """# Ops Summit 2025: my notes

## Acme's culture of failure

Dana told the story of how Acme deleted its production clusters by accident and what the team learnt from it.

- Learning that production and staging consoles open side by side in one browser are dangerous
- Learning that restore procedures need rehearsing long before the day they are needed
- Learning that migrating users gradually gives you a way back when a change goes wrong
- Learning that a supportive team matters more than any tool when production breaks
"""


def test_a_talk_listed_in_one_file_is_summarised_from_the_file_that_has_its_notes(
    settings: Settings, embedder_factory: Callable[[], Embedder]
) -> None:
    notes = {"schedule.md": SCHEDULE, "notes.md": WRITE_UP}
    assistant = assistant_over(settings, notes, embedder_factory)
    answer, _ = assistant.ask("What lessons did Acme share about deleting its clusters?", mode="extractive")
    assert answer.answer.startswith("Key takeaways from Acme's culture of failure:")
    assert {c.source for c in answer.citations} == {"notes.md"}
    assert len(answer.citations) == 5
    assert "restore procedures need rehearsing" in answer.answer


EVENT = """# DataConf 2025

## Serving features online (Ana Ruiz)

Ana explained how their feature store serves features to the ranking models in under ten milliseconds.
The online store is rebuilt from the offline tables every night and checked against them.
A feature that drifts from its offline value raises an alert for the owning team.

## Training at scale (Ben Okafor)

Ben described the training cluster that runs four thousand jobs a day on shared GPUs.
Every job reads its inputs from the feature store, so training and serving see the same values.
Failed jobs are retried twice before a person is paged.

## Data contracts (Chen Wei)

Chen argued that every table needs a written contract between the team that writes it and the teams that read it.
Contracts are checked in CI, so a breaking schema change fails before it reaches production.
The first contracts took a quarter to agree on; the later ones took a week.
"""


def test_themes_over_fewer_talks_than_quotes_go_round_the_talks_again(
    settings: Settings, embedder_factory: Callable[[], Embedder]
) -> None:
    assistant = assistant_over(settings, {"dataconf.md": EVENT}, embedder_factory)
    answer, _ = assistant.ask("What were the main themes of the conference?", mode="extractive")
    assert answer.answer.startswith("Themes across 3 talks:")
    assert "feature store (2 talks)" in answer.answer.splitlines()[0]
    assert len(answer.citations) == assistant.settings.gist_sentences == 5
    per_talk = Counter(c.talk.title for c in answer.citations)
    assert sorted(per_talk.values()) == [1, 2, 2]
    assert len({c.quote for c in answer.citations}) == 5  # a talk's second quote is another sentence


POLICY = """# KubeDay 2025

## Compliance as code (Eva Stone)

Eva showed how the Open Rule Engine checks every manifest before it reaches the cluster.

## Bank platform story (Raj Patel)

The bank writes its admission rules for ORE and reviews them like any other code.

## Cost dashboards (Mo Diaz)

Mo walked through dashboards that show what each team spends on compute every week.
"""


def test_which_talks_mention_a_named_tool_counts_its_initials(
    settings: Settings, embedder_factory: Callable[[], Embedder]
) -> None:
    assistant = assistant_over(settings, {"kubeday.md": POLICY}, embedder_factory)
    answer, _ = assistant.ask("Which talks mention Open Rule Engine?", mode="extractive")
    assert answer.answer.startswith("Talks that mention Open Rule Engine (2):")
    assert {c.talk.title for c in answer.citations} == {"Compliance as code", "Bank platform story"}


METHODS = """# NetDay 2025

## Connecting networks (Kim Lo)

Kim compared the ways their accounts connect their networks to each other.

Methods of connecting two networks:

1. Internet
- no private addressing between the two networks
- no shared security rules

2. Peering
- private addressing between the two networks works
- shared security rules work across accounts
"""


def test_a_bullet_is_not_quoted_with_the_numbered_item_after_it(
    settings: Settings, embedder_factory: Callable[[], Embedder]
) -> None:
    assistant = assistant_over(settings, {"netday.md": METHODS}, embedder_factory)
    answer, _ = assistant.ask("Summarize Kim Lo's talk", mode="extractive")
    assert answer.answer.startswith("Summary of Connecting networks (Kim Lo):")
    assert answer.citations
    # '- no shared security rules' and '2. Peering' are one level: neither is nested under the other
    assert not [c.quote for c in answer.citations if "security rules" in c.quote and "Peering" in c.quote]


ASIDES = """# PlatformDay 2025

## Running models in production (Lea Brandt)

Lea explained that every model ships behind a feature flag, so a bad model is switched off in seconds.
The team retrains the ranking models every night on the previous day's clicks and purchases.
Predictions are cached for ten minutes, which cut the serving bill of the ranking models by half.
Each model has an owner who is paged when its error rate doubles in production.
Shadow deployments run a new model next to the old one for a week before it takes any traffic.
I really liked how calmly Lea walked through the production models and their serving costs, and I took lots of notes.
If you are curious to learn more about their production models, check out the serving costs talk Lea gave last year.
"""


def test_a_summary_leaves_out_the_note_takers_asides(
    settings: Settings, embedder_factory: Callable[[], Embedder]
) -> None:
    assistant = assistant_over(settings, {"platformday.md": ASIDES}, embedder_factory)
    answer, _ = assistant.ask("Summarize Lea Brandt's talk", mode="extractive")
    assert answer.answer.startswith("Summary of Running models in production (Lea Brandt):")
    assert [c.quote.split()[0] for c in answer.citations] == ["Lea", "The", "Predictions", "Each", "Shadow"]
    # without the convention, the asides are among the five (they are long and about the whole talk)
    plain = assistant_over(settings.model_copy(update={"gist_aside_penalty": 0.0}), {}, embedder_factory)
    answer, _ = plain.ask("Summarize Lea Brandt's talk", mode="extractive")
    assert {"I", "If"} & {c.quote.split()[0] for c in answer.citations}


def test_themes_of_the_keynotes_are_drawn_from_the_notes_titled_so() -> None:
    def talk(n: int, source: str, title: str) -> Talk:
        return Talk(f"t{n}", f"Talk {n}", "talk", source, 1, 2, meta={"conference": "KubeDay 2025", "title": title})

    talks = [
        talk(1, "kubeday-keynotes.md", "KubeDay - The Keynotes"),
        talk(2, "kubeday-keynotes.md", "KubeDay - The Keynotes"),
        talk(3, "kubeday-other.md", "KubeDay - Other Cool Things"),
        talk(4, "kubeday-other.md", "KubeDay - Other Cool Things"),
    ]
    asked = "What were the main themes of the KubeDay keynotes?"
    assert event_scope(talks, asked, ASKING_WORDS - SESSION_KINDS) == {"kubeday-keynotes.md"}
    both = {"kubeday-keynotes.md", "kubeday-other.md"}  # the event alone names both files
    assert event_scope(talks, "What were the main themes of KubeDay?", ASKING_WORDS - SESSION_KINDS) == both
    assert event_scope(talks, asked, ASKING_WORDS) == both  # 'keynotes' as an asking word only


def test_themes_of_an_event_named_by_its_folder_run_together_take_every_file_in_it() -> None:
    def talk(n: int, source: str) -> Talk:
        return Talk(f"t{n}", f"Talk {n}", "talk", source, 1, 2, meta={"title": "Notes"})

    talks = [
        talk(1, "RustFestLisbon2019/index.rst"),
        talk(2, "RustFestLisbon2019/keynotes.rst"),
        talk(3, "RustFestLisbon2019/keynotes.rst"),
        talk(4, "GoDays2020/talks.rst"),
        talk(5, "GoDays2020/talks.rst"),
    ]
    asking = ASKING_WORDS - SESSION_KINDS
    lisbon = {"RustFestLisbon2019/index.rst", "RustFestLisbon2019/keynotes.rst"}
    assert event_scope(talks, "What topics came up at RustFest Lisbon 2019?", asking) == lisbon
    assert event_scope(talks, "What topics came up at GoDays?", asking) == {"GoDays2020/talks.rst"}
    # a short word is not looked for inside a path ('go' would find 'GoDays2020' by its letters)
    assert event_scope(talks, "What topics came up at the go meetup?", asking) == frozenset()


def test_themes_of_equal_weight_come_in_the_order_of_their_names() -> None:
    counts = {"t1": Counter({"zeta store": 1, "alpha store": 1}), "t2": Counter({"alpha store": 1, "zeta store": 1})}
    flipped = {t: Counter(dict(reversed(list(c.items())))) for t, c in counts.items()}
    df = Counter({"zeta store": 2, "alpha store": 2})
    settings = Settings(gist_themes=1, gist_theme_max_share=1.0)
    for phrases in (counts, flipped):
        assert ranked(phrases, df, 100, set(), frozenset(), settings) == [("alpha store", ["t1", "t2"])]


BESIDE = """# ClusterDay 2025

## Moving apps between clusters (Ana Lima)

Ana moved every application of the bank between clusters twice last year.

Inside a cluster, services should never be called by their addresses.
Names in DNS should be used instead.

The second move took a weekend, and the team spent the Monday writing the runbook down.
"""


def test_a_speaker_on_a_topic_quotes_the_sentence_the_topic_sentence_follows_from(
    settings: Settings, embedder_factory: Callable[[], Embedder]
) -> None:
    assistant = assistant_over(settings, {"clusterday.md": BESIDE}, embedder_factory)
    answer, _ = assistant.ask("What did Ana Lima say about DNS?", mode="extractive")
    assert answer.answer.startswith("What Moving apps between clusters (Ana Lima) said:")
    assert [c.quote for c in answer.citations] == [
        "Ana moved every application of the bank between clusters twice last year.",  # the places are filled
        "Inside a cluster, services should never be called by their addresses.",  # with the units next to them
        "Names in DNS should be used instead.",
        "The second move took a weekend, and the team spent the Monday writing the runbook down.",
    ]


APART = """# EdgeDay 2025

## Cheaper caches (Ola Berg)

Ola showed how their edge caches keep hot images in memory and cut the origin traffic by a third.
It makes sense to expire the cached thumbnails after one hour, she said.
The caches run on the same small machines that terminate the TLS connections.

## Faster builds (Tim Rose)

Tim moved the mobile builds to remote executors and the median build now takes four minutes.
It makes sense to keep the build graph small, since every target adds a few seconds.
Flaky tests are quarantined automatically after three failures in a day.

## Safer rollouts (Uma Das)

Uma described rollouts that start with one percent of the phones and widen every hour.
A rollout stops by itself when the crash rate of the new version doubles.
Every rollout is announced in the release channel with its owner and its stop switch.
"""


def test_themes_are_not_named_by_a_pair_of_common_words_and_talks_sharing_none_are_each_quoted(
    settings: Settings, embedder_factory: Callable[[], Embedder]
) -> None:
    assistant = assistant_over(settings, {"edgeday.md": APART}, embedder_factory)
    answer, _ = assistant.ask("What were the main themes of the conference?", mode="extractive")
    # 'make sense' is in two talks, but it says how they spoke, not what about
    assert answer.answer.splitlines()[0] == "What each of 3 talks is about:"
    per_talk = Counter(c.talk.title for c in answer.citations)
    assert set(per_talk) == {"Cheaper caches", "Faster builds", "Safer rollouts"}
    assert sorted(per_talk.values()) == [1, 2, 2]


CHECKS = """# PolicyConf 2025

## Policy as code in the cluster (Ravi Shah)

Ravi showed how his team writes cluster policies as code and reviews them like any other change.
The policies run in an admission controller, so a bad manifest is rejected before anything is created.
They showed four checks every cluster enforces:

- All namespaces must carry a label naming their owning team
- All pods must set an upper bound for memory and CPU
- All images must come from the approved internal registry
- Services must all use selectors that are unique across the cluster

Each check started in audit mode for two weeks before it began to reject anything.
"""


def test_a_list_of_rules_is_quoted_whole_with_its_lead_in(
    settings: Settings, embedder_factory: Callable[[], Embedder]
) -> None:
    """Items of up to `gist_item_words` (12) words, up to `gist_group_words` (50) with their
    lead-in, are one bullet: the checks are the talk's point, one of them alone is not."""
    assistant = assistant_over(settings, {"policyconf.md": CHECKS}, embedder_factory)
    answer, _ = assistant.ask("Summarize Ravi Shah's talk", mode="extractive")
    checks = CHECKS.split("They showed", 1)[1].split("\n\nEach check", 1)[0]
    assert [c.quote for c in answer.citations] == [
        "Ravi showed how his team writes cluster policies as code and reviews them like any other change.",
        "The policies run in an admission controller, so a bad manifest is rejected before anything is created.",
        "They showed" + checks,
        "Each check started in audit mode for two weeks before it began to reject anything.",
    ]
    # with the bounds of before (items of at most 10 words, 30 with the lead-in) the list is cut up
    before = assistant_over(
        settings.model_copy(update={"gist_item_words": 10, "gist_group_words": 30}), {}, embedder_factory
    )
    answer, _ = before.ask("Summarize Ravi Shah's talk", mode="extractive")
    assert "They showed" + checks not in [c.quote for c in answer.citations]


LIGHTNING = """==============
Lightning Talks
==============

Short notes from the lightning talks of the afternoon.

Queuekit: Jobs for Humans (Ana Lee)
===================================

* Smallest possible setup
* Easy to use
* redis backend
* https://queuekit.example.org

.. code-block:: python

    # producer.py
    from queuekit import Queue
    queue = Queue('jobs')
    queue.connect()
    queue.enqueue(job)

Nordic Conferences (Bo Berg)
============================

PyCon Norden
------------

* May 12-14 in Oslo, Norway
* 2 days of sprints, 2 days of talks
* https://pycon-norden.example.org

DataFest North
--------------

* September 3-5 in Turku
* Swedish and Finnish talks
* https://datafest.example.org
"""


def test_a_run_of_short_items_under_a_heading_is_one_bullet_and_code_is_no_point(
    settings: Settings, embedder_factory: Callable[[], Embedder]
) -> None:
    """Items with no lead-in that open a block (the heading above leads them) are quoted as one
    run, as under a lead-in; a block of code (an rST code-block, its marker dropped by the
    ingestion) is what the talk showed, not a point it made."""
    assistant = assistant_over(settings, {"lightning.rst": LIGHTNING}, embedder_factory)
    queue, _ = assistant.ask("Summarize Ana Lee's Queuekit lightning talk", mode="extractive")
    assert queue.answer == (
        "Summary of Queuekit: Jobs for Humans (Ana Lee):\n"
        "- Smallest possible setup\n* Easy to use\n* redis backend"  # a bare link is no sentence
    )
    nordic, _ = assistant.ask("What was Bo Berg's lightning talk on Nordic conferences about?", mode="extractive")
    assert nordic.answer == (
        "Summary of Nordic Conferences (Bo Berg):\n"
        "- PyCon Norden: May 12-14 in Oslo, Norway\n* 2 days of sprints, 2 days of talks\n"
        "* https://pycon-norden.example.org\n"
        "- DataFest North: September 3-5 in Turku\n* Swedish and Finnish talks\n* https://datafest.example.org"
    )
