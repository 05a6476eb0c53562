"""The notes, queries and comparisons the PostgreSQL store tests share (tests/store/test_postgres*.py)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from conftest import write
from recapqa.embed import Embedder
from recapqa.settings import Settings
from recapqa.store import Index

Replay = Callable[[Index], Callable[[], Embedder]]  # tests/store/conftest.py `replay`: an index's vectors, by text

NOTES = {
    "acme.md": "## Scaling feature stores (Jane Doe, Acme)\n\nSpeaker: Jane Doe, CEO of Acme\n\n"
    "Acme trains 40 models a day on Kafka streams.\n\nTheir feature store serves 3 million lookups per second.\n\n"
    "Jane said the hardest part was backfilling features for new models.\n",
    "initech.md": "## Serving at Initech (John Roe, Initech)\n\nSpeaker: John Roe, CTO of Initech\n\n"
    "Initech serves 3 million users with two GPUs.\n\nThe team moved from batch scoring to online inference in 2023.\n",
    "globex.txt": "Observability for ML - Ann Lee, Globex\n\nModels drift. Globex alerts on feature drift "
    "with population stability index.\nDashboards show latency percentiles per model.\n",
}
QUERIES = [
    "How many models does Acme train a day?",
    "feature store lookups per second",
    "Who moved to online inference?",
    "drift alerts",
    "the and of",  # stop words only: no lexical hit
    "zebra quokka",  # words in no note
]


def write_notes(settings: Settings) -> None:
    for name, text in NOTES.items():
        write(settings.corpus_dir / name, text)


def pg(settings: Settings, url: str, schema: str, **changes: object) -> Settings:
    return settings.model_copy(update={"store": "postgres", "database_url": url, "database_schema": schema, **changes})


def assert_same_search(a: Index, b: Index, queries: list[str], embed: Callable[[str], np.ndarray]) -> None:
    for query in queries:
        vector = embed(query)
        for k in (3, len(a.chunks)):
            dense_a, dense_b = a.store.search(vector, k), b.store.search(vector, k)
            assert [r for r, _ in dense_a] == [r for r, _ in dense_b], query
            assert [s for _, s in dense_a] == pytest.approx([s for _, s in dense_b], abs=1e-5)
            text_a, text_b = a.store.search_text(query, k), b.store.search_text(query, k)
            assert [r for r, _ in text_a] == [r for r, _ in text_b], query
            assert [s for _, s in text_a] == pytest.approx([s for _, s in text_b], rel=1e-4)


def seen(row: dict) -> tuple:  # type: ignore[type-arg]
    """What a user sees of an eval row's answer and what the eval scores of it: the answer,
    the abstention, the citations (scores to 4 places) and the talks retrieved."""
    citations = [{**c, "score": round(c["score"], 4)} for c in row["citations"]]
    return row["answer"], row["abstained"], citations, row["retrieved_talks"]
