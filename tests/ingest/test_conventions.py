"""One small notes file per convention (FORMATS.md names where each comes from)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import write
from recapqa.ingest import load_corpus
from recapqa.models import Talk
from recapqa.sentences import document_sentences


def talks_of(tmp_path: Path, name: str, text: str | bytes) -> list[Talk]:
    write(tmp_path / name, text)
    return load_corpus(tmp_path).talks


def people(talk: Talk) -> list[tuple[str, str | None]]:
    return [(s.name, s.company) for s in talk.speakers]


def test_invalid_yaml_front_matter_is_read_line_by_line_not_skipped(tmp_path: Path) -> None:
    corpus = talks_of(
        tmp_path,
        "talk.md",
        "---\ntitle: Observability: Beyond the Three Pillars\nspeaker: Ada Lovelace\n\tyear: 2024\n---\n\n"
        "Body text here.\n",
    )
    assert [(t.kind, t.title) for t in corpus] == [("talk", "Observability: Beyond the Three Pillars")]
    assert people(corpus[0]) == [("Ada Lovelace", None)]


def test_front_matter_title_and_speaker_make_one_talk(tmp_path: Path) -> None:
    text = "---\ntitle: Tracing at Scale\nspeakers: [Grace Hopper]\nconference: ObsCon 2024\n---\n\n## Notes\n\nx\n"
    (talk,) = talks_of(tmp_path, "t.md", text)
    assert (talk.kind, talk.title, talk.meta["conference"]) == ("talk", "Tracing at Scale", "ObsCon 2024")
    assert people(talk) == [("Grace Hopper", None)]


def test_h1_title_by_speaker_with_h2_subsections_is_one_talk(tmp_path: Path) -> None:
    text = '# "Rust in Production" by Jane Smith, Ferrous Inc\n\n## Background\n\nA.\n\n## Lessons\n\nB.\n'
    (talk,) = talks_of(tmp_path, "t.md", text)
    assert talk.title.strip('"') == "Rust in Production"
    assert people(talk) == [("Jane Smith", "Ferrous Inc")]
    assert (talk.start_line, talk.end_line) == (1, 9)


def test_speaker_label_line_with_several_speakers_and_their_companies(tmp_path: Path) -> None:
    text = "# Helm 4 Preview\n\n**Speaker(s):** Matt Farina, SUSE & Andrew Block, Red Hat\n\n## Key Takeaways\n\n- x\n"
    (talk,) = talks_of(tmp_path, "t.md", text)
    assert people(talk) == [("Matt Farina", "SUSE"), ("Andrew Block", "Red Hat")]


def test_nested_days_become_tracks_and_fixed_subsections_never_start_talks(tmp_path: Path) -> None:
    text = (
        "# DevConf 2023\n\n## Day 1\n\n### Zero Trust Networking - Alan Turing, Bletchley Labs\n\nNotes.\n\n"
        "#### Key Takeaways\n\n- a\n\n### Serverless Costs - Joan Clarke\n\nMore.\n\n## Day 2\n\n"
        "### Keynote: The Future\n\nText.\n\n## Things to Google\n\n- foo\n"
    )
    corpus = talks_of(tmp_path, "conf.md", text)
    assert [(t.kind, t.title, t.meta.get("track")) for t in corpus] == [
        ("talk", "Zero Trust Networking", "Day 1"),
        ("talk", "Serverless Costs", "Day 1"),
        ("talk", "Keynote: The Future", "Day 2"),
        ("section", "Things to Google", None),
    ]
    assert people(corpus[0]) == [("Alan Turing", "Bletchley Labs")]
    assert corpus[0].meta["conference"] == "DevConf 2023"


def test_setext_headings_and_fenced_code_are_read_by_the_markdown_parser(tmp_path: Path) -> None:
    text = "Keynote - Werner Smith\n======================\n\nIntro.\n\nStorage\n-------\n\n```\n# not a heading\n```\n"
    (talk,) = talks_of(tmp_path, "k.md", text)
    assert (talk.title, people(talk)) == ("Keynote", [("Werner Smith", None)])


def test_session_code_first_line_and_name_role_company_lines(tmp_path: Path) -> None:
    text = (
        "ABC123 - Moving Fast: Lessons Learned\n\nAn abstract.\n\n"
        "Mary Major - Principal Engineer, Contoso\nJohn Doe - Director, Developer Tools\n\n############\n\nBody.\n"
    )
    (talk,) = talks_of(tmp_path, "abc.md", text)
    assert (talk.title, talk.meta["code"]) == ("Moving Fast: Lessons Learned", "ABC123")
    assert people(talk) == [("Mary Major", "Contoso"), ("John Doe", None)]


def test_lists_of_talks_make_one_talk_per_item(tmp_path: Path) -> None:
    text = (
        "## Sessions\n\n### Tuesday\n\n- [Scaling Queues](https://x.test/1) – Ann Lee, Acme Corp\n"
        "- [Edge Caching](https://x.test/2) - Bo Chen & Cy Diaz, Initech\n- Graph Stores — Dee Eve ([video](https://v))\n"
    )
    corpus = talks_of(tmp_path, "list.md", text)
    talks = [t for t in corpus if t.kind == "talk"]
    assert [(t.title, people(t), t.meta.get("track")) for t in talks] == [
        ("Scaling Queues", [("Ann Lee", "Acme Corp")], "Tuesday"),
        ("Edge Caching", [("Bo Chen", "Initech"), ("Cy Diaz", "Initech")], "Tuesday"),
        ("Graph Stores", [("Dee Eve", None)], "Tuesday"),
    ]


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("Compiler Internals (report by Lynn Writer)", []),
        ("Keynote: Community Awards - Presented by Sam Host, COO, Foundation", []),
        ("Greg Bell’s keynote: Pendulums", [("Greg Bell", None)]),
        ("Tove’s talk on tracking ransom crews", [("Tove", None)]),  # a first name, a talk on a topic
        ("Kubernetes’ talk on scaling", []),
        ("(missed Mark’s talk)", []),
        ("Jobly: Tasks for people (Anil Varga)", [("Anil Varga", None)]),
        (
            "Meterly 3.0 – The Next Leap - Oskar Lindqvist, Software Engineer, Zentrix",
            [("Oskar Lindqvist", "Zentrix")],
        ),
    ],
)
def test_who_is_a_speaker_in_a_heading(tmp_path: Path, heading: str, expected: list[tuple[str, str | None]]) -> None:
    text = f"# Conf 2020\n\n## {heading}\n\nNotes.\n\n## Other Talk - Pat Doe\n\nMore.\n\n## Third - Kim Roe\n\nx\n"
    corpus = talks_of(tmp_path, "c.md", text)
    assert people(corpus[0]) == expected


def test_blog_authors_and_note_takers_are_not_speakers(tmp_path: Path) -> None:
    text = (
        "---\ntitle: My Day at Conf\nauthors:\n  - name: Blog Writer\n---\n\n_raw notes by @someone_\n\n"
        "## First Talk - Real Speaker\n\nA.\n\n## Second Talk - Bea Speaker\n\nB.\n"
    )
    corpus = talks_of(tmp_path, "blog.md", text)
    names = {s.name for t in corpus for s in t.speakers}
    assert names == {"Real Speaker", "Bea Speaker"}
    assert corpus[0].meta["note_taker"] == "Blog Writer"


def test_restructuredtext_sections_with_line_numbers(tmp_path: Path) -> None:
    text = (
        "========\nKeynotes\n========\n\nFirst Keynote: Revolutions\n==========================\n\n"
        "* by Brandon Writer\n\nTopic A\n-------\n\n* point\n\nSecond Keynote: Why Tests\n"
        '=========================\n\n* by Dana Coder aka "DC"\n\n'
        ".. toctree::\n   :maxdepth: 2\n\n   other\n"
    )
    corpus = talks_of(tmp_path, "keynotes.rst", text)
    assert [(t.title, people(t), t.start_line) for t in corpus] == [
        ("First Keynote: Revolutions", [("Brandon Writer", None)], 5),
        ("Second Keynote: Why Tests", [("Dana Coder", None)], 15),
    ]


def test_restructuredtext_directive_markers_are_markup_their_bodies_content(tmp_path: Path) -> None:
    text = (
        "Keynote: Orbits\n===============\n\n* by Brandon Writer\n\n.. note::\n\n"
        '    "It took centuries to measure a star." -- Brandon Writer\n\n'
        ".. image:: orbit.png\n\n.. note:: Live-noting is hard.\n\n* 200s BC - Kleomedon - round Moon\n"
    )
    write(tmp_path / "keynotes.rst", text)
    (doc,) = load_corpus(tmp_path).documents
    sentences = [s.text for s in document_sentences(doc)]
    assert not any(s.strip() in (".. note::", ".. image:: orbit.png") for s in sentences), sentences
    assert '"It took centuries to measure a star." -- Brandon Writer' in sentences
    assert ".. note:: Live-noting is hard." in sentences  # an argument of several words is content
    assert "200s BC - Kleomedon - round Moon" in sentences


def test_html_navigation_heading_is_dropped_and_talk_found(tmp_path: Path) -> None:
    text = (
        "<html><head><title>Site</title><style>p{}</style></head><body>\n"
        '<h1><a href="/">Back to Talk Index</a></h1>\n<h2>Is It Overrated?</h2>\n'
        "<p><strong>Speaker(s):</strong> Stefan Writer</p>\n<h3>Key Takeaways</h3>\n"
        "<ul><li>one</li></ul>\n</body></html>\n"
    )
    (talk,) = talks_of(tmp_path, "t.html", text)
    assert (talk.title, people(talk), talk.start_line) == ("Is It Overrated?", [("Stefan Writer", None)], 3)


def test_markdown_saved_under_another_extension_is_read_as_notes(tmp_path: Path) -> None:
    write(tmp_path / "config.yaml", "key: value\nother: 1\n")
    write(tmp_path / "blob.yaml", b"---\n\x00\x01binary")
    corpus = talks_of(
        tmp_path, "talk.yaml", "---\ntitle: Go Proverbs\n---\n\n# Go Proverbs\n\n**Speaker(s):** Rob Writer\n"
    )
    assert [(t.title, people(t)) for t in corpus] == [("Go Proverbs", [("Rob Writer", None)])]
    skipped = dict(load_corpus(tmp_path).skipped)
    assert set(skipped) == {"config.yaml", "blob.yaml"}


def test_symlink_pointing_outside_the_corpus_is_skipped(tmp_path: Path) -> None:
    secret = write(tmp_path / "outside" / "secret.md", "# Secret - Some One\n\n**Speaker(s):** Some One\n")
    corpus_dir = tmp_path / "corpus"
    write(corpus_dir / "real.md", "# Real Talk\n\n**Speaker(s):** Ann Writer\n")
    (corpus_dir / "link.md").symlink_to(secret)
    corpus = load_corpus(corpus_dir)
    assert [t.title for t in corpus.talks] == ["Real Talk"]
    assert "outside the corpus" in dict(corpus.skipped)["link.md"]


def test_dropped_lines_have_reasons_and_nothing_else_is_lost(tmp_path: Path) -> None:
    from recapqa.ingest.outline import document_outline

    text = (
        '---\ntitle: Day One\n---\n\n<style>iframe{}</style>\n\n{{< figure src="a.jpg" >}}\n\n'
        "## Talk A - Ann Writer\n\n![slide](a.jpg)\n\nReal content.\n\n***\n\n## Talk B - Bob Writer\n\nMore.\n"
    )
    write(tmp_path / "d.md", text)
    (parsed,) = load_corpus(tmp_path).documents
    outline = document_outline(parsed)
    reasons = {tuple(d["lines"]): d["reason"] for d in outline["dropped"]}
    assert reasons == {
        (1, 3): "front matter",
        (5, 5): "embed or HTML comment",
        (7, 7): "shortcode",
        (11, 11): "image",
        (15, 15): "thematic break",
    }
    assert [t["title"] for t in outline["talks"]] == ["Talk A", "Talk B"]


def test_a_talk_titled_with_a_subsection_word_and_a_speaker_is_a_talk(tmp_path: Path) -> None:
    """'Links', 'Questions', 'Resources' headings belong to the talk above them; a heading
    that starts with such a word but names its speaker ('Links talk - Bob Ray, Umbrella') is
    a talk of its own (it was swallowed by the talk above)."""
    text = (
        "# Conf 2024\n\n## Scaling Kafka - John Roe, Globex\n\nGlobex runs 42 Kafka clusters.\n\n"
        "### Links\n\n- https://example.com/kafka\n\n"
        "## Questions worth asking - Ann Lee, Initech\n\nAsk why before how.\n\n"
        "## Links talk - Bob Ray, Umbrella\n\n- https://example.com/slides\n"
    )
    talks = talks_of(tmp_path, "notes.md", text)
    assert [(t.title, people(t)) for t in talks] == [
        ("Scaling Kafka", [("John Roe", "Globex")]),
        ("Questions worth asking", [("Ann Lee", "Initech")]),
        ("Links talk", [("Bob Ray", "Umbrella")]),
    ]
    assert (talks[0].start_line, talks[0].end_line) == (3, 9)  # its own Links sub-section
