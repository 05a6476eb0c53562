"""One build at a time per folder: an exclusive `flock` on a lock file inside it.

The kernel releases the lock when the holder's file is closed, including when the process
dies (kill -9, out of memory), so a crash never leaves the folder locked. Workers that
find the lock taken wait for it, then see the finished index and load it."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = ".build.lock"


@contextmanager
def build_lock(folder: Path, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
