from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import assistant_over

from recapqa.embed import Embedder
from recapqa.errors import InvalidQuestionError, LLMNotConfiguredError, QuestionTooLongError
from recapqa.pipeline import Assistant, clean_question
from recapqa.settings import Settings


@pytest.mark.parametrize("question", ["", "   ", "\n\t", "???", "\x00\x01"])
def test_empty_questions_are_refused(question: str) -> None:
    with pytest.raises(InvalidQuestionError, match="empty"):
        clean_question(question, 100)


def test_huge_question_is_refused_with_the_limit() -> None:
    with pytest.raises(QuestionTooLongError) as err:
        clean_question("x" * 100_000, 4000)
    assert "100000" in err.value.message and "4000" in err.value.message
    assert err.value.http_status == 413


def test_control_characters_become_spaces() -> None:
    assert clean_question("How\x00many\x1bmodels\u200b?", 100) == "How many models ?"


def test_llm_mode_without_a_server_is_a_clear_error(assistant: Assistant) -> None:
    with pytest.raises(LLMNotConfiguredError) as err:
        assistant.ask("How many models does Uber run?", mode="llm")
    assert "RECAPQA_LLM_BASE_URL" in err.value.fix


def test_auto_mode_without_a_server_is_extractive(assistant: Assistant) -> None:
    answer, _ = assistant.ask("How many models does Uber run?", mode="auto")
    assert answer.mode == "extractive" and answer.fallback_reason is None


SECOND_LOOK = {
    "search.md": "# SearchConf 2025\n\n## Scaling search (Jane Doe)\n\n"
    "Search clusters are scaled by adding shards, and search latency stays flat with more shards.\n\n"
    "## Search relevance (Omar Said)\n\nSearch relevance is tuned weekly with click logs from search.\n\n"
    "## Hiring (Ana Lima)\n\nThe search team hired 12 engineers in 2024.\n",
}


def test_an_abstention_on_the_top_passages_looks_once_more_at_more_of_them(
    tmp_path: Path, embedder_factory: Callable[[], Embedder]
) -> None:
    narrow = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index", top_k=1, second_look_k=0)
    assistant = assistant_over(narrow, SECOND_LOOK, embedder_factory)
    question = "How many engineers did the search team hire?"
    first, retrieval = assistant.ask(question, mode="extractive")
    assert len(retrieval.hits) == 1 and "engineers" not in retrieval.hits[0].chunk.text
    assert first.abstained
    wider = Assistant(assistant.index, narrow.model_copy(update={"second_look_k": 6}))
    answer, _ = wider.ask(question, mode="extractive")
    assert not answer.abstained and "12 engineers" in answer.answer
