"""The rank a retrieved chunk lends its sentences (the answerer's 'rank' feature), on small
made-up notes (real model and index): a later chunk of the talk retrieved first is ranked
part of the way toward that talk's first chunk (`talk_rank_share`), so that the paragraph
opening that names the talk's topic does not win on its chunk's rank alone over the detail
asked, rows below it; another talk's chunk keeps its own rank."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from tests.conftest import module_assistant

from recapqa.answer.candidates import retrieval_ranks
from recapqa.answer.extractive import ExtractiveAnswerer
from recapqa.answer.features import NAMES
from recapqa.embed import Embedder
from recapqa.pipeline import Assistant

SEARCH = """# Search at Globex (John Doe)

John Doe talked about the search service of the Globex store and how the search team rebuilt it from scratch.

The old service was a single large process that nobody on the team wanted to touch, and every change to it took
weeks of review and testing.

The team split it into small services, each owned by two or three engineers, with a shared library for ranking.

The rebuilt service now answers in forty milliseconds at the busiest hour of the day.
"""
PAYMENTS = """# Payments at Initech (Mary Major)

Mary Major explained how the payments service of Initech retries a failed card charge three times in a day.
"""
QUESTION = "How quickly does the rebuilt Globex search service answer?"


@pytest.fixture(scope="module")
def talks(tmp_path_factory: pytest.TempPathFactory, embedder_factory: Callable[[], Embedder]) -> Assistant:
    notes = {"search.md": SEARCH, "payments.md": PAYMENTS}
    return module_assistant(tmp_path_factory, embedder_factory, notes, chunk_max_tokens=40, chunk_overlap_tokens=0)


def _row(assistant: Assistant, words: str) -> int:
    return next(r for r, s in enumerate(assistant.index.sentences) if words in s.text)


def test_a_chunk_is_ranked_part_of_the_way_toward_its_talks_first_chunk() -> None:
    class Talk:
        def __init__(self, talk_id: str) -> None:
            self.talk_id = talk_id

    class Hit:
        def __init__(self, talk_id: str) -> None:
            self.talk = Talk(talk_id)

    hits = [Hit("a"), Hit("b"), Hit("a"), Hit("a"), Hit("b")]
    assert retrieval_ranks(hits, 0.0) == [0, 1, 2, 3, 4]  # type: ignore[arg-type]
    assert retrieval_ranks(hits, 0.5) == [0, 1, 1.0, 1.5, 2.5]  # type: ignore[arg-type]
    assert retrieval_ranks(hits, 1.0) == [0, 1, 0, 0, 1]  # type: ignore[arg-type]


def test_the_detail_rows_below_the_opening_is_not_ranked_by_its_chunk_alone(talks: Assistant) -> None:
    opening, detail = _row(talks, "John Doe talked"), _row(talks, "forty milliseconds")
    other = _row(talks, "Mary Major explained")
    retrieval = talks.retriever.retrieve(QUESTION, 20)
    answerer = talks.extractive

    def chunk_of(row: int):  # type: ignore[no-untyped-def]
        return next(h for h in retrieval.hits if row in talks.index.chunk_sentences[answerer.chunk_row(h)])

    # as when the opening's chunk is retrieved first and the detail's after another talk's chunk
    hits = [chunk_of(opening), chunk_of(other), chunk_of(detail)]
    retrieval = replace(retrieval, hits=hits)
    rank = NAMES.index("rank")

    def features(share: float) -> dict[int, tuple[float, ...]]:
        scoped = ExtractiveAnswerer(talks.index, talks.settings.model_copy(update={"talk_rank_share": share}))
        return {c.row: c.features for c in scoped.candidates(retrieval)}

    chunk_only, halfway = features(0.0), features(0.5)
    assert chunk_only[detail][rank] == pytest.approx(1 / 3)  # its own chunk's rank, 2
    assert halfway[detail][rank] == pytest.approx(1 / 2)  # halfway to its talk's first chunk's, 0
    assert halfway[opening][rank] == chunk_only[opening][rank] == 1.0
    assert halfway[other][rank] == chunk_only[other][rank] == pytest.approx(1 / 2)  # another talk: its own
    assert talks.settings.talk_rank_share == 0.5  # the default answerer ranks halfway
    assert {c.row: c.features for c in answerer.candidates(retrieval)}[detail] == halfway[detail]
