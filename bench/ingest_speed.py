"""Ingestion speed: notes parsed and chunked per second, this tree against another revision.

    .venv/bin/python bench/ingest_speed.py [--against REV] [--runs 7]

Parses and chunks the default corpus and every ../shared/corpora collection (no embedding:
that cost does not depend on the parser), median of N runs, in fresh subprocesses for
each tree so imports are counted once and alike. With --against, the other revision is
checked out in a temporary git worktree and run on the files both versions read.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPORA = REPO.parent / "shared" / "corpora"
OLD_SUFFIXES = {".txt", ".md", ".html"}  # what the first version read

MEASURE = r"""
import json, shutil, statistics, sys, tempfile, time
from pathlib import Path
from recapqa.ingest import load_corpus
from recapqa.chunking import chunk_document
dirs, suffixes, runs = json.loads(sys.argv[1])
work = Path(tempfile.mkdtemp())
size = 0
for n, d in enumerate(dirs):  # copy only the file types both versions read
    for p in Path(d).rglob("*"):
        if p.is_file() and p.suffix.lower() in suffixes and p.name.lower() not in ("readme.md", "license"):
            target = work / str(n) / p.relative_to(d)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(p, target)
            size += p.stat().st_size
times = []
for _ in range(runs):
    start = time.perf_counter()
    talks = chunks = 0
    for folder in sorted(work.iterdir()):
        corpus = load_corpus(folder)
        talks += len(corpus.talks)
        chunks += sum(len(chunk_document(doc, 180, 40)) for doc in corpus.documents)
    times.append(time.perf_counter() - start)
print(json.dumps({"bytes": size, "median_s": statistics.median(times), "talks": talks, "chunks": chunks}))
"""


def measure(src: Path, dirs: list[Path], suffixes: set[str], runs: int) -> dict:
    arg = json.dumps([[str(d) for d in dirs], sorted(suffixes), runs])
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, arg],
        env={"PYTHONPATH": str(src), "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--against", help="a git revision to compare with (e.g. f5d1e20)")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    dirs = [REPO / "corpus", *sorted(p for p in CORPORA.iterdir() if p.is_dir())]
    now_all = measure(REPO / "src", dirs, {".txt", ".md", ".html", ".rst", ".article", ".yaml"}, args.runs)
    print(
        f"this tree, all formats: {now_all['bytes'] / 1e3:.0f} KB, {now_all['talks']} talks, "
        f"{now_all['chunks']} chunks, median {now_all['median_s'] * 1e3:.0f} ms "
        f"({now_all['bytes'] / 1e6 / now_all['median_s']:.2f} MB/s)"
    )
    if not args.against:
        return
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "old"
        subprocess.run(
            ["git", "-C", str(REPO), "worktree", "add", "--detach", str(tree), args.against],
            check=True,
            capture_output=True,
        )
        try:
            old = measure(tree / "src", dirs, OLD_SUFFIXES, args.runs)
            new = measure(REPO / "src", dirs, OLD_SUFFIXES, args.runs)
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)], check=True)
    print(f"same files ({', '.join(sorted(OLD_SUFFIXES))}, {new['bytes'] / 1e3:.0f} KB), median of {args.runs}:")
    for name, r in ((args.against, old), ("this tree", new)):
        print(
            f"  {name:>10}: {r['median_s'] * 1e3:7.1f} ms  {r['bytes'] / 1e6 / r['median_s']:.2f} MB/s  "
            f"{r['talks']} talks  {r['chunks']} chunks"
        )
    print(f"ratio (this tree / {args.against}): {new['median_s'] / old['median_s']:.2f}")


if __name__ == "__main__":
    main()
