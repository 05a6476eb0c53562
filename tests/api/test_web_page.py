"""The web chat page in a real browser: Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from live_server import live_server
from recapqa.api import create_app
from recapqa.api.state import Engine
from recapqa.settings import Settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        message = "no Chromium: `make test` installs Debian's chromium (apt-get, as root)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


def test_ask_stream_and_expand_a_citation(browser: Any, server_url: str, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    page.goto(server_url + "/")
    page.get_by_test_id("talks").get_by_text("Journey of the AI platform at Uber").wait_for()
    page.get_by_test_id("question").fill("How many models does Uber run in production?")
    page.keyboard.press("Enter")
    answer = page.locator("[data-testid=msg-assistant][data-done=true]").last
    answer.wait_for(timeout=30_000)
    assert "5.3k" in answer.locator(".text").inner_text()
    citation = answer.get_by_test_id("citation").first
    assert "Journey of the AI platform at Uber — Min Cai" in citation.locator("summary").inner_text()
    quote = citation.get_by_test_id("quote")
    assert not quote.is_visible()
    citation.locator("summary").click()
    assert quote.is_visible() and quote.inner_text() == "Around 5.3k models in production"
    page.screenshot(path=str(tmp_path / "answer.png"), full_page=True)
    assert (tmp_path / "answer.png").stat().st_size > 10_000

    # a follow-up in the same conversation, resolved against the first turn
    page.get_by_test_id("question").fill("and how many predictions per second does it serve at peak?")
    page.keyboard.press("Enter")
    second = page.locator("[data-testid=msg-assistant][data-done=true]").nth(1)
    second.wait_for(timeout=30_000)
    assert "10M" in second.inner_text()

    # an abstention is shown as such
    page.get_by_test_id("question").fill("How many models does Netflix run in production?")
    page.keyboard.press("Enter")
    third = page.locator("[data-testid=msg-assistant][data-done=true]").nth(2)
    third.wait_for(timeout=30_000)
    assert third.get_by_test_id("abstained").inner_text() == "Not covered by the notes"
    assert third.get_by_test_id("citation").count() == 0
    page.screenshot(path=str(tmp_path / "conversation.png"), full_page=True)
    if os.environ.get("SCREENSHOT_DIR"):  # to look at the page: SCREENSHOT_DIR=/tmp pytest ...
        shutil.copy(tmp_path / "conversation.png", Path(os.environ["SCREENSHOT_DIR"]) / "conversation.png")
    page.close()


def test_the_example_questions_name_the_talks_served(browser: Any, server_url: str) -> None:
    """The examples are made from the talks the server has (they named one corpus's talks, and
    abstained on any other notes); clicking one asks it."""
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    page.goto(server_url + "/")
    examples = page.get_by_test_id("examples").locator("button")
    examples.first.wait_for()
    assert examples.all_inner_texts() == [
        "Summarize “Journey of the AI platform at Uber”",
        "Who gave “ML in a multi-cloud environment”?",
        "What were the main themes of the conference?",
    ]
    examples.nth(1).click()
    answer = page.locator("[data-testid=msg-assistant][data-done=true]").last
    answer.wait_for(timeout=30_000)
    assert "Rebecca Taylor" in answer.locator(".text").inner_text()
    assert answer.get_by_test_id("abstained").count() == 0
    page.close()


def test_entering_the_api_key_loads_the_talks(browser: Any, api_settings: Settings) -> None:
    """Behind RECAPQA_API_KEY the page asks for the key; once entered, the talks and the
    examples load (they stayed at "Enter the API key below." until the page was reloaded)."""
    with live_server(create_app(api_settings.model_copy(update={"api_key": "sekret"}))) as url:
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        page.goto(url + "/")
        talks = page.get_by_test_id("talks")
        talks.get_by_text("Enter the API key below.").wait_for()
        page.locator("#api-key").fill("sekret")
        page.locator("#api-key").dispatch_event("change")
        talks.get_by_text("Journey of the AI platform at Uber").wait_for()
        assert page.get_by_test_id("examples").locator("button").count() == 3
        page.close()


def test_the_talks_appear_once_the_server_has_loaded_its_index(
    browser: Any, api_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opened while the server still loads its index (503 with Retry-After), the page says so
    and loads the talks by itself once the index is there (it showed the error until reloaded)."""
    release = threading.Event()
    load = Engine._assistant_for
    monkeypatch.setattr(Engine, "_assistant_for", lambda self, repair: release.wait(120) and load(self, repair))
    try:
        with live_server(create_app(api_settings, load_in_background=True)) as url:
            page = browser.new_page(viewport={"width": 1200, "height": 800})
            page.goto(url + "/")
            talks = page.get_by_test_id("talks")
            talks.get_by_text("still being loaded", exact=False).wait_for()
            release.set()
            talks.get_by_text("Journey of the AI platform at Uber").wait_for(timeout=30_000)
            page.close()
    finally:
        release.set()


def test_a_slow_answer_shows_progress_and_keeps_the_next_question(
    browser: Any, api_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a slow server: the pending answer says it is being searched for, and a question
    typed meanwhile and sent with Enter stays in the box (it was cleared, never asked); once
    the answer is in, it is asked."""
    from recapqa.pipeline import Assistant

    release = threading.Event()
    ask = Assistant.ask
    monkeypatch.setattr(Assistant, "ask", lambda self, *a, **k: release.wait(120) and ask(self, *a, **k))
    try:
        with live_server(create_app(api_settings)) as url:
            page = browser.new_page(viewport={"width": 1200, "height": 800})
            page.goto(url + "/")
            page.get_by_test_id("talks").get_by_text("Journey of the AI platform at Uber").wait_for()
            page.get_by_test_id("question").fill("How many models does Uber run in production?")
            page.keyboard.press("Enter")
            pending = page.locator("[data-testid=msg-assistant][aria-busy=true]")
            pending.wait_for()
            shown = pending.locator(".text").evaluate("e => getComputedStyle(e, '::after').content")
            assert "Searching the notes" in shown, shown
            page.get_by_test_id("question").fill("and how many predictions per second does it serve at peak?")
            page.keyboard.press("Enter")
            assert page.get_by_test_id("question").input_value().startswith("and how many predictions")
            assert page.locator("[data-testid=msg-user]").count() == 1
            release.set()
            first = page.locator("[data-testid=msg-assistant][data-done=true]").first
            first.wait_for(timeout=30_000)
            assert "5.3k" in first.locator(".text").inner_text()
            page.keyboard.press("Enter")  # the kept question, now sent
            second = page.locator("[data-testid=msg-assistant][data-done=true]").nth(1)
            second.wait_for(timeout=30_000)
            assert "10M" in second.inner_text()
            page.close()
    finally:
        release.set()


def test_an_answer_cut_off_mid_stream_says_so(browser: Any, server_url: str) -> None:
    """A stream that ends without its `done` (a proxy's timeout, a server restart) is shown as
    an error, and the question is not kept as history (it was shown as a half answer, silently)."""
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    cut = 'event: meta\ndata: {"resolved_question": "q"}\n\nevent: delta\ndata: {"text": "Around 5"}\n\n'
    page.route("**/v1/chat", lambda route: route.fulfill(status=200, content_type="text/event-stream", body=cut))
    page.goto(server_url + "/")
    page.get_by_test_id("question").fill("How many models does Uber run in production?")
    page.keyboard.press("Enter")
    answer = page.locator("[data-testid=msg-assistant][data-done=true]").last
    answer.wait_for(timeout=30_000)
    assert "error" in (answer.get_attribute("class") or "")
    assert "cut off" in answer.locator(".text").inner_text()
    history = page.evaluate("() => state.messages.length")
    assert history == 0, history
    page.close()
