from pathlib import Path

from conftest import write
from recapqa.ingest import load_corpus, load_document

MARKDOWN = """---
conference: FooConf 2024
date: 2024-05-01
source: https://example.org/fooconf
---
# FooConf 2024 notes

Some general impressions before the talks.

## Feature stores at scale (Acme)

**Speaker:** Jane Doe, Head of ML at Acme

Acme serves 2 million features per second.

### Details

They use Redis for online serving.

## Evaluation in production (Initech)

Speakers:
- John Roe, Staff Engineer at Initech
- Ann Lee, Data Scientist at Initech

Offline metrics lie; A/B tests do not.

## Conclusion

Worth attending.
"""

HTML = """<!doctype html>
<html><head><title>BarConf recap</title><style>p {color: red}</style></head>
<body>
<nav><a href="/">Home</a> <a href="/blog">Blog</a></nav>
<h1>BarConf recap</h1>
<p>An intro paragraph about the conference &amp; its venue.</p>
<h2>Realtime ML at Globex (Globex)</h2>
<p>Speaker: Hank Scorpio, CEO of Globex</p>
<p>Globex retrains
   every hour.</p>
<ul><li>Kafka for events</li><li>Flink for features</li></ul>
<h2>Vector search (Umbrella)</h2>
<p>Speaker: Alice Wong, Engineer at Umbrella</p>
<p>They index 1B vectors with FAISS.</p>
<footer>Copyright BarConf</footer>
<script>var x = "<h2>not a talk</h2>";</script>
</body></html>
"""


def test_markdown_headings_front_matter_and_speakers(tmp_path: Path) -> None:
    write(tmp_path / "foo.md", MARKDOWN)
    talks = load_corpus(tmp_path).talks
    assert [(t.kind, t.title, t.company) for t in talks] == [
        ("section", "Introduction", None),
        ("talk", "Feature stores at scale", "Acme"),
        ("talk", "Evaluation in production", "Initech"),
        ("section", "Conclusion", None),
    ]
    assert talks[1].speaker_names == ["Jane Doe"]
    assert talks[2].speaker_names == ["John Roe", "Ann Lee"]
    assert talks[1].meta["conference"] == "FooConf 2024"
    assert talks[1].meta["date"] == "2024-05-01"
    lines = MARKDOWN.split("\n")
    # the ### sub-heading stays inside its talk
    redis_line = next(n for n, line in enumerate(lines, 1) if "Redis" in line)
    assert talks[1].start_line < redis_line <= talks[1].end_line
    assert lines[talks[2].start_line - 1] == "## Evaluation in production (Initech)"


def test_html_blocks_map_back_to_source_lines(tmp_path: Path) -> None:
    write(tmp_path / "bar.html", HTML)
    corpus = load_corpus(tmp_path)
    talks = corpus.talks
    assert [(t.kind, t.title, t.company) for t in talks] == [
        ("section", "Introduction", None),
        ("talk", "Realtime ML at Globex", "Globex"),
        ("talk", "Vector search", "Umbrella"),
    ]
    assert talks[1].speaker_names == ["Hank Scorpio"]
    source_lines = HTML.split("\n")
    assert "<h2>Realtime ML at Globex" in source_lines[talks[1].start_line - 1]
    assert "Flink" in "\n".join(source_lines[talks[1].start_line - 1 : talks[1].end_line])
    doc = load_document(tmp_path, "bar.html")
    assert "Home" not in doc.text and "Copyright" not in doc.text and "not a talk" not in doc.text
    assert "conference & its venue" in doc.text  # entities decoded
    # a block spanning two source lines is one text line, found between its source lines
    retrain = next(n for n, line in enumerate(source_lines, 1) if "Globex retrains" in line)
    assert "Globex retrains every hour." in doc.text_between(retrain, retrain + 1)
