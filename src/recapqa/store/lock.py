"""One build at a time per folder: an exclusive `flock` on a lock file inside it.

The kernel releases the lock when the holder's file is closed, including when the process
dies (kill -9, out of memory), so a crash never leaves the folder locked. Workers that
find the lock taken wait for it (at most `timeout` seconds, then IndexBusyError), then see
the finished index and load it."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from recapqa.errors import IndexBusyError

LOCK_NAME = ".build.lock"
POLL_SECONDS = 0.2  # how often a waiter tries the lock again


@contextmanager
def build_lock(folder: Path, on_wait: Callable[[], None] | None = None, timeout: float | None = None) -> Iterator[None]:
    """Hold the folder's build lock. `timeout`: seconds to wait for another holder before
    IndexBusyError (None: as long as it takes)."""
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if not _try_lock(fd):
            if on_wait is not None:
                on_wait()
            _wait_for(fd, timeout)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _wait_for(fd: int, timeout: float | None) -> None:
    if timeout is None:
        fcntl.flock(fd, fcntl.LOCK_EX)
        return
    deadline = time.monotonic() + timeout
    while not _try_lock(fd):
        if time.monotonic() >= deadline:
            raise IndexBusyError(
                f"another process has been building the index for more than {timeout:g} s; gave up waiting",
                "let that build finish (or stop it), then run the command again; "
                "RECAPQA_BUILD_LOCK_TIMEOUT sets how long to wait",
            )
        time.sleep(POLL_SECONDS)
