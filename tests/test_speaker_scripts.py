"""Speakers named in Cyrillic, Greek, CJK or accented Latin script (made-up notes): found in
the bylines of every convention ('Speaker: ...', '* by ...', 'Title - Name, Role, Company',
'Title (Name)', front matter), matched from a question however its accents are typed, and
printed intact in citations (CLI text and JSON, API JSON)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conftest import module_assistant
from recapqa.api import create_app
from recapqa.embed import Embedder
from recapqa.ingest import load_corpus
from recapqa.pipeline import Assistant

DAY = """# Data Platform Summit 2031 notes

## Feature stores at scale

Speaker: Анна Петрова, Head of Data at Northwind

Northwind keeps 4,000 features in its feature store. Feature stores cut training-serving skew in half.

## Streaming ingestion lessons

* by Νίκος Παπαδόπουλος

Kafka topics are partitioned by customer. The team replays 3 days of events after each outage.

## Vector search in production - José Núñez, Staff Engineer, Contoso

Contoso serves 12 million embeddings from one cluster. Recall dropped when the index was not rebuilt weekly.

## Observability for ML - 山田太郎, SRE, Fabrikam

Fabrikam traces every model call. Alerts fire when latency doubles.

## Data contracts

Speaker: Øystein Ødegård

Data contracts are versioned in git. Breaking changes need two approvals.
"""
KEYNOTE = """---
title: The future of model governance
speaker: 王小明
conference: Data Platform Summit 2031
---

# The future of model governance

Model cards are required for every release. Governance reviews take 5 days on average.
"""
NOTES = {"day.md": DAY, "keynote.md": KEYNOTE}
SPEAKERS = {
    "Feature stores at scale": ["Анна Петрова"],
    "Streaming ingestion lessons": ["Νίκος Παπαδόπουλος"],
    "Vector search in production": ["José Núñez"],
    "Observability for ML": ["山田太郎"],
    "Data contracts": ["Øystein Ødegård"],
    "The future of model governance": ["王小明"],
}
# a question naming a speaker (as typed: accents left out too), the speaker its first
# citations must carry, and a word of a passage they must quote
ASKED = [
    ("What did Анна Петрова say about feature stores?", "Анна Петрова", "feature"),
    ("What did Νικος Παπαδοπουλος say about outages?", "Νίκος Παπαδόπουλος", "outage"),
    ("What did Jose Nunez say about recall?", "José Núñez", "Recall"),
    ("What did 山田太郎 say about alerts?", "山田太郎", "Alerts"),
    ("What did Oystein Odegard say about breaking changes?", "Øystein Ødegård", "Breaking"),
    ("Summarize the talk by 王小明", "王小明", "Model cards"),
    ("Which company does 山田太郎 work for?", "山田太郎", "Fabrikam"),
]


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory, embedder_factory: Callable[[], Embedder]) -> Assistant:
    return module_assistant(tmp_path_factory, embedder_factory, NOTES)


def test_bylines_in_other_scripts_name_the_speakers(tmp_path: Path) -> None:
    for name, text in NOTES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    talks = load_corpus(tmp_path).talks
    assert {t.title: [s.name for s in t.speakers] for t in talks} == SPEAKERS
    companies = {t.title: [s.company for s in t.speakers] for t in talks}
    assert companies["Observability for ML"] == ["Fabrikam"] and companies["Vector search in production"] == ["Contoso"]


@pytest.mark.parametrize(("question", "speaker", "quoted"), ASKED)
def test_a_question_names_the_speaker_and_the_citation_carries_the_name(
    assistant: Assistant, question: str, speaker: str, quoted: str
) -> None:
    answer, _ = assistant.ask(question)
    assert not answer.abstained, answer.answer
    assert all(speaker in c.talk.speaker_names for c in answer.citations), answer.answer
    assert any(quoted in c.quote for c in answer.citations), answer.answer


def test_names_are_printed_intact_by_the_cli_and_the_api(assistant: Assistant) -> None:
    settings = assistant.settings
    question = "What did Νικος Παπαδοπουλος say about outages?"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RECAPQA_", "OPENAI_"))}
    env.update(RECAPQA_CORPUS_DIR=str(settings.corpus_dir), RECAPQA_INDEX_DIR=str(settings.index_dir))
    env["RECAPQA_CACHE_DIR"] = os.environ["RECAPQA_CACHE_DIR"]
    recapqa = str(Path(sys.executable).parent / "recapqa")
    for extra in ([], ["--json"]):
        run = subprocess.run([recapqa, "ask", *extra, question], env=env, capture_output=True, timeout=300)
        assert run.returncode == 0, run.stderr.decode()
        out = run.stdout.decode("utf-8")
        cited = json.loads(out)["citations"][0]["speakers"] if extra else out
        assert "Νίκος Παπαδόπουλος" in cited, out
    with TestClient(create_app(settings)) as client:
        reply = client.post("/v1/ask", json={"question": question})
    assert reply.status_code == 200 and reply.json()["citations"][0]["speakers"] == ["Νίκος Παπαδόπουλος"]
    assert "Νίκος Παπαδόπουλος" in reply.content.decode("utf-8")  # as UTF-8, not only as \\u escapes


@pytest.mark.parametrize(
    "byline",
    [
        "## Caches - Carol\u200b Diaz, Initech\n\n",
        "## Caches\n\n* by Carol\u200b Diaz\n\n",
        "## Caches\n\nSpeaker: Carol\u2060 Diaz\n\n",
    ],
)
def test_an_invisible_character_pasted_inside_a_name_does_not_hide_the_speaker(tmp_path: Path, byline: str) -> None:
    (tmp_path / "notes.md").write_text(byline + "Initech caches 5 TB.\n", encoding="utf-8")
    [talk] = load_corpus(tmp_path).talks
    assert talk.title == "Caches" and talk.speaker_names == ["Carol Diaz"]
