"""Soak: mixed traffic with reloads for a long while, over real HTTP on 127.0.0.1.

    .venv/bin/python bench/soak.py [--minutes 10] [--clients 8] [--workers 2] [--reload-every 30]

Starts `recapqa serve` in its own process on a copy of the corpus (and of ./index, if it is
built) in a temporary folder, then runs N clients, each looping over a mix of requests:
/v1/ask (new and repeated questions), /v1/chat and /v1/chat/completions (plain and
streamed, with follow-ups), /v1/talks, /readyz, and a few bad requests that must get
their 4xx. Every `--reload-every` seconds it sends POST /v1/reload; every third reload
first edits a notes file, so a new index is built and swapped in while clients run.
An error is any reply other than the expected status (or a stream without its end).
Prints, per minute: requests, errors, p50/p95 latency and the server's RSS (all its
processes); then totals. Loopback only; it stops by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
from serve_load import free_port  # noqa: E402

EXTRA = "## Soak Test Notes (Soakco)\n\nSpeaker: Sam Soak, CTO of Soakco\n\nSoakco reloads {n} times a day.\n"


def tree_rss_mb(pid: int) -> float:
    """RSS of a process and all its descendants, in MiB (from /proc)."""
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/status", encoding="ascii") as status:
                total += next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, StopIteration):
            continue
    return total


def start_server(port: int, workers: int, corpus: Path, index: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "RECAPQA_CORPUS_DIR": str(corpus), "RECAPQA_INDEX_DIR": str(index), "HF_HUB_OFFLINE": "1"}
    recapqa = str(Path(sys.executable).parent / "recapqa")
    proc = subprocess.Popen(
        [recapqa, "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise SystemExit("server did not become ready")


def request_of(questions: list[str], n: int, rng: random.Random) -> tuple[str, str, object, int, str | None]:
    """One request of the mix: (method, path, JSON body or raw bytes, expected status, text
    the reply must hold)."""
    q = questions[n % len(questions)]
    unique = f"{q} #{n}"
    follow = [
        {"role": "user", "content": "Which feature store did the Lidl speaker suggest?"},
        {"role": "assistant", "content": "Feast [1]"},
        {"role": "user", "content": "and what did she say about Kafka?"},
    ]
    kinds = [
        ("POST", "/v1/ask", {"question": unique, "mode": "extractive"}, 200, None),
        ("POST", "/v1/ask", {"question": q}, 200, None),
        ("POST", "/v1/chat", {"messages": follow}, 200, None),
        ("POST", "/v1/chat", {"messages": [{"role": "user", "content": unique}], "stream": True}, 200, "event: done"),
        ("POST", "/v1/chat/completions", {"messages": [{"role": "user", "content": q}]}, 200, None),
        ("POST", "/v1/chat/completions", {"messages": follow, "stream": True}, 200, "data: [DONE]"),
        ("GET", "/v1/talks", None, 200, None),
        ("GET", "/readyz", None, 200, None),
        ("POST", "/v1/ask", {"question": "x", "k": "5"}, 422, None),
        ("POST", "/v1/chat", b'{"messages": [{"role": "user", "content": "a\\ud800"}]}', 422, None),
        ("GET", "/v1/nope", None, 404, None),
    ]
    weights = [4, 3, 2, 2, 2, 2, 1, 1, 1, 1, 1]
    return rng.choices(kinds, weights)[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reload-every", type=float, default=30, help="seconds between POST /v1/reload")
    parser.add_argument("--questions", type=Path, default=REPO / "eval" / "questions.jsonl")
    args = parser.parse_args()
    questions = [json.loads(line)["question"] for line in args.questions.read_text().splitlines() if line.strip()]

    work = Path(tempfile.mkdtemp(prefix="recapqa-soak-"))
    shutil.copytree(REPO / "corpus", work / "corpus")
    if (REPO / "index" / "CURRENT").exists():
        shutil.copytree(REPO / "index", work / "index", symlinks=True)
    port = free_port()
    proc = start_server(port, args.workers, work / "corpus", work / "index")
    url = f"http://127.0.0.1:{port}"

    lock = threading.Lock()
    samples: list[tuple[float, float, bool]] = []  # (time since start, latency ms, ok)
    failures: list[str] = []
    rss: list[tuple[float, float]] = []
    reloads = [0, 0]  # done, failed
    started = time.monotonic()
    stop = started + args.minutes * 60

    def client(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=url, timeout=60) as http:
            n = seed * 1_000_000
            while time.monotonic() < stop:
                method, path, body, expected, ending = request_of(questions, n, rng)
                n += 1
                t0 = time.perf_counter()
                try:
                    if isinstance(body, bytes):
                        reply = http.request(method, path, content=body, headers={"content-type": "application/json"})
                    else:
                        reply = http.request(method, path, json=body)
                    ok = reply.status_code == expected and (ending is None or ending in reply.text)
                    detail = f"{method} {path} -> {reply.status_code} {reply.text[:120]!r}"
                except httpx.HTTPError as exc:
                    ok, detail = False, f"{method} {path} -> {type(exc).__name__}"
                with lock:
                    samples.append((time.monotonic() - started, (time.perf_counter() - t0) * 1e3, ok))
                    if not ok:
                        failures.append(detail)

    def reloader() -> None:
        with httpx.Client(base_url=url, timeout=600) as http:
            while time.monotonic() + args.reload_every < stop:
                time.sleep(args.reload_every)
                if reloads[0] % 3 == 2:
                    (work / "corpus" / "soak.md").write_text(EXTRA.format(n=reloads[0]))
                ok = http.post("/v1/reload").status_code == 200
                reloads[0] += 1
                reloads[1] += 0 if ok else 1

    def sampler() -> None:
        while time.monotonic() < stop:
            rss.append((time.monotonic() - started, tree_rss_mb(proc.pid)))
            time.sleep(10)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
    threads += [threading.Thread(target=reloader), threading.Thread(target=sampler)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        rss.append((time.monotonic() - started, tree_rss_mb(proc.pid)))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    report(args, samples, failures, rss, reloads)


def report(
    args: argparse.Namespace,
    samples: list[tuple[float, float, bool]],
    failures: list[str],
    rss: list[tuple[float, float]],
    reloads: list[int],
) -> None:
    every = f"reload every {args.reload_every:g} s"
    print(f"soak: {args.minutes:g} min, {args.clients} clients, {args.workers} workers, {every}")
    print(f"{'minute':>6} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'RSS MiB':>8}")
    minutes = int(args.minutes + 0.999)
    for m in range(minutes):
        window = [s for s in samples if m * 60 <= s[0] < (m + 1) * 60]
        latencies = sorted(s[1] for s in window if s[2])
        memory = [r for t, r in rss if m * 60 <= t < (m + 1) * 60] or [rss[-1][1]]
        p50 = statistics.median(latencies) if latencies else float("nan")
        p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan")
        errors = sum(1 for s in window if not s[2])
        print(f"{m + 1:>6} {len(window):>8} {errors:>6} {p50:>8.1f} {p95:>8.1f} {max(memory):>8.0f}")
    latencies = sorted(s[1] for s in samples if s[2])
    print(
        f"total: {len(samples)} requests, {len(failures)} errors, p50 {statistics.median(latencies):.1f} ms, "
        f"p95 {latencies[int(0.95 * (len(latencies) - 1))]:.1f} ms; reloads {reloads[0]} ({reloads[1]} failed); "
        f"RSS first {rss[0][1]:.0f} MiB, last {rss[-1][1]:.0f} MiB, max {max(r for _, r in rss):.0f} MiB"
    )
    for failure in failures[:10]:
        print("  error:", failure)


if __name__ == "__main__":
    main()
