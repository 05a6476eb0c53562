"""How close fp32 indexing is to this CPU's arithmetic ceiling (issue 13's 4x target).

    .venv/bin/python bench/embed_ceiling.py [--rounds 5] [--sample 256]

On the same real chunks as bench/embed_run_size.py: counts each chunk's tokens with the
model's own tokenizer (truncated at its max_seq_length), the floating-point operations the
encoder spends on it (2 x the encoder's matrix weights per token, plus the attention products
of each layer: 4 x tokens^2 x hidden), and turns the measured chunks/s of sentence-transformers
and of the shipped ONNX export (medians of `--rounds` alternating rounds) into GFLOP/s per
core. It then prints what 4x sentence-transformers would need per core, beside the fp32 peak
of a core at the clock /proc/cpuinfo reports (FMA lanes from the CPU flags: 16 fp32 lanes for
AVX-512, 8 for AVX2; two FMA units assumed; a boost clock above the reported one raises it).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from embed_models import sample_chunks
from embed_run_size import rates

FMA_UNITS = 2  # fp32 FMA pipes per core assumed for the peak line (an assumption, printed)


def cpu_peak_gflops() -> tuple[float, str]:
    """fp32 peak of one core at the clock /proc/cpuinfo reports, and how it was reckoned."""
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    mhz = float(m.group(1)) if (m := re.search(r"cpu MHz\s*:\s*([\d.]+)", info)) else 0.0
    flags = set(m.group(1).split()) if (m := re.search(r"^flags\s*:\s*(.*)$", info, re.M)) else set()
    lanes = 16 if "avx512f" in flags else 8 if "avx2" in flags else 4
    per_cycle = FMA_UNITS * lanes * 2
    how = f"{mhz:.0f} MHz x {per_cycle} FLOP/cycle ({FMA_UNITS} FMA units x {lanes} lanes x 2)"
    return mhz * 1e6 * per_cycle / 1e9, how


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sample", type=int, default=256, help="real chunks")
    args = parser.parse_args()

    from recapqa.embed.onnx_batch import OnnxBatchEmbedder, cached_encoder_dir
    from recapqa.embed.sentence_transformer import SentenceTransformerEmbedder
    from recapqa.settings import get_settings

    settings = get_settings()
    st = SentenceTransformerEmbedder.shared()
    model = st.model
    chunks = sample_chunks(args.sample)
    limit = model.max_seq_length
    tokens = [min(limit, len(model.tokenizer(c)["input_ids"])) for c in chunks]
    weights = sum(p.numel() for n, p in model.named_parameters() if ".encoder." in f".{n}" and p.dim() == 2)
    config = model[0].auto_model.config
    flops = sum(2 * weights * t + config.num_hidden_layers * 4 * t * t * config.hidden_size for t in tokens)
    per_chunk = flops / len(chunks) / 1e9
    cores = os.cpu_count() or 1
    embedders = {
        "sentence-transformers": st.embed,
        "ONNX export (shipped)": OnnxBatchEmbedder(
            cached_encoder_dir(settings.cache_dir), batch_tokens=settings.embed_batch_tokens
        ).embed,
    }
    print(f"load average at start {os.getloadavg()[0]:.1f}; {len(chunks)} chunks, {sum(tokens)} tokens")
    print(f"encoder matrix weights {weights:,}; {per_chunk:.2f} GFLOP a chunk on average; {cores} cores")
    measured = rates(embedders, chunks, args.rounds)
    base = measured["sentence-transformers"]
    print("| embedder | chunks/s | x sentence-transformers | GFLOP/s | GFLOP/s a core |")
    print("|---|---:|---:|---:|---:|")
    rows = [*measured.items(), ("4x sentence-transformers (needed)", 4 * base)]
    for name, rate in rows:
        print(f"| {name} | {rate:.1f} | {rate / base:.2f}x | {rate * per_chunk:.0f} | {rate * per_chunk / cores:.0f} |")
    peak, how = cpu_peak_gflops()
    print(f"fp32 peak of a core at the reported clock: {peak:.0f} GFLOP/s ({how})")
    print(f"load average at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
