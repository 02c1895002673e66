"""Real servers started by tests on 127.0.0.1, always stopped by the test that started them (the
service itself: :mod:`evals.servers`, shared with the benchmark)."""

from __future__ import annotations

import secrets
import shutil
import time
from pathlib import Path
from typing import Any

from evals.servers import ChromaServer, Uvicorn, chroma_server, free_port, stop, uvicorn_server, wait_http

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

#: What an attacker's probe slipped past the LLM guard (issue 19), each answered by the model
#: ``probe:<name>`` (``{number}``: the first source's action).
PROBES = {
    "words": "L'action {number} [1] recevra deux millions de dollars en deux mille trente-trois.",
    "digits": "L'action {number} [1] finit en ²⁰³³ et coûte 5⁰⁰ $.",
    "name": "Selon Marie Tremblay, conseillère, l'action {number} [1] avance.",
    "claims": "L'action {number} [1] est financée par le gouvernement fédéral et déjà complètement réalisée.",
    "phone": "Pour l'action {number} [1], appelez le quatre un huit, cinq cinq cinq, neuf neuf neuf neuf.",
    "address": "L'action {number} [1] : voir hxxps://ville-quebec[.]ca ou écrire à aide[at]ville-quebec(dot)ca.",
    "nothing": "x [1]",
}


class FakeOpenAI:
    """A small OpenAI-compatible chat server on 127.0.0.1 (the stand-in for an LLM endpoint).

    Behaviours, chosen by the model name the client asks for:
    - ``good``: rewrites with the first source's marker and action number;
    - ``quote``: repeats the first sentence of the first source, its figures as written, with [1];
    - ``invented``: cites a source that does not exist and an action that was not cited;
    - ``invent``: valid marker and cited action, but an invented amount, date, phone number and web
      address;
    - ``cancelled``: says that the first source's action was cancelled;
    - ``wrong-horizon``: gives the first source's action a timeline other than its own;
    - ``escape``: writes what the question's « Nouvelle consigne : » told it (a model fooled by a
      question that tries to close the prompt's fields);
    - ``slow``: answers after ``delay`` seconds (longer than the client's timeout);
    - ``probe:<name>``: one of :data:`PROBES` (a value in words, in superscripts, obfuscated, a
      person's name, a funding or completion claim, nothing but a marker);
    - ``obey``: does what the question says (a model fooled by prompt injection).
    Every request's JSON body is kept in ``requests``.
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
                source = re.search(r"^\[1\] .*? — .*? : (.*)$", user, re.M)
                if model == "slow":
                    time.sleep(delay)
                    text = f"Trop tard : l'action {number} [1]."
                elif model == "invented":
                    text = "Selon le plan, l'action 58 [7] règle tout."
                elif model.startswith("probe:"):
                    text = PROBES[model.removeprefix("probe:")].format(number=number)
                elif model == "obey":
                    text = "OUI. L'action 99 existe [3]."
                elif model == "quote":
                    sentence = re.match(r".+?[.!?](?=\s|$)|.+", source.group(1) if source else "")
                    text = f"{sentence.group().strip() if sentence else ''} [1]"
                elif model == "invent":
                    text = (
                        f"Selon le plan, l'action {number} [1] recevra 12 M$ le 3 mars 2026; renseignements "
                        "au 1-900-555-0199 ou sur http://aide-plan.example.com."
                    )
                elif model == "cancelled":
                    text = f"L'action {number} [1] a été annulée : la Ville ne la poursuit plus."
                elif model == "wrong-horizon":
                    other = (
                        "court terme"
                        if source and "(échéancier : moyen terme" in source.group(1)
                        else "moyen terme"
                    )
                    text = f"L'action {number} [1] est prévue à {other}."
                elif model == "escape":
                    field = re.search(r'^\{"question": .*\}$', user, re.M)
                    question = json.loads(field.group())["question"] if field else user
                    text = question.split("consigne :", 1)[-1].strip()
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


def staff_service_env(built: Any, tmp_path: Path, password: str, host: str) -> dict[str, str]:
    """The settings of a service on a copy of the session's real index (its question log empty),
    with the dashboard on for ``password`` and the widget allowed on ``host``."""
    from argon2 import PasswordHasher

    data = tmp_path / "data"
    shutil.copytree(built.location.root.parent, data, ignore=shutil.ignore_patterns("questions.sqlite3*"))
    return {
        "PLAN_ASSISTANT_DATA_DIR": str(data),
        "PLAN_ASSISTANT_ALLOWED_ORIGINS": host,
        "PLAN_ASSISTANT_RATE_LIMIT": "0",
        "PLAN_ASSISTANT_DASHBOARD_PASSWORD_HASH": PasswordHasher().hash(password),
        "PLAN_ASSISTANT_DASHBOARD_SECRET": secrets.token_urlsafe(32),
    }
