"""Gist questions on the default corpus: summaries, takeaways, a speaker on a topic, themes,
comparisons, which talks mention something (real model and index)."""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from collections.abc import Callable

import numpy as np
import pytest
from tests.conftest import assistant_over

from recapqa.answer.gist_tables import acronyms, runs
from recapqa.answer.gist_words import ASKING_WORDS
from recapqa.answer.kinds import kind_of as _kind
from recapqa.answer.themes import event_scope, ranked, ranked_table
from recapqa.embed import Embedder
from recapqa.ingest import quote_in_source
from recapqa.models import Talk
from recapqa.pipeline import Assistant
from recapqa.settings import Settings
from recapqa.store.gist_lookup import PhraseTable
from recapqa.text import terms


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Summarize the Pinterest talk", "summary"),
        ("Can you give me a recap of Rebecca's session?", "summary"),
        ("What was the Lidl talk about?", "summary"),
        ("What are the key takeaways from the Uber talk?", "takeaways"),
        ("What did Min Cai say about LLMs?", "speaker_topic"),
        ("What were the main themes of the conference?", "themes"),
        ("How do the Uber and Pinterest talks differ on feature stores?", "compare"),
        ("How did the Lidl and HelloFresh speakers approach cloud costs?", "compare"),
        ("Which talks mention feature stores?", "which_talks"),
        ("Which sessions presented a maturity model?", "which_talks"),
        ("Which speakers brought up Kubernetes?", "which_talks"),
        ("What talks described their deployment pipeline?", "which_talks"),
        ("How many models does Uber run in production?", "number"),
        # other wordings of the same shapes
        ("What did Brian Kime talk about?", "summary"),
        ("What was Intuit's talk about Argo?", "summary"),
        ("What was covered in the HelloFresh presentation?", "summary"),
        # "what was the talk on <its subject> about": the talk named by what it is on
        ("What was the talk on feature stores at Pinterest about?", "summary"),
        ("What was the write-up on how the release process works about?", "summary"),
        ("What was Mike's lightning talk on European conferences about?", "summary"),
        ("Tell me about the Pinterest talk", "summary"),
        # the talk a filter (or the page's chosen talk) leaves: "this talk", "the speaker"
        ("What was this talk about?", "summary"),
        ("What did the speaker say?", "summary"),
        ("What did Jane Roe say?", "summary"),
        ("What came out of the Learning Platforms discussion?", "takeaways"),
        ("What should I remember from the Widgetco keynote?", "takeaways"),
        ("What were the highlights of the Acme talk?", "takeaways"),
        ("What does Rina Sato think of feature stores?", "speaker_topic"),
        ("What was Cora Lind's message about diversity?", "speaker_topic"),
        ("Did Arun Mehta say anything about feature stores?", "speaker_topic"),
        ("What themes ran through the keynotes?", "themes"),
        # an event named by its own name only
        ("What topics came up at RustFest Lisbon 2019?", "themes"),
        ("What were the main themes of the Zig devroom at Brightfest 2014?", "themes"),
        ("What topics did Jane Roe's talk cover?", "list"),  # one talk: not themes across talks
        ("What did the talks have in common?", "themes"),
        ("Across the talks, what trends stood out?", "themes"),
        ("How is Initech's view of multi-cloud different from Globex's?", "compare"),
        ("What do the Acme and Widgetco talks have in common on deep learning?", "compare"),
        # fact questions that only look like them
        ("What did Chris say is the hardest part of operating a model?", "other"),
        ("How common is phishing in cyber-espionage breaches compared with all breaches?", "other"),
        # 'compared with' qualifies the asked share; it does not ask for two talks side by side
        ("In Jane Roe's report, what share of all breaches involved phishing, compared with espionage?", "number"),
        ("How did Jane Roe's talk compare with Bob Lee's on phishing?", "compare"),
        ("How is Jane Roe's talk compared to Bob Lee's?", "compare"),  # compared to a talk, a person's
        ("Compared with Bob Lee's talk, what does Jane Roe's talk add?", "compare"),
        ("How does the FOSDEM 2014 report describe what Camlistore is meant to be?", "other"),
    ],
)
def test_gist_shapes_come_from_the_kind_table(question: str, kind: str) -> None:
    assert _kind(question) == kind


def _verbatim(assistant: Assistant, answer) -> bool:  # type: ignore[no-untyped-def]
    corpus = assistant.settings.corpus_dir
    return all(quote_in_source(corpus, c.source, c.start_line, c.end_line, c.quote) for c in answer.citations)


def test_summary_of_a_talk_is_five_cited_sentences_of_that_talk_in_source_order(assistant: Assistant) -> None:
    answer, _ = assistant.ask("Summarize the Pinterest talk", mode="extractive")
    assert answer.answer.startswith("Summary of Evolution of the Ads Ranking System at Pinterest (Aayush Mudgal):")
    assert 3 <= len(answer.citations) <= 5
    assert {c.talk.talk_id for c in answer.citations} == {answer.citations[0].talk.talk_id}
    assert "pinterest" in answer.citations[0].talk.talk_id
    lines = [c.start_line for c in answer.citations]
    assert lines == sorted(lines)
    assert all(len(set(terms(c.quote))) >= 4 for c in answer.citations)  # no filler such as "Code reviews."
    assert _verbatim(assistant, answer)
    for c in answer.citations:
        assert f"- {c.quote}" in answer.answer


def test_themes_name_shared_topics_and_cite_what_each_talk_is_about(assistant: Assistant) -> None:
    answer, _ = assistant.ask("What were the main themes of the conference?", mode="extractive")
    assert answer.answer.startswith("Themes across") and not answer.abstained
    found = re.findall(r"([^:,]+) \((\d+) talks\)", answer.answer.splitlines()[0])
    named = {theme.strip(): int(n) for theme, n in found}
    assert len(named) >= 2 and all(n >= 2 for n in named.values())  # a theme is shared
    assert "feature store" in named
    themes: dict[str, set[str]] = {}
    for line, citation in zip(answer.answer.splitlines()[1:], answer.citations, strict=True):
        assert line.endswith(f": {citation.quote}")
        label = line[2 : -len(f": {citation.quote}")]
        theme = label.split(" — ")[0] if " — " in label else None
        assert citation.talk.title in label and (theme is None or theme in named)
        themes.setdefault(theme or "", set()).add(citation.talk.talk_id)
    cited = [c.talk.talk_id for c in answer.citations]
    assert len(themes) >= 2 and len(cited) == len(set(cited)) == assistant.settings.gist_sentences
    # a theme's talks side by side, in the order the first line names the themes
    labels = [line[2:].split(" — ")[0] for line in answer.answer.splitlines()[1:] if " — " in line]
    assert labels == sorted(labels, key=list(named).index)
    # one sentence per talk, the one that says what the talk is about, not where it names the theme
    quotes = {c.quote for c in answer.citations}
    assert "The presentation emphasized the importance of building an MLOps platform in a company." in quotes
    assert "The talk mainly focused on the origin and direction of the internal ML platform, Michelangelo." in quotes
    assert _verbatim(assistant, answer)


def test_which_talks_mention_a_topic_lists_each_talk_once_with_a_quote(assistant: Assistant) -> None:
    answer, _ = assistant.ask("Which talks mention feature stores?", mode="extractive")
    talks = [c.talk.talk_id for c in answer.citations]
    assert len(talks) == len(set(talks)) >= 3
    assert any("pinterest" in t for t in talks) and any("multi-cloud" in t for t in talks)
    assert all("feature store" in c.quote.lower() for c in answer.citations)


def test_speaker_on_a_topic_stays_in_their_talk_or_says_where_the_topic_is(assistant: Assistant) -> None:
    answer, _ = assistant.ask("What did Rebecca Taylor say about feature stores?", mode="extractive")
    assert not answer.abstained and answer.citations
    assert all("multi-cloud" in c.talk.talk_id for c in answer.citations)
    assert any("Feast" in c.quote for c in answer.citations)
    missing, _ = assistant.ask("What did Min Cai say about Kubernetes?", mode="extractive")
    assert missing.abstained and missing.answer.startswith("The notes do not cover this.")


def test_a_speaker_whose_talk_never_names_the_topic_gets_the_closest_passage_said_as_such(
    assistant: Assistant,
) -> None:
    # the talk says "GenAI", "LLama2", "GPT-4", never "LLM"; the notes expand LLMs elsewhere
    answer, _ = assistant.ask("What did Min Cai say about LLMs?", mode="extractive")
    assert not answer.abstained
    assert answer.answer.startswith(
        'Journey of the AI platform at Uber (Min Cai): the notes never say "LLMs"; the passage closest to it:'
    )
    quotes = [c.quote for c in answer.citations]
    assert "Finally, they talked about their vision for GenAI." in quotes
    assert any("LLama2" in q for q in quotes) and len(quotes) <= assistant.settings.gist_sentences
    assert {c.talk.talk_id for c in answer.citations} == {answer.citations[0].talk.talk_id}
    assert answer.answer.endswith(
        "It comes up in: LLMs, Real-Time, and Other Trends in the Production ML Space (Ali Ghodsi, Mike Del Balso)."
    )
    assert _verbatim(assistant, answer)


def test_acronyms_are_read_from_their_expansions_in_the_notes() -> None:
    assert acronyms("LLMs (Large Language Models) are causing disruptions") == [("LLM", "Large Language Models")]
    assert acronyms("Mean Time to Recovery (MTTR) matters") == [("MTTR", "Mean Time to Recovery")]
    assert acronyms("Infrastructure as code (IaC)") == [("IaC", "Infrastructure as code")]
    assert acronyms("Feast (a feature store) and Kubernetes (K8s)") == []


def test_phrases_are_words_next_to_each_other() -> None:
    assert runs("what kind of servers we make available, for Go,\nplease: a feature store") == [
        ["kind"],
        ["server"],
        ["make", "avail"],
        ["go"],
        ["pleas"],
        ["featur", "store"],
    ]


def test_two_talks_compared_on_a_topic_quote_both(assistant: Assistant) -> None:
    answer, _ = assistant.ask("How do the Pinterest and Lidl talks differ on feature stores?", mode="extractive")
    assert answer.answer.startswith("On feature store")
    talks = {c.talk.talk_id for c in answer.citations}
    assert any("pinterest" in t for t in talks) and any("multi-cloud" in t for t in talks)


def test_two_talks_named_by_their_titles_alone_are_compared_by_their_summaries(assistant: Assistant) -> None:
    answer, _ = assistant.ask("How do the Uber and Pinterest talks differ?", mode="extractive")
    assert not answer.abstained and answer.answer.startswith("Compared:")
    talks = [c.talk.talk_id for c in answer.citations]
    assert any("uber" in t for t in talks) and any("pinterest" in t for t in talks)
    assert len(talks) <= assistant.settings.gist_sentences
    assert _verbatim(assistant, answer)


NOTES = """# DevDays 2025 notes

## Scaling search at Acme (Jane Doe)

Jane Doe, Staff Engineer at Acme Search

The search cluster grew from 3 nodes in 2019 to 120 nodes in 2024 across two regions.
Queries are routed by tenant so that one noisy customer cannot slow down the others.
They replaced nightly full reindexing with a change stream that updates documents within seconds.
Relevance is tuned offline against a judged set of 4,000 real queries before every release.

## Feature flags for everyone (Sam Roe)

Flags are kept for at most two sprints and a linter fails the build when one is older.
Every flag has an owner and an expiry date written next to its definition in the code.
Stale flags once caused an outage when an old branch of code was switched on by mistake.

## Chaos engineering in practice (Lee Park)

They break one dependency every Friday afternoon and watch what the dashboards show.
Each experiment starts with a written hypothesis and a button that stops it at once.
"""


def test_a_line_that_only_introduces_the_speaker_is_not_a_summary_point(
    settings: Settings, embedder_factory: Callable[[], Embedder]
) -> None:
    assistant = assistant_over(settings, {"devdays.md": NOTES}, embedder_factory)
    answer, _ = assistant.ask("Summarize Jane Doe's talk on scaling search", mode="extractive")
    assert answer.answer.startswith("Summary of Scaling search at Acme (Jane Doe):")
    quotes = [c.quote for c in answer.citations]
    assert len(quotes) == 4 and "Jane Doe, Staff Engineer at Acme Search" not in quotes
    flags, _ = assistant.ask("Which talks brought up an outage?", mode="extractive")
    assert [c.talk.title for c in flags.citations] == ["Feature flags for everyone"]
    other, _ = assistant.ask("What did Jane Doe say about feature flags?", mode="extractive")
    assert other.abstained
    assert "Scaling search at Acme (Jane Doe) did not talk about this" in other.answer
    assert other.answer.endswith("It comes up in: Feature flags for everyone (Sam Roe).")
    titled, _ = assistant.ask("Which sessions presented chaos engineering?", mode="extractive")
    assert titled.answer.startswith("Talks that mention chaos engineering (1):")
    assert [c.talk.title for c in titled.citations] == ["Chaos engineering in practice"]


def test_themes_of_one_day_are_drawn_from_that_days_notes_only() -> None:
    def talk(n: int, source: str) -> Talk:
        return Talk(f"t{n}", f"Talk {n}", "talk", source, 1, 2, meta={"conference": "CloudMeet Tromso 2018"})

    talks = [talk(1, "cloudmeet-2018-day-1.md"), talk(2, "cloudmeet-2018-day-1.md"), talk(3, "cloudmeet-2018-day-2.md")]
    asked = "What were the main themes of CloudMeet Tromso 2018 day 1?"
    assert event_scope(talks, asked, ASKING_WORDS) == {"cloudmeet-2018-day-1.md"}
    assert event_scope(talks, "What were the main themes of the conference?", ASKING_WORDS) == frozenset()
    # a day whose notes hold one talk has no themes of its own: every file
    assert event_scope(talks, "Main themes of CloudMeet Tromso 2018 day 2?", ASKING_WORDS) == frozenset()


SHOWN = """# PlatformCon notes

## Deploying with Helm (Ann Lee)

Every service ships a chart that the platform team reviews before its first release.

```yaml
replicas: 3
image: registry.example.com/search:1.2
resources: limits memory 512Mi
```

Rollbacks take one command because every release keeps its previous values file.
Charts are linted in CI and rendered against a test cluster on every pull request.

## Paved roads (Bo Chen)

* Golden paths
  * Every new service starts from one shared template.
  * Logging, tracing and alerts come wired in from day one.
* Teams that leave the paved road keep their own on-call rotation for what they built.
"""


def test_a_summary_quotes_nested_items_with_their_item_no_code_block_and_no_absent_talk(
    settings: Settings, embedder_factory: Callable[[], Embedder]
) -> None:
    assistant = assistant_over(settings, {"platformcon.md": SHOWN}, embedder_factory)
    answer, _ = assistant.ask("Summarize Ann Lee's talk", mode="extractive")
    assert answer.answer.startswith("Summary of Deploying with Helm (Ann Lee):")
    assert [c.quote for c in answer.citations] == [
        "Every service ships a chart that the platform team reviews before its first release.",
        "Rollbacks take one command because every release keeps its previous values file.",
        "Charts are linted in CI and rendered against a test cluster on every pull request.",
    ]
    # a short item is quoted with the items nested under it: it says what they are about
    paved, _ = assistant.ask("Summarize Bo Chen's talk", mode="extractive")
    assert [c.quote for c in paved.citations] == [
        "Golden paths\n  * Every new service starts from one shared template.\n"
        "  * Logging, tracing and alerts come wired in from day one.",
        "Teams that leave the paved road keep their own on-call rotation for what they built.",
    ]
    # "Mark's talk": no talk of the notes is Mark's, nor names him; not the summary of another one
    missing, _ = assistant.ask("What was Mark's talk about?", mode="extractive")
    assert missing.abstained and missing.answer.startswith("The notes do not cover this. Closest talks:")


MEASURED = """# BuildConf notes

## Build caches (Cy Park)

* The team timed builds on three kinds of runners before choosing one
  * Local disks were fastest for small repositories.
  * Remote caches won once a repository passed ten thousand files.
* Cache keys include the compiler version so that upgrades never reuse stale objects.
"""


def test_a_bullet_that_says_something_is_quoted_with_the_items_nested_under_it(
    settings: Settings, embedder_factory: Callable[[], Embedder]
) -> None:
    assistant = assistant_over(settings, {"buildconf.md": MEASURED}, embedder_factory)
    answer, _ = assistant.ask("Summarize Cy Park's talk", mode="extractive")
    # the bullet leads its sub-items as a lead-in ending in a colon would: one quote, not three
    assert [c.quote for c in answer.citations] == [
        "The team timed builds on three kinds of runners before choosing one\n"
        "  * Local disks were fastest for small repositories.\n"
        "  * Remote caches won once a repository passed ten thousand files.",
        "Cache keys include the compiler version so that upgrades never reuse stale objects.",
    ]


def _ranked_by_scanning_every_talk(
    phrases: dict[str, Counter[str]], sentence_df: Counter[str], sentences: int, settings: Settings
) -> list[tuple[str, list[str]]]:
    """The ranking as it was written before it took one pass over the talks: each phrase
    scans every talk for its holders (quadratic: it never finished at 10k files)."""
    talks = list(phrases)
    df = Counter(x for counts in phrases.values() for x in counts)
    common = max(2, int(settings.gist_theme_max_share * len(talks)))
    rare = settings.gist_theme_max_sentence_share * sentences
    weight: dict[str, float] = {}
    holders: dict[str, frozenset[str]] = {}
    for x, n in df.items():
        parts = x.split()
        if len(parts) > 1 and 2 <= n <= common and len(x) > 3 and sentence_df[x] <= max(rare, 2 * n):
            holders[x] = frozenset(t for t in talks if phrases[t][x])
            share = sum(phrases[t][x] / sum(phrases[t].values()) for t in talks if phrases[t][x])  # in talk order
            weight[x] = 2.0 * math.log(1 + len(talks) / n) * n * share
    themes: list[tuple[str, list[str]]] = []
    seen: set[frozenset[str]] = set()
    for term in sorted(weight, key=lambda x: (-weight[x], x)):
        if len(themes) >= settings.gist_themes:
            break
        if holders[term] not in seen:
            seen.add(holders[term])
            themes.append((term, sorted(holders[term])))
    return themes


def test_themes_ranked_in_one_pass_or_from_stored_counts_are_those_of_scanning_every_talk() -> None:
    """`ranked` (counters per talk) and `ranked_table` (the index's stored counts, with
    numpy) give the themes of the first formulation, ties and sums included."""
    rng = random.Random(13)
    words = [f"w{i}" for i in range(40)]
    settings = Settings(gist_themes=6)
    found = 0
    for _ in range(20):
        phrases = {
            f"talk-{t}": Counter(f"{rng.choice(words)} {rng.choice(words)}" for _ in range(rng.randint(0, 30)))
            for t in range(rng.randint(2, 40))
        }
        only_filler = {t: [f"{rng.choice(words)} {rng.choice(words)}" for _ in range(3)] for t in phrases}
        entries = []  # (talk, phrase, rows not filler, rows) as the index stores them, in talk order
        for at, (talk, counts) in enumerate(phrases.items()):
            entries += [(at, x, n, n + rng.randint(0, 2)) for x, n in counts.items()]
            entries += [(at, x, 0, rng.randint(1, 3)) for x in dict.fromkeys(only_filler[talk]) if x not in counts]
        sentence_df: Counter[str] = Counter()
        for _, x, _, held in entries:
            sentence_df[x] += held
        sentences = sum(sentence_df.values()) // 2
        expected = _ranked_by_scanning_every_talk(phrases, sentence_df, sentences, settings)
        assert ranked(phrases, sentence_df, sentences, set(), frozenset(), settings) == expected
        vocab = list(dict.fromkeys(x for _, x, _, _ in entries))
        columns = [[entry[i] for entry in entries] for i in range(4)]
        table = PhraseTable(
            np.array([x.encode() for x in vocab], dtype=bytes),
            np.array(columns[0], dtype=np.int64),
            np.array([vocab.index(x) for x in columns[1]], dtype=np.int64),
            np.array(columns[2], dtype=np.int64),
            np.array(columns[3], dtype=np.int64),
        )
        assert ranked_table(table, list(phrases), sentences, set(), frozenset(), settings) == expected
        found += len(expected)
    assert found > 20  # themes were found
