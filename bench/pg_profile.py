"""Where a PostgreSQL-backed worker spends its time: `serve`'s load path step by step, and
one question's time by kind of SQL and Python (issue 13, bench/SCALE.md).

    .venv/bin/python bench/pg_profile.py startup --out /tmp/h92/startup.json [--profile /tmp/h92/startup.prof]
    .venv/bin/python bench/pg_profile.py ask --questions 60 --out /tmp/h92/ask.json

With `RECAPQA_STORE=postgres`, `RECAPQA_DATABASE_URL`, `RECAPQA_DATABASE_SCHEMA`,
`RECAPQA_CORPUS_DIR` and `RECAPQA_INDEX_DIR` set, each run in a fresh process.

- `startup`: the steps `serve` takes before `/readyz` (api.state.Engine.load), each timed:
  the imports, the freshness check (`stale`: the manifest and every notes file stat-ed),
  `load_index`, the `Assistant` (corpus word tables, talk matcher, answerers) and the query
  encoder's warm-up; every SQL statement with its server round trip, its result's bytes and
  the Python time spent turning the result into objects (psycopg's JSON parsing).
- `ask`: warm, then eval questions one by one (`Assistant.ask`, extractive): per question,
  the time in each kind of SQL (dense, BM25 postings, row blocks, sentence vectors, other),
  with the round trip and the conversion apart, and the rest (Python); medians.

Not part of `make test`.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import re
import statistics
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
# what a statement is, from its text (first match)
KINDS = (
    ("dense_exact", re.compile(r"ORDER BY c\.embedding <#>")),
    ("dense_hnsw", re.compile(r"ORDER BY embedding <#>")),
    ("bm25_postings", re.compile(r"FROM \S+\.term\b")),
    ("row_blocks", re.compile(r"AS b\(segment, lo, hi\)")),
    ("vectors", re.compile(r"vector_send")),
    ("rows", re.compile(r"AS r\(segment, row_no, at\)")),
    ("talk_ids", re.compile(r"data->>'talk_id'")),
    ("generation", re.compile(r"\.generation\b")),
    ("segment", re.compile(r"\.segment\b")),
    ("gist", re.compile(r"\.gist\b")),
)

# the kinds a question's time is reported in
REPORTED = ("dense_exact", "dense_hnsw", "bm25_postings", "row_blocks", "rows", "vectors", "talk_ids", "other")


class Tracer:
    """Every psycopg statement: kind, execute seconds (the round trip: the server's work and
    the result's transfer), result bytes, and fetch seconds (turning it into Python)."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.on = True

    def install(self) -> None:
        import psycopg

        tracer, execute = self, psycopg.Cursor.execute
        fetchone, fetchall = psycopg.Cursor.fetchone, psycopg.Cursor.fetchall

        def traced_execute(cur: Any, query: Any, params: Any = None, **kw: Any) -> Any:
            started = time.perf_counter()
            out = execute(cur, query, params, **kw)
            took = time.perf_counter() - started
            if tracer.on:
                text = query if isinstance(query, str) else str(query)
                tracer.rows.append(
                    {
                        "kind": kind_of(text),
                        "sql": text[:90],
                        "execute_s": took,
                        "bytes": result_bytes(cur),
                        "fetch_s": 0.0,
                    }
                )
            return out

        def timed(fetch: Any) -> Any:
            def run(cur: Any, *a: Any, **kw: Any) -> Any:
                started = time.perf_counter()
                out = fetch(cur, *a, **kw)
                if tracer.on and tracer.rows:
                    tracer.rows[-1]["fetch_s"] += time.perf_counter() - started
                return out

            return run

        psycopg.Cursor.execute = traced_execute  # type: ignore[method-assign]
        psycopg.Cursor.fetchone = timed(fetchone)  # type: ignore[method-assign]
        psycopg.Cursor.fetchall = timed(fetchall)  # type: ignore[method-assign]

    def take(self) -> list[dict[str, Any]]:
        rows, self.rows = self.rows, []
        return rows


def kind_of(sql: str) -> str:
    return next((name for name, pattern in KINDS if pattern.search(sql)), "other")


def result_bytes(cur: Any) -> int:
    result = cur.pgresult
    if result is None:
        return 0
    cells = (result.get_value(r, c) for r in range(result.ntuples) for c in range(result.nfields))
    return sum(len(v) for v in cells if v is not None)


def by_kind(rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = defaultdict(lambda: {"queries": 0, "execute_s": 0.0, "fetch_s": 0.0, "bytes": 0})
    for row in rows:
        one = out[row["kind"]]
        one["queries"] += 1
        one["execute_s"] += row["execute_s"]
        one["fetch_s"] += row["fetch_s"]
        one["bytes"] += row["bytes"]
    return {k: {n: round(v, 4) for n, v in one.items()} for k, one in out.items()}


def startup(profile: Path | None) -> dict[str, Any]:
    """`Engine.load`'s steps, timed apart (the same calls, in the same order)."""
    steps: dict[str, Any] = {}
    started = time.perf_counter()
    from recapqa.api import app as _app  # noqa: F401  (what `serve` imports)
    from recapqa.api.state import Engine
    from recapqa.pipeline import Assistant
    from recapqa.settings import get_settings
    from recapqa.store import load_index
    from recapqa.store.build import stale

    steps["imports_s"] = time.perf_counter() - started
    tracer = Tracer()
    tracer.install()
    settings = get_settings()
    engine = Engine(settings)
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    for name, step in (
        ("stale", lambda: stale(settings.corpus_dir, settings.index_dir, settings)),
        ("load_index", lambda: load_index(settings.index_dir, settings)),
    ):
        started = time.perf_counter()
        found = step()
        steps[f"{name}_s"], steps[f"{name}_sql"] = time.perf_counter() - started, by_kind(tracer.take())
        if name == "stale" and found is not None:
            raise SystemExit(f"the index is not up to date ({found}): run `recapqa index` first")
    index = found
    started = time.perf_counter()
    assistant = Assistant(index, settings, engine._query_encoder(index.precision))
    steps["assistant_s"], steps["assistant_sql"] = time.perf_counter() - started, by_kind(tracer.take())
    started = time.perf_counter()
    assistant.warm()
    steps["warm_s"] = time.perf_counter() - started
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    steps["total_s"] = sum(v for k, v in steps.items() if k.endswith("_s"))
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in steps.items()}


def ask(count: int, ef_search: int | None = None) -> dict[str, Any]:
    from recapqa.pipeline import Assistant
    from recapqa.settings import get_settings

    lines = (REPO / "eval" / "questions.jsonl").read_text().splitlines()
    questions = list(dict.fromkeys(json.loads(line)["question"] for line in lines))[:count]
    tracer = Tracer()
    tracer.install()
    assistant = Assistant.open(get_settings().model_copy(update={"query_cache_size": 0}))
    if ef_search:  # dense search through the pgvector HNSW index (built over the chunk table) at this ef_search
        import recapqa.store.postgres_search as search_module

        assistant.index.store.kind = "approximate"
        search_module.default_ef_search = lambda: ef_search
    assistant.ask("warm up: what was said about testing?", mode="extractive")
    tracer.take()
    per: dict[str, list[float]] = defaultdict(list)
    for question in questions:
        started = time.perf_counter()
        _, retrieval = assistant.ask(question, mode="extractive")
        total = time.perf_counter() - started
        kinds = by_kind(tracer.take())
        sql = sum(k["execute_s"] + k["fetch_s"] for k in kinds.values())
        per["total_ms"].append(total * 1e3)
        per["sql_ms"].append(sql * 1e3)
        per["python_ms"].append((total - sql) * 1e3)
        per["queries"].append(sum(k["queries"] for k in kinds.values()))
        for name in REPORTED:
            one = kinds.get(name, {"execute_s": 0.0, "fetch_s": 0.0, "bytes": 0})
            per[f"{name}_ms"].append((one["execute_s"] + one["fetch_s"]) * 1e3)
            per[f"{name}_bytes"].append(one["bytes"])
        for name, ms in retrieval.timings_ms.items():
            per[f"retrieval.{name}_ms"].append(ms)
    medians = {k: round(statistics.median(v), 2) for k, v in per.items() if any(v)}
    return {"questions": len(questions), "ef_search": ef_search, "median": medians}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["startup", "ask"])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--profile", type=Path, help="startup: a cProfile dump of the load path")
    parser.add_argument("--questions", type=int, default=60)
    parser.add_argument("--ef-search", type=int, help="ask: dense search through the HNSW index at this ef_search")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    found = startup(args.profile) if args.what == "startup" else ask(args.questions, args.ef_search)
    line = json.dumps({"what": args.what, **found, "load1_start": round(load, 1), "load1_end": os.getloadavg()[0]})
    print(line, flush=True)
    with args.out.open("a") as out:
        out.write(line + "\n")


if __name__ == "__main__":
    main()
