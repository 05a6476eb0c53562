"""A summary names the talk's sections (its outline) and a themes answer each talk's first
sections, as the notes title them; one notes file rendered twice counts as one talk in a
themes answer (real model and index)."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import assistant_over

from recapqa.answer.themes import one_rendering, section_names
from recapqa.embed import Embedder
from recapqa.settings import Settings

SUMMIT = """# Toolchain Summit 2025

## Compiler and runtime (Ana Ruiz)

The compiler breakout gathered twenty contributors around the state of the toolchain.

### Binary size

There was a concern that binaries keep growing with each release of the toolchain.
Some users want small binaries while others want the best performance possible.

### Register calling convention

The new calling convention passes arguments in registers and is almost ready to ship.

### Key takeaways

- Measure binary size in continuous integration for every release.

## Education (Ben Okafor)

The education breakout asked whether the language makes a good first programming language.
Teachers said that the toolchain installs quickly on school computers with little memory.
Students learn faster when the compiler's error messages explain how to fix the code.

## Tooling (Chen Wei)

The tooling breakout reviewed the language server and its editor integrations.
Editors now share one language server, so every toolchain feature reaches them at once.
Refactoring across modules still needs work before the next release of the toolchain.
"""


def test_a_themes_answer_names_each_talk_with_its_sections_as_its_topics(
    settings: Settings, embedder_factory: Callable[[], Embedder]
) -> None:
    assistant = assistant_over(settings, {"summit.md": SUMMIT}, embedder_factory)
    answer, _ = assistant.ask("What were the main themes of the summit?", mode="extractive")
    lines = [line for line in answer.answer.splitlines() if "Compiler and runtime" in line]
    assert lines, answer.answer
    assert "Compiler and runtime (Binary size; Register calling convention)" in lines[0]
    assert "Key takeaways" not in answer.answer  # a part every talk has is no topic
    assert sum("(Binary size" in line for line in answer.answer.splitlines()) == 1  # on its first line only


def test_a_summary_names_the_talks_sections_its_quotes_do_not_show_and_takeaways_none(
    settings: Settings, embedder_factory: Callable[[], Embedder]
) -> None:
    one_quote = settings.model_copy(update={"gist_sentences": 1})
    assistant = assistant_over(one_quote, {"summit.md": SUMMIT}, embedder_factory)
    answer, _ = assistant.ask("Summarize the compiler and runtime breakout", mode="extractive")
    head, *bullets = answer.answer.splitlines()
    assert head.startswith("Summary of Compiler and runtime (Ana Ruiz) — sections: ") and head.endswith(":")
    for name in ("Binary size", "Register calling convention"):  # in the outline or as a quote's label, once
        assert (name in head) != any(line.startswith(f"- {name}: ") for line in bullets), answer.answer
    assert "Key takeaways" not in head  # a part every talk has is no topic
    assert len(answer.citations) == 1 and answer.citations[0].talk.title == "Compiler and runtime"
    answer, _ = assistant.ask("What were the key takeaways from the compiler and runtime breakout?", mode="extractive")
    assert answer.answer.splitlines()[0] == "Key takeaways from Compiler and runtime (Ana Ruiz):"


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
        "Binary size**.",
        "Binary size**.",
        "Key Takeaways",
        "Thanks!",
        "Talk title",
        "Vector assembly",
        "Calling convention",
    ]
    assert section_names(titles, "Talk Title", 3) == ["Binary size", "Vector assembly", "Calling convention"]
    assert section_names(titles, "Talk Title", 1) == ["Binary size"]
    assert section_names(titles, "Talk Title", 0) == []


def test_one_rendering_keeps_the_first_of_talks_leading_with_the_same_sentence() -> None:
    lead = {"a": "One.", "a-2": "One.", "b": "Two.", "c": "Three."}
    themes = [("x", ["a", "a-2"]), ("y", ["a-2", "b", "c"])]
    talks, kept = one_rendering(["a", "a-2", "b", "c"], themes, lead.__getitem__)
    assert talks == ["a", "b", "c"]
    assert kept == [("y", ["b", "c"])]  # a theme no longer shared by two talks is gone
