"""The CLI on the PostgreSQL store, in fresh processes: one builds the shared index, a
second machine (another index folder: only its query encoder is local) answers from it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg

from conftest import DEFAULT_CORPUS

RECAPQA = str(Path(sys.executable).parent / "recapqa")


def run(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([RECAPQA, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_index_on_one_machine_answer_on_another(tmp_path: Path, postgres_url: str, schema: str) -> None:
    shutil.copytree(DEFAULT_CORPUS, tmp_path / "corpus")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RECAPQA_", "OPENAI_"))}
    env.update(
        RECAPQA_CACHE_DIR=os.environ["RECAPQA_CACHE_DIR"],
        RECAPQA_STORE="postgres",
        RECAPQA_DATABASE_URL=postgres_url,
        RECAPQA_DATABASE_SCHEMA=schema,
    )
    built = run("index", "--json", cwd=tmp_path, env=env)
    assert built.returncode == 0, built.stderr
    report = json.loads(built.stdout)
    assert report["chunks"] > 0 and report["embedded"] == report["chunks"]
    assert not list((tmp_path / "index").glob("gen-*")), "the index lives in the database, not in the folder"
    with psycopg.connect(postgres_url) as conn:
        rows = conn.execute(f"SELECT count(*) FROM {schema}.chunk").fetchone()
    assert rows == (report["chunks"],)

    replica = {**env, "RECAPQA_INDEX_DIR": str(tmp_path / "replica-index")}
    setup = run("index", "--json", cwd=tmp_path, env=replica)  # finds it up to date; installs the query encoder
    assert setup.returncode == 0, setup.stderr
    assert json.loads(setup.stdout)["embedded"] == 0
    asked = run("ask", "--json", "How many models does Uber run in production?", cwd=tmp_path, env=replica)
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert "5.3k" in answer["answer"] and answer["citations"][0]["source"] == "apply-ops-23-recap.txt"
    assert "building" not in asked.stderr
