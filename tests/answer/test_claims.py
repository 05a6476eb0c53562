"""Replies in the shapes real small models write them: each claim must get its own markers."""

import pytest

from recapqa.answer.claims import plain_text, split_claims


def parsed(reply: str) -> list[tuple[str, list[int]]]:
    return [(c.text, c.cited) for c in split_claims(reply)]


def test_markers_at_the_end_of_a_sentence_before_or_after_the_full_stop() -> None:
    reply = "Uber runs 5.3k models [1]. It serves 10M predictions. [2] [3] Fine [1, 2]."
    assert parsed(reply) == [
        ("Uber runs 5.3k models.", [1]),
        ("It serves 10M predictions.", [2, 3]),
        ("Fine.", [1, 2]),
    ]


def test_a_marker_opening_a_line_belongs_to_the_text_after_it() -> None:
    reply = (
        "[2] Managing internal politics is the hardest part.\n"
        "[1] Uber runs 5.3k models in production. Most are tabular.\n"
        "It started in 2015 [3].\n"
        "[1] Feast is suggested [2]."
    )
    assert parsed(reply) == [
        ("Managing internal politics is the hardest part.", [2]),
        ("Uber runs 5.3k models in production.", [1]),
        ("Most are tabular.", [1]),  # no marker of its own: the line's
        ("It started in 2015.", [3]),
        ("Feast is suggested.", [1, 2]),  # both the line's and its own
    ]


@pytest.mark.parametrize("bullet", ["- ", "* ", "1. ", "2) ", "• "])
def test_list_items_with_leading_markers(bullet: str) -> None:
    reply = f"The tools were:\n{bullet}[1] Feast for features\n{bullet}[2][3] BentoML for serving"
    assert parsed(reply) == [
        ("The tools were:", []),
        ("Feast for features", [1]),
        ("BentoML for serving", [2, 3]),
    ]


@pytest.mark.parametrize(
    ("reply", "cited"),
    [
        ("Feast is suggested [1][3].", [1, 3]),
        ("Feast is suggested [1, 3].", [1, 3]),
        ("Feast is suggested [1; 3].", [1, 3]),
        ("Feast is suggested [Source 1] [source: 3].", [1, 3]),
        ("Feast is suggested (Source 3).", [3]),
        ("Feast is suggested [^1].", [1]),
        ("Feast is suggested [1][1].", [1]),  # a repeated marker is one citation
    ],
)
def test_several_markers_on_one_claim(reply: str, cited: list[int]) -> None:
    assert parsed(reply) == [("Feast is suggested.", cited)]


def test_a_marker_alone_on_the_next_line_belongs_to_the_sentence_before() -> None:
    assert parsed("Feast is suggested for features.\n[2]") == [("Feast is suggested for features.", [2])]


@pytest.mark.parametrize("heading", ["Sources:", "**Sources:**", "## References", "Citations"])
def test_an_appended_sources_list_is_ignored(heading: str) -> None:
    reply = f"Uber runs 5.3k models [1].\n\n{heading}\n[1] Journey of the AI platform at Uber (Min Cai)\n[2] Other"
    assert parsed(reply) == [("Uber runs 5.3k models.", [1])]


def test_numbers_with_dots_and_abbreviated_units_are_not_sentence_ends() -> None:
    assert parsed("It grew 2.5x to 5.3k models [1]. Then it stopped [2].") == [
        ("It grew 2.5x to 5.3k models.", [1]),
        ("Then it stopped.", [2]),
    ]


def test_brackets_that_are_not_numbers_stay_text() -> None:
    assert parsed("[Pinnerformer] [1]") == [("[Pinnerformer]", [1])]


@pytest.mark.parametrize(
    ("markup", "plain"),
    [
        ("See [the docs](https://evil.example/x) now [1].", "See the docs now [1]."),
        ("Look ![logo](https://evil.example/a.png) here [1].", "Look logo here [1]."),
        ("Run <script>alert(1)</script>this [1].", "Run  this [1]."),
        ("<b>Bold</b> and <img src=x onerror=alert(1)> text", " Bold  and   text"),
        ("Visit https://evil.example/?q=1 or www.evil.example today", "Visit  or  today"),
        ("Click <https://evil.example> [2]", "Click   [2]"),
        ("A [link][ref] here.\n[ref]: https://evil.example", "A link here.\n"),
        ("It is **very** `fast`", "It is very fast"),
        ("[1](https://evil.example) Feast", "[1] Feast"),  # a linked marker stays a marker
        ("javascript:alert(1) x", " x"),
        ("latency < 20 ms and > 5 ms", "latency < 20 ms and > 5 ms"),  # not markup
    ],
)
def test_markup_is_neutralised(markup: str, plain: str) -> None:
    assert plain_text(markup) == plain


def test_claims_come_out_as_plain_text() -> None:
    reply = "Feast is [suggested](http://x.example) <script>steal()</script>for features ![i](http://x.example/i) [1]."
    [claim] = split_claims(reply)
    assert claim.cited == [1]
    assert "http" not in claim.text and "<" not in claim.text and "steal" not in claim.text
    assert claim.text.startswith("Feast is suggested")


def test_titles_and_abbreviations_do_not_end_a_sentence() -> None:
    reply = "- Dr. Rebecca Taylor uses Feast, e.g. for features [1]\n- Mr. Smith spoke. He left [2]."
    assert parsed(reply) == [
        ("Dr. Rebecca Taylor uses Feast, e.g. for features", [1]),
        ("Mr. Smith spoke.", []),
        ("He left.", [2]),
    ]
