from pathlib import Path

from conftest import DEFAULT_CORPUS, write
from recapqa.ingest import load_corpus


def talks_by_company(corpus: Path) -> dict[str | None, object]:
    return {t.company: t for t in load_corpus(corpus).talks if t.kind == "talk"}


def test_default_corpus_has_six_talks_plus_introduction_and_conclusion() -> None:
    talks = load_corpus(DEFAULT_CORPUS).talks
    assert [t.kind for t in talks] == ["section"] + ["talk"] * 6 + ["section"]
    assert [t.title for t in talks if t.kind == "section"] == ["Introduction", "Conclusion"]
    companies = [t.company for t in talks if t.kind == "talk"]
    assert companies == ["Uber", "Lidl", "Hello Fresh", "Databricks/Tecton", "Pinterest", None]
    panel = talks[6]
    assert panel.title.startswith("Panel: Production Machine Learning for Recsys")


def test_default_corpus_speakers() -> None:
    talks = [t for t in load_corpus(DEFAULT_CORPUS).talks if t.kind == "talk"]
    names = [t.speaker_names for t in talks]
    assert names == [
        ["Min Cai"],
        ["Dr. Rebecca Taylor"],
        ["Benjamin Bertincourt", "Michael Johnson"],
        ["Ali Ghodsi", "Mike Del Balso"],
        ["Aayush Mudgal"],
        ["Mihir Mathur", "Morena Bastiaansen", "Christopher Addy", "Ian Schweer"],
    ]
    roles = {s.name: s.role for t in talks for s in t.speakers}
    assert roles["Dr. Rebecca Taylor"] == "tech lead for personalization at Lidl"
    assert roles["Ali Ghodsi"] == "co-founder and CEO of Databricks"
    assert roles["Mihir Mathur"] is not None and "moderator" in roles["Mihir Mathur"]
    assert roles["Ian Schweer"] == "Staff Software + Machine Learning Engineer at Riot Games"


def test_page_chrome_is_not_content() -> None:
    corpus = load_corpus(DEFAULT_CORPUS)
    doc = corpus.documents[0].document
    lines = doc.text.split("\n")
    covered = {n for t in corpus.talks for n in range(t.start_line, t.end_line + 1)}
    for n, line in enumerate(lines, 1):
        text = line.strip()
        if text in {"Dive in", "Related", "# Apply(ops)", "# MLops", "# Tecton", "+00:00 GMT"} or "Views" in text:
            assert n not in covered, f"page chrome on line {n} is inside a talk: {text!r}"
    intro = corpus.talks[0]
    assert lines[intro.start_line - 1].startswith("In mid-November, the Apply(ops) 23 conference, organized")
    assert doc.meta["title"] == "Back from Apply(ops) 23 conference"
    assert doc.meta["date"] == "2023-12-12"
    assert doc.meta["note_taker"] == "Jean-Michel Daignan"  # the blog author took the notes


def test_talk_spans_point_at_their_headings() -> None:
    corpus = load_corpus(DEFAULT_CORPUS)
    lines = (DEFAULT_CORPUS / "apply-ops-23-recap.txt").read_text(encoding="utf-8").split("\n")
    for talk in corpus.talks:
        if talk.kind == "talk":
            assert lines[talk.start_line - 1].startswith(talk.title.split(" (")[0][:20])
        assert lines[talk.end_line - 1].strip(), "a talk must not end on a blank line"


def test_generic_plain_text_headings(tmp_path: Path) -> None:
    write(
        tmp_path / "notes.txt",
        (
            "My notes from FooConf\n\n"
            "This was a long and interesting day with many great speakers and useful lessons learned.\n\n"
            "Scaling feature stores (Acme)\n\n"
            "Speakers: Jane Doe, Head of ML at Acme\n\n"
            "Jane explained how Acme serves 2 million features per second.\n\n"
            "Keynote: The future of evaluation\n\n"
            "Presenter: John Roe (Initech)\n\n"
            "John argued that offline metrics lie.\n\n"
            "Wrap-up\n\n"
            "Great conference overall.\n"
        ),
    )
    talks = load_corpus(tmp_path).talks
    assert [(t.kind, t.title) for t in talks] == [
        ("section", "Introduction"),
        ("talk", "Scaling feature stores"),
        ("talk", "Keynote: The future of evaluation"),
        ("section", "Wrap-up"),
    ]
    assert talks[1].company == "Acme"
    assert [(s.name, s.role) for s in talks[1].speakers] == [("Jane Doe", "Head of ML at Acme")]
    assert [(s.name, s.role) for s in talks[2].speakers] == [("John Roe", "Initech")]


def test_bullet_talks_without_speaker_lines_are_neither_header_nor_merged(tmp_path: Path) -> None:
    write(
        tmp_path / "recap.txt",
        (
            "KubeCon Recap\nby A Blogger\n\n"
            "Opening Keynote Highlights\n- the community grew\n- new governance model\n- more maintainers\n\n"
            "Helm 4 Preview\n\nSpeakers: Matt Farina, SUSE & Andrew Block, Red Hat\n\n- charts as OCI artifacts\n\n"
            "Supply Chain Security\n\n- sign everything\n- SBOMs by default\n\n"
            "Gateway API Deep Dive (Google)\n\nSpeaker: Rob Scott\n\n- v1.0 is GA\n"
        ),
    )
    (parsed,) = load_corpus(tmp_path).documents
    talks = [s.talk for s in parsed.sections]
    assert [(t.kind, t.title, t.start_line) for t in talks] == [
        ("talk", "Opening Keynote Highlights", 4),
        ("talk", "Helm 4 Preview", 9),
        ("talk", "Supply Chain Security", 15),
        ("talk", "Gateway API Deep Dive", 20),
    ]
    assert [(s.name, s.company) for s in talks[1].speakers] == [("Matt Farina", "SUSE"), ("Andrew Block", "Red Hat")]
    assert parsed.document.dropped == {0: "page header", 1: "page header"}
