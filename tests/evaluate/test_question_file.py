"""A bad question file is named with the line and what is wrong, never a traceback, and a
field of the wrong shape is refused rather than read wrongly."""

from pathlib import Path

import pytest

from conftest import write
from recapqa.errors import QuestionSetError
from recapqa.evaluate.questions import load_questions

GOOD = '{"id": "a", "question": "How many?", "answers": ["5.3k"], "talks": [], "answerable": true}\n'


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\xff\xfe{}\n", "is not UTF-8 text (byte 0)"),
        (b"[1, 2]\n", ":1: not a valid question (a JSON object is needed, not list)"),
        (b'{"id": "a"}\n', ":1: not a valid question (missing 'question', 'answerable')"),
        (GOOD.replace('["5.3k"]', '"5.3k"').encode(), "'answers' must be a list of strings, not \"5.3k\""),
        (GOOD.replace('"How many?"', '["How", "many?"]').encode(), "'question' must be a string"),
        ((GOOD + "{not json\n").encode(), ":2: not a valid question (Expecting property name"),
    ],
)
def test_a_bad_question_file_says_what_and_where(tmp_path: Path, content: bytes, expected: str) -> None:
    write(tmp_path / "q.jsonl", content)
    with pytest.raises(QuestionSetError) as err:
        load_questions(tmp_path / "q.jsonl")
    assert expected in err.value.message and err.value.fix


def test_a_folder_given_as_the_question_file_is_named_as_a_folder(tmp_path: Path) -> None:
    with pytest.raises(QuestionSetError, match="is a folder"):
        load_questions(tmp_path)


def test_a_device_or_a_pipe_given_as_the_question_file_is_not_said_to_be_missing(tmp_path: Path) -> None:
    with pytest.raises(QuestionSetError, match="/dev/null is not a regular file"):
        load_questions(Path("/dev/null"))
    with pytest.raises(QuestionSetError, match="not found"):
        load_questions(tmp_path / "missing.jsonl")


def test_a_good_line_loads(tmp_path: Path) -> None:
    write(tmp_path / "q.jsonl", GOOD)
    [question] = load_questions(tmp_path / "q.jsonl")
    assert question.answers == ["5.3k"] and question.question == "How many?"
