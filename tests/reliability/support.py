"""Helpers of the reliability suite: the error-shape check, memory readings."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from recapqa.settings import Settings

RECAPQA = str(Path(sys.executable).parent / "recapqa")
UBER_Q = "How many models does Uber run in production?"
API_KEY = "s3cret-key"


def copy_of_default(root: Path, default: Settings) -> Settings:
    """Own copies of the corpus and the built index: tests here reload, delete, damage."""
    shutil.copytree(default.corpus_dir, root / "corpus")
    shutil.copytree(default.index_dir, root / "index")
    return default.model_copy(update={"corpus_dir": root / "corpus", "index_dir": root / "index"})


def assert_error(response: httpx.Response, status: int, *server_paths: Path) -> dict[str, str]:
    """The status, the one JSON error shape, and no server path in it."""
    assert response.status_code == status, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert {"type", "message", "fix"} <= set(error), error
    assert all(isinstance(error[k], str) for k in ("type", "message", "fix")) and error["message"], error
    for path in server_paths:
        assert str(path) not in response.text, response.text
    return error


def rss_mb(pid: int | None = None) -> float:
    """Resident memory of a process (this one by default), in MiB, from /proc."""
    with open(f"/proc/{pid or os.getpid()}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served(corpus: Path, index: Path, log: Path, workers: int = 2, **settings: str) -> Iterator[tuple[str, int]]:
    """`recapqa serve` for real, in its own process group (RECAPQA_* from the arguments only):
    the URL and the port; the server and its workers are stopped on the way out."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RECAPQA_", "OPENAI_"))}
    env.update(
        RECAPQA_CORPUS_DIR=str(corpus),
        RECAPQA_INDEX_DIR=str(index),
        RECAPQA_CACHE_DIR=os.environ["RECAPQA_CACHE_DIR"],
        HF_HUB_OFFLINE="1",
        **settings,
    )
    with log.open("w") as out:
        command = [RECAPQA, "serve", "--port", str(port), "--workers", str(workers)]
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=out, start_new_session=True)
        try:
            yield f"http://127.0.0.1:{port}", port
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
