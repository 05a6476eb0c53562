"""Serving from a PostgreSQL index that is already built (bench/pg_scale.py builds one from a
file index; `--fake-build` of bench/scale.py with `RECAPQA_STORE=postgres` builds one from a
corpus with hash-seeded vectors), each step in a fresh process:

    .venv/bin/python bench/pg_serve.py --corpus /tmp/h85/corpus-10000 --index /tmp/h85/pgindex \\
        --url 'postgresql://postgres:@/postgres?host=/tmp/h85/pgdata' --schema exact --out /tmp/h85/serve.jsonl

- in this process: `load_index` seconds, dense and BM25 search p50/p95 (100 eval questions, k 10);
- `recapqa serve` start-up until /readyz, RSS, warm POST /v1/ask p50/p95 with 1 client (100
  unique questions) and, with `--clients 8`, 8 clients (200);
- `serve --workers 2`: Pss and private memory per worker;
- a cold `recapqa ask`; `recapqa index` after one line appended to a file (`--edits` times).

The 1-minute load average goes with every figure (one JSON line per step, also appended to
`--out`). Not part of `make test`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).parent))
from pg_scale import EDIT, dense_search, measured
from scale import RECAPQA, workers_memory
from serve_load import run_load, start_server

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--schema", default="recapqa")
    parser.add_argument("--pgdata", type=Path, help="the server's data folder (its CPU is counted)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--port", type=int, default=8310)
    parser.add_argument("--clients", type=int, nargs="+", default=[1])
    parser.add_argument("--edits", type=int, default=3)
    parser.add_argument("--skip", nargs="*", default=[], help="steps not to run: search, serve, workers, cold, reindex")
    args = parser.parse_args()
    env = {
        **os.environ,
        "RECAPQA_CORPUS_DIR": str(args.corpus),
        "RECAPQA_INDEX_DIR": str(args.index),
        "RECAPQA_STORE": "postgres",
        "RECAPQA_DATABASE_URL": args.url,
        "RECAPQA_DATABASE_SCHEMA": args.schema,
        "HF_HUB_OFFLINE": "1",
    }
    lines = (REPO / "eval" / "questions.jsonl").read_text().splitlines()
    questions = list(dict.fromkeys(json.loads(line)["question"] for line in lines))[:100]
    pgdata = args.pgdata or Path(args.url.rsplit("host=", 1)[-1])

    def emit(step: str, row: dict[str, Any]) -> None:
        line = json.dumps({"step": step, **row, "load1": round(os.getloadavg()[0], 1)})
        print(line, flush=True)
        with args.out.open("a") as out:
            out.write(line + "\n")

    if "search" not in args.skip:
        started = time.perf_counter()
        found = dense_search(env, questions)[1]  # loads the index, then 100 dense and 100 BM25 searches
        emit("search", {**found, "whole_step_s": round(time.perf_counter() - started, 2)})
    if "serve" not in args.skip:
        os.environ.update(env)
        started = time.perf_counter()
        server = start_server(args.port, 1)
        row: dict[str, Any] = {"serve_startup_s": round(time.perf_counter() - started, 2)}
        try:
            for clients in args.clients:
                load = run_load(f"http://127.0.0.1:{args.port}", questions, clients, 100 * min(clients, 2), 300, True)
                row[f"ask_p50_ms_{clients}"], row[f"ask_p95_ms_{clients}"] = load["p50_ms"], load["p95_ms"]
                row[f"errors_{clients}"] = load["errors"]
            row["serve_rss_mib"] = round(psutil.Process(server.pid).memory_info().rss / 2**20, 1)
        finally:
            server.terminate()
            server.wait(30)
        emit("serve", row)
    if "workers" not in args.skip:
        os.environ.update(env)
        emit("workers", workers_memory(2, questions, args.port + 1))
    if "cold" not in args.skip:
        emit("cold", {"cold_ask_s": measured([RECAPQA, "ask", "--json", questions[0]], env, pgdata)[1]["wall_s"]})
    if "reindex" not in args.skip:
        files = sorted(args.corpus.rglob("*.md"))
        for n in range(args.edits):
            path = files[(n * 7 + 11) % len(files)]
            path.write_text(path.read_text() + EDIT)
            stdout, took = measured([RECAPQA, "index", "--json"], env, pgdata)
            report = json.loads(stdout)
            emit(f"edit{n + 1}", {**took, **{k: report[k] for k in ("embedded", "reused", "sentences_embedded")}})


if __name__ == "__main__":
    main()
