"""int8 embedding (RECAPQA_EMBED_PRECISION=int8, issue 13): how much faster does it index,
and how close is retrieval to fp32's?

    .venv/bin/python bench/embed_int8.py [--sample 256] [--rounds 3] [--work DIR] [--no-parity] [--levers]

Offline. The encoders are the product's: the fp32 export and the int8 one
(`recapqa.embed.onnx_batch.cached_encoder_dir(cache, precision)`: the unfused export with int8
weights per output channel, each layer's FFN output projection kept fp32; embed/quantize.py),
made into RECAPQA_CACHE_DIR as a build makes them. With --levers, the variants measured on
2026-11-27 too: "int8, every MatMul" (the FFN output projections quantized as well), the
fp32 graph at ORT's 'all' level, and the fp32 export at other tokens a run or on one run of
every core's threads.

In one process:
- chunks/s on `--sample` real chunks (the default corpus and ../shared/corpora, as
  bench/scale.py samples them), `--rounds` rounds alternating the embedders, medians:
  sentence-transformers, the fp32 export and int8, each through `OnnxBatchEmbedder` as
  indexing runs it (batched by length, one single-threaded run per core); and the cosine of
  each one's vectors with the fp32 export's;
- parity (unless --no-parity): for each precision, RECAPQA_EMBED_PRECISION set, an index per
  eval set and collection built as `recapqa index` builds it (deleted once its questions are
  asked) and every question of eval/questions.jsonl and eval/corpora_questions.jsonl through
  `Assistant.open(...).ask` (extractive; its query encoder is the index's), scored by the
  eval runner. Per set and split, totals only: talk hit@1, first citation, fact hit,
  abstention (abstained, of the unanswerable questions), false abstention (abstained, of the
  answerable ones), and the shares of questions whose ranked hits (chunk ids, in order), top
  talk and answer text are the fp32 index's.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from embed_models import SETS, sample_chunks
from serve_load import machine


def make_levers(work: Path, shipped: Path) -> dict[str, tuple[Path, str]]:
    """Encoder folders of the --levers variants: (folder, precision its encoder.json records)."""
    import onnxruntime

    from recapqa.embed.onnx_export import FILES, META, encoder_dir, export_graph, optimize, weights_beside
    from recapqa.embed.quantize import quantize_int8
    from recapqa.hashing import file_sha256

    plain = work / "unfused.onnx"
    if not plain.is_file():
        export_graph(plain)
    out = {}
    for name, precision in (("fp32, ORT 'all' level", "fp32"), ("int8, every MatMul", "int8")):
        folder = work / name.split(",")[0].replace(" ", "-") / ("all" if precision == "fp32" else "every")
        target = folder / encoder_dir(precision)
        out[name] = (folder, precision)
        if (target / META).is_file():
            continue
        target.mkdir(parents=True, exist_ok=True)
        if precision == "fp32":
            options = onnxruntime.SessionOptions()
            options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
            options.optimized_model_filepath = str(target / "model.onnx")
            options.log_severity_level = 3
            onnxruntime.InferenceSession(str(plain), options, providers=["CPUExecutionProvider"])
        else:
            quantize_int8(plain, target / "model.onnx", keep_ffn_output=False)
            optimize(target / "model.onnx")
        weights_beside(target / "model.onnx")
        (target / "tokenizer.json").write_bytes((shipped / encoder_dir() / "tokenizer.json").read_bytes())
        meta = json.loads((shipped / encoder_dir() / META).read_text())
        meta["precision"] = precision
        meta["files"] = {n: {"size": (target / n).stat().st_size, "sha256": file_sha256(target / n)} for n in FILES}
        (target / META).write_text(json.dumps(meta, indent=2))
    return out


def speed(texts: list[str], rounds: int, levers: Path | None) -> dict[str, Any]:
    """chunks/s (median of `rounds`, embedders alternating) and cosine to fp32 of each."""
    from recapqa.embed.onnx_batch import OnnxBatchEmbedder, cached_encoder_dir
    from recapqa.embed.sentence_transformer import SentenceTransformerEmbedder
    from recapqa.settings import get_settings

    settings = get_settings()
    fp32, int8 = cached_encoder_dir(settings.cache_dir, "fp32"), cached_encoder_dir(settings.cache_dir, "int8")
    tokens = settings.embed_batch_tokens
    embedders: dict[str, Callable[[list[str]], np.ndarray]] = {
        "sentence-transformers": SentenceTransformerEmbedder.shared().embed,
        "fp32 export (shipped default)": OnnxBatchEmbedder(fp32, batch_tokens=tokens).embed,
        "int8 (RECAPQA_EMBED_PRECISION=int8)": OnnxBatchEmbedder(int8, batch_tokens=tokens, precision="int8").embed,
    }
    if levers is not None:
        cores = os.cpu_count() or 1
        for name, (folder, precision) in make_levers(levers, fp32).items():
            embedders[name] = OnnxBatchEmbedder(folder, batch_tokens=tokens, precision=precision).embed
        embedders["fp32, 4096 tokens a run"] = OnnxBatchEmbedder(fp32, batch_tokens=4096).embed
        embedders[f"fp32, one run on {cores} threads"] = OnnxBatchEmbedder(fp32, workers=1, threads=cores).embed
    reference = embedders["fp32 export (shipped default)"](texts)
    rates: dict[str, list[float]] = {name: [] for name in embedders}
    cosine: dict[str, list[float]] = {}
    for _ in range(rounds):
        for name, embed in embedders.items():
            embed(texts[:8])  # warm
            started = time.perf_counter()
            vectors = np.concatenate([embed(texts[s : s + 256]) for s in range(0, len(texts), 256)])
            rates[name].append(len(texts) / (time.perf_counter() - started))
            row = (vectors * reference).sum(axis=1)
            cosine[name] = [float(row.min()), float(np.percentile(row, 1)), float(np.median(row))]
    return {
        name: {"chunks_per_s": statistics.median(r), "rounds": r, "cosine_min_p1_median": cosine[name]}
        for name, r in rates.items()
    }


def answers(precision: str, work: Path) -> list[dict[str, Any]]:
    """Every question of both eval sets against indexes built (and so queried) at `precision`."""
    from recapqa.embed import default_embedder
    from recapqa.evaluate import metrics
    from recapqa.evaluate.questions import load_questions
    from recapqa.evaluate.runner import score_row
    from recapqa.pipeline import Assistant
    from recapqa.settings import Settings, get_settings
    from recapqa.store.build import build_index

    os.environ["RECAPQA_EMBED_PRECISION"] = precision  # what `recapqa index` would be run with
    get_settings.cache_clear()
    out: list[dict[str, Any]] = []
    for set_name, (questions_path, corpus) in SETS.items():
        questions = load_questions(questions_path)
        for collection in dict.fromkeys(q.collection for q in questions):
            folder = corpus / collection if collection else corpus
            settings = Settings(corpus_dir=folder, index_dir=work / set_name / (collection or "all"))
            build_index(folder, settings.index_dir, settings, default_embedder, force=True)
            assistant = Assistant.open(settings)
            assert assistant.index.precision == precision
            for q in (q for q in questions if q.collection == collection):
                answer, retrieval = assistant.ask(q.question, mode="extractive")
                ranked = metrics.ranked_talks(retrieval.hits)
                row = answer.to_dict()
                out.append(
                    {
                        "set": set_name,
                        "split": q.split,
                        "answerable": q.answerable,
                        "answer": row["answer"],
                        "retrieved_talks": [tid for tid, _ in ranked],
                        "hit_ids": [h.chunk.chunk_id for h in retrieval.hits],
                        "scores": score_row(q, row, ranked, folder),
                    }
                )
            del assistant
            shutil.rmtree(settings.index_dir)  # one index on disk at a time
    return out


METRICS = ("hit@1", "first_citation_correct", "fact_hit", "abstention", "false_abstention")


def _figures(rows: list[dict[str, Any]]) -> dict[str, float]:
    def mean(values: list[Any]) -> float:
        values = [v for v in values if v is not None]
        return sum(values) / len(values) if values else float("nan")

    out = {m: mean([r["scores"].get(m) for r in rows]) for m in METRICS[:3]}
    out["abstention"] = mean([r["scores"]["abstained"] for r in rows if not r["answerable"]])
    out["false_abstention"] = mean([r["scores"]["abstained"] for r in rows if r["answerable"]])
    return out


def parity(reference: list[dict[str, Any]], other: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per set and split: the eval figures of both (totals), and the shares of questions alike."""
    out: dict[str, dict[str, float]] = {}
    for key in sorted({(r["set"], r["split"]) for r in reference}):
        pairs = [(a, b) for a, b in zip(reference, other, strict=True) if (a["set"], a["split"]) == key]
        a_rows, b_rows = [a for a, _ in pairs], [b for _, b in pairs]
        figures = {"questions": float(len(pairs))}
        for metric, value in _figures(a_rows).items():
            figures[f"{metric} fp32"] = value
        figures.update(_figures(b_rows))
        figures["same hits"] = sum(a["hit_ids"] == b["hit_ids"] for a, b in pairs) / len(pairs)
        top = [a["retrieved_talks"][:1] == b["retrieved_talks"][:1] for a, b in pairs]
        figures["same top talk"] = sum(top) / len(pairs)
        figures["same answer"] = sum(a["answer"] == b["answer"] for a, b in pairs) / len(pairs)
        out[" · ".join(key)] = figures
    return out


def render(results: dict[str, Any]) -> str:
    lines = [
        f"`bench/embed_int8.py`, {results['date']}. Machine: {results['machine']}"
        f"; load average at the end: {results.get('load_end', float('nan')):.1f}.",
        "",
        f"| embedder | chunks/s (median of {results['rounds']}) | rounds | x sentence-transformers | x fp32 export "
        "| cosine to fp32: min | 1st percentile | median |",
        "|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    speed_rows = results["speed"]
    st = speed_rows["sentence-transformers"]["chunks_per_s"]
    fp32 = speed_rows["fp32 export (shipped default)"]["chunks_per_s"]
    for name, row in speed_rows.items():
        rate, rounds = row["chunks_per_s"], ", ".join(f"{r:.1f}" for r in row["rounds"])
        low, p1, median = row["cosine_min_p1_median"]
        lines.append(
            f"| {name} | {rate:.1f} | {rounds} | {rate / st:.2f}x | {rate / fp32:.2f}x | {low:.4f} | {p1:.4f} | "
            f"{median:.4f} |"
        )
    if results.get("parity"):
        lines += [
            "",
            "| set · split | questions | talk hit@1 int8 (fp32) | first citation | fact hit | abstention "
            "| false abstention | same ranked hits | same top talk | same answer |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for key, f in results["parity"].items():
            cells = " | ".join(f"{f[m]:.3f} ({f[m + ' fp32']:.3f})" for m in METRICS)
            lines.append(
                f"| {key} | {f['questions']:.0f} | {cells} | {f['same hits']:.3f} | {f['same top talk']:.3f} | "
                f"{f['same answer']:.3f} |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sample", type=int, default=256, help="real chunks for speed and cosine")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "recapqa-embed-int8")
    parser.add_argument("--json", type=Path, default=Path(tempfile.gettempdir()) / "recapqa-embed-int8.json")
    parser.add_argument("--no-parity", action="store_true", help="speed and cosine only")
    parser.add_argument("--levers", action="store_true", help="also the variants and levers of 2026-11-27")
    parser.add_argument("--render", type=Path, help="only print the tables of an earlier run's --json")
    args = parser.parse_args()
    if args.render:
        print(render(json.loads(args.render.read_text())))
        return
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    args.work.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "machine": machine(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load_start": os.getloadavg()[0],
        "rounds": args.rounds,
    }
    results["speed"] = speed(sample_chunks(args.sample), args.rounds, args.work if args.levers else None)
    args.json.write_text(json.dumps(results, indent=1))
    print(render(results), flush=True)
    if not args.no_parity:
        reference = answers("fp32", args.work / "indexes")
        int8 = answers("int8", args.work / "indexes")
        results["parity"] = parity(reference, int8)
    results["load_end"] = os.getloadavg()[0]
    args.json.write_text(json.dumps(results, indent=1))
    print(render(results))


if __name__ == "__main__":
    main()
