"""Freed memory handed back to the system after a pass over the whole corpus.

Themes over 10k files count ~6M (talk, phrase) entries in numpy arrays made segment by
segment: pieces small enough for the C heap, which keeps them once they are freed (measured:
a process that answered a themes question kept ~190 MB more private memory, all of it
returned by `malloc_trim`). Every `serve` worker that answered one would hold it for good."""

from __future__ import annotations

import ctypes
import ctypes.util


def release_freed() -> None:
    """`malloc_trim(0)` where the C library has it (glibc); nothing elsewhere."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)
