"""`kill -9` in the middle of `recapqa index`, then `recapqa ask`: the answer comes, and
the vectors computed before the kill are reused, not embedded again."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import write
from recapqa.pipeline import Assistant
from recapqa.store.journal import EmbeddingJournal

RECAPQA = str(Path(sys.executable).parent / "recapqa")
VOCABULARY = (
    "model feature store pipeline latency training serving drift label batch "
    "stream kafka spark gpu cluster registry rollout canary metric dashboard "
    "vector index embedding ranking recall budget team platform migration schema "
    "warehouse lake notebook experiment tracking monitor"
)


def synthetic_corpus(folder: Path, talks: int = 14, paragraphs: int = 5) -> None:
    rng = random.Random(7)
    words = VOCABULARY.split()
    parts = []
    for t in range(talks):
        parts.append(f"## Talk {t} about platform number {t} (Company{t})\n\nSpeaker: Person {t}, CTO of Company{t}\n")
        for p in range(paragraphs):
            sentences = [
                " ".join(rng.choice(words) for _ in range(14)).capitalize() + f" {t}.{p}.{s}." for s in range(7)
            ]
            parts.append(" ".join(sentences) + "\n")
    parts.append("## Fleet size at Acme (Acme)\n\nSpeaker: Ada Lovelace, CTO of Acme\n\nAcme runs 812 GPUs.\n")
    write(folder / "notes.md", "\n".join(parts))


def env() -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("RECAPQA_", "OPENAI_"))}
    return {**clean, "RECAPQA_CACHE_DIR": os.environ["RECAPQA_CACHE_DIR"], "HF_HUB_OFFLINE": "1"}


def test_kill_during_build_then_ask_reuses_the_work_done(tmp_path: Path, assistant: Assistant) -> None:
    """(`assistant` has exported the query encoder into this session's cache.)"""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    synthetic_corpus(corpus)
    args = ["--corpus", str(corpus), "--index", str(index)]
    build = subprocess.Popen([RECAPQA, "index", *args], env=env(), stderr=subprocess.PIPE, text=True)
    journal = EmbeddingJournal(index)
    deadline = time.monotonic() + 180
    while not list(journal.folder.glob("batch-*.npz")):  # the first batch of vectors is on disk
        assert build.poll() is None, f"the build ended before it could be killed: {build.communicate()[1]}"
        assert time.monotonic() < deadline, "no embedding batch was written"
        time.sleep(0.02)
    build.send_signal(signal.SIGKILL)
    build.wait()
    kept = len(journal.load())
    assert kept > 0 and not (index / "CURRENT").exists()

    result = subprocess.run(
        [RECAPQA, "ask", "--json", "How many GPUs does Acme run?", *args],
        env=env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "812 GPUs" in json.loads(result.stdout)["answer"]
    built = re.search(r"index: (\d+) chunks \((\d+) embedded, (\d+) reused\)", result.stderr)
    assert built, result.stderr
    chunks, embedded, reused = map(int, built.groups())
    assert reused > 0 and embedded + reused == chunks, "vectors computed before the kill were embedded again"
    assert not journal.folder.exists(), "a finished build removes the progress it no longer needs"
    assert not list(index.glob(".building-*"))
