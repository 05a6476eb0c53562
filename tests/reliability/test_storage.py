"""A full disk and a read-only file system, for real (a small tmpfs mounted for the test:
needs root, as `make test` and CI run), and a corpus folder that vanishes. The CLI says
`error:`/`fix:` and exits 2; the server answers JSON 503, stays up, and recovers on reload;
no message shows a server path."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from conftest import write
from live_server import live_server
from recapqa import cli
from recapqa.api import create_app
from recapqa.embed.onnx_export import ENCODER_DIR
from recapqa.settings import Settings
from recapqa.store import load_index
from reliability.support import UBER_Q, assert_error, copy_of_default

NEW_TALK = "## Vector Search at Acme (Acme)\n\nSpeaker: Ada Lovelace, CTO of Acme\n\nAcme stores 7 billion vectors.\n"


@pytest.fixture()
def mount_point(tmp_path: Path) -> Iterator[Path]:
    point = tmp_path / "disk"
    point.mkdir()
    yield point
    subprocess.run(["umount", "-l", str(point)], capture_output=True)


def mount(point: Path, size: str, options: str = "") -> None:
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}{options}", "tmpfs", str(point)], capture_output=True, text=True
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs for the disk-full test (needs root): {result.stderr.strip()}")


def fill(point: Path, leave: int) -> Path:
    """Take all the free space but `leave` bytes."""
    filler = point / "filler"
    stats = os.statvfs(point)
    with filler.open("wb") as handle:
        handle.truncate(0)
        handle.write(b"\0" * max(0, stats.f_bavail * stats.f_frsize - leave))
    return filler


def index_on(point: Path, source: Settings, encoder: bool) -> Settings:
    """The built index copied onto the mounted disk (with or without its query encoder)."""
    index = point / "index"
    index.mkdir()
    for path in source.index_dir.iterdir():
        if path.name == "CURRENT" or path.name.startswith("gen-") or (encoder and path.name == ENCODER_DIR):
            (shutil.copytree if path.is_dir() else shutil.copy2)(path, index / path.name)
    return source.model_copy(update={"index_dir": index})


def run_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    monkeypatch.setattr(sys, "argv", ["recapqa", *args])
    with pytest.raises(SystemExit) as ended:
        cli.main()
    return int(ended.value.code or 0), capsys.readouterr().err


def index_command(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, own: Settings, settings: Settings
) -> tuple[int, str]:
    return run_cli(capsys, monkeypatch, "index", "--corpus", str(own.corpus_dir), "--index", str(settings.index_dir))


@pytest.fixture()
def own(tmp_path: Path, rel_settings: Settings) -> Settings:
    return copy_of_default(tmp_path / "own", rel_settings)


def test_disk_full_mid_build_is_an_error_with_a_fix_and_the_old_index_survives(
    own: Settings, mount_point: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    mount(mount_point, "128m")
    settings = index_on(mount_point, own, encoder=True)
    write(own.corpus_dir / "acme.md", NEW_TALK)
    fill(mount_point, leave=64 * 1024)
    status, err = run_cli(
        capsys, monkeypatch, "index", "--corpus", str(own.corpus_dir), "--index", str(settings.index_dir)
    )
    assert status == 2, err
    assert "error: no space left on the disk of the index folder" in err and "fix: free some disk space" in err
    assert "Traceback" not in err
    assert len(load_index(settings.index_dir).chunks) == len(load_index(own.index_dir).chunks)  # the old one
    assert not list(settings.index_dir.glob(".building-*")), "a failed build leaves no half generation"


def test_no_room_for_the_query_encoder_is_an_error_not_success(
    own: Settings, mount_point: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    mount(mount_point, "16m")  # the index fits, the 90 MB encoder does not
    settings = index_on(mount_point, own, encoder=False)
    status, err = run_cli(
        capsys, monkeypatch, "index", "--corpus", str(own.corpus_dir), "--index", str(settings.index_dir)
    )
    assert status == 2, err
    assert "error: no space left on the disk of the index folder" in err
    assert "the index itself is complete and answers work" in err, "the user learns the index is usable"
    assert "run `recapqa index` again to add the encoder" in err
    assert not list(settings.index_dir.glob(f".{ENCODER_DIR}-*")), "nothing half-copied stays"


def test_a_read_only_index_folder_is_an_error_with_a_fix(
    own: Settings, mount_point: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    mount(mount_point, "128m")
    settings = index_on(mount_point, own, encoder=True)
    subprocess.run(["mount", "-o", "remount,ro", str(mount_point)], check=True)
    write(own.corpus_dir / "acme.md", NEW_TALK)
    status, err = run_cli(
        capsys, monkeypatch, "index", "--corpus", str(own.corpus_dir), "--index", str(settings.index_dir)
    )
    assert status == 2, err
    assert "error: the index folder is on a read-only file system" in err and "fix:" in err


def test_serve_on_a_full_disk_stays_up_reports_503_and_recovers(own: Settings, mount_point: Path) -> None:
    mount(mount_point, "128m")
    settings = index_on(mount_point, own, encoder=True)
    write(own.corpus_dir / "acme.md", NEW_TALK)  # stale: start-up must build, and cannot
    filler = fill(mount_point, leave=64 * 1024)
    with live_server(create_app(settings)) as url, httpx.Client(base_url=url, timeout=120) as http:
        assert http.get("/healthz").status_code == 200
        for reply in (http.get("/readyz"), http.post("/v1/ask", json={"question": UBER_Q})):
            error = assert_error(reply, 503, mount_point, own.corpus_dir)
            assert error["type"] == "StorageError" and "no space left" in error["message"]
        filler.unlink()  # space is back
        assert http.post("/v1/reload").status_code == 200
        assert http.get("/readyz").status_code == 200
        answer = http.post("/v1/ask", json={"question": "How many vectors does Acme store?"}).json()
        assert "7 billion" in answer["answer"]


def test_a_vanished_corpus_is_reported_by_readyz_without_its_path(own: Settings) -> None:
    with live_server(create_app(own)) as url, httpx.Client(base_url=url, timeout=60) as http:
        assert http.get("/readyz").status_code == 200
        shutil.rmtree(own.corpus_dir)
        error = assert_error(http.get("/readyz"), 503, own.corpus_dir, own.index_dir)
        assert error["type"] == "CorpusError" and "gone" in error["message"] and "/v1/reload" in error["fix"]
        assert http.post("/v1/ask", json={"question": UBER_Q}).status_code == 200  # the loaded index serves
        reload_error = assert_error(http.post("/v1/reload"), 503, own.corpus_dir, own.index_dir)
        assert reload_error["type"] == "CorpusError"
        assert http.post("/v1/ask", json={"question": UBER_Q}).status_code == 200


def test_a_vanished_index_folder_is_reported_by_readyz_until_reloaded(own: Settings) -> None:
    """Answers that read the index's files fail once its folder is deleted: readiness says so
    (it used to say "ready"), and a reload builds the index again."""
    with live_server(create_app(own)) as url, httpx.Client(base_url=url, timeout=120) as http:
        assert http.get("/readyz").status_code == 200
        shutil.rmtree(own.index_dir)
        error = assert_error(http.get("/readyz"), 503, own.corpus_dir, own.index_dir)
        assert error["type"] == "StorageError"
        assert error["message"] == "the index folder (RECAPQA_INDEX_DIR) is gone; answers that read its files fail"
        assert http.post("/v1/reload").status_code == 200
        assert http.get("/readyz").json()["status"] == "ready"


def test_an_unreadable_index_is_a_503_not_a_500(own: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """As root, file permissions cannot refuse a read: the fault is injected at the call."""
    with TestClient(create_app(own)) as client:

        def denied(path: Path) -> str:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))

        monkeypatch.setattr("recapqa.store.files.file_sha256", denied)
        error = assert_error(client.post("/v1/reload"), 503, own.index_dir)
        assert error["type"] == "StorageError" and "permission denied" in error["message"]
        assert client.post("/v1/ask", json={"question": UBER_Q}).status_code == 200  # the loaded index serves


def test_ask_on_a_stale_read_only_index_answers_from_it_with_a_warning(
    own: Settings, mount_point: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The notes changed but the index folder cannot be written: the index as last built
    answers, and stderr says why it was not refreshed (it used to refuse to answer)."""
    mount(mount_point, "128m")
    settings = index_on(mount_point, own, encoder=True)
    subprocess.run(["mount", "-o", "remount,ro", str(mount_point)], check=True)
    write(own.corpus_dir / "acme.md", NEW_TALK)
    args = ("ask", UBER_Q, "--corpus", str(own.corpus_dir), "--index", str(settings.index_dir))
    monkeypatch.setattr(sys, "argv", ["recapqa", *args])
    with pytest.raises(SystemExit) as ended:
        cli.main()
    captured = capsys.readouterr()
    assert ended.value.code == 0, captured.err
    assert captured.out.startswith("Around 5.3k models in production"), captured.out
    assert "warning: the index folder is on a read-only file system" in captured.err
    assert "answering from the index as last built" in captured.err and "Traceback" not in captured.err
