"""A summary names the talk's sections (its outline) and a themes answer each talk's first
sections, as the notes title them; one notes file rendered twice counts as one talk in a
themes answer (real model and index)."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import assistant_over

from recapqa.answer.themes import one_rendering, section_names
from recapqa.embed import Embedder
from recapqa.settings import Settings

SUMMIT = """# Storage Summit 2025

## Storage engine (Ana Ruiz)

The storage engine breakout gathered twenty contributors around the state of the database.

### Write path

There was a concern that write latency keeps growing with each release of the database.
Some users want fast writes while others want the strongest durability possible.

### Tiered compaction

The new compaction scheme merges small files in tiers and is almost ready to ship.

### Key takeaways

- Measure write latency in continuous integration for every release.

## Documentation (Ben Okafor)

The documentation breakout asked whether the manual makes a good first guide for new operators.
Writers said that the database installs quickly on small laptops with little memory.
Operators learn faster when the database's error messages explain how to fix the setup.

## Operations (Chen Wei)

The operations breakout reviewed the backup tool and its cloud integrations.
Clouds now share one backup tool, so every database feature reaches them at once.
Restoring across regions still needs work before the next release of the database.
"""


def test_a_themes_answer_names_each_talk_with_its_sections_as_its_topics(
    settings: Settings, embedder_factory: Callable[[], Embedder]
) -> None:
    assistant = assistant_over(settings, {"summit.md": SUMMIT}, embedder_factory)
    answer, _ = assistant.ask("What were the main themes of the summit?", mode="extractive")
    lines = [line for line in answer.answer.splitlines() if "Storage engine" in line]
    assert lines, answer.answer
    assert "Storage engine (Write path; Tiered compaction)" in lines[0]
    assert "Key takeaways" not in answer.answer  # a part every talk has is no topic
    assert sum("(Write path" in line for line in answer.answer.splitlines()) == 1  # on its first line only


def test_a_summary_names_the_talks_sections_its_quotes_do_not_show_and_takeaways_none(
    settings: Settings, embedder_factory: Callable[[], Embedder]
) -> None:
    one_quote = settings.model_copy(update={"gist_sentences": 1})
    assistant = assistant_over(one_quote, {"summit.md": SUMMIT}, embedder_factory)
    answer, _ = assistant.ask("Summarize the storage engine breakout", mode="extractive")
    head, *bullets = answer.answer.splitlines()
    assert head.startswith("Summary of Storage engine (Ana Ruiz) — sections: ") and head.endswith(":")
    for name in ("Write path", "Tiered compaction"):  # in the outline or as a quote's label, once
        assert (name in head) != any(line.startswith(f"- {name}: ") for line in bullets), answer.answer
    assert "Key takeaways" not in head  # a part every talk has is no topic
    assert len(answer.citations) == 1 and answer.citations[0].talk.title == "Storage engine"
    answer, _ = assistant.ask("What were the key takeaways from the storage engine breakout?", mode="extractive")
    assert answer.answer.splitlines()[0] == "Key takeaways from Storage engine (Ana Ruiz):"


def test_one_notes_file_rendered_twice_is_one_talk_in_a_themes_answer(
    settings: Settings, embedder_factory: Callable[[], Embedder]
) -> None:
    notes = {"summit.md": SUMMIT, "html/summit.md": SUMMIT}
    assistant = assistant_over(settings, notes, embedder_factory)
    answer, _ = assistant.ask("What were the main themes of the summit?", mode="extractive")
    assert "across 3 talks" in answer.answer.splitlines()[0] or "of 3 talks" in answer.answer.splitlines()[0]
    quotes = [c.quote for c in answer.citations]
    assert len(quotes) == len(set(quotes)) == 5  # no sentence quoted twice


def test_section_names_keep_topics_and_leave_out_fields_links_and_common_parts() -> None:
    titles = [
        "",
        "**Video URL:** https://example.org/watch",
        "Speaker(s): Jane Roe",
        "Timestamps",
        "Write path**.",
        "Write path**.",
        "Key Takeaways",
        "Thanks!",
        "Talk title",
        "Tiered compaction",
        "Restore drills",
    ]
    assert section_names(titles, "Talk Title", 3) == ["Write path", "Tiered compaction", "Restore drills"]
    assert section_names(titles, "Talk Title", 1) == ["Write path"]
    assert section_names(titles, "Talk Title", 0) == []


def test_one_rendering_keeps_the_first_of_talks_leading_with_the_same_sentence() -> None:
    lead = {"a": "One.", "a-2": "One.", "b": "Two.", "c": "Three."}
    themes = [("x", ["a", "a-2"]), ("y", ["a-2", "b", "c"])]
    talks, kept = one_rendering(["a", "a-2", "b", "c"], themes, lead.__getitem__)
    assert talks == ["a", "b", "c"]
    assert kept == [("y", ["b", "c"])]  # a theme no longer shared by two talks is gone
