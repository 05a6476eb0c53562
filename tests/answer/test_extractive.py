import json
from pathlib import Path

import pytest

from conftest import REPO
from recapqa.ingest import quote_in_source
from recapqa.models import CANNOT_ANSWER
from recapqa.pipeline import Assistant


def ask(assistant: Assistant, question: str):  # type: ignore[no-untyped-def]
    answer, _ = assistant.ask(question, mode="extractive")
    return answer


def test_the_flagship_question(assistant: Assistant) -> None:
    answer = ask(assistant, "How many models does Uber run in production?")
    assert not answer.abstained and answer.mode == "extractive"
    assert "5.3k" in answer.answer
    first = answer.citations[0]
    assert first.talk.talk_id == "journey-of-the-ai-platform-at-uber"
    assert first.talk.speaker_names == ["Min Cai"]
    assert first.quote == "Around 5.3k models in production"
    assert first.start_line == first.end_line == 32
    assert set(answer.timings_ms) == {"retrieve", "answer", "total"}


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Which feature store did the Lidl speaker suggest?", "Feast"),
        ("How many predictions per second at peak?", "10M"),
        ("Who moderated the recsys panel?", "Mihir Mathur"),
        ("What does Get Your Guide use for model serving?", "BentoML"),
        ("What career advice was given to someone starting out?", "intelligent software"),
    ],
)
def test_answers_hold_the_fact(assistant: Assistant, question: str, expected: str) -> None:
    answer = ask(assistant, question)
    assert expected.lower() in answer.answer.lower()


@pytest.mark.parametrize(
    "question",
    [
        "How many models does Netflix run in production?",
        "What did the Netflix speaker present about data ingestion?",
        "What is Spotify's recommendation architecture?",
        "When will Apply(ops) 24 take place?",
        "What did Demetrios Brinkmann say in his keynote?",
    ],
)
def test_abstains_when_the_notes_do_not_say(assistant: Assistant, question: str) -> None:
    answer = ask(assistant, question)
    assert answer.abstained and answer.citations == []
    assert answer.answer.startswith(CANNOT_ANSWER)
    assert "Closest talks:" in answer.answer


def test_every_quote_of_the_eval_set_is_verbatim_in_its_source(assistant: Assistant) -> None:
    corpus = assistant.settings.corpus_dir
    questions = [json.loads(line) for line in (REPO / "eval" / "questions.jsonl").read_text().splitlines()]
    checked = 0
    for q in questions:
        answer = ask(assistant, q["question"])
        for c in answer.citations:
            assert quote_in_source(corpus, c.source, c.start_line, c.end_line, c.quote), (q["id"], c.quote)
            raw_lines = (corpus / c.source).read_text(encoding="utf-8").split("\n")
            assert c.quote in "\n".join(raw_lines[c.start_line - 1 : c.end_line])
            checked += 1
    assert checked >= len(questions) // 2


def test_other_languages_and_odd_input_get_an_answer_or_an_abstention(assistant: Assistant) -> None:
    for question in ["¿Cuántos modelos tiene Uber en producción?", "Uber 模型 数量", "?? models ??", "a" * 3000]:
        answer = ask(assistant, question)
        assert answer.answer and (answer.abstained or answer.citations)


def test_quote_check_rejects_text_that_is_not_there(tmp_path: Path, assistant: Assistant) -> None:
    corpus = assistant.settings.corpus_dir
    assert quote_in_source(corpus, "apply-ops-23-recap.txt", 32, 32, "Around 5.3k models in production")
    assert not quote_in_source(corpus, "apply-ops-23-recap.txt", 33, 34, "Around 5.3k models in production")
    assert not quote_in_source(corpus, "apply-ops-23-recap.txt", 32, 32, "Around 6k models in production")
    assert not quote_in_source(corpus, "missing.txt", 1, 2, "x")


def test_a_lead_in_and_its_items_are_quoted_once_each(assistant: Assistant) -> None:
    answer = ask(assistant, "Who moderated the recsys panel?")
    quotes = [c.quote for c in answer.citations]
    assert "Mihir Mathur" in answer.answer
    assert len(quotes) == len(set(quotes))
