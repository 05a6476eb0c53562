"""LLM vs extractive on the same questions, with a real model served by llama-cpp-python.

    .venv/bin/python eval/llm/measure.py run --model ~/.cache/recapqa/models/X.gguf --name qwen0.5b
    .venv/bin/python eval/llm/measure.py report eval/llm/runs/qwen0.5b.jsonl [...]
    .venv/bin/python eval/llm/measure.py gist --model ~/.cache/recapqa/models/X.gguf --name qwen0.5b --limit 15

`run` starts llama_cpp.server on 127.0.0.1, asks every question of a split in both modes and
writes one JSON line per question (raw reply, both answers, their scores, latencies, the
sources the model was shown). `report` re-reads the raw replies through the current
checker (no model needed), so the table always reflects the code as it is, and prints the
markdown table of eval/llm/README.md. `gist` asks the summary question set
(eval/summary_questions.jsonl, each question on its collection's notes) in modes extractive,
llm and auto and prints how many LLM gist answers passed the check and the key-point recall
(metrics.words_present) of the passed ones against the extractive answer on the same
questions. Needs `make llm-setup`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
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
COLLECTIONS = REPO.parent / "shared" / "corpora"
sys.path.insert(0, str(Path(__file__).parent))

from checker_set import INDEX, resolve  # noqa: E402

from recapqa.answer.llm_gist import from_gist_reply, gist_doubt, selected_gist  # noqa: E402
from recapqa.answer.prompt import GIST_PROMPT_VERSION, PROMPT_VERSION, fit_sources  # noqa: E402
from recapqa.errors import LLMError  # noqa: E402
from recapqa.evaluate import metrics as m  # noqa: E402
from recapqa.evaluate.questions import Question, load_questions  # noqa: E402
from recapqa.models import Hit  # noqa: E402
from recapqa.pipeline import Assistant  # noqa: E402
from recapqa.settings import Settings  # noqa: E402


@contextmanager
def llama_server(model: Path, chat_format: str | None = None, n_ctx: int = 2048, port: int = 0) -> Iterator[str]:
    """Serve `model` on 127.0.0.1 at `port` (0: a free one)."""
    if not port:
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


def open_assistant(index_dir: Path, collection: str | None = None, **llm: Any) -> Assistant:
    """An assistant over the default corpus, or over one collection of ../shared/corpora (its
    index in `index_dir` + "-" + the collection's name)."""
    corpus = COLLECTIONS / collection if collection else REPO / "corpus"
    index = index_dir.with_name(f"{index_dir.name}-{collection}") if collection else index_dir
    settings = Settings(corpus_dir=corpus, index_dir=index, **llm)
    return Assistant.open(settings, notify=lambda msg: print(msg, file=sys.stderr))


def pick(questions: list[Question], per_collection: int) -> list[Question]:
    """At most `per_collection` questions of each collection, in file order."""
    if not per_collection:
        return questions
    taken: dict[str | None, int] = {}
    out = []
    for q in questions:
        if taken.get(q.collection, 0) < per_collection:
            taken[q.collection] = taken.get(q.collection, 0) + 1
            out.append(q)
    return out


def run(args: argparse.Namespace) -> None:
    asked = {json.loads(line).get("id") for path in args.exclude for line in Path(path).read_text().splitlines()}
    questions = [q for q in load_questions(Path(args.questions)) if q.split in args.split and q.id not in asked]
    questions = pick(questions[args.offset :], args.per_collection)
    if args.sample:  # a random sample, in file order: not chosen by reading them
        chosen = set(random.Random(args.seed).sample(range(len(questions)), min(args.sample, len(questions))))
        questions = [q for n, q in enumerate(questions) if n in chosen]
    questions = questions[: args.limit] if args.limit else questions
    out = Path(args.out or REPO / "eval" / "llm" / "runs" / f"{args.name}.jsonl")
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {"model": args.name, "file": Path(args.model).name, "sha256": sha256(Path(args.model))}
    meta |= {"prompt_version": PROMPT_VERSION, "machine": f"{platform.machine()}, {os.cpu_count()} cores"}
    meta |= {"temperature": args.temperature}
    with llama_server(Path(args.model), args.chat_format, port=args.port) as base_url, out.open("w") as f:
        llm = {"llm_base_url": base_url, "llm_timeout": args.timeout, "llm_max_tokens": args.max_tokens}
        llm |= {"llm_temperature": args.temperature}
        assistants: dict[str | None, Assistant] = {}
        f.write(json.dumps({"meta": meta}) + "\n")
        for n, q in enumerate(questions, 1):
            if q.collection not in assistants:
                assistants[q.collection] = open_assistant(Path(args.index), q.collection, **llm)
                assistants[q.collection].warm()
            row = ask_both(assistants[q.collection], q)
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


def key_point_recall(answer: dict[str, Any], key_points: list[str]) -> float:
    if answer["abstained"] or not key_points:
        return 0.0
    return sum(m.words_present(answer["answer"], k) for k in key_points) / len(key_points)


def gist(args: argparse.Namespace) -> None:
    rows = [json.loads(line) for line in (REPO / "eval" / "summary_questions.jsonl").read_text().splitlines()]
    rows = [r for r in rows if r["split"] in args.split][args.offset :]
    rows = rows[: args.limit] if args.limit else rows
    out = Path(args.out or REPO / "eval" / "llm" / "runs" / f"{args.name}-gist.jsonl")
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {"model": args.name, "file": Path(args.model).name, "gist_prompt_version": GIST_PROMPT_VERSION}
    assistants: dict[str | None, Assistant] = {}
    with llama_server(Path(args.model), args.chat_format) as base_url, out.open("w") as f:
        f.write(json.dumps({"meta": meta}) + "\n")
        for n, r in enumerate(rows, 1):
            collection = r.get("collection")
            if collection not in assistants:
                corpus = REPO.parent / "shared" / "corpora" / collection if collection else REPO / "corpus"
                settings = Settings(
                    corpus_dir=corpus,
                    index_dir=Path(args.index_root) / (collection or "default"),
                    llm_base_url=base_url,
                    llm_timeout=args.timeout,
                    llm_max_tokens=args.max_tokens,
                )
                assistants[collection] = Assistant.open(settings, notify=lambda msg: print(msg, file=sys.stderr))
            assistant = assistants[collection]
            ext, retrieval = assistant.ask(r["question"], mode="extractive")
            started = time.perf_counter()
            llm, _ = assistant.ask(r["question"], mode="llm")
            llm_ms = (time.perf_counter() - started) * 1e3
            doubt = assistant.llm.doubt(llm, retrieval) if llm.mode == "llm" else None
            auto = (
                ext.to_dict() | {"fallback_reason": doubt or llm.fallback_reason}
                if doubt or llm.mode != "llm"
                else None
            )
            row = {**r, "reply": llm.llm_reply, "extractive": ext.to_dict(), "llm": llm.to_dict(), "llm_ms": llm_ms}
            row["auto"] = auto or llm.to_dict()
            row["gist_path"] = selected_gist(assistant.llm, retrieval) is not None
            for key in ("extractive", "llm", "auto"):
                row[f"recall_{key}"] = key_point_recall(row[key], r["key_points"])
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            f.flush()
            print(f"{n}/{len(rows)} {r['id']} {llm.mode} {llm_ms:.0f} ms {llm.fallback_reason or ''}", file=sys.stderr)
    print(json.dumps(summarize_gist([json.loads(line) for line in out.read_text().splitlines()[1:]])))


def gist_report(args: argparse.Namespace) -> None:
    """Re-read the stored replies of `gist` runs through the current check (no model needed)."""
    assistants: dict[str | None, Assistant] = {}
    for path in args.runs:
        rows = [json.loads(line) for line in Path(path).read_text().splitlines()][1:]
        for r in rows:
            collection = r.get("collection")
            if collection not in assistants:
                corpus = REPO.parent / "shared" / "corpora" / collection if collection else REPO / "corpus"
                index_dir = Path(args.index_root) / (collection or "default")
                settings = Settings(corpus_dir=corpus, index_dir=index_dir, llm_base_url="http://127.0.0.1:9/v1")
                assistants[collection] = Assistant.open(settings, notify=lambda msg: print(msg, file=sys.stderr))
            assistant = assistants[collection]
            retrieval = assistant.retriever.retrieve(r["question"])
            ext = assistant.extractive.answer(retrieval)
            gist = selected_gist(assistant.llm, retrieval)
            r["extractive"], r["gist_path"] = ext.to_dict(), gist is not None
            if gist is not None and r["reply"] is not None:
                try:
                    llm = from_gist_reply(assistant.llm, r["reply"], retrieval, gist, time.perf_counter())
                except LLMError as exc:
                    r["llm"] = r["auto"] = r["extractive"] | {"fallback_reason": exc.message}
                else:
                    doubt = gist_doubt(llm, gist)
                    r["llm"] = llm.to_dict()
                    r["auto"] = r["extractive"] | {"fallback_reason": doubt} if doubt else r["llm"]
            for key in ("extractive", "llm", "auto"):
                r[f"recall_{key}"] = key_point_recall(r[key], r["key_points"])
            if args.verbose:
                print(r["id"], r["llm"]["mode"], r["llm"]["fallback_reason"], file=sys.stderr)
        print(json.dumps(summarize_gist(rows)))


def summarize_gist(rows: list[dict[str, Any]]) -> dict[str, Any]:
    passed = [r for r in rows if r["llm"]["mode"] == "llm"]
    kept = [r for r in rows if r["auto"]["mode"] == "llm"]

    def mean(values: list[float]) -> float | None:
        return round(sum(values) / len(values), 3) if values else None

    return {
        "questions": len(rows),
        "llm_passed": len(passed),
        "llm_fell_back": len(rows) - len(passed),
        "auto_kept_llm": len(kept),
        "recall_llm_passed": mean([r["recall_llm"] for r in passed]),
        "recall_extractive_same": mean([r["recall_extractive"] for r in passed]),
        "recall_extractive_all": mean([r["recall_extractive"] for r in rows]),
        "recall_llm_mode_all": mean([r["recall_llm"] for r in rows]),
        "recall_auto_all": mean([r["recall_auto"] for r in rows]),
        "p50_llm_ms": m.percentile([r["llm_ms"] for r in rows], 50),
        "gist_path": sum(r["gist_path"] for r in rows),
        "reasons": [r["llm"]["fallback_reason"] for r in rows if r["llm"]["mode"] != "llm"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", default=str(INDEX))
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run")
    r.add_argument("--model", required=True)
    r.add_argument("--name", required=True)
    r.add_argument("--chat-format", default=None)
    r.add_argument("--split", nargs="+", default=["dev"])
    r.add_argument("--questions", default=str(REPO / "eval" / "questions.jsonl"))
    r.add_argument("--offset", type=int, default=0, help="skip this many questions of the split first")
    r.add_argument("--exclude", nargs="*", default=[], help="runs whose questions are left out (asked already)")
    r.add_argument("--per-collection", type=int, default=0, help="at most this many questions per collection")
    r.add_argument("--limit", type=int, default=0)
    r.add_argument("--sample", type=int, default=0, help="ask a random sample of this many of the questions left")
    r.add_argument("--seed", type=int, default=0, help="seed of --sample")
    r.add_argument("--timeout", type=float, default=180.0)
    r.add_argument("--max-tokens", type=int, default=128)
    r.add_argument(
        "--temperature", type=float, default=0.0, help="> 0: sampled replies (fresh replies to questions asked before)"
    )
    r.add_argument("--out", default=None)
    r.add_argument("--port", type=int, default=0, help="serve the model on this port (0: a free one)")
    p = sub.add_parser("report")
    p.add_argument("runs", nargs="+")
    g = sub.add_parser("gist")
    g.add_argument("--model", required=True)
    g.add_argument("--name", required=True)
    g.add_argument("--chat-format", default=None)
    g.add_argument("--split", nargs="+", default=["dev"])
    g.add_argument("--offset", type=int, default=0)
    g.add_argument("--limit", type=int, default=0)
    g.add_argument("--timeout", type=float, default=180.0)
    g.add_argument("--max-tokens", type=int, default=256)
    g.add_argument("--index-root", default=str(Path(tempfile.gettempdir()) / "recapqa-eval-gist"))
    g.add_argument("--out", default=None)
    gr = sub.add_parser("gist-report")
    gr.add_argument("runs", nargs="+")
    gr.add_argument("--index-root", default=str(Path(tempfile.gettempdir()) / "recapqa-eval-gist"))
    gr.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    {"run": run, "report": report, "gist": gist, "gist-report": gist_report}[args.command](args)


if __name__ == "__main__":
    main()
