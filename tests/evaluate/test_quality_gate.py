"""Both question sets, in extractive mode, per split, must stay above the floors in
eval/floors.json: the default corpus, and the real notes of ../shared/corpora (one index
per collection)."""

import json
from pathlib import Path

import pytest

from conftest import REPO
from recapqa.evaluate import metrics as m
from recapqa.evaluate.questions import load_questions
from recapqa.evaluate.report import write_outputs
from recapqa.evaluate.runner import run, run_collections, summarize_all
from recapqa.pipeline import Assistant
from shared_data import corpora_dir


@pytest.fixture(scope="module")
def evaluation(assistant: Assistant, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    questions = load_questions(REPO / "eval" / "questions.jsonl")
    rows = run(assistant, questions, assistant.settings.corpus_dir, mode="extractive")
    summary = summarize_all(rows)
    out = tmp_path_factory.mktemp("eval")
    write_outputs(out, rows, summary)
    return out, summary


def test_question_set_shape() -> None:
    questions = load_questions(REPO / "eval" / "questions.jsonl")
    assert len(questions) >= 90
    assert sum(not q.answerable for q in questions) >= 15
    assert {q.split for q in questions} == {"dev", "test"}
    for key in ("uber", "multi-cloud", "mlops strategy", "trends in the production ml", "pinterest", "recsys"):
        assert sum(key in q.talks for q in questions) >= 10, key


@pytest.fixture(scope="module")
def corpora_summary(open_collection) -> dict:  # type: ignore[no-untyped-def]
    questions = load_questions(REPO / "eval" / "corpora_questions.jsonl")
    return summarize_all(run_collections(open_collection[0], questions, open_collection[1]))


@pytest.fixture(scope="module")
def summaries_summary(open_collection) -> dict:  # type: ignore[no-untyped-def]
    questions = load_questions(REPO / "eval" / "summary_questions.jsonl")
    return summarize_all(run_collections(open_collection[0], questions, open_collection[1]))


def _below_floors(summary: dict, gate: dict) -> list[str]:
    failures = []
    for split, bounds in gate["splits"].items():
        figures = summary["by_split"][split]
        for group, metrics in bounds.get("min", {}).items():
            for name, floor in metrics.items():
                if figures[group][name] < floor:
                    failures.append(f"{split} {group}.{name} = {figures[group][name]:.3f} < {floor}")
        for group, metrics in bounds.get("max", {}).items():
            for name, ceiling in metrics.items():
                if figures[group][name] > ceiling:
                    failures.append(f"{split} {group}.{name} = {figures[group][name]:.3f} > {ceiling}")
    return failures


def test_default_set_stays_above_its_floors_per_split(evaluation: tuple[Path, dict]) -> None:
    gate = json.loads((REPO / "eval" / "floors.json").read_text())["sets"]["default"]
    assert not _below_floors(evaluation[1], gate)


def test_corpora_set_stays_above_its_floors_per_split(corpora_summary: dict) -> None:
    gate = json.loads((REPO / "eval" / "floors.json").read_text())["sets"]["corpora"]
    assert not _below_floors(corpora_summary, gate)
    assert set(corpora_summary["by_collection"]) == {p.name for p in corpora_dir().iterdir() if p.is_dir()}


def test_summary_set_stays_above_its_floors_per_split(summaries_summary: dict) -> None:
    gate = json.loads((REPO / "eval" / "floors.json").read_text())["sets"]["summaries"]
    assert not _below_floors(summaries_summary, gate)


def test_summary_question_set_shape() -> None:
    questions = load_questions(REPO / "eval" / "summary_questions.jsonl")
    assert len(questions) >= 40
    shapes = [q.extra["shape"] for q in questions]
    assert {s: shapes.count(s) >= 5 for s in set(shapes)} == {
        s: True for s in ("summary", "takeaways", "speaker_topic", "themes", "compare", "which_talks")
    }
    assert all(
        3 <= len(q.extra["key_points"]) <= 6 for q in questions if q.answerable and q.extra["shape"] != "which_talks"
    )
    assert {q.split for q in questions} == {"dev", "test"}


def test_corpora_question_set_shape() -> None:
    questions = load_questions(REPO / "eval" / "corpora_questions.jsonl")
    assert len(questions) >= 150
    assert sum(not q.answerable for q in questions) >= 30
    per_collection: dict[str | None, int] = {}
    for q in questions:
        per_collection[q.collection] = per_collection.get(q.collection, 0) + 1
    assert None not in per_collection and min(per_collection.values()) >= 15
    assert {q.split for q in questions} == {"dev", "test"}
    assert sum(q.type == "compound" for q in questions) >= 10
    assert sum(q.type == "list" for q in questions) >= 10


def test_outputs_are_written_and_the_summary_recomputes_from_results(evaluation: tuple[Path, dict]) -> None:
    out, summary = evaluation
    assert {p.name for p in out.iterdir()} >= {
        "results.jsonl",
        "summary.json",
        "report.md",
        "metric_by_talk.png",
        "latency.png",
    }
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    saved = json.loads((out / "summary.json").read_text())
    assert saved == json.loads(json.dumps(summary))
    # recompute a few figures by hand from the per-question rows
    answerable = [r for r in rows if r["answerable"]]
    fact = sum(m.fact_hit(r["answer"], r["answers"], r["answers_all"]) and not r["abstained"] for r in answerable)
    assert saved["overall"]["answers"]["fact_hit"] == pytest.approx(fact / len(answerable))
    gold = [r for r in answerable if r["talks"]]

    def first_is_gold(r: dict) -> bool:
        if not r["retrieved_talks"]:
            return False
        talk_id, title = r["retrieved_talks"][0], r["retrieved_titles"][0].lower()
        return any(k.lower() in talk_id or k.lower() in title for k in r["talks"])

    hit1 = sum(first_is_gold(r) for r in gold)
    assert saved["overall"]["retrieval"]["hit@1"] == pytest.approx(hit1 / len(gold))
    unanswerable = [r for r in rows if not r["answerable"]]
    recall = sum(r["abstained"] for r in unanswerable) / len(unanswerable)
    assert saved["overall"]["abstention"]["recall"] == pytest.approx(recall)
    totals = [r["timings_ms"]["total"] for r in rows]
    assert saved["overall"]["latency_ms"]["total"]["p50"] == pytest.approx(m.percentile(totals, 50))
    for split in ("dev", "test"):
        assert saved["by_split"][split]["counts"]["questions"] == sum(r["split"] == split for r in rows)
    report = (out / "report.md").read_text()
    assert "## Worst failures" in report and "| dev |" in report
