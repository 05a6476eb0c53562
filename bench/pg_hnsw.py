"""pgvector HNSW against exact search in SQL on a PostgreSQL index's own chunk table, with
`shared_buffers` below and above the graph's size (issue 13, bench/SCALE.md).

    .venv/bin/python bench/pg_hnsw.py --url 'postgresql://postgres:@/postgres?host=/tmp/h92/pgdata' \\
        --schema exact --pgdata /tmp/h92/pgdata --out /tmp/h92/hnsw.jsonl [--replace-vectors]

Destructive on that schema: with `--replace-vectors` every chunk vector is replaced by an
embedding-like unit vector (intrinsic dimension 32, as the 1M-vector run of bench/scale.py),
for indexes built with hash-seeded vectors (`scale.py --fake-embed`: no neighbourhood
structure, so no recall figure would mean anything); queries are drawn from the same
distribution. Then the HNSW graph is built as the store builds it (m, ef_construction of
store/postgres.py; `maintenance_work_mem` 1 GB), and for each `shared_buffers` (the server
restarted with `ALTER SYSTEM`): exact search and HNSW at each `hnsw.ef_search`, through the
store's own SQL and settings (`PostgresVectorStore.search`, k 10, one query a call), after a
warm-up pass: p50/p95 ms, recall@10 against exact, and the shared-buffer hits and reads of
one query's plan. Never part of `make test`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from scale import _draw


def connect(url: str) -> Any:
    import psycopg

    return psycopg.connect(url, autocommit=True)


def replace_vectors(url: str, schema: str) -> int:
    """Every chunk vector replaced by an embedding-like one (seeded by its row), table rewritten."""
    from recapqa.store.postgres_sql import vector_literal

    with connect(url) as conn:
        keys = conn.execute(f'SELECT segment, row_no FROM "{schema}".chunk ORDER BY segment, row_no').fetchall()
        vectors = _draw(np.random.default_rng(7), len(keys), 32)
        conn.execute("CREATE TEMP TABLE v (segment bigint, row_no int, embedding vector(384))")
        with conn.cursor().copy("COPY v (segment, row_no, embedding) FROM STDIN") as copy:
            for (segment, row), vector in zip(keys, vectors, strict=True):
                copy.write_row((segment, row, vector_literal(vector)))
        conn.execute(
            f'UPDATE "{schema}".chunk c SET embedding = v.embedding FROM v '
            "WHERE c.segment = v.segment AND c.row_no = v.row_no"
        )
        conn.execute(f'DROP INDEX IF EXISTS "{schema}".chunk_hnsw')
        conn.execute(f'VACUUM FULL ANALYZE "{schema}".chunk')
    return len(keys)


def build_graph(url: str, schema: str) -> dict[str, Any]:
    from recapqa.store.postgres import HNSW_EF_CONSTRUCTION, HNSW_M

    with connect(url) as conn:
        found = conn.execute("SELECT to_regclass(%s)", (f'"{schema}".chunk_hnsw',)).fetchone()[0]
        if found is None:
            conn.execute("SET maintenance_work_mem = '1GB'")
            started = time.perf_counter()
            conn.execute(
                f'CREATE INDEX chunk_hnsw ON "{schema}".chunk USING hnsw (embedding vector_ip_ops) '
                f"WITH (m = {HNSW_M}, ef_construction = {HNSW_EF_CONSTRUCTION})"
            )
            built = round(time.perf_counter() - started, 1)
        else:
            built = None
        sizes = conn.execute(
            "SELECT pg_relation_size(%s), pg_table_size(%s)", (f'"{schema}".chunk_hnsw', f'"{schema}".chunk')
        ).fetchone()
    return {
        "m": HNSW_M,
        "ef_construction": HNSW_EF_CONSTRUCTION,
        "build_s": built,
        "graph_mib": round(sizes[0] / 2**20, 1),
        "chunk_table_mib": round(sizes[1] / 2**20, 1),
    }


def restart(pgdata: Path, url: str, shared_buffers: str) -> str:
    from pgserver._commands import pg_ctl

    with connect(url) as conn:
        conn.execute(f"ALTER SYSTEM SET shared_buffers = '{shared_buffers}'")
    pg_ctl(["-w", "restart"], pgdata=pgdata, user="pgserver", timeout=120)
    with connect(url) as conn:
        return str(conn.execute("SHOW shared_buffers").fetchone()[0])


def plan_buffers(url: str, schema: str, store: Any, query: np.ndarray, hnsw: bool, ef: int) -> dict[str, int]:
    """Shared-buffer hits and reads of one search's plan (EXPLAIN ANALYZE, BUFFERS)."""
    from recapqa.store.postgres_sql import APPROXIMATE, EXACT, vector_literal

    sql = (APPROXIMATE if hnsw else EXACT).format(s=f'"{schema}"')
    params = {**store._params(q=vector_literal(query), k=10)}
    with connect(url) as conn, conn.transaction():
        if hnsw:
            conn.execute(f"SET LOCAL hnsw.ef_search = {ef}")
            conn.execute("SET LOCAL enable_seqscan = off")
            conn.execute("SET LOCAL hnsw.iterative_scan = strict_order")
        else:
            conn.execute("SET LOCAL enable_indexscan = off")
        plan = conn.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params).fetchone()[0][0]["Plan"]
    return {"hit": int(plan.get("Shared Hit Blocks", 0)), "read": int(plan.get("Shared Read Blocks", 0))}


def searches(store: Any, queries: np.ndarray) -> tuple[list[list[int]], list[float]]:
    rows, took = [], []
    for query in queries:
        started = time.perf_counter()
        rows.append([r for r, _ in store.search(query, 10)])
        took.append((time.perf_counter() - started) * 1e3)
    return rows, took


def measure(url: str, schema: str, queries: np.ndarray, efs: list[int], emit: Any, label: str) -> None:
    import recapqa.store.postgres_search as search_module
    from recapqa.settings import get_settings
    from recapqa.store import load_index

    settings = get_settings()
    index = load_index(settings.index_dir, settings)
    store = index.store
    store.kind = "exact"
    searches(store, queries[:20])  # the connection, and the table's pages into the buffers
    truth, took = searches(store, queries)
    emit(
        {
            "shared_buffers": label,
            "search": "exact",
            "p50_ms": round(statistics.median(took), 2),
            "p95_ms": round(float(np.percentile(took, 95)), 2),
            **plan_buffers(url, schema, store, queries[0], False, 0),
        }
    )
    store.kind = "approximate"
    for ef in efs:
        search_module.default_ef_search = lambda ef=ef: ef  # type: ignore[attr-defined]
        searches(store, queries)  # warm-up pass: the graph's pages read once
        found, took = searches(store, queries)
        recall = float(np.mean([len(set(t) & set(f)) / 10 for t, f in zip(truth, found, strict=True)]))
        emit(
            {
                "shared_buffers": label,
                "search": "hnsw",
                "ef_search": ef,
                "p50_ms": round(statistics.median(took), 2),
                "p95_ms": round(float(np.percentile(took, 95)), 2),
                "recall_at_10": round(recall, 4),
                **plan_buffers(url, schema, store, queries[0], True, ef),
            }
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--schema", required=True)
    parser.add_argument("--pgdata", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--replace-vectors", action="store_true")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--ef-search", type=int, nargs="+", default=[40, 100, 192])
    parser.add_argument("--shared-buffers", nargs="+", default=["128MB", "1GB"])
    args = parser.parse_args()

    def emit(row: dict[str, Any]) -> None:
        line = json.dumps({**row, "load1": round(os.getloadavg()[0], 1)})
        print(line, flush=True)
        with args.out.open("a") as out:
            out.write(line + "\n")

    if args.replace_vectors:
        started = time.perf_counter()
        emit(
            {
                "step": "replace_vectors",
                "chunks": replace_vectors(args.url, args.schema),
                "s": round(time.perf_counter() - started, 1),
            }
        )
    emit({"step": "graph", **build_graph(args.url, args.schema)})
    queries = _draw(np.random.default_rng(11), args.queries, 32)
    for size in args.shared_buffers:
        label = restart(args.pgdata, args.url, size)
        measure(args.url, args.schema, queries, args.ef_search, emit, label)


if __name__ == "__main__":
    main()
