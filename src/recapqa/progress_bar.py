"""A progress bar for a terminal (the CLI's `index` and `eval`): done/total, rate and ETA.

Only the CLI imports this module, and only when its standard error is a terminal: rich is
not loaded on the query path. `bar(label, unit)` returns the `(done, total)` callback the
build and the eval runner report to, or None when `stream` is not a terminal.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

from rich.console import Console
from rich.progress import MofNCompleteColumn, Progress, ProgressColumn, Task
from rich.text import Text


class RateColumn(ProgressColumn):
    """Items a second, as rich estimates it from the recent updates ("" before two updates)."""

    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        speed = task.speed
        return Text(f"{speed:,.1f} {self.unit}/s" if speed else "", style="progress.data.speed")


def columns(unit: str, out: TextIO) -> Progress:
    """Label, bar, percentage, ETA, done/total and rate, drawn on `out` (cleared when done)."""
    return Progress(
        *Progress.get_default_columns(),
        MofNCompleteColumn(),
        RateColumn(unit),
        console=Console(file=out, force_terminal=True),
        transient=True,
    )


def bar(label: str, unit: str, stream: TextIO | None = None) -> Callable[[int, int], None] | None:
    """A `(done, total)` callback drawing `columns` on `stream` (standard error by default)."""
    out = stream if stream is not None else sys.stderr
    if not out.isatty():
        return None
    progress = columns(unit, out)
    task = progress.add_task(label, total=None)
    progress.start()

    def update(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)
        if done >= total:
            progress.stop()

    return update
