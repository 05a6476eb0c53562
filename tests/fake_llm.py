"""A scripted OpenAI-compatible server on 127.0.0.1, for faults a real model cannot be made
to produce on demand: a reply after the deadline, one trickled a byte at a time, HTTP 500,
an empty or null message, a body that is not JSON, a broken event stream."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_MISSING: Any = object()


@contextmanager
def fake_llm(
    content: str | None = "",
    status: int = 200,
    delay: float = 0.0,
    *,
    body: bytes | None = None,
    content_type: str = "application/json",
    trickle: float = 0.0,
    message: Any = _MISSING,
) -> Iterator[dict[str, Any]]:
    """`body` replaces the JSON reply verbatim; `trickle` sends the whole response (status
    line included) one byte every `trickle` seconds; `message` replaces the message object."""
    state: dict[str, Any] = {"requests": [], "in_flight": 0, "max_in_flight": 0}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with lock:
                state["requests"].append(request)
                state["in_flight"] += 1
                state["max_in_flight"] = max(state["max_in_flight"], state["in_flight"])
            try:
                time.sleep(delay)
                self._reply(request)
            except (BrokenPipeError, ConnectionResetError):
                pass
            finally:
                with lock:
                    state["in_flight"] -= 1

        def _reply(self, request: dict[str, Any]) -> None:
            msg = {"role": "assistant", "content": content} if message is _MISSING else message
            payload = {
                "id": "x",
                "object": "chat.completion",
                "created": 0,
                "model": request["model"],
                "choices": [{"index": 0, "finish_reason": "stop", "message": msg}],
            }
            data = body if body is not None else json.dumps(payload if status == 200 else {"error": "boom"}).encode()
            head = f"HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {len(data)}\r\n\r\n"
            raw = head.encode() + data
            if not trickle:
                self.wfile.write(raw)
                return
            for i in range(len(raw)):
                self.wfile.write(raw[i : i + 1])
                self.wfile.flush()
                time.sleep(trickle)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state["base_url"] = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
