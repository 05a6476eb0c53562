"""Run a question set through the assistant and score every answer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from recapqa.errors import RecapqaError
from recapqa.evaluate import metrics as m
from recapqa.evaluate.questions import Question
from recapqa.ingest import quote_in_source
from recapqa.pipeline import Assistant
from recapqa.settings import AnswerMode, Settings

Progress = Callable[[int, int], None]


def score_row(
    q: Question, answer: dict[str, Any], retrieved: list[tuple[str, str]], corpus_dir: Path
) -> dict[str, Any]:
    """Per-question scores; None where a metric does not apply to this question."""
    citations = answer.get("citations", [])
    gold = q.talks if q.answerable else []
    rels = m.relevance(retrieved, gold) if gold else []
    cited = [m.talk_key(c["talk_id"], c["talk_title"], c.get("speakers", [])) for c in citations]
    cited_rels = m.relevance(cited, gold) if gold else []
    verbatim = [quote_in_source(corpus_dir, c["source"], c["start_line"], c["end_line"], c["quote"]) for c in citations]
    return {
        "hit@1": m.hit_at(rels, 1) if gold else None,
        "hit@5": m.hit_at(rels, 5) if gold else None,
        "mrr@5": m.mrr_at(rels, 5) if gold else None,
        "ndcg@5": m.ndcg_at(rels, len(gold), 5) if gold else None,
        "citations": len(citations),
        "gold_citations": sum(cited_rels) if gold else None,
        "first_citation_correct": (bool(cited_rels and cited_rels[0])) if gold else None,
        "verbatim_citations": sum(verbatim),
        "fact_hit": (not answer["abstained"] and m.fact_hit(answer["answer"], q.answers, q.answers_all))
        if q.answerable
        else None,
        "f1": (0.0 if answer["abstained"] else m.best_f1(answer["answer"], q.answers or q.answers_all))
        if q.answerable
        else None,
        "abstained": answer["abstained"],
        **gist_scores(q, answer, cited),
    }


def gist_scores(q: Question, answer: dict[str, Any], cited: list[tuple[str, str]]) -> dict[str, Any]:
    """Summary-set questions: key-point recall, sentences used, and for 'which talks' the
    precision and recall of the talks cited."""
    key_points = q.extra.get("key_points")
    if key_points is None:
        return {}
    scores: dict[str, Any] = {"sentences": len(answer.get("citations", []))}
    if key_points:
        found = [m.words_present(answer["answer"], k) for k in key_points]
        scores["key_point_recall"] = 0.0 if answer["abstained"] else sum(found) / len(found)
    if q.extra.get("shape") == "which_talks" and q.talks:
        talks = list(dict.fromkeys(cited))
        right = [t for t in talks if m.relevance([t], q.talks)[0]]
        scores["talk_precision"] = len(right) / len(talks) if talks else 0.0
        scores["talk_recall"] = sum(any(m.talk_matches(k, *t) for t in talks) for k in q.talks) / len(q.talks)
    return scores


def run(
    assistant: Assistant,
    questions: list[Question],
    corpus_dir: Path,
    mode: AnswerMode = "extractive",
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    rows = []
    for n, q in enumerate(questions, 1):
        try:
            answer_obj, retrieval = assistant.ask(q.question, mode=mode)
            answer = answer_obj.to_dict()
            ranked = m.ranked_talks(retrieval.hits)
            error = None
        except RecapqaError as exc:
            answer = {
                "question": q.question,
                "answer": "",
                "abstained": True,
                "mode": mode,
                "fallback_reason": None,
                "citations": [],
                "timings_ms": {},
            }
            ranked, error = [], exc.message
        rows.append(
            {
                **q.to_dict(),
                **answer,
                "question": q.question,
                "retrieved_talks": [tid for tid, _ in ranked],
                "retrieved_titles": [title for _, title in ranked],
                "error": error,
                "scores": score_row(q, answer, ranked, corpus_dir),
            }
        )
        if progress:
            progress(n, len(questions))
    return rows


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Every metric from the rows alone, so results.jsonl reproduces summary.json."""
    answerable = [r for r in rows if r["answerable"]]
    with_gold = [r for r in answerable if r["talks"]]

    def avg(key: str, subset: list[dict[str, Any]]) -> float | None:
        return m.mean([float(r["scores"][key]) for r in subset if r["scores"][key] is not None])

    n_cit = sum(r["scores"]["citations"] for r in with_gold)
    latency = {}
    for stage in ("retrieve", "answer", "total"):
        values = [r["timings_ms"][stage] for r in rows if stage in r.get("timings_ms", {})]
        latency[stage] = {"p50": m.percentile(values, 50), "p95": m.percentile(values, 95)}
    return {
        "counts": {
            "questions": len(rows),
            "answerable": len(answerable),
            "unanswerable": len(rows) - len(answerable),
            "with_gold_talks": len(with_gold),
            "errors": sum(1 for r in rows if r.get("error")),
        },
        "retrieval": {k: avg(k, with_gold) for k in ("hit@1", "hit@5", "mrr@5", "ndcg@5")},
        "citations": {
            "precision": _ratio(sum(r["scores"]["gold_citations"] for r in with_gold), n_cit),
            "first_citation_accuracy": avg("first_citation_correct", with_gold),
            "verbatim_rate": _ratio(
                sum(r["scores"]["verbatim_citations"] for r in rows), sum(r["scores"]["citations"] for r in rows)
            ),
        },
        "answers": {"fact_hit": avg("fact_hit", answerable), "f1": avg("f1", answerable)},
        "abstention": m.abstention_scores([r["abstained"] for r in rows], [r["answerable"] for r in rows]),
        "gist": {
            k: avg(k, [r for r in rows if k in r["scores"]])
            for k in ("key_point_recall", "sentences", "talk_precision", "talk_recall")
        },
        "latency_ms": latency,
    }


def summarize_all(rows: list[dict[str, Any]]) -> dict[str, Any]:
    splits = sorted({r["split"] for r in rows})
    summary = {"overall": summarize(rows)}
    if len(splits) > 1:
        summary["by_split"] = {s: summarize([r for r in rows if r["split"] == s]) for s in splits}
    shapes = sorted({r["shape"] for r in rows if r.get("shape")})
    if shapes:
        summary["by_shape"] = {s: summarize([r for r in rows if r.get("shape") == s]) for s in shapes}
    collections = sorted({r["collection"] for r in rows if r.get("collection")})
    if collections:
        summary["by_collection"] = {c: summarize([r for r in rows if r.get("collection") == c]) for c in collections}
    return summary


def collections(questions: list[Question]) -> list[str | None]:
    """The corpus subfolders the questions name, in order (None: the corpus folder itself)."""
    return list(dict.fromkeys(q.collection for q in questions))


def run_collections(
    open_assistant: Callable[[str | None], Assistant],
    questions: list[Question],
    corpus_of: Callable[[str | None], Path],
    mode: AnswerMode = "extractive",
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """Each collection against its own index (`open_assistant(collection)`), rows in question
    order; `corpus_of(collection)` is the folder of its notes (None: the main corpus)."""
    rows: list[dict[str, Any]] = []
    done = 0
    missing = [c for c in collections(questions) if not corpus_of(c).is_dir()]
    if missing:  # before any index is built
        raise RecapqaError(
            f"the questions name collection '{missing[0]}', which is not a folder of the collections",
            "pass --collections DIR: the folder holding one subfolder per collection",
        )
    for collection in collections(questions):
        subset = [q for q in questions if q.collection == collection]
        folder = corpus_of(collection)

        def step(n: int, _total: int, base: int = done) -> None:
            if progress:
                progress(base + n, len(questions))

        rows += run(open_assistant(collection), subset, folder, mode=mode, progress=step)
        done += len(subset)
    order = {q.id: n for n, q in enumerate(questions)}
    return sorted(rows, key=lambda r: order[r["id"]])


def run_question_set(
    settings: Settings,
    questions: list[Question],
    collections_dir: Path | None,
    mode: AnswerMode = "extractive",
    progress: Progress | None = None,
    notify: Callable[[str], None] | None = None,
) -> list[dict[str, Any]]:
    """A question set over the settings' corpus, or, for questions naming a collection, over
    that subfolder of `collections_dir` (default: the corpus folder) with its own index under
    the settings' index folder (`collections/<name>`)."""
    root = collections_dir or settings.corpus_dir

    def corpus_of(collection: str | None) -> Path:
        return root / collection if collection else settings.corpus_dir

    def open_assistant(collection: str | None) -> Assistant:
        if collection is None:
            return Assistant.open(settings, notify=notify)
        scoped = settings.model_copy(
            update={"corpus_dir": corpus_of(collection), "index_dir": settings.index_dir / "collections" / collection}
        )
        return Assistant.open(scoped, notify=notify)

    return run_collections(open_assistant, questions, corpus_of, mode=mode, progress=progress)
