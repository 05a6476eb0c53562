"""Are two eval runs' answers the same? Compares the `results.jsonl` of two `recapqa eval`
runs row by row (same question ids, in order), every field except timings; prints the
count of rows compared and of rows differing, with the first differences.

    python bench/same_answers.py RUN_A/results.jsonl RUN_B/results.jsonl
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

TIMINGS = {"timings_ms", "latency_ms", "seconds"}


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in TIMINGS}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def compare(one: Path, other: Path) -> tuple[int, list[str]]:
    rows_a = [json.loads(line) for line in one.read_text().splitlines() if line.strip()]
    rows_b = [json.loads(line) for line in other.read_text().splitlines() if line.strip()]
    if [r["id"] for r in rows_a] != [r["id"] for r in rows_b]:
        return len(rows_a), ["the two runs hold different questions"]
    differing = []
    for a, b in zip(rows_a, rows_b, strict=True):
        sa, sb = _strip(a), _strip(b)
        if sa != sb:
            keys = sorted(k for k in set(sa) | set(sb) if sa.get(k) != sb.get(k))
            differing.append(f"{a['id']}: {', '.join(keys)}")
    return len(rows_a), differing


if __name__ == "__main__":
    count, differing = compare(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"{count} rows compared, {len(differing)} differ")
    for line in differing[:20]:
        print(" ", line)
    sys.exit(1 if differing else 0)
