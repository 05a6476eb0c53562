"""`ask --json --debug` shows the raw LLM reply; `ask --json` never does."""

import json
import os
import subprocess
import sys
from pathlib import Path

from fake_llm import fake_llm
from recapqa.pipeline import Assistant

RECAPQA = str(Path(sys.executable).parent / "recapqa")
QUESTION = "How many models does Uber run in production?"


def ask_json(assistant: Assistant, base_url: str, *extra: str) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RECAPQA_", "OPENAI_"))}
    env |= {"RECAPQA_CACHE_DIR": os.environ["RECAPQA_CACHE_DIR"], "RECAPQA_LLM_BASE_URL": base_url}
    settings = assistant.settings
    args = [RECAPQA, "ask", QUESTION, "--json", "--mode", "llm", "--corpus", str(settings.corpus_dir)]
    args += ["--index", str(settings.index_dir), *extra]
    result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_debug_adds_the_raw_reply_even_when_it_fell_back(assistant: Assistant) -> None:
    reply = "[1] Uber [2] <b>Uber</b> https://example.com/x"
    with fake_llm(reply) as server:
        plain = ask_json(assistant, server["base_url"])
        debug = ask_json(assistant, server["base_url"], "--debug")
    assert "llm_reply" not in plain
    assert debug["llm_reply"] == reply
    assert debug["mode"] == "extractive" and debug["fallback_reason"]
    assert {k: v for k, v in debug.items() if k not in ("llm_reply", "timings_ms")} == {
        k: v for k, v in plain.items() if k != "timings_ms"
    }
