"""The int8 encoder (RECAPQA_EMBED_PRECISION=int8), made offline from the shipped model like
the fp32 export: the unfused export's MatMuls with constant weights get int8 weights, one
scale per output channel (onnxruntime `quantize_dynamic`; activations are quantized per
batch at run time), except each layer's FFN output projection, whose input (after GELU) has
the widest range: those 6 stay fp32. Quantizing them too was faster again but lost more fact
hits on the default eval set. This variant's vectors are at cosine >= 0.99 to fp32's, its
ranked hits fp32's for about half the questions, its eval figures within 1-3 questions of
fp32's, mostly lower: not the same retrieval, hence opt-in (bench/SCALE.md, issue 13)."""

from __future__ import annotations

import logging
from pathlib import Path


def ffn_output_matmuls(names: list[str]) -> list[str]:
    """The FFN output projections among a BERT export's MatMul names (`/layer.N/output/dense/`,
    not the attention block's `/attention/output/dense/`)."""
    return [n for n in names if "/output/dense/" in n and "/attention/" not in n]


def quantize_int8(plain: Path, target: Path, keep_ffn_output: bool = True) -> None:
    """`plain` (the unfused fp32 export) quantized into `target`; `keep_ffn_output=False`
    quantizes every constant MatMul (bench/embed_int8.py measures it; not offered)."""
    import onnx

    matmuls = [n.name for n in onnx.load(str(plain)).graph.node if n.op_type == "MatMul"]
    exclude = ffn_output_matmuls(matmuls) if keep_ffn_output else []
    if keep_ffn_output and not exclude:  # another exporter's node names: not the measured variant
        raise ValueError("no FFN output projection found among the export's MatMuls")
    root = logging.getLogger()  # onnxruntime advises pre-processing on the root logger: not for users
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        _quantize(plain, target, exclude)
    finally:
        root.setLevel(level)


def _quantize(plain: Path, target: Path, exclude: list[str]) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        str(plain),
        str(target),
        weight_type=QuantType.QInt8,
        per_channel=True,
        op_types_to_quantize=["MatMul"],
        nodes_to_exclude=exclude,
        extra_options={"MatMulConstBOnly": True},
    )
