"""Cold one-shot answers against the cost of importing sentence-transformers.

    .venv/bin/python bench/cold_start.py [-n 10]

Runs, in one go and interleaved, N fresh processes of `recapqa ask --json "<question>"`
(the index is built first, outside the timing) and N fresh processes of
`python -c "import sentence_transformers"`; prints the median and p90 wall time of each
and the ratio of the medians.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

QUESTION = "How many models does Uber run in production?"


def timed(cmd: list[str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed: {result.stderr[-500:]}")
    return elapsed


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[round(0.9 * (len(ordered) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=10)
    parser.add_argument("--question", default=QUESTION)
    args = parser.parse_args()
    recapqa = str(Path(sys.executable).parent / "recapqa")
    subprocess.run([recapqa, "index"], check=True, capture_output=True)  # build outside the timing
    ask_cmd = [recapqa, "ask", "--json", args.question]
    import_cmd = [sys.executable, "-c", "import sentence_transformers"]
    timed(ask_cmd)  # one warm-up run of each: page cache, .pyc files
    timed(import_cmd)
    ask, imp = [], []
    for _ in range(args.n):
        ask.append(timed(ask_cmd))
        imp.append(timed(import_cmd))
    print(f"{args.n} fresh processes each, interleaved")
    print(f"{'command':<36} {'median s':>9} {'p90 s':>7}")
    print(f"{'recapqa ask --json (cold)':<36} {statistics.median(ask):>9.3f} {p90(ask):>7.3f}")
    print(f"{'python -c import sentence_transformers':<36} {statistics.median(imp):>9.3f} {p90(imp):>7.3f}")
    print(f"ratio of medians (ask / import): {statistics.median(ask) / statistics.median(imp):.3f}")


if __name__ == "__main__":
    main()
