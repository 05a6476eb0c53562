"""The fast query encoder: the ONNX export of all-MiniLM-L6-v2 run with onnxruntime and
tokenized with `tokenizers`, without importing torch. It matches sentence-transformers
(cosine >= 0.999, tested) because the graph includes the pooling and normalisation.
Another RECAPQA_EMBED_MODEL has no export: EncoderUnavailable says so, and queries take
that model's sentence-transformers path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from recapqa.embed import DIMENSION, MODEL_NAME
from recapqa.embed.onnx_export import META, WEIGHTS, encoder_dir, encoder_problem, other_model_problem
from recapqa.mapped import watch


class EncoderUnavailable(Exception):
    """No usable ONNX encoder; the message says why. `rebuild`: a rebuilt index would have one."""

    def __init__(self, message: str, rebuild: bool = True) -> None:
        super().__init__(message)
        self.rebuild = rebuild


class OnnxQueryEncoder:
    name = MODEL_NAME
    dimension = DIMENSION

    def __init__(self, index_dir: Path, threads: int = 0, precision: str = "fp32") -> None:
        """The encoder of `precision` in index_dir (an index's: the precision its manifest records)."""
        self.precision = precision
        directory = index_dir / encoder_dir(precision)
        other = other_model_problem()  # another RECAPQA_EMBED_MODEL: its queries take sentence-transformers
        if other is not None:
            raise EncoderUnavailable(other, rebuild=False)
        if not (directory / META).is_file():
            raise EncoderUnavailable(f"the index in {index_dir.name} has no fast query encoder ({precision})")
        # SHA-256 of every file, on each load
        problem = encoder_problem(index_dir, check_files=True, precision=precision)
        if problem is not None:
            raise EncoderUnavailable(problem)
        meta = json.loads((directory / META).read_text())
        try:
            import onnxruntime
            from tokenizers import Tokenizer

            self._tokenizer: Any = Tokenizer.from_file(str(directory / "tokenizer.json"))
            self._tokenizer.enable_truncation(int(meta.get("max_seq_length", 256)))
            self._tokenizer.no_padding()  # the bundled tokenizer.json pads to 128: wasted work
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = threads
            options.log_severity_level = 3
            # optimised at export time: loading without optimisation starts faster
            options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
            self._session: Any = onnxruntime.InferenceSession(
                str(directory / "model.onnx"), options, providers=["CPUExecutionProvider"]
            )
            # onnxruntime maps the weights itself; this mapping of them only lets the index's
            # `check_files` see them cut short in place (recapqa/mapped.py) before a query reads them
            self._watch = watch(directory / WEIGHTS)
        except Exception as exc:  # a corrupt model file, a missing package: fall back
            raise EncoderUnavailable(f"the query encoder cannot be loaded ({type(exc).__name__})") from exc

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(texts), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        types = np.zeros_like(ids)
        for row, enc in enumerate(encodings):
            ids[row, : len(enc.ids)] = enc.ids
            mask[row, : len(enc.ids)] = enc.attention_mask
            types[row, : len(enc.ids)] = enc.type_ids
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        return np.asarray(self._session.run(None, feeds)[0], dtype=np.float32)
