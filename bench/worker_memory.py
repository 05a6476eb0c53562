"""Memory of each `recapqa serve` worker: `/proc/PID/smaps_rollup` (Pss, Private_Dirty,
Shared_Clean, ...) after every worker answered the same fact questions, then after one gist
question over every talk, with the largest mappings of each worker (`/proc/PID/smaps`, index
files grouped by name).

    RECAPQA_CORPUS_DIR=... RECAPQA_INDEX_DIR=... PYTHONPATH=TREE/src \\
        .venv/bin/python bench/worker_memory.py --workers 2 --port 8290 --json out.json

The server runs from the same interpreter and environment (`python -m recapqa serve`), so
PYTHONPATH picks the source tree measured. Each fact question is sent by as many clients at
once as there are workers, twice, so that every worker answers it (uvicorn's workers share
the socket). With one worker, uvicorn serves from its own process: that one is measured.
bench/SCALE.md (issue 13, "Serve workers share the index") has what it measured.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import psutil

REPO = Path(__file__).resolve().parents[1]
GIST = "Which talks mention feature stores?"
ROLLUP = ("Rss", "Pss", "Private_Dirty", "Private_Clean", "Shared_Clean", "Shared_Dirty")


def rollup(pid: int) -> dict[str, float]:
    """smaps_rollup in MiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        key, value = line.split(":", 1)
        fields[key.strip()] = int(value.split()[0]) / 1024
    return {k: round(fields[k], 1) for k in ROLLUP}


def _group(path: str) -> str:
    if "/segments/" in path:
        return "segments/*/" + path.rsplit("/", 1)[1]
    if "/gen-" in path:
        return "generation/" + path.rsplit("/", 1)[1]
    return "[shared libraries]" if ".so" in path else path


def mappings(pid: int, top: int = 10) -> list[tuple[str, dict[str, float]]]:
    """The mappings holding the most memory, index files grouped by name (MiB)."""
    sums: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    name = "[anon]"
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        parts = line.split()
        if parts and "-" in parts[0] and not parts[0].endswith(":"):  # a mapping's header line
            name = _group(parts[5]) if len(parts) > 5 else "[anon]"
        elif parts and parts[0][:-1] in ("Pss", "Private_Dirty", "Private_Clean", "Shared_Clean"):
            sums[name][parts[0][:-1]] += int(parts[1]) / 1024
    ranked = sorted(sums.items(), key=lambda kv: -(kv[1]["Private_Dirty"] + kv[1]["Shared_Clean"]))
    return [(n, {k: round(v, 1) for k, v in c.items()}) for n, c in ranked[:top]]


def workers(server: subprocess.Popen[bytes]) -> list[psutil.Process]:
    kids = [
        k
        for k in psutil.Process(server.pid).children(recursive=True)
        if "resource_tracker" not in " ".join(k.cmdline())
    ]
    return kids or [psutil.Process(server.pid)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8290)
    parser.add_argument("--questions", type=int, default=20, help="first N of eval/questions.jsonl")
    parser.add_argument("--json", type=Path, required=True)
    args = parser.parse_args()
    lines = (REPO / "eval" / "questions.jsonl").read_text().splitlines()
    questions = [json.loads(line)["question"] for line in lines][: args.questions]
    url = f"http://127.0.0.1:{args.port}"
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    command = [sys.executable, "-m", "recapqa", "serve", "--host", "127.0.0.1", "--port", str(args.port)]
    server = subprocess.Popen([*command, "--workers", str(args.workers)], env=env, stdout=subprocess.DEVNULL)

    def ask(question: str) -> None:
        answer = httpx.post(f"{url}/v1/ask", json={"question": question, "mode": "extractive"}, timeout=300)
        if answer.status_code != 200:
            raise SystemExit(f"{answer.status_code}: {answer.text[:300]}")

    def everywhere(question: str) -> None:
        for _ in range(2):
            clients = [threading.Thread(target=ask, args=(question,)) for _ in range(max(2, args.workers))]
            for client in clients:
                client.start()
            for client in clients:
                client.join()

    result: dict[str, object] = {"workers": args.workers, "load_start": os.getloadavg()}
    rows: dict[str, dict[int, dict[str, float]]] = {}
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the server did not become ready")
            time.sleep(0.3)
        for question in questions:
            everywhere(question)
        rows["facts"] = {p.pid: rollup(p.pid) for p in workers(server)}
        result["facts_maps"] = {p.pid: mappings(p.pid) for p in workers(server)}
        everywhere(GIST)
        rows["gist"] = {p.pid: rollup(p.pid) for p in workers(server)}
        result["gist_maps"] = {p.pid: mappings(p.pid) for p in workers(server)}
        result["load_end"] = os.getloadavg()
    finally:
        server.terminate()
        server.wait(30)
    args.json.write_text(json.dumps({**result, **rows}, indent=1))
    for phase, found in rows.items():
        for pid, row in found.items():
            print(phase, pid, row)


if __name__ == "__main__":
    main()
