"""How recapqa behaves on thousands of note files, and dense search on a million vectors.

    .venv/bin/python bench/scale.py [--files 1000 10000] [--vectors 1000000] [--embed-sample 256]
                                    [--ef-search 64 128 192 ...] [--hnsw-m 32 48] [--data random]
                                    [--write bench/SCALE.md] [--render earlier.json]
                                    [--fake-embed] [--root /tmp/keep-corpora]

1. Embedding throughput: sentence-transformers against the ONNX batch embedder on the same
   sample of real chunks (chunks/s each, and the ratio).
2. For each corpus size: a synthetic corpus recombined from the real notes (`corpus/` and
   `../shared/corpora`): every file gets new talk headings and speakers, and paragraphs made
   of sentences drawn across all notes with words and numbers varied, so nothing repeats
   verbatim (~7 KB a file). Then, in fresh processes: `recapqa index --json` (time, chunks/s,
   sentences/s, peak RSS), the index size, `recapqa serve` start-up (until /readyz), warm
   POST /v1/ask p50/p95 with 1 and 8 clients (unique questions: no cache), one cold
   `recapqa ask`, and `recapqa index` after one file changed (median of 3 files).
   `--fake-embed`: the first build uses hash-seeded vectors (`FakeEmbedder`), for sizes too
   large to embed here; what is measured then must not depend on the vectors (start-up,
   re-index, memory), and the run must be labelled so.
3. Vectors only: N embedding-like unit vectors (intrinsic dimension 32, see
   tests/store/test_vectors.py), exact FAISS against HNSW: each graph (--hnsw-m) built once
   and searched at every efSearch of the sweep (--ef-search; a search-time parameter):
   build time, ms/query, recall@10 against exact search; and the same on pure random unit
   vectors for comparison. The smallest efSearch with recall@10 >= 0.98 at 1M is the
   default of the `ann_ef_search` setting.

The Markdown written is merged into --write: the kinds of table this run measured replace
the same kinds there; other tables and the hand-written reading section stay.

Takes long (the 1k-file build is ~15 minutes on 2 cores): never part of `make test`.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
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
from serve_load import free_port, machine, run_load, start_server

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
    # output to files, not pipes: a pipe nobody reads while polling fills at 64 KiB and the
    # command blocks for ever (`index --json` on 10k files lists every file's dropped lines)
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(args, env=env, stdout=out, stderr=err, text=True)
        peak, watched = 0, psutil.Process(proc.pid)
        while proc.poll() is None:
            with contextlib.suppress(psutil.Error):  # between its start and its first page
                peak = max(peak, watched.memory_info().rss)
            time.sleep(0.2)
        out.seek(0)
        err.seek(0)
        done = subprocess.CompletedProcess(args, proc.returncode, out.read(), err.read())
    if proc.returncode:
        raise SystemExit(f"{' '.join(args[:3])} failed: {done.stderr[-2000:]}")
    return done, time.perf_counter() - started, peak / 2**20


def folder_mib(folder: Path) -> float:
    """The index's own files: not the ONNX query encoder (87 MiB, linked from the machine's cache)."""
    files = (p for p in folder.rglob("*") if p.is_file() and not p.parent.name.startswith("encoder-"))
    return sum(p.stat().st_size for p in files) / 2**20


def smaps_mib(pid: int) -> dict[str, float]:
    """/proc/PID/smaps_rollup in MiB: Pss (shared pages divided among the processes that
    map them) and private pages (this process's alone)."""
    fields: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        key, value = line.split(":", 1)
        fields[key.strip()] = int(value.split()[0]) / 1024
    return {"pss": fields["Pss"], "private": fields["Private_Clean"] + fields["Private_Dirty"], "rss": fields["Rss"]}


def workers_memory(workers: int, questions: list[str], port: int | None = None) -> dict[str, float]:
    """`serve --workers N` once every worker has loaded the index: Pss and private memory per
    worker (mean, MiB). The index's vectors are memory-mapped, so the page cache holds one
    copy for all workers: Pss counts it once, split among them."""
    import httpx

    port = port or free_port()
    server = start_server(port, workers)
    try:
        deadline = time.monotonic() + 300
        loaded: list[psutil.Process] = []
        while time.monotonic() < deadline and len(loaded) < workers:
            for q in questions[: 4 * workers]:  # requests reach every worker
                httpx.post(f"http://127.0.0.1:{port}/v1/ask", json={"question": q}, timeout=120)
            kids = psutil.Process(server.pid).children(recursive=True)
            loaded = [k for k in kids if smaps_mib(k.pid)["rss"] > 150]  # the index is loaded in it
        stats = [smaps_mib(k.pid) for k in loaded]
    finally:
        server.terminate()
        server.wait(30)
    if len(stats) < workers:
        raise SystemExit(f"only {len(stats)} of {workers} serve workers loaded the index")
    return {
        f"serve{workers}_pss_mib": statistics.mean(s["pss"] for s in stats),
        f"serve{workers}_private_mib": statistics.mean(s["private"] for s in stats),
    }


class FakeEmbedder:
    """Hash-seeded unit vectors with the configured model's name and dimension: the same
    text always gets the same vector. For measuring what does not depend on the vectors'
    values (start-up, re-index, memory) on corpora too large to embed here (`--fake-embed`);
    never for answer quality."""

    def __init__(self) -> None:
        from recapqa.embed import active_model

        model = active_model()
        self.name, self.dimension = model.name, model.dimension

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            seed = int.from_bytes(hashlib.sha1(text.encode()).digest()[:8], "little")
            out[row] = np.random.default_rng(seed).standard_normal(self.dimension)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def fake_build() -> None:
    """`recapqa index --json` with FakeEmbedder (run in a fresh process by --fake-embed)."""
    from recapqa.settings import get_settings
    from recapqa.store.build import build_index

    settings = get_settings()
    report = build_index(settings.corpus_dir, settings.index_dir, settings, FakeEmbedder)
    print(json.dumps(report.to_dict()))


def corpus_run(files: int, root: Path, questions: list[str], fake_embed: bool = False) -> dict[str, object]:
    corpus, index = root / f"corpus-{files}", root / f"index-{files}"
    if not corpus.is_dir():
        make_corpus(corpus, files)
    env = {**os.environ, "RECAPQA_CORPUS_DIR": str(corpus), "RECAPQA_INDEX_DIR": str(index), "HF_HUB_OFFLINE": "1"}
    build = [sys.executable, __file__, "--fake-build"] if fake_embed else [RECAPQA, "index", "--json"]
    built, seconds, rss = run_measured(build, env)
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
        "fake_embed": fake_embed,
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
    row.update(workers_memory(2, questions))
    colds = [run_measured([RECAPQA, "ask", "--json", q], env)[1] for q in questions[:3]]
    row["cold_ask_s"] = statistics.median(colds)
    row.update(reindex_one_file(corpus, env))
    return row


def reindex_one_file(corpus: Path, env: dict[str, str], runs: int = 3) -> dict[str, float]:
    """`recapqa index` (the real command and embedder: it embeds the changed chunks) after
    one line is appended to one file, `runs` times (a different file each): the median."""
    seconds, embedded = [], []
    for edited in sorted(corpus.rglob("*.md"))[:runs]:
        edited.write_text(edited.read_text() + "\nOne more line: the speaker said 42 teams use it.\n")
        again, took, _ = run_measured([RECAPQA, "index", "--json"], env)
        seconds.append(took)
        embedded.append(json.loads(again.stdout)["embedded"])
    return {"reindex_one_file_s": statistics.median(seconds), "reindex_embedded": statistics.median(embedded)}


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


EF_SEARCH_SWEEP = (64, 128, 192, 256, 384, 512)


def _recall(truth: np.ndarray, found: np.ndarray) -> float:
    return float(np.mean([len(set(t) & set(f)) / truth.shape[1] for t, f in zip(truth, found, strict=True)]))


def _per_query(store: Any, queries: np.ndarray) -> tuple[np.ndarray, float]:
    """Top 10 of each query, one query per call (as `ask` does): rows and ms/query."""
    started = time.perf_counter()
    found = np.stack([store.search_many(q[None, :], 10)[0] for q in queries])
    return found, (time.perf_counter() - started) / len(queries) * 1e3


def vectors_run(
    count: int,
    queries: int = 1000,
    ef_sweep: tuple[int, ...] = EF_SEARCH_SWEEP,
    hnsw_ms: tuple[int, ...] = (32,),
    on_row: Any = None,
    kinds: tuple[str, ...] = ("embedding-like", "random"),
) -> list[dict[str, object]]:
    """Each HNSW graph is built once and searched at every efSearch of `ef_sweep` (a
    search-time parameter): recall@10 against exact search and ms/query, one row each."""
    import faiss

    from recapqa.store.vectors import HNSW_EF_CONSTRUCTION, FaissStore

    rows = []
    for name, rank in (("embedding-like", 32), ("random", 0)):
        if name not in kinds:
            continue
        size = count if rank else min(count, 100_000)  # random data: HNSW recall collapses; smaller run
        rng = np.random.default_rng(1)
        data = np.concatenate([_draw(rng, min(100_000, size - s), rank) for s in range(0, size, 100_000)])
        query = _draw(rng, queries, rank)
        exact = FaissStore.for_size(384, size, 0)
        exact.add(data)
        truth = exact.search_many(query, 10)  # batched: the truth for all queries
        _, exact_ms = _per_query(exact, query[:200])
        del exact
        for m in hnsw_ms:
            hnsw = FaissStore.for_size(384, size, 1, m=m, ef_construction=HNSW_EF_CONSTRUCTION)
            started = time.perf_counter()
            hnsw.add(data)
            build_s = time.perf_counter() - started
            for ef in ef_sweep:
                hnsw.set_ef_search(ef)
                found, ms = _per_query(hnsw, query)
                rows.append(
                    {
                        "data": name,
                        "vectors": size,
                        "queries": len(query),
                        "exact_ms": exact_ms,
                        "m": m,
                        "ef_construction": HNSW_EF_CONSTRUCTION,
                        "ef_search": ef,
                        "hnsw_build_s": build_s,
                        "hnsw_ms": ms,
                        "recall_at_10": _recall(truth, found),
                        "faiss_threads": faiss.omp_get_max_threads(),
                        "hnsw": hnsw.description,
                    }
                )
                print(rows[-1], flush=True)
                if on_row:
                    on_row(rows)
            del hnsw
        del data
    return rows


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
            ("serve2_pss_mib", "Pss MiB per worker (2 workers)", "{:.0f}"),
            ("serve2_private_mib", "private MiB per worker (2)", "{:.0f}"),
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
            cells = (fmt.format(row[key]) if key in row else "-" for key, _, fmt in cols)  # older runs lack some
            lines.append("| " + " | ".join(cells) + " |")
        lines += ["", f"Targets at 10k files: {TARGETS}.", ""]
    if results.get("vectors"):
        lines += vectors_markdown(results)
    return "\n".join(lines)


RECALL_TARGET = 0.98  # issue 13: recall@10 against exact search at 1M vectors


def smallest_ef(rows: list[dict[str, Any]], m: int = 32) -> int | None:
    """The smallest efSearch meeting RECALL_TARGET on the largest embedding-like run of graph degree m."""
    runs = [r for r in rows if r["data"] == "embedding-like" and r.get("m", 32) == m]
    if not runs:
        return None
    size = max(r["vectors"] for r in runs)
    good = [r["ef_search"] for r in runs if r["vectors"] == size and r["recall_at_10"] >= RECALL_TARGET]
    return min(good) if good else None


def vectors_markdown(results: dict[str, Any]) -> list[str]:
    """The efSearch sweep: each HNSW graph built once, searched at every efSearch."""
    rows = results["vectors"]
    lines = [
        f"## Vectors only: HNSW efSearch sweep against exact search ({results['date']})",
        "",
        f"`bench/scale.py --vectors {max(r['vectors'] for r in rows):,}`, {results['date']}, machine: "
        f"{results['machine']}. {rows[0]['queries']} queries, k = 10, one query per search call; "
        f"FAISS threads: {rows[0]['faiss_threads']}. Each graph (M, efConstruction) is built once; efSearch is "
        "a search-time parameter, swept on the same graph. Exact: IndexFlatIP.",
        "",
        "| data | vectors | M | efConstruction | HNSW build s | exact ms/query | efSearch | HNSW ms/query "
        "| recall@10 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for v in rows:
        lines.append(
            f"| {v['data']} | {v['vectors']:,} | {v.get('m', 32)} | {v.get('ef_construction', 80)} | "
            f"{v['hnsw_build_s']:.0f} | {v['exact_ms']:.1f} | {v.get('ef_search', 128)} | {v['hnsw_ms']:.2f} | "
            f"{v['recall_at_10']:.3f} |"
        )
    ef = smallest_ef(rows)
    lines += [
        "",
        f"Smallest efSearch with recall@10 >= {RECALL_TARGET} on embedding-like vectors (M = 32): "
        + (f"**{ef}**" if ef else "none of those tried")
        + " (the `ann_ef_search` default is set from this).",
        "",
    ]
    return lines


def _sections(text: str) -> tuple[str, list[tuple[str, str]]]:
    """A Markdown file as its preamble and its ('## heading', body) sections, in order."""
    preamble, sections = [], []
    for line in text.splitlines(keepends=True):
        if line.startswith("## "):
            sections.append([line.strip(), line])
        elif sections:
            sections[-1][1] += line
        else:
            preamble.append(line)
    return "".join(preamble), [(h, b) for h, b in sections]


SECTION_KINDS = ("## Indexing throughput", "## Synthetic corpora", "## Vectors only")


def merge(existing: str, new: str, replace_preamble: bool) -> str:
    """The tables this run measured replace the same kind of table in `existing`; the rest
    (other tables, the hand-written reading section) stays. New kinds go before 'Reading'."""
    old_pre, old = _sections(existing)
    new_pre, fresh = _sections(new)
    kind = {h: next((k for k in SECTION_KINDS if h.startswith(k)), h) for h, _ in old + fresh}
    out: list[tuple[str, str]] = []
    pending = list(fresh)
    for heading, body in old:
        match = [f for f in pending if kind[f[0]] == kind[heading]]
        if match:
            out += match
            pending = [f for f in pending if f not in match]
        elif any(kind[heading] == kind[f[0]] for f in fresh):
            continue  # a second old table of a kind this run replaced
        elif heading.startswith("## Reading") and pending:
            out += pending
            pending = []
            out.append((heading, body))
        else:
            out.append((heading, body))
    out += pending
    body = "".join(b if b.endswith("\n\n") else b.rstrip("\n") + "\n\n" for _, b in out).rstrip("\n") + "\n"
    return (new_pre if replace_preamble or not old_pre else old_pre) + body


def write_markdown(path: Path, results: dict[str, Any]) -> None:
    """Writes this run's tables into `path`, keeping what the run did not measure."""
    text = render(results)
    if path.is_file():
        text = merge(path.read_text(), text, replace_preamble=bool(results.get("corpora") or results.get("embedding")))
    path.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--vectors", type=int, default=1_000_000)
    parser.add_argument("--embed-sample", type=int, default=256)
    parser.add_argument("--ef-search", type=int, nargs="+", default=list(EF_SEARCH_SWEEP), help="HNSW efSearch sweep")
    parser.add_argument("--hnsw-m", type=int, nargs="+", default=[32], help="HNSW graph degrees, one build each")
    parser.add_argument("--queries", type=int, default=1000, help="vectors part: queries per recall figure")
    parser.add_argument("--data", nargs="+", default=["embedding-like", "random"], help="vectors part: data kinds")
    parser.add_argument("--json", type=Path, default=Path(tempfile.gettempdir()) / "recapqa-scale.json")
    parser.add_argument("--write", type=Path, default=Path("bench/SCALE.md"), help="the tables, as Markdown")
    parser.add_argument("--render", type=Path, help="only write the tables of an earlier run's --json")
    parser.add_argument(
        "--fake-embed", action="store_true", help="build with hash-seeded fake vectors (not for answer quality)"
    )
    parser.add_argument("--fake-build", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help="keep corpora and indexes here (reused when present)")
    args = parser.parse_args()
    if args.fake_build:
        fake_build()
        return
    if args.render:
        write_markdown(args.write, json.loads(args.render.read_text()))
        return
    results: dict[str, object] = {"machine": machine(), "date": time.strftime("%Y-%m-%d")}
    if args.embed_sample:
        results["embedding"] = embed_compare(args.embed_sample)
        print(results["embedding"], flush=True)
    questions = [json.loads(line)["question"] for line in (REPO / "eval" / "questions.jsonl").read_text().splitlines()]
    root = args.root or Path(tempfile.mkdtemp(prefix="recapqa-scale-"))
    try:
        runs = []
        for files in args.files:
            runs.append(corpus_run(files, root, questions, args.fake_embed))
            print(runs[-1], flush=True)
            results["corpora"] = runs
            args.json.write_text(json.dumps(results, indent=1))
    finally:
        if not args.root:
            shutil.rmtree(root, ignore_errors=True)
    if args.vectors:

        def checkpoint(rows: list[dict[str, object]]) -> None:
            args.json.write_text(json.dumps({**results, "vectors": rows}, indent=1))

        results["vectors"] = vectors_run(
            args.vectors, args.queries, tuple(args.ef_search), tuple(args.hnsw_m), checkpoint, tuple(args.data)
        )
    args.json.write_text(json.dumps(results, indent=1))
    write_markdown(args.write, results)
    print(render(results))


if __name__ == "__main__":
    main()
