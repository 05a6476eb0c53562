"""scripts/fetch_gguf.py: parts are concatenated in order, and a wrong size or hash fails
with a message naming what is wrong, leaving no model file behind."""

import hashlib
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO

sys.path.insert(0, str(REPO / "scripts"))
from fetch_gguf import INSTALLED, MODELS, Installed, Model, assemble, place


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


def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunks: list[bytes]) -> tuple[tuple[str, str], ...]:
    """Packages on sys.path whose data files are `chunks` (one package per chunk)."""
    files = []
    for n, chunk in enumerate(chunks, 1):
        (tmp_path / f"gguf_part{n}" / "data").mkdir(parents=True)
        (tmp_path / f"gguf_part{n}" / "__init__.py").write_text("raise ImportError('never imported')\n")
        (tmp_path / f"gguf_part{n}" / "data" / "m.part").write_bytes(chunk)
        files.append((f"gguf_part{n}", "data/m.part"))
    monkeypatch.syspath_prepend(str(tmp_path))
    return tuple(files)


def test_an_installed_model_is_placed_from_its_package_files_without_importing_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    chunks = [b"GGUF", b"\x01\x02", b"tail"]
    files = installed(tmp_path, monkeypatch, chunks)
    data = b"".join(chunks)
    place(Installed("m.gguf", files, hashlib.sha256(data).hexdigest(), len(data)), tmp_path / "m.gguf")
    assert (tmp_path / "m.gguf").read_bytes() == b"GGUF\x01\x02tail"
    with pytest.raises(SystemExit):
        place(Installed("n.gguf", files, hashlib.sha256(b"other").hexdigest(), len(data)), tmp_path / "n.gguf")
    assert "sha256" in capsys.readouterr().err
    assert not list(tmp_path.glob("n.*")), "no model file, complete or partial, is left"


def test_the_installed_models_name_their_hash() -> None:
    assert INSTALLED["gemma3-270m"].sha256 == "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
    assert INSTALLED["smollm2-135m"].sha256 == "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
    assert [f for _, f in INSTALLED["gemma3-270m"].files][-1] == "data/gemma-3-270m-q4_k_m.gguf.part03"
