"""An index folder written by a newer recapqa (a higher index format or pipeline version in
its manifest) is refused, never rebuilt behind the user's back: `index`, `ask`, `eval` and
`serve` say what happened and what to do, and the folder stays as it was. `index --rebuild`
replaces it on purpose. An older index is rebuilt, said once."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from conftest import CountingEmbedder, write
from live_server import live_server
from recapqa.api import create_app
from recapqa.errors import IndexNewerError
from recapqa.settings import Settings
from recapqa.store import FORMAT_VERSION, PIPELINE_VERSION
from recapqa.store.build import build_index
from recapqa.store.files import current_generation
from reliability.support import assert_error
from test_cli import run

NOTES = "## Queues at Acme - Alice Moreau, CTO, Acme\n\nAcme runs 42 Kafka clusters in production.\n"
QUESTION = "How many Kafka clusters does Acme run?"


def _stamp(index_dir: Path, key: str, value: int) -> Path:
    """Edit the live manifest as another version of recapqa would have written it."""
    manifest_path = current_generation(index_dir) / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    if key == "pipeline":
        manifest["chunking"]["pipeline"] = value
    else:
        manifest[key] = value
    manifest_path.write_text(json.dumps(manifest))
    return manifest_path


def _snapshot(index_dir: Path) -> dict[str, bytes]:
    return {p.relative_to(index_dir).as_posix(): p.read_bytes() for p in index_dir.rglob("*") if p.is_file()}


NEWER = [("format_version", FORMAT_VERSION + 1), ("pipeline", PIPELINE_VERSION + 1)]


@pytest.mark.parametrize(("key", "value"), NEWER)
def test_a_newer_index_is_refused_not_rebuilt(
    settings: Settings, counting_embedder: CountingEmbedder, key: str, value: int
) -> None:
    write(settings.corpus_dir / "a.md", NOTES)
    build_index(settings.corpus_dir, settings.index_dir, settings, lambda: counting_embedder)
    _stamp(settings.index_dir, key, value)
    before = _snapshot(settings.index_dir)
    with pytest.raises(IndexNewerError) as err:
        build_index(settings.corpus_dir, settings.index_dir, settings, lambda: counting_embedder)
    assert "newer recapqa" in err.value.message and str(value) in err.value.message
    assert "upgrade" in err.value.fix and "recapqa index --rebuild" in err.value.fix
    assert _snapshot(settings.index_dir) == before
    report = build_index(settings.corpus_dir, settings.index_dir, settings, lambda: counting_embedder, force=True)
    assert report.rebuilt and report.chunks > 0  # --rebuild replaces it, on purpose


def test_cli_index_ask_and_eval_refuse_a_newer_index(tmp_path: Path) -> None:
    write(tmp_path / "corpus" / "a.md", NOTES)
    assert run("index", cwd=tmp_path).returncode == 0
    _stamp(tmp_path / "index", "format_version", FORMAT_VERSION + 1)
    before = _snapshot(tmp_path / "index")
    row = {"id": "a1", "question": QUESTION, "answers": ["42"], "talks": [], "answerable": True}
    write(tmp_path / "q.jsonl", json.dumps(row) + "\n")
    for args in (["index"], ["ask", QUESTION], ["eval", "--questions", "q.jsonl", "--index", "index"]):
        result = run(*args, cwd=tmp_path)
        assert result.returncode == 2, (args, result.stderr)
        assert "error: the index was written by a newer recapqa" in result.stderr, (args, result.stderr)
        assert "fix: upgrade recapqa" in result.stderr and "`recapqa index --rebuild`" in result.stderr
        assert "Traceback" not in result.stderr
        assert _snapshot(tmp_path / "index") == before, args
    rebuilt = run("index", "--rebuild", cwd=tmp_path)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert run("ask", QUESTION, cwd=tmp_path).returncode == 0


def test_serve_refuses_a_newer_index_and_keeps_it(settings: Settings, counting_embedder: CountingEmbedder) -> None:
    write(settings.corpus_dir / "a.md", NOTES)
    build_index(settings.corpus_dir, settings.index_dir, settings, lambda: counting_embedder)
    _stamp(settings.index_dir, "pipeline", PIPELINE_VERSION + 1)
    write(settings.corpus_dir / "b.md", NOTES.replace("Acme", "Globex"))  # stale too: a refresh would rebuild
    before = _snapshot(settings.index_dir)
    with live_server(create_app(settings)) as url, httpx.Client(base_url=url, timeout=60) as client:
        for response in (
            client.get("/readyz"),
            client.post("/v1/ask", json={"question": QUESTION}),
            client.post("/v1/reload"),
        ):
            error = assert_error(response, 503, settings.index_dir)
            assert error["type"] == "IndexNewerError" and "newer recapqa" in error["message"], error
            assert "--rebuild" in error["fix"]
    assert _snapshot(settings.index_dir) == before


def test_an_older_index_is_rebuilt_and_said_once(tmp_path: Path) -> None:
    write(tmp_path / "corpus" / "a.md", NOTES)
    assert run("index", cwd=tmp_path).returncode == 0
    _stamp(tmp_path / "index", "pipeline", PIPELINE_VERSION - 1)
    asked = run("ask", QUESTION, cwd=tmp_path)
    assert asked.returncode == 0, asked.stderr
    assert asked.stderr.count("older recapqa") == 1, asked.stderr
    assert "42" in asked.stdout
    _stamp(tmp_path / "index", "format_version", FORMAT_VERSION - 1)
    indexed = run("index", cwd=tmp_path)
    assert indexed.returncode == 0, indexed.stderr
    assert indexed.stderr.count("older recapqa") == 1, indexed.stderr
    assert "index built" in indexed.stdout
