"""Tune the extractive answerer's weights and abstention threshold on the dev split.

    .venv/bin/python eval/tune_extractive.py [--split dev] [--retrieval]

With --retrieval it sweeps the retrieval knobs instead (top_k, rrf_k, talk_boost,
max_chunks_per_talk) with the current weights and threshold, ranking settings by the same
objective plus talk-level hit@1.

Features are computed once per question; every weight setting of a small grid rescores
them, the threshold is set to the value that best trades abstention recall against false
abstentions (at most 5%), and settings are ranked by fact hit + first-citation accuracy +
abstention recall - 3 x false-abstention rate. Prints the best settings; copy them into
`Weights` (answer/extractive.py) and `abstain_threshold` (settings.py), then run `make eval`
and update eval/BASELINE.md.
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import replace
from pathlib import Path

from recapqa.answer.extractive import Weights, confidence
from recapqa.evaluate import metrics as m
from recapqa.evaluate.questions import load_questions
from recapqa.pipeline import Assistant
from recapqa.settings import get_settings

GRID = {
    "dense": [0.4, 0.55, 0.7],
    "cover": [0.3, 0.45, 0.6],
    "rank": [0.0, 0.1, 0.2],
    "kind": [0.06, 0.12, 0.2],
    "talk": [0.0, 0.08],
    "named": [0.0, 0.1, 0.2],
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=Path, default=Path("eval/questions.jsonl"))
    parser.add_argument("--split", default="dev")
    parser.add_argument("--max-false-abstention", type=float, default=0.05)
    parser.add_argument("--retrieval", action="store_true", help="sweep the retrieval knobs")
    args = parser.parse_args()
    if args.retrieval:
        sweep_retrieval(args)
        return
    settings = get_settings().model_copy(update={"abstain_threshold": float("-inf")})
    assistant = Assistant.open(settings)
    extractive = assistant.extractive
    extractive.settings = settings
    questions = [q for q in load_questions(args.questions) if args.split in ("all", q.split)]
    cached = []
    for q in questions:
        retrieval = assistant.retriever.retrieve(q.question)
        cached.append((q, retrieval, extractive.candidates(retrieval)))

    results = []
    for values in itertools.product(*GRID.values()):
        weights = Weights(**dict(zip(GRID, values, strict=True)))
        rows = []
        for q, retrieval, candidates in cached:
            rescored = sorted(
                (replace(c, score=weights.score(c.features)) for c in candidates), key=lambda c: (-c.score, c.row)
            )
            answer = extractive.answer_from(retrieval, rescored)
            best_score = confidence(rescored)
            first = answer.citations[0].talk if answer.citations else None
            rows.append(
                (
                    q,
                    best_score,
                    m.fact_hit(answer.answer, q.answers) and not answer.abstained,
                    bool(first and q.talks and m.relevance([(first.talk_id, first.title)], q.talks)[0]),
                )
            )
        results.append(score_setting(weights, rows, args.max_false_abstention))
    results.sort(key=lambda r: (-r[0], -r[3]["margin"]))
    for objective, weights, threshold, stats in results[:5]:
        print(f"objective {objective:.3f} threshold {threshold:.3f} {stats}\n  {weights}")


RETRIEVAL_GRID = {
    "top_k": [4, 6, 8],
    "rrf_k": [30, 60],
    "talk_boost": [0.0, 0.5, 1.0],
    "max_chunks_per_talk": [2, 3],
}


def sweep_retrieval(args: argparse.Namespace) -> None:
    base = get_settings()
    questions = [q for q in load_questions(args.questions) if args.split in ("all", q.split)]
    assistant = Assistant.open(base)
    results = []
    for values in itertools.product(*RETRIEVAL_GRID.values()):
        knobs = dict(zip(RETRIEVAL_GRID, values, strict=True))
        settings = base.model_copy(update=knobs)
        candidate = Assistant(assistant.index, settings, lambda: assistant._embedder())
        candidate._query_cache = assistant._query_cache  # same questions: embed once
        hit1 = fact = cite = abstain_ok = false = 0
        answerable = [q for q in questions if q.answerable]
        for q in questions:
            answer, retrieval = candidate.ask(q.question, mode="extractive")
            if not q.answerable:
                abstain_ok += answer.abstained
                continue
            false += answer.abstained
            fact += m.fact_hit(answer.answer, q.answers) and not answer.abstained
            if q.talks:
                first = retrieval.hits[0].talk
                hit1 += m.relevance([(first.talk_id, first.title)], q.talks)[0]
                c = answer.citations[0].talk if answer.citations else None
                cite += bool(c and m.relevance([(c.talk_id, c.title)], q.talks)[0])
        gold = sum(1 for q in answerable if q.talks)
        stats = {
            "hit@1": hit1 / gold,
            "fact_hit": fact / len(answerable),
            "first_citation": cite / gold,
            "abstain_recall": abstain_ok / max(1, len(questions) - len(answerable)),
            "false_abstention": false / len(answerable),
        }
        objective = sum(stats[k] for k in ("hit@1", "fact_hit", "first_citation", "abstain_recall"))
        results.append((objective - 3 * stats["false_abstention"], knobs, stats))
    results.sort(key=lambda r: -r[0])
    current = {k: getattr(base, k) for k in RETRIEVAL_GRID}
    for objective, knobs, stats in results[:5] + [r for r in results if r[1] == current]:
        label = " (current)" if knobs == current else ""
        print(f"objective {objective:.3f} {knobs}{label} { ({k: round(v, 3) for k, v in stats.items()}) }")
    print(f"{sum(r[0] == results[0][0] for r in results)} of {len(results)} settings tie for best")


def score_setting(weights: Weights, rows: list, max_false: float) -> tuple:  # type: ignore[type-arg]
    answerable = [r for r in rows if r[0].answerable]
    unanswerable = [r for r in rows if not r[0].answerable]
    gold = [r for r in answerable if r[0].talks]
    best = None
    levels = sorted({r[1] for r in rows})
    for lower, threshold in itertools.pairwise([levels[0] - 0.02, *levels]):
        false = sum(r[1] < threshold for r in answerable) / len(answerable)
        if false > max_false:
            break
        recall = sum(r[1] < threshold for r in unanswerable) / max(1, len(unanswerable))
        fact = sum(r[2] and r[1] >= threshold for r in answerable) / len(answerable)
        cite = sum(r[3] and r[1] >= threshold for r in gold) / max(1, len(gold))
        objective = fact + cite + recall - 3 * false
        margin = threshold - lower  # room on both sides of the midpoint threshold
        if best is None or (objective, margin) > (best[0], best[3]["margin"]):
            stats = {
                "fact_hit": round(fact, 3),
                "first_citation": round(cite, 3),
                "abstain_recall": round(recall, 3),
                "false_abstention": round(false, 3),
                "margin": round(margin, 4),
            }
            best = (objective, weights, (threshold + lower) / 2, stats)
    return best


if __name__ == "__main__":
    main()
