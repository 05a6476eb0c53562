from collections.abc import Callable

import pytest
from tests.conftest import assistant_over

from recapqa.embed import Embedder
from recapqa.errors import UnknownTalkError
from recapqa.models import Speaker, Talk
from recapqa.pipeline import Assistant
from recapqa.retrieve import Filters, as_asked, diverse_top, with_named_talks
from recapqa.settings import Settings
from recapqa.talk_mentions import Mentions, TalkMatcher, talk_aliases

UBER = "journey-of-the-ai-platform-at-uber"
LIDL = "ml-in-a-multi-cloud-environment"


def top_talks(assistant: Assistant, question: str, k: int = 6, **filters: str) -> list[str]:
    retrieval = assistant.retriever.retrieve(question, k=k, filters=Filters(**filters) if filters else None)
    return [h.talk.talk_id for h in retrieval.hits]


def test_dense_and_lexical_both_contribute(assistant: Assistant) -> None:
    retrieval = assistant.retriever.retrieve("How many models does Uber run in production?")
    assert retrieval.hits[0].talk.talk_id == UBER
    assert any(h.dense_rank is not None and h.lexical_rank is not None for h in retrieval.hits)
    assert set(retrieval.timings_ms) >= {"embed", "dense", "bm25", "fusion"}


def test_a_question_typed_without_its_question_mark_retrieves_as_with_it(assistant: Assistant) -> None:
    assert as_asked("  where does Andy want the tour ") == "where does Andy want the tour?"
    assert as_asked("Tell me about Uber.") == "Tell me about Uber."
    typed, asked = (assistant.retriever.retrieve(q) for q in ("What does Studio offer", "What does Studio offer?"))
    assert [h.row for h in typed.hits] == [h.row for h in asked.hits]
    assert (typed.query_vector == asked.query_vector).all()


@pytest.mark.parametrize(
    ("question", "talk"),
    [
        ("What did the Lidl speaker recommend?", LIDL),
        ("What did Min Cai present?", UBER),
        ("What did Rebecca say?", LIDL),
        ("What happened in the recsys panel?", "panel-production-machine-learning-for-recsys-challenges-and-best"),
        ("What did Aayush talk about?", "evolution-of-the-ads-ranking-system-at-pinterest"),
    ],
)
def test_a_named_company_speaker_or_talk_comes_first(assistant: Assistant, question: str, talk: str) -> None:
    assert top_talks(assistant, question)[0] == talk


def test_the_named_talk_is_detected_and_boosted(assistant: Assistant) -> None:
    retrieval = assistant.retriever.retrieve("What did the Lidl speaker recommend?")
    assert retrieval.mentioned_talks == {LIDL}
    assert retrieval.hits[0].score > retrieval.hits[-1].score


def test_questions_spanning_talks_see_several_talks(assistant: Assistant) -> None:
    talks = top_talks(assistant, "Which speakers mentioned Databricks?", k=8)
    assert len(set(talks)) >= 3
    assert max(talks.count(t) for t in set(talks)) <= assistant.settings.max_chunks_per_talk


def test_filters(assistant: Assistant) -> None:
    assert set(top_talks(assistant, "feature store", talk_id=LIDL)) == {LIDL}
    assert set(top_talks(assistant, "feature store", company="pinterest")) == {
        "evolution-of-the-ads-ranking-system-at-pinterest"
    }
    assert set(top_talks(assistant, "feature store", speaker="Ian")) == {
        "panel-production-machine-learning-for-recsys-challenges-and-best"
    }
    with pytest.raises(UnknownTalkError):
        top_talks(assistant, "feature store", talk_id="no-such-talk")
    with pytest.raises(UnknownTalkError):
        top_talks(assistant, "feature store", company="Netflix")


def test_a_filtered_request_reads_each_chunks_talk_from_one_list_kept_with_the_index(assistant: Assistant) -> None:
    """A filter makes every row a candidate: their talks come from a list read once, not from
    parsing every row again on each request."""
    talk_ids = assistant.index.chunk_talk_ids()
    assert talk_ids == [c.talk_id for c in assistant.index.chunks]
    assert assistant.index.chunk_talk_ids() is talk_ids
    hits = assistant.retriever.retrieve("feature store", k=6, filters=Filters(talk_id=LIDL)).hits
    assert hits and {h.talk.talk_id for h in hits} == {LIDL}


ROUNDTABLES = "# Contributors summit\n\n" + "\n".join(
    f"## {topic} (report by {writer})\n\n{body}\n"
    for topic, writer, body in [
        ("Storage", "Priya Nandakumar", "The biggest challenge for storage is snapshots of large volumes."),
        ("Testing", "Hugo Brandt", "The biggest challenge for testing is flaky integration suites."),
        ("Packaging", "Mei Tanaka", "The biggest challenge for packaging is reproducible builds."),
        ("Docs", "Omar Haddad", "The biggest challenge for docs is keeping examples current."),
        ("Security", "Lena Fischer", "The biggest challenge for security is rotating old credentials."),
        ("Tooling", "Ravi Menon", "The biggest challenge for tooling is editor integration."),
        ("Enterprise Adoption", "Tomas Eklund", "Convincing procurement departments will be the hardest part."),
    ]
)


def few_hits(tmp_path_factory: pytest.TempPathFactory, embedder: Callable[[], Embedder], notes: str) -> Assistant:
    """An assistant over `notes` (one file) retrieving few candidates and hits, so that which
    talk comes first decides what is seen."""
    root = tmp_path_factory.mktemp("summit")
    settings = Settings(corpus_dir=root / "corpus", index_dir=root / "index", candidate_pool=5, top_k=4)
    return assistant_over(settings, {"summit.md": notes}, embedder)


@pytest.fixture(scope="module")
def roundtables(tmp_path_factory: pytest.TempPathFactory, embedder_factory: Callable[[], Embedder]) -> Assistant:
    return few_hits(tmp_path_factory, embedder_factory, ROUNDTABLES)


def test_a_section_is_named_by_who_wrote_its_report(roundtables: Assistant) -> None:
    # '(report by X)' is not a speaker, yet names the section: the question is asked of it
    talk = roundtables.index.talks["enterprise-adoption"]
    assert talk.speakers == [] and "tomas eklund" in talk_aliases(talk)
    question = "What does Tomas Eklund see as the biggest challenge?"
    retrieval = roundtables.retriever.retrieve(question)
    assert retrieval.mentioned_talks == {"enterprise-adoption"}
    answer, _ = roundtables.ask(question, mode="extractive")
    assert answer.citations[0].talk.talk_id == "enterprise-adoption"
    assert "procurement" in answer.answer


def test_a_named_talk_ranked_below_the_cut_takes_the_place_of_the_last_unnamed_hit() -> None:
    talk_of = {0: "a", 1: "b", 2: "a", 3: "c", 4: "d", 5: "named"}
    ranked = [0, 1, 2, 3, 4, 5]
    assert with_named_talks([0, 1, 2, 3], ranked, talk_of, {"named"}) == [0, 1, 2, 5]
    assert with_named_talks([0, 1, 2, 3], ranked, talk_of, {"b", "named"}) == [0, 1, 2, 5]
    assert with_named_talks([0, 1, 2, 3], ranked, talk_of, {"a", "b", "c", "named"}) == [0, 1, 2, 3]  # none to spare
    assert with_named_talks([0, 1, 2, 3], ranked, talk_of, {"c", "gone"}) == [0, 1, 2, 3]  # not retrieved at all
    assert with_named_talks([0, 1, 2, 3], ranked, talk_of, set()) == [0, 1, 2, 3]


def test_a_talk_named_by_a_full_name_is_not_capped_at_a_few_chunks() -> None:
    talk_of = {0: "named", 1: "named", 2: "other", 3: "named", 4: "named", 5: "other", 6: "third"}
    ranked = [0, 1, 2, 3, 4, 5, 6]
    assert diverse_top(ranked, talk_of, 5, 2) == [0, 1, 2, 5, 6]  # at most two from one talk
    assert diverse_top(ranked, talk_of, 5, 2, frozenset({"named"})) == [0, 1, 2, 3, 4]  # the talk asked about
    assert diverse_top(ranked, talk_of, 5, 1, frozenset({"other"})) == [0, 2, 5, 6, 1]  # topped up in rank order


def _talk(talk_id: str, title: str, *speakers: str) -> Talk:
    return Talk(talk_id, title, "talk", "notes.md", 1, 2, speakers=[Speaker(s) for s in speakers])


def test_a_full_name_names_its_talks_outright_even_three_of_them() -> None:
    matcher = TalkMatcher(
        [
            _talk("lakehouse", "Lakehouse Storage Migrations", "Priya Nandakumar"),
            _talk("costs", "Storage Costs Explained", "Hugo Brandt"),
            *(_talk(f"berg-{n}", f"Streaming Part {n}", "Tom Berg") for n in (1, 2, 3)),
        ]
    )
    # one title word names both talks with it, but only partly; the full name names its talk outright
    assert matcher.mentions("What did Priya Nandakumar say about storage?") == Mentions(
        frozenset({"lakehouse", "costs"}), frozenset({"lakehouse"})
    )
    assert matcher.mentions("Which storage costs were explained?") == Mentions(frozenset({"lakehouse", "costs"}))
    # a person giving three talks names all three; one word shared by three talks names none
    berg = frozenset({"berg-1", "berg-2", "berg-3"})
    assert matcher.mentions("Which company does Tom Berg work for?") == Mentions(berg, berg)
    assert matcher.mentions("What did Berg say about streaming?") == Mentions()


def event_notes(event: str, talks: list[tuple[str, str, str]]) -> str:
    """One notes file of an event: a section per (title, speaker, body)."""
    return f"# {event}\n\n" + "\n".join(f"## {title} - {speaker}\n\n{body}\n" for title, speaker, body in talks)


SUMMIT = event_notes(
    "Data summit",
    [
        (
            "Lakehouse Migrations",
            "Priya Nandakumar",
            "Priya moved the warehouse to open table formats. Convincing procurement took the longest.",
        ),
        (
            "The Biggest Challenge for Data Teams",
            "Hugo Brandt",
            "The biggest challenge for data teams is flaky pipelines, he said.",
        ),
        ("Streaming Joins", "Mei Tanaka", "Joins over streams need watermarks to bound their state."),
        ("Query Engines", "Omar Haddad", "Vectorised engines beat row engines on scans."),
    ],
)


@pytest.fixture(scope="module")
def summit(tmp_path_factory: pytest.TempPathFactory, embedder_factory: Callable[[], Embedder]) -> Assistant:
    return few_hits(tmp_path_factory, embedder_factory, SUMMIT)


def test_a_talk_named_by_a_speakers_full_name_comes_before_one_matching_the_words(summit: Assistant) -> None:
    question = "What does Priya Nandakumar see as the biggest challenge for data teams?"
    assert summit.retriever.matcher.mentions(question).by_full_name == {"lakehouse-migrations"}
    assert top_talks(summit, question)[:2] == ["lakehouse-migrations", "the-biggest-challenge-for-data-teams"]


COMPILER_DAY = event_notes(
    "Compiler day",
    [
        ("Compiler Internals", "Ana Ruiz", "SSA form lets the compiler drop dead stores and fold constants."),
        (
            "Teaching Newcomers",
            "Ben Ode",
            "Friendlier compiler errors would help newcomers: each error explained in plain words.",
        ),
        ("Runtime Tricks", "Cy Lam", "The scheduler and the compiler cooperate on preemption."),
        ("Query Engines", "Omar Haddad", "Vectorised engines beat row engines on scans."),
    ],
)


@pytest.fixture(scope="module")
def compiler_day(tmp_path_factory: pytest.TempPathFactory, embedder_factory: Callable[[], Embedder]) -> Assistant:
    return few_hits(tmp_path_factory, embedder_factory, COMPILER_DAY)


def test_a_title_word_most_talks_use_names_its_talk_without_ranking_it_first(compiler_day: Assistant) -> None:
    """'compiler' is in the notes of three talks: an ordinary word there, so the talk whose
    title has it is still named (its chunk is kept) but the talk that answers comes first."""
    question = "What would make compiler errors friendlier?"
    named = compiler_day.retriever.matcher.mentions(question)
    assert named.talks == named.by_ordinary_word == {"compiler-internals"}
    talks = top_talks(compiler_day, question)
    assert talks[0] == "teaching-newcomers" and "compiler-internals" in talks
    # a name is not an ordinary word: 'Ana Ruiz' names her talk and ranks it up
    assert compiler_day.retriever.matcher.mentions("What did Ana Ruiz say?").by_ordinary_word == frozenset()
