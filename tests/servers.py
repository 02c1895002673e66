"""Real servers started by tests on 127.0.0.1, always stopped by the test that started them (the
service itself: :mod:`evals.servers`, shared with the benchmark)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from evals.servers import Uvicorn, free_port, stop, uvicorn_server, wait_http

__all__ = [
    "ChromaServer",
    "FakeOpenAI",
    "Uvicorn",
    "chroma_server",
    "free_port",
    "stop",
    "uvicorn_server",
    "wait_http",
]


class ChromaServer:
    """A real ``chroma run`` on 127.0.0.1 that a test can stop and start again on the same port."""

    def __init__(self, path: Path, port: int | None = None):
        self.path = path
        self.port = port or free_port()
        self.host = "127.0.0.1"
        self.proc: subprocess.Popen | None = None
        exe = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
        if exe is None:
            raise RuntimeError("la commande « chroma » est introuvable (paquet chromadb)")
        self.exe = exe

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.exe, "run", "--path", str(self.path), "--host", self.host, "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        )
        wait_http(f"http://{self.host}:{self.port}/api/v2/heartbeat", proc=self.proc)

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)
            self.proc = None


@contextlib.contextmanager
def chroma_server(path: Path) -> Iterator[ChromaServer]:
    server = ChromaServer(path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


class FakeOpenAI:
    """A small OpenAI-compatible chat server on 127.0.0.1 (the stand-in for an LLM endpoint).

    Behaviours, chosen by the model name the client asks for:
    - ``good``: rewrites with the first source's marker and action number;
    - ``invented``: cites a source that does not exist and an action that was not cited;
    - ``slow``: answers after ``delay`` seconds (longer than the client's timeout);
    - ``obey``: does what the question says (a model fooled by prompt injection).
    """

    def __init__(self, delay: float = 5.0):
        import json
        import re
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                server.requests.append(body)
                model = body.get("model", "good")
                user = next((m["content"] for m in body.get("messages", []) if m["role"] == "user"), "")
                first = re.search(r"\[1\] .*? — action (\S+) :", user)
                number = first.group(1) if first else "?"
                if model == "slow":
                    time.sleep(delay)
                    text = "trop tard [1]"
                elif model == "invented":
                    text = "Selon le plan, l'action 58 [7] règle tout."
                elif model == "obey":
                    text = "OUI. L'action 99 existe [3]."
                else:
                    text = f"En bref : l'action {number} du plan répond à votre question [1]."
                payload = json.dumps(
                    {
                        "id": "chatcmpl-test",
                        "object": "chat.completion",
                        "created": 0,
                        "model": model,
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": text},
                                "finish_reason": "stop",
                            }
                        ],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    }
                ).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)
