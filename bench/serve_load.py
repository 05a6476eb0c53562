"""Load on POST /v1/ask (extractive) over real HTTP on 127.0.0.1.

    .venv/bin/python bench/serve_load.py [--clients 8] [--workers 2] [--requests 400] [--max-seconds 60]

Starts `recapqa serve` in its own process on a free loopback port (or uses --url), then
runs, each bounded by a request count and a time limit:
  1. one client, unique questions (every request is a new question: no cache helps);
  2. N concurrent clients, unique questions;
  3. N concurrent clients, the eval questions repeated (the query-embedding cache answers).
Unique questions are the eval questions with a request number appended. Prints p50/p95
latency, requests per second and errors, and ratios. Loopback only; it stops by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import psutil


def machine() -> str:
    """This machine in one line, for a benchmark's report: host, cores, CPU, memory, load."""
    lines = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in lines if "model name" in line), "?")
    mem = psutil.virtual_memory().total / 2**30
    load = os.getloadavg()[0]
    return f"{platform.node()}: {os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, load average {load:.1f} at start"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int, workers: int) -> subprocess.Popen[bytes]:
    recapqa = str(Path(sys.executable).parent / "recapqa")
    proc = subprocess.Popen(
        [recapqa, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=os.environ.copy(),
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise SystemExit("server did not become ready")


def run_load(
    url: str, questions: list[str], clients: int, requests: int, max_seconds: float, unique: bool
) -> dict[str, float]:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    counter = iter(range(requests))
    deadline = time.monotonic() + max_seconds
    tag = f"-{clients}"

    def worker() -> None:
        with httpx.Client(base_url=url, timeout=30) as client:
            for n in counter:
                if time.monotonic() > deadline:
                    return
                question = questions[n % len(questions)]
                payload = {"question": f"{question} #{n}{tag}" if unique else question, "mode": "extractive"}
                started = time.perf_counter()
                try:
                    ok = client.post("/v1/ask", json=payload).status_code == 200
                except httpx.HTTPError:
                    ok = False
                elapsed = (time.perf_counter() - started) * 1e3
                with lock:
                    latencies.append(elapsed) if ok else None
                    errors[0] += 0 if ok else 1

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "unique": unique,
        "clients": clients,
        "requests": len(latencies) + errors[0],
        "errors": errors[0],
        "p50_ms": statistics.median(ordered) if ordered else float("nan"),
        "p95_ms": ordered[int(0.95 * (len(ordered) - 1))] if ordered else float("nan"),
        "rps": len(latencies) / wall if wall else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", help="use a running server instead of starting one")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--max-seconds", type=float, default=60)
    parser.add_argument("--questions", type=Path, default=Path("eval/questions.jsonl"))
    args = parser.parse_args()
    questions = [json.loads(line)["question"] for line in args.questions.read_text().splitlines() if line.strip()]
    proc = None
    url = args.url
    if url is None:
        port = free_port()
        proc = start_server(port, args.workers)
        url = f"http://127.0.0.1:{port}"
    try:
        run_load(url, questions, args.workers * 2, 40, 20, unique=True)  # warm every worker up
        single = run_load(url, questions, 1, args.requests // 2, args.max_seconds, unique=True)
        loaded = run_load(url, questions, args.clients, args.requests, args.max_seconds, unique=True)
        run_load(url, questions, args.clients, len(questions), args.max_seconds, unique=False)  # fill the caches
        repeated = run_load(url, questions, args.clients, args.requests, args.max_seconds, unique=False)
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=10)
    print(f"POST /v1/ask, extractive, {args.workers} server workers, {os.cpu_count()} cores")
    print(f"{'questions':>9} {'clients':>7} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>7}")
    for r in (single, loaded, repeated):
        kind = "unique" if r["unique"] else "repeated"
        print(
            f"{kind:>9} {r['clients']:>7.0f} {r['requests']:>8.0f} {r['errors']:>6.0f} "
            f"{r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} {r['rps']:>7.1f}"
        )
    print(
        f"ratios, {args.clients} clients vs 1 (unique): p50 x{loaded['p50_ms'] / single['p50_ms']:.2f}, "
        f"throughput x{loaded['rps'] / single['rps']:.2f}; repeated vs unique at {args.clients} clients: "
        f"p50 x{repeated['p50_ms'] / loaded['p50_ms']:.2f}"
    )


if __name__ == "__main__":
    main()
