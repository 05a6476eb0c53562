"""Per-stage medians of one warm process over the eval questions (extractive mode).

    .venv/bin/python bench/warm_path.py [--repeat 3]

Prints medians and p90 in milliseconds and each stage's share of the total; times are from
this run only, compare ratios rather than absolute numbers across machines.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from recapqa.pipeline import Assistant
from recapqa.settings import get_settings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=Path, default=Path("eval/questions.jsonl"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    questions = [json.loads(line)["question"] for line in args.questions.read_text().splitlines() if line.strip()]
    # no query-embedding cache: every run pays for the embedding, as a new question does
    assistant = Assistant.open(get_settings().model_copy(update={"query_cache_size": 0}))
    assistant.ask(questions[0], mode="extractive")  # load the model, warm caches
    stages: dict[str, list[float]] = {}
    for _ in range(args.repeat):
        for question in questions:
            started = time.perf_counter()
            answer, retrieval = assistant.ask(question, mode="extractive")
            total = (time.perf_counter() - started) * 1e3
            for name, ms in {**retrieval.timings_ms, "answer": answer.timings_ms["answer"], "total": total}.items():
                stages.setdefault(name, []).append(ms)
    total_median = statistics.median(stages["total"])
    print(f"{len(questions)} questions x {args.repeat} runs, extractive mode")
    print(f"{'stage':<8} {'median ms':>10} {'p90 ms':>8} {'share':>7}")
    for name in ("embed", "dense", "bm25", "fusion", "answer", "total"):
        values = sorted(stages[name])
        p90 = values[int(0.9 * (len(values) - 1))]
        median = statistics.median(values)
        print(f"{name:<8} {median:>10.2f} {p90:>8.2f} {median / total_median:>7.1%}")


if __name__ == "__main__":
    main()
