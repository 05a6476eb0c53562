"""Export the query encoder to ONNX at index time (needs torch; runs once per model).

Made for the default model (all-MiniLM-L6-v2) only. With another RECAPQA_EMBED_MODEL the
encoder is reported unusable (`encoder_problem`) and not installed: indexing and queries
take the sentence-transformers path of that model, and the build says so.

The exported graph is the whole sentence-transformers pipeline after tokenization: BERT,
mean pooling over the attention mask, L2 normalisation. Queries then need only
onnxruntime and tokenizers, which import in a fraction of the time torch does.

The weights are stored beside the graph (`model.onnx.data`, ONNX external data), which
onnxruntime memory-maps: what it does not repack for its MatMul kernels (the 47 MB word
embedding table, the layer norms, the biases) is read where it is, one copy in the page
cache for every `serve` worker (~56 MB less private memory per worker; the same vectors,
bit for bit, as the weights inside the graph; bench/SCALE.md, issue 13).

Each precision (RECAPQA_EMBED_PRECISION: fp32, or int8 made by embed/quantize.py) has its
own folder (`encoder_dir`; fp32's name is the one it always had) and records its precision
in encoder.json; an index installs the encoder of the precision it was built with.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
import warnings
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from recapqa.embed import MODEL_NAME, active_model
from recapqa.hashing import file_sha256

ENCODER_VERSION = 3  # 3: weights in model.onnx.data (external data, memory-mapped)
ENCODER_DIR = f"encoder-{MODEL_NAME}-v{ENCODER_VERSION}"  # the fp32 encoder's folder
META = "encoder.json"
WEIGHTS = "model.onnx.data"
FILES = ("model.onnx", WEIGHTS, "tokenizer.json")  # checksummed in META


def encoder_dir(precision: str = "fp32") -> str:
    """The folder name of the encoder of `precision` (in the cache and in an index folder)."""
    return ENCODER_DIR if precision == "fp32" else f"encoder-{MODEL_NAME}-{precision}-v{ENCODER_VERSION}"


def _no_lock(folder: Path) -> AbstractContextManager[object]:
    return nullcontext()


def install_query_encoder(
    index_dir: Path,
    cache_dir: Path,
    lock: Callable[[Path], AbstractContextManager[object]] = _no_lock,
    precision: str = "fp32",
) -> None:
    """Put the encoder of `precision` into index_dir/encoder_dir(precision). It depends on the model only, so it is
    exported once into cache_dir and linked (or copied) into every index. A cache entry
    that fails its checksums is exported again (a new file, not the damaged one re-linked);
    `lock(cache_dir)` keeps other processes from exporting into the cache meanwhile.
    Another model than the default: NotForThisModel (the caller reports it; queries take the
    sentence-transformers path)."""
    other = other_model_problem()
    if other is not None:
        raise NotForThisModel(other)
    folder = encoder_dir(precision)
    with lock(cache_dir):
        _remove_leftovers(cache_dir, folder)
        if not encoder_is_current(cache_dir, check_files=True, precision=precision):
            export_query_encoder(cache_dir, precision)
    _remove_leftovers(index_dir, folder)  # the index folder's build lock is held by our caller
    building = index_dir / f".{folder}-{uuid.uuid4().hex[:6]}"
    building.mkdir(parents=True)
    try:
        for name in (*FILES, META):
            source = cache_dir / folder / name
            try:
                os.link(source, building / name)
            except OSError:  # another file system
                shutil.copy2(source, building / name)
        _replace_dir(building, index_dir / folder)
    finally:  # after a failure (disk full), nothing half-copied stays
        shutil.rmtree(building, ignore_errors=True)


class NotForThisModel(Exception):
    """The configured embedding model has no ONNX export."""


def other_model_problem() -> str | None:
    """Why the ONNX encoder does not apply to the configured model, or None."""
    name = active_model().name
    if name == MODEL_NAME:
        return None
    return (
        f"the ONNX query encoder is made for {MODEL_NAME} only; the embedding model {name} "
        "(RECAPQA_EMBED_MODEL) uses sentence-transformers"
    )


def _remove_leftovers(folder: Path, name: str) -> None:
    """Half-written encoder folders (`name`) of killed exports or installs."""
    if folder.is_dir():
        for path in folder.glob(f".{name}-*"):
            shutil.rmtree(path, ignore_errors=True)


def _replace_dir(building: Path, final: Path) -> None:
    if final.exists():
        shutil.rmtree(final)
    building.rename(final)


def export_query_encoder(index_dir: Path, precision: str = "fp32") -> dict[str, Any]:
    """Write index_dir/encoder_dir(precision) (model.onnx, its weights, tokenizer.json,
    encoder.json) atomically. int8: the unfused export quantized (embed/quantize.py), then
    optimised and stored like the fp32 one."""
    from recapqa.embed.quantize import quantize_int8
    from recapqa.embed.sentence_transformer import SentenceTransformerEmbedder, bundled_model_path

    if precision not in ("fp32", "int8"):  # Settings.embed_precision's values
        raise ValueError(f"no {precision} encoder is made")
    building = index_dir / f".{encoder_dir(precision)}-{uuid.uuid4().hex[:6]}"
    building.mkdir(parents=True)
    if precision == "fp32":
        export_graph(building / "model.onnx")
    else:
        export_graph(building / "unfused.onnx")
        quantize_int8(building / "unfused.onnx", building / "model.onnx")
        (building / "unfused.onnx").unlink()
    st_model: Any = SentenceTransformerEmbedder.shared().model
    optimize(building / "model.onnx")
    weights_beside(building / "model.onnx")
    shutil.copy(Path(bundled_model_path()) / "tokenizer.json", building / "tokenizer.json")
    meta = {
        "model": MODEL_NAME,
        "version": ENCODER_VERSION,
        "precision": precision,
        "max_seq_length": int(st_model.max_seq_length or 256),
        "files": {
            name: {"size": (building / name).stat().st_size, "sha256": file_sha256(building / name)} for name in FILES
        },
    }
    (building / META).write_text(json.dumps(meta, indent=2))
    _replace_dir(building, index_dir / encoder_dir(precision))
    return meta


def export_graph(target: Path) -> None:
    """The model's graph as ONNX at `target`, not optimised (bench/embed_int8.py quantizes
    this one): BERT, mean pooling over the attention mask, L2 normalisation."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    from recapqa.embed.sentence_transformer import SentenceTransformerEmbedder

    st_model: Any = SentenceTransformerEmbedder.shared().model
    bert: Any = st_model[0].auto_model.eval()

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            mask = attention_mask.unsqueeze(-1).to(hidden.last_hidden_state.dtype)
            mean = (hidden.last_hidden_state * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    example = torch.ones((1, 8), dtype=torch.long)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer notes about the attention mask: not ours to fix
        torch.onnx.export(
            Pooled().eval(),
            (example, example, torch.zeros_like(example)),
            str(target),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["embedding"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                "token_type_ids": {0: "batch", 1: "tokens"},
                "embedding": {0: "batch"},
            },
            opset_version=17,
            dynamo=False,
        )


def optimize(model: Path) -> None:
    """Save the graph optimised once (portable 'extended' level: fused attention and
    layer norms, no CPU-specific layouts) so each CLI start skips that work."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    options.optimized_model_filepath = str(model.with_suffix(".opt.onnx"))
    options.log_severity_level = 3
    onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
    model.with_suffix(".opt.onnx").replace(model)


def weights_beside(model: Path) -> None:
    """Move the graph's weights into WEIGHTS beside it (every tensor of 1 KB or more)."""
    import onnx

    graph = onnx.load(str(model))
    onnx.save_model(
        graph,
        str(model),
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location=WEIGHTS,
        size_threshold=1024,
    )
    os.chmod(model.parent / WEIGHTS, model.stat().st_mode & 0o777)  # onnx writes it 0600


def encoder_is_current(index_dir: Path, check_files: bool = False, precision: str = "fp32") -> bool:
    """Is there an encoder of this model, version and precision (and, if asked, are its files
    whole: size and SHA-256 as recorded at export)?"""
    return encoder_problem(index_dir, check_files, precision) is None


def encoder_problem(index_dir: Path, check_files: bool = True, precision: str = "fp32") -> str | None:
    """Why the encoder of `precision` in index_dir cannot be used, or None."""
    other = other_model_problem()
    if other is not None:
        return other
    directory = index_dir / encoder_dir(precision)
    try:
        meta = json.loads((directory / META).read_text())
    except (OSError, ValueError):
        return "there is no fast query encoder"
    if not isinstance(meta, dict) or meta.get("model") != MODEL_NAME or meta.get("version") != ENCODER_VERSION:
        return "the fast query encoder is outdated"
    if meta.get("precision", "fp32") != precision:
        return f"the fast query encoder is not the {precision} one"
    files = meta.get("files")
    if not isinstance(files, dict) or set(files) != set(FILES):
        return "the fast query encoder is incomplete"
    if check_files:
        for name, expected in files.items():
            path = directory / name
            try:
                whole = path.stat().st_size == expected.get("size") and file_sha256(path) == expected.get("sha256")
            except OSError:
                whole = False
            if not whole:
                return f"the fast query encoder's {name} is damaged (checksum mismatch)"
    return None
