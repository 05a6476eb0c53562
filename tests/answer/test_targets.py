"""Which talks a question names, in which order (answer/targets.py; real model and index)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from tests.conftest import assistant_over

from recapqa.embed import Embedder
from recapqa.settings import Settings

TALKS = ["Queues", "Caches", "Storage", "Billing", "Search", "Tracing", "Alerts", "Backups", "Builds"]


def test_named_talks_not_retrieved_come_after_the_retrieved_by_id_not_by_set_order(
    settings: Settings, embedder_factory: Callable[[], Embedder]
) -> None:
    talks = "".join(f"## {t} (Ann Lee)\n\nAnn spoke about {t.lower()} at work.\n\n" for t in TALKS)
    notes = f"# Platform Day\n\n{talks}"
    assistant = assistant_over(settings, {"day.md": notes}, embedder_factory)
    retrieval = assistant.retriever.retrieve("What did Ann say about search?")
    first = retrieval.hits[0].talk.talk_id
    every = set(assistant.index.talks)
    named = assistant.extractive.gist.targets.named(replace(retrieval, hits=retrieval.hits[:1], mentioned_talks=every))
    assert [t.talk_id for t in named] == [first, *sorted(every - {first})]
