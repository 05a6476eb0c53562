"""Warm `/v1/ask` latency over an existing index: `serve` start-up, the first 10 questions,
then p50/p95 of 100 unique fact questions from eval/questions.jsonl, 1 client (gist kinds are
left out: their first use reads every segment's gist rows, seconds at 10k files, bench/SCALE.md).

    RECAPQA_CORPUS_DIR=… RECAPQA_INDEX_DIR=… .venv/bin/python bench/warm_facts.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

from serve_load import free_port, run_load, start_server

from recapqa.answer.kinds import GIST_KINDS, kind_of

QUESTIONS = Path(__file__).resolve().parents[1] / "eval" / "questions.jsonl"


def one_run() -> dict[str, object]:
    asked = [json.loads(line)["question"] for line in QUESTIONS.read_text().splitlines() if line.strip()]
    facts = [q for q in asked if kind_of(q) not in GIST_KINDS]
    port = free_port()
    load = os.getloadavg()[0]
    started = time.perf_counter()
    server = start_server(port, 1)
    startup = time.perf_counter() - started
    try:
        url = f"http://127.0.0.1:{port}"
        first = run_load(url, facts[:10], 1, 10, 300, unique=True)
        warm = run_load(url, facts, 1, 100, 600, unique=True)
    finally:
        server.terminate()
        server.wait(30)
    return {"startup_s": round(startup, 2), "load": load, "first10_p50_ms": first["p50_ms"], **warm}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    runs = [one_run() for _ in range(parser.parse_args().runs)]
    for run in runs:
        print(json.dumps(run))
    for key in ("startup_s", "p50_ms", "p95_ms"):
        print(f"median {key}: {statistics.median(float(str(r[key])) for r in runs):.2f}")


if __name__ == "__main__":
    main()
