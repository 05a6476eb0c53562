"""How recapqa behaves on thousands of note files, and dense search on a million vectors.

    .venv/bin/python bench/scale.py [--files 1000 10000] [--vectors 1000000] [--embed-sample 256]
                                    [--write bench/SCALE.md]

1. Embedding throughput: sentence-transformers against the ONNX batch embedder on the same
   sample of real chunks (chunks/s each, and the ratio).
2. For each corpus size: a synthetic corpus recombined from the real notes (`corpus/` and
   `../shared/corpora`): every file gets new talk headings and speakers, and paragraphs made
   of sentences drawn across all notes with words and numbers varied, so nothing repeats
   verbatim (~7 KB a file). Then, in fresh processes: `recapqa index --json` (time, chunks/s,
   sentences/s, peak RSS), the index size, `recapqa serve` start-up (until /readyz), warm
   POST /v1/ask p50/p95 with 1 and 8 clients (unique questions: no cache), one cold
   `recapqa ask`, and `recapqa index` after one file changed.
3. Vectors only: N embedding-like unit vectors (intrinsic dimension 32, see
   tests/store/test_vectors.py), exact FAISS against HNSW: build time, query latency,
   recall@10; and HNSW recall on pure random unit vectors for comparison.

Takes long (the 1k-file build is ~15 minutes on 2 cores): never part of `make test`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).parent))
from serve_load import free_port, run_load, start_server

REPO = Path(__file__).resolve().parents[1]
RECAPQA = str(Path(sys.executable).parent / "recapqa")
FIRST = "Ana Ben Chen Dara Eli Fatima Gus Hana Ivan Jo Kemal Lena Mo Nia Omar Pia Raj Sara Tom Uma Vic Wen Yara Zoe"
LAST = "Abe Berg Costa Diaz Evans Fox Garcia Hill Ito Jones Khan Lopez Moss Novak Ortiz Park Quinn Rossi Singh Tran"
COMPANIES = "Acme Globex Initech Umbrella Hooli Stark Wayne Tyrell Cyberdyne Soylent Wonka Aperture Oscorp Vandelay"


def sentence_pool() -> tuple[list[str], list[str]]:
    from recapqa.ingest import load_corpus
    from recapqa.sentences import document_sentences

    sentences, titles = [], []
    folders = [REPO / "corpus", *sorted(p for p in (REPO.parent / "shared" / "corpora").iterdir() if p.is_dir())]
    for folder in folders:
        corpus = load_corpus(folder)
        titles += [t.title for t in corpus.talks if t.kind == "talk"]
        for doc in corpus.documents:
            sentences += [s.text for s in document_sentences(doc) if 30 <= len(s.text) <= 400]
    return sentences, titles


def vary(sentence: str, rng: random.Random, words: list[str]) -> str:
    """Numbers changed and one word swapped: the text reads like notes, but is new."""
    text = re.sub(r"\d+", lambda m: str(rng.randint(2, 999)), sentence)
    tokens = text.split(" ")
    if len(tokens) > 4:
        tokens[rng.randrange(1, len(tokens))] = rng.choice(words)
    return " ".join(tokens)


def make_corpus(target: Path, files: int, seed: int = 13) -> None:
    rng = random.Random(seed)
    sentences, titles = sentence_pool()
    words = [w for s in sentences for w in s.split() if w.isalpha() and len(w) > 4]
    target.mkdir(parents=True, exist_ok=True)
    for n in range(files):
        parts = [f"# Conference {n % 97} — {2015 + n % 11} notes\n"]
        for _ in range(rng.randint(2, 4)):
            title = " ".join(rng.choice(titles).split()[:6]) + f" ({rng.choice(COMPANIES.split())} edition {n})"
            speaker = f"{rng.choice(FIRST.split())} {rng.choice(LAST.split())}"
            parts.append(f"\n## {title} - {speaker}, Engineer, {rng.choice(COMPANIES.split())}\n")
            for _ in range(rng.randint(3, 6)):
                parts.append(" ".join(vary(rng.choice(sentences), rng, words) for _ in range(rng.randint(2, 5))) + "\n")
        text = "\n".join(parts)
        while len(text.encode()) < 6500:
            text += "\n" + " ".join(vary(rng.choice(sentences), rng, words) for _ in range(4)) + "\n"
        sub = target / f"year-{2015 + n % 11}"
        sub.mkdir(exist_ok=True)
        (sub / f"notes-{n:05d}.md").write_text(text, encoding="utf-8")


def run_measured(args: list[str], env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], float, float]:
    """A command in a fresh process: its result, wall seconds and peak RSS (MiB, polled)."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak, watched = 0, psutil.Process(proc.pid)
    while proc.poll() is None:
        with contextlib.suppress(psutil.Error):  # between its start and its first page
            peak = max(peak, watched.memory_info().rss)
        time.sleep(0.2)
    out, err = proc.communicate()
    done = subprocess.CompletedProcess(args, proc.returncode, out, err)
    if proc.returncode:
        raise SystemExit(f"{' '.join(args[:3])} failed: {err[-2000:]}")
    return done, time.perf_counter() - started, peak / 2**20


def folder_mib(folder: Path) -> float:
    """The index's own files: not the ONNX query encoder (87 MiB, linked from the machine's cache)."""
    files = (p for p in folder.rglob("*") if p.is_file() and not p.parent.name.startswith("encoder-"))
    return sum(p.stat().st_size for p in files) / 2**20


def corpus_run(files: int, root: Path, questions: list[str]) -> dict[str, object]:
    corpus, index = root / f"corpus-{files}", root / f"index-{files}"
    make_corpus(corpus, files)
    env = {**os.environ, "RECAPQA_CORPUS_DIR": str(corpus), "RECAPQA_INDEX_DIR": str(index), "HF_HUB_OFFLINE": "1"}
    built, seconds, rss = run_measured([RECAPQA, "index", "--json"], env)
    report = json.loads(built.stdout)
    row: dict[str, object] = {
        "files": files,
        "chunks": report["chunks"],
        "sentences_embedded": report["sentences_embedded"],
        "build_s": seconds,
        "chunks_per_s": report["chunks"] / seconds,
        "texts_per_s": (report["embedded"] + report["sentences_embedded"]) / seconds,
        "build_peak_rss_mib": rss,
        "index_mib": folder_mib(index),
    }
    port = free_port()
    os.environ.update({k: env[k] for k in ("RECAPQA_CORPUS_DIR", "RECAPQA_INDEX_DIR")})
    started = time.perf_counter()
    server = start_server(port, 1)
    row["serve_startup_s"] = time.perf_counter() - started
    try:
        row["serve_rss_mib"] = psutil.Process(server.pid).memory_info().rss / 2**20
        url = f"http://127.0.0.1:{port}"
        for clients, requests in ((1, 100), (8, 200)):
            load = run_load(url, questions, clients, requests, 120, unique=True)
            row[f"ask_p50_ms_{clients}"], row[f"ask_p95_ms_{clients}"] = load["p50_ms"], load["p95_ms"]
            row[f"errors_{clients}"] = load["errors"]
    finally:
        server.terminate()
        server.wait(30)
    colds = [run_measured([RECAPQA, "ask", "--json", q], env)[1] for q in questions[:3]]
    row["cold_ask_s"] = statistics.median(colds)
    edited = next(corpus.rglob("*.md"))
    edited.write_text(edited.read_text() + "\nOne more line: the speaker said 42 teams use it.\n")
    again, seconds, _ = run_measured([RECAPQA, "index", "--json"], env)
    row["reindex_one_file_s"] = seconds
    row["reindex_embedded"] = json.loads(again.stdout)["embedded"]
    return row


def embed_compare(sample: int) -> dict[str, float]:
    from recapqa.chunking import chunk_document
    from recapqa.embed.onnx_batch import OnnxBatchEmbedder
    from recapqa.embed.sentence_transformer import SentenceTransformerEmbedder
    from recapqa.ingest import load_corpus
    from recapqa.settings import get_settings

    texts: list[str] = []
    for folder in [REPO / "corpus", *sorted(p for p in (REPO.parent / "shared" / "corpora").iterdir() if p.is_dir())]:
        texts += [c.embed_text for d in load_corpus(folder).documents for c in chunk_document(d, 180, 40)]
    texts = texts[:sample]
    out = {"chunks": float(len(texts))}
    for name, embedder in (
        ("sentence-transformers", SentenceTransformerEmbedder.shared()),
        ("onnx", OnnxBatchEmbedder.shared(get_settings().cache_dir)),
    ):
        embedder.embed(texts[:8])  # warm
        started = time.perf_counter()
        for start in range(0, len(texts), 256):
            embedder.embed(texts[start : start + 256])
        out[name] = len(texts) / (time.perf_counter() - started)
    return out


def _draw(rng: np.random.Generator, n: int, rank: int) -> np.ndarray:
    """Unit vectors; with `rank`, of that intrinsic dimension (a fixed random basis)."""
    x = rng.standard_normal((n, rank or 384)).astype(np.float32)
    if rank:
        x = x @ np.random.default_rng(0).standard_normal((rank, 384)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def vectors_run(count: int, queries: int = 200) -> list[dict[str, object]]:
    import faiss

    from recapqa.store.vectors import FaissStore

    rows = []
    for name, rank in (("embedding-like", 32), ("random", 0)):
        size = count if rank else min(count, 100_000)  # random data: HNSW recall collapses; smaller run
        rng = np.random.default_rng(1)
        data = np.concatenate([_draw(rng, min(100_000, size - s), rank) for s in range(0, size, 100_000)])
        query = _draw(rng, queries, rank)
        exact = FaissStore.for_size(384, size, 0)
        exact.add(data)
        started = time.perf_counter()
        truth = np.stack([exact.search_many(q[None, :], 10)[0] for q in query])
        exact_ms = (time.perf_counter() - started) / queries * 1e3
        hnsw = FaissStore.for_size(384, size, 1)
        started = time.perf_counter()
        hnsw.add(data)
        build_s = time.perf_counter() - started
        started = time.perf_counter()
        found = np.stack([hnsw.search_many(q[None, :], 10)[0] for q in query])
        hnsw_ms = (time.perf_counter() - started) / queries * 1e3
        recall = float(np.mean([len(set(t) & set(f)) / 10 for t, f in zip(truth, found, strict=True)]))
        rows.append(
            {
                "data": name,
                "vectors": size,
                "exact_ms": exact_ms,
                "hnsw_build_s": build_s,
                "hnsw_ms": hnsw_ms,
                "recall_at_10": recall,
                "faiss_threads": faiss.omp_get_max_threads(),
                "hnsw": hnsw.description,
            }
        )
        print(rows[-1], flush=True)
        del data, exact, hnsw
    return rows


def machine() -> str:
    lines = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in lines if "model name" in line), "?")
    mem = psutil.virtual_memory().total / 2**30
    load = os.getloadavg()[0]
    return f"{platform.node()}: {os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, load average {load:.1f} at start"


TARGETS = {"ask_p50_ms_1": 30.0, "serve_startup_s": 5.0, "reindex_one_file_s": 10.0}  # issue 13, at 10k files


def render(results: dict[str, Any]) -> str:
    """bench/SCALE.md: the tables of one run."""
    lines = [
        "# Scale",
        "",
        f"`bench/scale.py`, {results['date']}. Machine: {results['machine']}.",
        "",
    ]
    if "embedding" in results:
        e = results["embedding"]
        lines += [
            "## Indexing throughput (same real chunks, same process)",
            "",
            "| embedder | chunks/s |",
            "|---|---:|",
            f"| sentence-transformers (before) | {e['sentence-transformers']:.1f} |",
            f"| ONNX export, batched by length, one run per core (after) | {e['onnx']:.1f} |",
            f"| ratio | {e['onnx'] / e['sentence-transformers']:.2f}x |",
            "",
            f"{int(e['chunks'])} chunks of the default corpus and ../shared/corpora.",
            "",
        ]
    if results.get("corpora"):
        cols = [
            ("files", "files", "{:d}"),
            ("chunks", "chunks", "{:d}"),
            ("build_s", "build s", "{:.0f}"),
            ("chunks_per_s", "chunks/s", "{:.1f}"),
            ("texts_per_s", "texts/s (chunks + sentences)", "{:.1f}"),
            ("build_peak_rss_mib", "build peak RSS MiB", "{:.0f}"),
            ("index_mib", "index MiB", "{:.0f}"),
            ("serve_startup_s", "serve start-up s", "{:.1f}"),
            ("serve_rss_mib", "serve RSS MiB", "{:.0f}"),
            ("ask_p50_ms_1", "ask p50 ms (1 client)", "{:.1f}"),
            ("ask_p95_ms_1", "p95 (1)", "{:.1f}"),
            ("ask_p50_ms_8", "p50 (8 clients)", "{:.1f}"),
            ("ask_p95_ms_8", "p95 (8)", "{:.1f}"),
            ("cold_ask_s", "cold ask s", "{:.2f}"),
            ("reindex_one_file_s", "re-index, 1 file changed, s", "{:.1f}"),
        ]
        lines += ["## Synthetic corpora", "", "| " + " | ".join(c[1] for c in cols) + " |"]
        lines += ["|" + "---:|" * len(cols)]
        for row in results["corpora"]:
            lines.append("| " + " | ".join(fmt.format(row[key]) for key, _, fmt in cols) + " |")
        lines += ["", f"Targets at 10k files: {TARGETS}.", ""]
    if results.get("vectors"):
        lines += [
            "## Vectors only: exact FAISS against HNSW, 200 queries, k = 10",
            "",
            "| data | vectors | exact ms/query | HNSW build s | HNSW ms/query | recall@10 |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for v in results["vectors"]:
            lines.append(
                f"| {v['data']} | {v['vectors']:,} | {v['exact_ms']:.1f} | {v['hnsw_build_s']:.0f} | "
                f"{v['hnsw_ms']:.2f} | {v['recall_at_10']:.3f} |"
            )
        lines += ["", f"HNSW: {results['vectors'][0]['hnsw']}.", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--vectors", type=int, default=1_000_000)
    parser.add_argument("--embed-sample", type=int, default=256)
    parser.add_argument("--json", type=Path, default=Path(tempfile.gettempdir()) / "recapqa-scale.json")
    parser.add_argument("--write", type=Path, default=Path("bench/SCALE.md"), help="the tables, as Markdown")
    parser.add_argument("--render", type=Path, help="only write the tables of an earlier run's --json")
    args = parser.parse_args()
    if args.render:
        args.write.write_text(render(json.loads(args.render.read_text())))
        return
    results: dict[str, object] = {"machine": machine(), "date": time.strftime("%Y-%m-%d")}
    if args.embed_sample:
        results["embedding"] = embed_compare(args.embed_sample)
        print(results["embedding"], flush=True)
    questions = [json.loads(line)["question"] for line in (REPO / "eval" / "questions.jsonl").read_text().splitlines()]
    root = Path(tempfile.mkdtemp(prefix="recapqa-scale-"))
    try:
        runs = []
        for files in args.files:
            runs.append(corpus_run(files, root, questions))
            print(runs[-1], flush=True)
            results["corpora"] = runs
            args.json.write_text(json.dumps(results, indent=1))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    if args.vectors:
        results["vectors"] = vectors_run(args.vectors)
    args.json.write_text(json.dumps(results, indent=1))
    args.write.write_text(render(results))
    print(render(results))


if __name__ == "__main__":
    main()
