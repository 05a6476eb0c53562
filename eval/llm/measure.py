"""LLM vs extractive on the same questions, with a real model served by llama-cpp-python.

    .venv/bin/python eval/llm/measure.py run --model ~/.cache/recapqa/models/X.gguf --name qwen0.5b
    .venv/bin/python eval/llm/measure.py report eval/llm/runs/qwen0.5b.jsonl [...]

`run` starts llama_cpp.server on 127.0.0.1, asks every question of a split in both modes and
writes one JSON line per question (raw reply, both answers, their scores, latencies, the
sources the model was shown). `report` re-reads the raw replies through the current
checker (no model needed), so the table always reflects the code as it is, and prints the
markdown table of eval/llm/README.md. Needs `make llm-setup`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).parent))

from checker_set import INDEX, resolve  # noqa: E402

from recapqa.answer.prompt import PROMPT_VERSION, fit_sources  # noqa: E402
from recapqa.errors import LLMError  # noqa: E402
from recapqa.evaluate import metrics as m  # noqa: E402
from recapqa.evaluate.questions import Question, load_questions  # noqa: E402
from recapqa.models import Hit  # noqa: E402
from recapqa.pipeline import Assistant  # noqa: E402
from recapqa.settings import Settings  # noqa: E402


@contextmanager
def llama_server(model: Path, chat_format: str | None = None, n_ctx: int = 2048) -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--n_ctx", str(n_ctx), "--model_alias", "local"]
    if chat_format:
        cmd += ["--chat_format", chat_format]
    log_path = Path(tempfile.mkdtemp(prefix="llama-")) / "server.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                urllib.request.urlopen(f"{base_url}/models", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("llama server did not start:\n" + log_path.read_text()[-2000:]) from None
                time.sleep(0.5)
        yield base_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def open_assistant(index_dir: Path, **llm: Any) -> Assistant:
    settings = Settings(corpus_dir=REPO / "corpus", index_dir=index_dir, **llm)
    return Assistant.open(settings, notify=lambda msg: print(msg, file=sys.stderr))


def run(args: argparse.Namespace) -> None:
    questions = [q for q in load_questions(REPO / "eval" / "questions.jsonl") if q.split in args.split]
    questions = questions[args.offset :]
    questions = questions[: args.limit] if args.limit else questions
    out = Path(args.out or REPO / "eval" / "llm" / "runs" / f"{args.name}.jsonl")
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {"model": args.name, "file": Path(args.model).name, "sha256": sha256(Path(args.model))}
    meta |= {"prompt_version": PROMPT_VERSION, "machine": f"{platform.machine()}, {os.cpu_count()} cores"}
    with llama_server(Path(args.model), args.chat_format) as base_url, out.open("w") as f:
        llm = {"llm_base_url": base_url, "llm_timeout": args.timeout, "llm_max_tokens": args.max_tokens}
        assistant = open_assistant(Path(args.index), **llm)
        assistant.warm()
        f.write(json.dumps({"meta": meta}) + "\n")
        for n, q in enumerate(questions, 1):
            row = ask_both(assistant, q)
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            f.flush()
            print(f"{n}/{len(questions)} {q.id} {row['llm']['mode']} {row['llm_ms']:.0f} ms", file=sys.stderr)


def ask_both(assistant: Assistant, q: Question) -> dict[str, Any]:
    started = time.perf_counter()
    ext, retrieval = assistant.ask(q.question, mode="extractive")
    ext_ms = (time.perf_counter() - started) * 1e3
    started = time.perf_counter()
    llm, _ = assistant.ask(q.question, mode="llm")
    llm_ms = (time.perf_counter() - started) * 1e3
    settings = assistant.settings
    hits = fit_sources(retrieval.hits, q.question, settings.llm_context_tokens - settings.llm_max_tokens)
    return {
        **q.to_dict(),
        "reply": llm.llm_reply,
        "sources": [h.chunk.chunk_id for h in hits],
        "source_refs": [{"talk_id": h.talk.talk_id, "head": h.chunk.text[:80]} for h in hits],
        "extractive": ext.to_dict(),
        "llm": llm.to_dict(),
        "extractive_ms": ext_ms,
        "llm_ms": llm_ms,
    }


def recheck(assistant: Assistant, row: dict[str, Any]) -> None:
    """Re-read the stored reply with the current code: row["extractive"], row["llm"] (what
    mode llm returns) and row["auto"] (what mode auto returns) are replaced."""
    retrieval = assistant.retriever.retrieve(row["question"])
    extractive = assistant.extractive.answer(retrieval)
    row["extractive"] = extractive.to_dict()
    if row["reply"] is None:  # the call itself failed: nothing to re-read
        row["auto"] = row["llm"] = row["extractive"] | {"fallback_reason": row["llm"]["fallback_reason"]}
        return
    chunks = resolve(assistant.index, row["source_refs"]) or []  # the passages shown, in a rebuilt index
    hits = [Hit(c, assistant.index.talks[c.talk_id], 0.0) for c in chunks]
    try:
        answer = assistant.llm.from_reply(row["reply"], retrieval, hits, time.perf_counter())
    except LLMError as exc:
        row["auto"] = row["llm"] = row["extractive"] | {"fallback_reason": exc.message}
        return
    row["llm"] = answer.to_dict()
    doubt = assistant.llm.doubt(answer, retrieval)
    row["auto"] = row["extractive"] | {"fallback_reason": doubt} if doubt else row["llm"]


def summarize(rows: list[dict[str, Any]], meta: dict[str, Any]) -> dict[str, Any]:
    n = len(rows)
    passed = [r for r in rows if r["llm"]["mode"] == "llm"]
    answerable = [r for r in rows if r["answerable"]]
    passed_ans = [r for r in passed if r["answerable"] and not r["llm"]["abstained"]]

    def hit(answer: dict[str, Any], r: dict[str, Any]) -> bool:
        return not answer["abstained"] and m.fact_hit(answer["answer"], r["answers"])

    def precision(key: str, subset: list[dict[str, Any]]) -> float | None:
        good = total = 0
        for r in subset:
            if r["talks"] and r["answerable"]:
                cited = [(c["talk_id"], c["talk_title"]) for c in r[key]["citations"]]
                good, total = good + sum(m.relevance(cited, r["talks"])), total + len(cited)
        return good / total if total else None

    def ok(r: dict[str, Any], key: str) -> bool:
        return hit(r[key], r) if r["answerable"] else bool(r[key]["abstained"])

    def better_worse(key: str) -> tuple[int, int]:
        better = sum(ok(r, key) and not ok(r, "extractive") for r in rows)
        return better, sum(ok(r, "extractive") and not ok(r, key) for r in rows)

    unans = [r for r in rows if not r["answerable"]]
    return {
        **meta,
        "questions": n,
        "passed": len(passed),
        "fact_hit_passed": (sum(hit(r["llm"], r) for r in passed_ans), len(passed_ans)),
        "extractive_on_passed": (sum(hit(r["extractive"], r) for r in passed_ans), len(passed_ans)),
        "fact_hit_llm": (sum(hit(r["llm"], r) for r in answerable), len(answerable)),
        "fact_hit_extractive": (sum(hit(r["extractive"], r) for r in answerable), len(answerable)),
        "abstain_unanswerable": (sum(r["llm"]["abstained"] for r in unans), len(unans)),
        "abstain_unanswerable_ext": (sum(r["extractive"]["abstained"] for r in unans), len(unans)),
        "abstain_unanswerable_auto": (sum(r["auto"]["abstained"] for r in unans), len(unans)),
        "false_abstain": (sum(r["llm"]["abstained"] for r in answerable), len(answerable)),
        "false_abstain_auto": (sum(r["auto"]["abstained"] for r in answerable), len(answerable)),
        "false_abstain_ext": (sum(r["extractive"]["abstained"] for r in answerable), len(answerable)),
        "citation_precision": (precision("llm", rows), precision("auto", rows), precision("extractive", rows)),
        "p50_ms": (m.percentile([r["llm_ms"] for r in rows], 50), m.percentile([r["extractive_ms"] for r in rows], 50)),
        "better_worse_llm": better_worse("llm"),
        "better_worse_auto": better_worse("auto"),
        "auto_kept_llm": sum(r["auto"]["mode"] == "llm" for r in rows),
        "fact_hit_auto": (sum(hit(r["auto"], r) for r in answerable), len(answerable)),
    }


def report(args: argparse.Namespace) -> None:
    assistant = open_assistant(Path(args.index), llm_base_url="http://127.0.0.1:9/v1")
    for path in args.runs:
        lines = [json.loads(line) for line in Path(path).read_text().splitlines()]
        meta, rows = lines[0]["meta"], lines[1:]
        for r in rows:
            recheck(assistant, r)
        print(json.dumps(summarize(rows, meta), default=str))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", default=str(INDEX))
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run")
    r.add_argument("--model", required=True)
    r.add_argument("--name", required=True)
    r.add_argument("--chat-format", default=None)
    r.add_argument("--split", nargs="+", default=["dev"])
    r.add_argument("--offset", type=int, default=0, help="skip this many questions of the split first")
    r.add_argument("--limit", type=int, default=0)
    r.add_argument("--timeout", type=float, default=180.0)
    r.add_argument("--max-tokens", type=int, default=128)
    r.add_argument("--out", default=None)
    p = sub.add_parser("report")
    p.add_argument("runs", nargs="+")
    args = parser.parse_args()
    run(args) if args.command == "run" else report(args)


if __name__ == "__main__":
    main()
