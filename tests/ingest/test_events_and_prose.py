"""An event's own page, and talks a headingless post introduces in its prose."""

from __future__ import annotations

from pathlib import Path

from conftest import write
from recapqa.ingest import load_corpus
from recapqa.models import Talk


def talks_of(tmp_path: Path, name: str, text: str) -> list[Talk]:
    write(tmp_path / name, text)
    return load_corpus(tmp_path).talks


EVENT_PAGE = (
    "====================================\nPyCamp Oslo 2019 (Fjord Edition)\n====================================\n\n"
    "* Location: Oslo, Norway\n* URL: http://pycamp.example\n\n"
    "Opening Statements\n------------------\n\n* Ingrid thanked the sponsors and volunteers\n\n"
    "Talks\n-----\n\n.. toctree::\n   :maxdepth: 2\n\n   keynotes\n   packaging\n"
)


def test_a_page_titled_by_an_event_and_its_year_is_one_section_of_that_event(tmp_path: Path) -> None:
    (page,) = talks_of(tmp_path, "index.rst", EVENT_PAGE)
    assert (page.kind, page.title, page.speakers) == ("section", "PyCamp Oslo 2019 (Fjord Edition)", [])
    assert page.meta["conference"] == "PyCamp Oslo 2019"
    assert (page.start_line, page.end_line) == (2, 20)


def test_a_talk_titled_with_a_year_and_a_speaker_line_is_still_a_talk(tmp_path: Path) -> None:
    (talk,) = talks_of(tmp_path, "t.md", "# Packaging in 2019\n\n**Speaker(s):** Ingrid Holm\n\n- wheels everywhere\n")
    assert (talk.kind, talk.title, [s.name for s in talk.speakers]) == ("talk", "Packaging in 2019", ["Ingrid Holm"])


POST = (
    '---\ntitle: "DevDays\'21 Lisbon"\n---\n\n'
    "What a weekend! The rooms were full and the coffee was strong.\n\n"
    'The recordings of the talks are up already. In my case the ["Caching for Kubernetes" by Ingrid Holm](https://v.example/c.mp4)'
    " I gave is online.\nMore recordings will follow.\n\n"
    'Let\'s turn to one of the talks that stood out to me. It is the "Schedulers: Done Is Better" by '
    '"Tomas Eklund".\n\nHe showed how the scheduler got faster in small steps.\n\n'
    'A book I read on the train: "Slow Networks" by Mei Tanaka.\n\n'
    "There were many more good talks than I could see; the waffles were good too.\n"
)


def test_talks_a_headingless_post_introduces_by_quoted_title_and_speaker(tmp_path: Path) -> None:
    talks = talks_of(tmp_path, "post.md", POST)
    assert [(t.kind, t.title, [s.name for s in t.speakers], t.start_line, t.end_line) for t in talks] == [
        ("section", "Introduction", [], 5, 5),
        ("talk", "Caching for Kubernetes", ["Ingrid Holm"], 7, 8),
        # a quoted title by someone in a paragraph that speaks of no talk (a book) starts nothing
        ("talk", "Schedulers: Done Is Better", ["Tomas Eklund"], 10, 14),
        # back to the talks in general: the post's closing part
        ("section", "Conclusion", [], 16, 16),
    ]


def test_a_post_with_talk_headings_is_not_cut_at_its_prose(tmp_path: Path) -> None:
    text = (
        '# Notes\n\n## Caching - Ingrid Holm\n\nShe named the talk "Schedulers: Done Is Better" by Tomas Eklund.\n\n'
        "## Storage - Omar Haddad\n\nVolumes.\n"
    )
    assert [t.title for t in talks_of(tmp_path, "notes.md", text)] == ["Caching", "Storage"]
