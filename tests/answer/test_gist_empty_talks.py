"""A talk the notes give a heading and speakers but no text (a keynote left blank, a talk
whose notes are only code): asked to summarise it, recapqa does not summarise another talk
that shares no word with the question (it did: 'Summarize the opening keynote' gave the
summary of the one talk with text). Real model and index on small notes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conftest import module_assistant
from recapqa.embed import Embedder
from recapqa.pipeline import Assistant

NOTES = """# Conf 2024

## Opening keynote - Jane Doe, Acme

## Scaling Kafka - John Roe, Globex

Globex runs 42 Kafka clusters across three regions.
Each cluster is upgraded twice a year.

## Code only talk - Ann Lee, Initech

```
print(1)
```

## Feature stores in practice - Mia Chen, Hooli

Hooli serves 300 features from its feature store.
"""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory, embedder_factory: Callable[[], Embedder]) -> Assistant:
    return module_assistant(tmp_path_factory, embedder_factory, {"notes.md": NOTES})


@pytest.mark.parametrize(
    "question", ["Summarize the opening keynote", "Key takeaways from the code only talk?", "Summarize Jane Doe's talk"]
)
def test_a_talk_with_no_text_is_not_summarised_from_another(assistant: Assistant, question: str) -> None:
    answer, _ = assistant.ask(question)
    assert not any(c.talk.talk_id in ("scaling-kafka", "feature-stores-in-practice") for c in answer.citations), (
        answer.answer
    )
    assert "Globex runs" not in answer.answer and "Hooli serves" not in answer.answer, answer.answer


def test_a_talk_with_text_is_still_summarised(assistant: Assistant) -> None:
    answer, _ = assistant.ask("Summarize the Kafka talk")
    assert answer.answer.startswith("Summary of Scaling Kafka"), answer.answer
    answer, _ = assistant.ask("Summarize the talk about feature stores")
    assert answer.answer.startswith("Summary of Feature stores in practice"), answer.answer
