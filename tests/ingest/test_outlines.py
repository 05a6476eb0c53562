"""Ingestion of the 28 real notes files against outlines written by people."""

from __future__ import annotations

import json

import pytest

from recapqa.evaluate.outlines import load_gold, score_corpora
from shared_data import OUTLINES, corpora_dir


@pytest.fixture(scope="module")
def scores():  # type: ignore[no-untyped-def]
    return score_corpora(corpora_dir(), OUTLINES)


def test_every_notes_file_has_an_expected_outline() -> None:
    root = corpora_dir()
    notes = {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and p.parent != root and p.name != "LICENSE"
    }
    assert notes == set(load_gold(OUTLINES))


def test_targets_over_all_files(scores) -> None:  # type: ignore[no-untyped-def]
    figures = scores["all"].figures()
    print(json.dumps({k: v.figures() for k, v in scores.items()}, indent=1))
    assert figures["talk_f1"] >= 0.95, scores["all"].misses
    assert figures["speaker_f1"] >= 0.9, scores["all"].misses
    assert figures["title_match"] >= 0.9
    assert figures["content_lines_dropped"] == 0, scores["all"].misses
    assert figures["lines_unaccounted"] == 0, scores["all"].misses


def test_no_collection_falls_apart(scores) -> None:  # type: ignore[no-untyped-def]
    for collection, score in scores.items():
        figures = score.figures()
        assert figures["talk_f1"] >= 0.9, (collection, score.misses)
        assert figures["speaker_f1"] >= 0.75, (collection, score.misses)
