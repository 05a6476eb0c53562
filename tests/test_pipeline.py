import pytest

from recapqa.errors import InvalidQuestionError, LLMNotConfiguredError, QuestionTooLongError
from recapqa.pipeline import Assistant, clean_question


@pytest.mark.parametrize("question", ["", "   ", "\n\t", "\x00\x01"])
def test_empty_questions_are_refused(question: str) -> None:
    with pytest.raises(InvalidQuestionError) as err:
        clean_question(question, 100)
    assert err.value.message == "the question is empty"


@pytest.mark.parametrize("question", ["???", "?! …", "\x00?"])
def test_questions_without_words_are_refused_as_such_not_as_empty(question: str) -> None:
    with pytest.raises(InvalidQuestionError) as err:
        clean_question(question, 100)
    assert err.value.message == "the question has no words"


def test_huge_question_is_refused_with_the_limit() -> None:
    with pytest.raises(QuestionTooLongError) as err:
        clean_question("x" * 100_000, 4000)
    assert "100000" in err.value.message and "4000" in err.value.message
    assert err.value.http_status == 413


def test_control_characters_become_spaces() -> None:
    assert clean_question("How\x00many\x1bmodels\u200b?", 100) == "How many models ?"


def test_terminal_escape_sequences_pasted_with_a_question_leave_nothing_behind() -> None:
    coloured = "How many \x1b[1;31mmodels\x1b[0m does \x1b]0;title\x07Uber run?\x1b[K"
    assert clean_question(coloured, 100) == "How many models does Uber run?"


def test_llm_mode_without_a_server_is_a_clear_error(assistant: Assistant) -> None:
    with pytest.raises(LLMNotConfiguredError) as err:
        assistant.ask("How many models does Uber run?", mode="llm")
    assert "RECAPQA_LLM_BASE_URL" in err.value.fix


def test_auto_mode_without_a_server_is_extractive(assistant: Assistant) -> None:
    answer, _ = assistant.ask("How many models does Uber run?", mode="auto")
    assert answer.mode == "extractive" and answer.fallback_reason is None
