"""The CLI's progress bar: silent off a terminal; on one, done/total, a rate and an ETA."""

from __future__ import annotations

import io
import re

from recapqa.progress_bar import bar, columns


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)


def test_no_bar_when_the_stream_is_not_a_terminal() -> None:
    assert bar("embedding", "texts", io.StringIO()) is None


def test_columns_show_done_of_total_rate_and_eta() -> None:
    screen = Terminal()
    progress = columns("texts", screen)
    task = progress.add_task("embedding", total=None)
    for done in (10, 20, 30, 40):
        progress.update(task, completed=done, total=100)
    progress.console.print(progress.get_renderable())
    drawn = plain(screen.getvalue())
    assert "embedding" in drawn and "40%" in drawn
    assert re.search(r"\b40/100\b", drawn), drawn
    assert re.search(r"[\d,.]+ texts/s", drawn), drawn
    assert re.search(r"\d+:\d\d:\d\d", drawn), "time remaining"


def test_bar_draws_its_last_state_then_clears_itself() -> None:
    screen = Terminal()
    update = bar("embedding", "texts", screen)
    assert update is not None
    update(50, 100)
    update(100, 100)
    drawn = screen.getvalue()
    assert "100/100" in plain(drawn), "the last state is drawn when it stops"
    assert drawn.endswith("\x1b[2K"), "then erased: the terminal is left clean"
