"""Indexing speed of the ONNX export by run size (tokens per run) against sentence-transformers.

    .venv/bin/python bench/embed_run_size.py [--tokens 128 256 512 1024 2048 4096] [--rounds 5]

On the same real chunks as bench/embed_int8.py (the default corpus and ../shared/corpora) and
on sentences cut from them: texts/s of `OnnxBatchEmbedder` at each budget and of
sentence-transformers, medians of `--rounds` rounds with the embedders alternating, and the
ratio. Prints one table; the load average at start and end says how far to trust it.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from embed_models import sample_chunks


def rates(embedders: dict[str, Callable[[list[str]], np.ndarray]], texts: list[str], rounds: int) -> dict[str, float]:
    seen: dict[str, list[float]] = {name: [] for name in embedders}
    for _ in range(rounds):
        for name, embed in embedders.items():
            embed(texts[:8])  # warm
            started = time.perf_counter()
            embed(texts)
            seen[name].append(len(texts) / (time.perf_counter() - started))
    return {name: statistics.median(r) for name, r in seen.items()}


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, nargs="+", default=[128, 256, 512, 1024, 2048, 4096])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sample", type=int, default=256, help="real chunks")
    args = parser.parse_args()

    from recapqa.embed.onnx_batch import OnnxBatchEmbedder, cached_encoder_dir
    from recapqa.embed.sentence_transformer import SentenceTransformerEmbedder
    from recapqa.settings import get_settings

    chunks = sample_chunks(args.sample)
    sentences = [s for c in chunks for s in re.split(r"(?<=[.!?])\s+|\n+", c) if len(s.split()) > 3][: 4 * args.sample]
    folder = cached_encoder_dir(get_settings().cache_dir)
    embedders: dict[str, Callable[[list[str]], np.ndarray]] = {
        "sentence-transformers": SentenceTransformerEmbedder.shared().embed,
        **{f"onnx, {t} tokens a run": OnnxBatchEmbedder(folder, batch_tokens=t).embed for t in args.tokens},
    }
    print(f"load average at start {os.getloadavg()[0]:.1f}; {len(chunks)} chunks, {len(sentences)} sentences")
    chunk_rates = rates(embedders, chunks, args.rounds)
    sentence_rates = rates(embedders, sentences, args.rounds)
    base_c, base_s = chunk_rates["sentence-transformers"], sentence_rates["sentence-transformers"]
    print("| embedder | chunks/s | x sentence-transformers | sentences/s | x sentence-transformers |")
    print("|---|---:|---:|---:|---:|")
    for name in embedders:
        c, s = chunk_rates[name], sentence_rates[name]
        print(f"| {name} | {c:.1f} | {c / base_c:.2f}x | {s:.1f} | {s / base_s:.2f}x |")
    print(f"load average at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
