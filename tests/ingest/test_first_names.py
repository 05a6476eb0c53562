"""Talk headings naming their speaker by a first name only (live notes)."""

from __future__ import annotations

from pathlib import Path

from conftest import write
from recapqa.ingest import load_corpus

NOTES = (
    "# Hunting Summit 2024\n\n## Day 2\n\n"
    "### Ingrid - Tracing with Notebooks\n* notebooks as sketchpad, repo as archive\n"
    "### Omar (Acme Labs) Rule Engine at Scale\n_hard to follow_\n"
    "### Halvorsen keynote\n* wow\n"
    "### (missed some of Priya’s talk @priyahunts )\n* find hosts not hashes\n* normalise the data models\n"
    "### (missed Hugo’s talk)\n"
    "### Linkerd - What Is New\n* Linkerd now does zero-config mTLS\n"
    "### opening keynote\n* welcome\n"
)


def test_a_first_name_heads_a_talk_only_when_the_notes_never_use_it_again(tmp_path: Path) -> None:
    write(tmp_path / "summit.md", NOTES)
    talks = load_corpus(tmp_path).talks
    assert [(t.kind, t.title, [(s.name, s.company) for s in t.speakers]) for t in talks] == [
        ("talk", "Tracing with Notebooks", [("Ingrid", None)]),
        ("talk", "Rule Engine at Scale", [("Omar", "Acme Labs")]),
        ("talk", "Halvorsen keynote", [("Halvorsen", None)]),
        ("talk", "Priya’s talk @priyahunts", [("Priya", None)]),
        ("section", "(missed Hugo’s talk)", []),
        # a project the notes under the heading talk about is no speaker, nor is a lower-case word
        ("talk", "Linkerd - What Is New", []),
        ("talk", "opening keynote", []),
    ]
