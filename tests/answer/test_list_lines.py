"""Items that hang under a line (answer/list_lines.py), and what the support check makes of
them: a claim summing up a list rests on the line with its items, and an item answers when
the line it hangs under does (answer/relevance.py)."""

from collections.abc import Callable
from pathlib import Path

from conftest import assistant_over
from recapqa.answer.citations import SupportChecker
from recapqa.answer.extractive import Candidate, ExtractiveAnswerer
from recapqa.answer.list_lines import items_under, line_above, list_text
from recapqa.answer.relevance import relevant_rows
from recapqa.embed import Embedder
from recapqa.models import Span
from recapqa.sentences import Sentence
from recapqa.settings import Settings


def row(text: str, item: bool, talk: str = "t") -> Sentence:
    return Sentence(talk, "notes.md", text, Span(0, 1, 1, 1), item, "")


ROWS = [
    row("Firecracker was built for small workloads.", False),
    row("Design goals:", False),
    row("security", True),
    row("speed by design", True),
    row("scale and efficiency", True),
    row("In 2002: a move to microservices", False),
    row("all about agility", True),
    row("Another talk starts.", False, talk="u"),
]


def test_the_items_right_below_a_line_hang_under_it() -> None:
    assert items_under(ROWS, 1, 6) == [2, 3, 4]
    assert items_under(ROWS, 1, 2) == [2, 3]  # at most the limit
    assert items_under(ROWS, 0, 6) == []  # the next row is a line, not an item
    assert items_under(ROWS, 2, 6) == []  # an item heads nothing
    assert list_text(ROWS, 1, 6) == "security speed by design scale and efficiency"
    assert list_text(ROWS, 1, 0) == ""  # turned off


def test_an_item_hangs_under_the_nearest_line_above_it() -> None:
    assert [line_above(ROWS, r, 6) for r in (2, 3, 4, 6)] == [1, 1, 1, 5]
    assert line_above(ROWS, 4, 2) is None  # more items between than the limit
    assert line_above(ROWS, 1, 6) is None  # a line hangs under nothing
    assert line_above([row("Other talk's line", False, talk="u"), row("an item", True)], 1, 6) is None


NESTED = [
    row("Key points", False),
    row("The talk lists usual drill mistakes and gives fixes:", True),
    row("Log more detail during drills", True),
    row("Rotate the scenarios to learn more each round", True),
    row("How do you write unreadable tests?", True),
    row("Cryptic fixture names", True),
    row("Copy-pasting", True),
]


def test_an_item_ending_with_a_colon_or_question_mark_introduces_the_items_below_it() -> None:
    # sentences do not keep how deep an item is nested: the colon or question mark says it
    assert items_under(NESTED, 1, 6) == [2, 3]  # up to the next item that introduces others
    assert items_under(NESTED, 4, 6) == [5, 6]
    assert items_under(NESTED, 2, 6) == []  # a plain item introduces nothing
    assert items_under(NESTED, 0, 6) == [1, 2, 3, 4, 5, 6]  # a line: every item below it, as before
    # an item still hangs under the nearest line that is not an item (rule 13): whether an
    # item ending with ":" holds the items below it or is their sibling is not kept
    assert [line_above(NESTED, r, 6) for r in (1, 2, 3, 5, 6)] == [0, 0, 0, 0, 0]


def test_an_item_answers_when_the_line_it_hangs_under_does() -> None:
    cands = [Candidate(r, None, 0, score, eligible) for r, score, eligible in [(1, 0.999, True), (3, 0.6, False)]]  # type: ignore[arg-type]
    cands += [Candidate(6, None, 0, 0.6, True)]  # type: ignore[arg-type]  # under a line that does not answer
    assert sorted(relevant_rows(cands, ROWS, 0.1, 1.6, list_items=6)) == [1, 3]
    assert sorted(relevant_rows(cands, ROWS, 0.1, 1.6, list_items=0)) == [1]  # turned off


NOTES = """# Inside the Sandbox VM

Speaker: Jane Doe

The Sandbox VM runs many small workloads on one machine.

Design goals:
1. strong isolation
2. fast start
3. dense packing

The Shop in 2001: monolithic codebase and teams
- mostly built from 2 applications: Alpha and Beta (Alpha Books)

In 2002: a move to small services and small teams
- all about agility

The team also runs a weekly game day to test failover between regions.
"""


def test_a_claim_summing_up_a_list_and_a_claim_on_an_item_are_kept(
    tmp_path: Path, embedder_factory: Callable[[], Embedder]
) -> None:
    settings = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
    assistant = assistant_over(settings, {"sandbox.md": NOTES}, embedder_factory)
    cases = [
        (
            "What are the design goals of the Sandbox VM?",
            "Its design goals are strong isolation, fast start and dense packing [1].",
            "Design goals:",
        ),
        (
            "Which two applications made up the Shop monolith in 2001?",
            "The Shop monolith in 2001: Alpha and Beta [1].",
            "The Shop in 2001: monolithic codebase and teams",  # the line, with the item it heads
        ),
    ]
    for question, reply, quoted in cases:
        retrieval = assistant.retriever.retrieve(question)
        for items, kept in ((settings.llm_list_items, True), (0, False)):
            off = Settings(corpus_dir=settings.corpus_dir, index_dir=settings.index_dir, llm_list_items=items)
            extractive = assistant.extractive
            checker = SupportChecker(ExtractiveAnswerer(extractive.index, off), assistant.embed_query)
            [verdict] = checker.check(reply, retrieval, retrieval.hits[:1])
            assert verdict.kept == kept, (question, items, verdict.reason)
            if kept:
                [(_, found, _)] = verdict.sources
                assert assistant.index.sentences[found].text == quoted


ASKED = """# Paid by the Hour

Speaker: Sam Rivera

* People pick Ruby because it reads like prose
* Clarity has costs for contractors
* How do you write unreadable tests?
    * Cryptic fixture names
    * Magic decorators
    * Copy-pasting
* The talk closed with a plea for tests
"""


def test_a_claim_summing_up_the_items_under_a_line_that_asks_the_question_is_kept(
    tmp_path: Path, embedder_factory: Callable[[], Embedder]
) -> None:
    """The line restates the question (so the answerer finds it ineligible); its items answer."""
    settings = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
    assistant = assistant_over(settings, {"job.md": ASKED}, embedder_factory)
    question = "How do you write unreadable tests, according to Sam Rivera?"
    reply = "Cryptic fixture names, magic decorators and copy-pasting [1]."
    retrieval = assistant.retriever.retrieve(question)
    for items, kept in ((settings.llm_list_items, True), (0, False)):
        off = Settings(corpus_dir=settings.corpus_dir, index_dir=settings.index_dir, llm_list_items=items)
        checker = SupportChecker(ExtractiveAnswerer(assistant.extractive.index, off), assistant.embed_query)
        [verdict] = checker.check(reply, retrieval, retrieval.hits[:1])
        assert verdict.kept == kept, (items, verdict.reason)
        if kept:
            [(_, found, _)] = verdict.sources
            assert assistant.index.sentences[found].text == "How do you write unreadable tests?"
