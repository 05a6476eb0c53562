"""The real notes in ../shared/corpora: present in CI; a test that needs them fails there
(and skips elsewhere) with a clear message when they are missing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPORA = REPO.parent / "shared" / "corpora"
OUTLINES = REPO / "tests" / "ingest" / "outlines"


def corpora_dir() -> Path:
    if not (CORPORA / "FORMATS.md").is_file():
        message = f"the real notes are missing: expected {CORPORA} (the shared/ folder beside the checkout)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return CORPORA
