import pytest

from recapqa.errors import UnknownTalkError
from recapqa.pipeline import Assistant
from recapqa.retrieve import Filters

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
