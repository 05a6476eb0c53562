import socket

import pytest

from conftest import DEFAULT_CORPUS
from fake_llm import fake_llm
from recapqa.ingest import quote_in_source
from recapqa.models import Answer
from recapqa.pipeline import Assistant

QUESTION = "How many models does Uber run in production?"


def llm_assistant(assistant: Assistant, base_url: str, timeout: float = 5.0) -> Assistant:
    settings = assistant.settings.model_copy(update={"llm_base_url": base_url, "llm_timeout": timeout})
    return Assistant(assistant.index, settings)


def ask(assistant: Assistant, base_url: str, timeout: float = 5.0, question: str = QUESTION) -> Answer:
    answer, _ = llm_assistant(assistant, base_url, timeout).ask(question, mode="auto")
    return answer


def assert_extractive_fallback(answer: Answer, reason: str) -> None:
    assert answer.mode == "extractive"
    assert answer.fallback_reason is not None and reason in answer.fallback_reason
    assert "5.3k" in answer.answer  # the user still gets the right answer


def test_server_down_falls_back(assistant: Assistant) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert_extractive_fallback(ask(assistant, f"http://127.0.0.1:{port}/v1"), "cannot reach")


def test_slow_server_falls_back_after_the_timeout(assistant: Assistant) -> None:
    with fake_llm("Uber runs 5.3k models [1].", delay=3.0) as server:
        answer = ask(assistant, server["base_url"], timeout=0.5)
    assert_extractive_fallback(answer, "did not answer within 0.5s")


@pytest.mark.parametrize(
    ("content", "status", "reason"),
    [
        ("", 200, "empty reply"),
        (None, 200, "empty reply"),
        ("zxcv qwer asdf [1] lorem ipsum [2].", 200, "no citation"),
        ("Uber has about 5.3k models in production.", 200, "no citation"),  # no marker at all
        ("Netflix invented the transformer in 1850 [1].", 200, "no citation"),  # unsupported claim
        ("Uber runs 5.3k models in production [7].", 200, "no citation"),  # source 7 does not exist
        ("whatever", 500, "HTTP 500"),
    ],
)
def test_unusable_replies_fall_back(assistant: Assistant, content: str | None, status: int, reason: str) -> None:
    with fake_llm(content, status=status) as server:
        answer = ask(assistant, server["base_url"])
    assert server["requests"], "the LLM was asked"
    assert_extractive_fallback(answer, reason)


def test_supported_citations_are_kept_and_quote_the_notes(assistant: Assistant) -> None:
    reply = (
        "Uber has around 5.3k models in production [1]. "
        "The moon is made of cheese [1]. It serves 10M peak predictions per second [1][9]."
    )
    with fake_llm(reply) as server:
        answer = ask(assistant, server["base_url"])
    prompt = server["requests"][0]["messages"][1]["content"]
    assert "[1] Journey of the AI platform at Uber (Min Cai)" in prompt
    assert answer.mode == "llm" and answer.fallback_reason is None
    assert "cheese" not in answer.answer, "an unsupported sentence is dropped"
    assert "5.3k" in answer.answer and "10M" in answer.answer
    assert "[9]" not in answer.answer
    quotes = [c.quote for c in answer.citations]
    assert "Around 5.3k models in production" in quotes
    for c in answer.citations:
        assert c.talk.talk_id == "journey-of-the-ai-platform-at-uber"
        assert quote_in_source(DEFAULT_CORPUS, c.source, c.start_line, c.end_line, c.quote)


def test_llm_abstention_is_an_abstention(assistant: Assistant) -> None:
    with fake_llm("I cannot answer from these notes.") as server:
        answer = ask(assistant, server["base_url"], question="How many models does Netflix run?")
    assert answer.mode == "llm" and answer.abstained and answer.citations == []


def test_sources_fit_the_context_budget(assistant: Assistant) -> None:
    from recapqa.answer.llm import build_messages, fit_sources
    from recapqa.tokens import count_tokens

    retrieval = assistant.retriever.retrieve(QUESTION, k=20)
    kept = fit_sources(retrieval.hits, QUESTION, budget=600)
    assert 0 < len(kept) < 20
    total = sum(count_tokens(m["content"]) for m in build_messages(QUESTION, kept))
    assert total <= 600
