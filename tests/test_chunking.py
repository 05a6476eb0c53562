import itertools
from pathlib import Path

from conftest import DEFAULT_CORPUS, write
from recapqa.chunking import chunk_document
from recapqa.ingest import load_corpus
from recapqa.sentences import document_sentences
from recapqa.tokens import count_tokens


def default_chunks(max_tokens: int = 180, overlap: int = 40):  # type: ignore[no-untyped-def]
    corpus = load_corpus(DEFAULT_CORPUS)
    return corpus, chunk_document(corpus.documents[0], max_tokens, overlap)


def test_chunks_never_cross_a_section_and_spans_point_at_their_text() -> None:
    corpus, chunks = default_chunks()
    talks = {t.talk_id: t for t in corpus.talks}
    raw = (DEFAULT_CORPUS / "apply-ops-23-recap.txt").read_text(encoding="utf-8")
    lines = raw.split("\n")
    assert {c.talk_id for c in chunks} == set(talks)
    for chunk in chunks:
        talk = talks[chunk.talk_id]
        assert talk.start_line <= chunk.span.start_line <= chunk.span.end_line <= talk.end_line
        assert raw[chunk.span.char_start : chunk.span.char_end] == chunk.text
        assert "\n".join(lines[chunk.span.start_line - 1 : chunk.span.end_line]).find(chunk.text) >= 0
        assert chunk.embed_text.endswith(chunk.text) and chunk.embed_text.startswith(("Talk:", "Section:"))


def test_chunks_respect_the_token_budget_and_paragraph_boundaries() -> None:
    for budget in (120, 180, 250):
        _, chunks = default_chunks(max_tokens=budget, overlap=30)
        assert max(count_tokens(c.embed_text) for c in chunks) <= budget
    _, chunks = default_chunks(max_tokens=180, overlap=30)
    for chunk in chunks:  # no sentence of this corpus is over budget: chunks start at units
        assert not chunk.text[0].islower(), chunk.text[:80]


def test_neighbouring_chunks_of_a_talk_overlap_when_units_are_small() -> None:
    _, chunks = default_chunks(max_tokens=100, overlap=40)
    overlapping = [
        (a, b) for a, b in itertools.pairwise(chunks) if a.talk_id == b.talk_id and b.span.char_start < a.span.char_end
    ]
    assert overlapping, "list-item units are small enough to be repeated as overlap"


def test_embedded_text_names_the_talk_and_speakers() -> None:
    _, chunks = default_chunks()
    lidl = [c for c in chunks if c.talk_id == "ml-in-a-multi-cloud-environment"]
    assert lidl and all("(Lidl)" in c.embed_text and "Rebecca Taylor" in c.embed_text for c in lidl)
    assert all("Lidl" not in c.text or "Lidl" in c.text for c in lidl)  # stored text stays verbatim


def test_chunk_ids_are_stable_content_hashes(tmp_path: Path) -> None:
    _, first = default_chunks()
    _, second = default_chunks()
    assert [c.chunk_id for c in first] == [c.chunk_id for c in second]
    assert len({c.chunk_id for c in first}) == len(first)


def test_long_paragraph_is_cut_at_sentences(tmp_path: Path) -> None:
    sentence = "The platform team measured every stage of the pipeline carefully. "
    write(tmp_path / "n.md", "## Long talk (Acme)\n\n" + sentence * 40 + "\n")
    corpus = load_corpus(tmp_path)
    chunks = chunk_document(corpus.documents[0], 64, 0)
    assert len(chunks) > 5
    assert all(c.text.startswith(("The platform", "## Long")) for c in chunks)


def test_sentences_are_verbatim_and_list_items_carry_their_lead_in() -> None:
    corpus = load_corpus(DEFAULT_CORPUS)
    raw = (DEFAULT_CORPUS / "apply-ops-23-recap.txt").read_text(encoding="utf-8")
    sentences = document_sentences(corpus.documents[0])
    for s in sentences:
        assert raw[s.span.char_start : s.span.char_end] == s.text
    item = next(s for s in sentences if s.text == "Around 5.3k models in production")
    assert item.list_item and item.context.endswith("related to ML projects, including:")
    nested = next(s for s in sentences if s.text.startswith("Makerspace: Flexible"))
    assert nested.context == "Makerspace VS Factory:"
    assert not any(s.text.startswith("Journey of the AI platform") for s in sentences), "headings are not answers"


def test_a_one_word_item_of_an_introduced_list_is_a_sentence_and_a_lone_word_is_not(tmp_path: Path) -> None:
    notes = "## Firecracker (Acme)\n\nDesign goals:\n\n1. security\n2. speed by design\n\n## Closing (Acme)\n\n- Wow\n"
    write(tmp_path / "n.md", notes)
    texts = [s.text for s in document_sentences(load_corpus(tmp_path).documents[0])]
    assert texts == ["Design goals:", "security", "speed by design"]


def test_a_sentence_knows_the_sub_heading_it_sits_under(tmp_path: Path) -> None:
    notes = (
        "## Turning Points (Milo Brandt)\n\nIntro words here.\n\n"
        "### Galilean Rewrite\n\nA rewrite that puts things in orbit.\n"
    )
    write(tmp_path / "n.md", notes)
    sentences = document_sentences(load_corpus(tmp_path).documents[0])
    assert [(s.text, s.heading) for s in sentences] == [
        ("Intro words here.", ""),
        ("A rewrite that puts things in orbit.", "Galilean Rewrite"),
    ]


def test_an_rst_item_is_the_lead_in_of_its_nested_list_across_the_blank_line(tmp_path: Path) -> None:
    notes = (
        "Lightning talks\n===============\n\nBillable hours\n--------------\n\n"
        "* How do you write unreadable tests?\n\n    * Cryptic fixture names\n    * No comments\n\n"
        "* Clarity is overrated\n\n* Another point\n"
    )
    write(tmp_path / "n.rst", notes)
    sentences = document_sentences(load_corpus(tmp_path).documents[0])
    assert [(s.text, s.context) for s in sentences] == [
        ("How do you write unreadable tests?", ""),
        ("Cryptic fixture names", "How do you write unreadable tests?"),
        ("No comments", "How do you write unreadable tests?"),
        ("Clarity is overrated", ""),  # items of one list, not sub-items: no lead-in
        ("Another point", ""),
    ]


def test_an_item_is_the_lead_in_of_the_numbered_sub_items_indented_under_it(tmp_path: Path) -> None:
    notes = (
        "## Detection work (Kim Sato)\n\n"
        "* lays out how a detection is built, in three phases\n"
        "  1. Research\n  1. Creation\n  1. Review and rollout\n"
        "* reports results every month\n"
    )
    write(tmp_path / "n.md", notes)
    sentences = document_sentences(load_corpus(tmp_path).documents[0])
    lead = "lays out how a detection is built, in three phases"
    assert [(s.text, s.context) for s in sentences] == [
        (lead, ""),
        ("Research", lead),  # one word, but an item of the list the line introduces
        ("Creation", lead),
        ("Review and rollout", lead),
        ("reports results every month", ""),  # a sibling of the lead-in, not under it
    ]
