"""A short question can rank several chunks of one talk first; the per-talk cap of retrieval
(`max_chunks_per_talk`) keeps a few and leaves the rest out for other talks' sake. The chunks
it leaves out of the top k are kept aside (`Retrieval.spilled`) and the extractive answerer
reads their sentences, after every retrieved chunk's, before it abstains (`read_spilled`).
Made-up notes, real model and index."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from tests.conftest import assistant_over

from recapqa.answer.extractive import ExtractiveAnswerer
from recapqa.answer.features import NAMES
from recapqa.embed import Embedder
from recapqa.pipeline import Assistant
from recapqa.settings import Settings

SEARCH = """# Search at Globex (Ann Lee)

Ann Lee told how the search team at Globex moved its search cluster from one data centre to
three regions, and how search queries are routed to the closest region.

The search cluster grew every quarter, and the team rebuilt the search index twice while
the search traffic kept growing with the number of customers.

They presented some figures about the search cluster:

- Around 340 shards in production

Ann closed on the search team's hiring plans and the search roadmap for next year.
"""
GARDEN = """# Gardening with kids (Bo Park)

Bo Park showed how a school garden teaches children patience, with tomatoes and beans
planted in spring and harvested before the summer holidays.
"""
BAKING = """# Sourdough at home (Cy Diaz)

Cy Diaz explained how a sourdough starter is fed every day with flour and water, and why
a cold kitchen slows the rise of the bread overnight.
"""
QUESTION = "How many shards does the Globex search cluster run?"


@pytest.fixture(scope="module")
def search(tmp_path_factory: pytest.TempPathFactory, embedder_factory: Callable[[], Embedder]) -> Assistant:
    root = tmp_path_factory.mktemp("spilled")
    settings = Settings(
        corpus_dir=root / "corpus",
        index_dir=root / "index",
        chunk_max_tokens=32,
        chunk_overlap_tokens=0,
        top_k=3,
        max_chunks_per_talk=1,
    )
    notes = {"search.md": SEARCH, "garden.md": GARDEN, "baking.md": BAKING}
    return assistant_over(settings, notes, embedder_factory)


def test_the_chunks_the_per_talk_cap_leaves_out_of_the_top_k_are_kept_aside(search: Assistant) -> None:
    retrieval = search.retriever.retrieve(QUESTION)
    talks = [h.talk.talk_id for h in retrieval.hits]
    assert len(talks) == 3 and len(set(talks)) == 3  # one chunk a talk: the cap
    assert retrieval.spilled  # the search talk's other chunks ranked above the other talks'
    first = retrieval.hits[0].talk.talk_id
    assert {h.talk.talk_id for h in retrieval.spilled} == {first}
    assert len(retrieval.spilled) <= search.settings.top_k - 1
    assert min(h.score for h in retrieval.spilled) >= min(h.score for h in retrieval.hits)
    assert not {h.chunk.chunk_id for h in retrieval.spilled} & {h.chunk.chunk_id for h in retrieval.hits}


def test_the_answerer_reads_a_spilled_chunks_sentences_after_the_retrieved_ones(search: Assistant) -> None:
    row = next(r for r, s in enumerate(search.index.sentences) if "340 shards" in s.text)
    answerer = search.extractive
    retrieval = search.retriever.retrieve(QUESTION)
    holds = [
        h for h in retrieval.hits + retrieval.spilled if row in search.index.chunk_sentences[answerer.chunk_row(h)]
    ]
    assert holds
    # as when the cap leaves out the chunk that answers: it is spilled, not retrieved
    hits = [h for h in retrieval.hits if h not in holds]
    retrieval = replace(retrieval, hits=hits, spilled=holds)
    settings = search.settings.model_copy(update={"talk_sentences": 0})
    without = ExtractiveAnswerer(search.index, settings.model_copy(update={"read_spilled": False}))
    assert row not in [c.row for c in without.candidates(retrieval)]
    assert without.answer(retrieval).abstained
    reading = ExtractiveAnswerer(search.index, settings)
    assert row not in [c.row for c in reading.candidates(retrieval)]  # read only before abstaining
    spilled = next(c for c in reading.candidates(retrieval, spilled=True) if c.row == row)
    assert spilled.features[NAMES.index("rank")] == 1 / (1 + len(hits))  # after every retrieved chunk
    answer = reading.answer(retrieval)
    assert not answer.abstained and "Around 340 shards in production" in answer.answer
