"""Faults: the vector store going away and coming back, re-indexing under load, a broken index at
start, a graceful shutdown. Real servers on 127.0.0.1 (uvicorn, ``chroma run``)."""

from __future__ import annotations

import shutil
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from .conftest import CITY, ROOT
from .servers import ChromaServer, FakeOpenAI, Uvicorn, uvicorn_server

QUESTIONS = [
    "La ville aide-tu à trouver un appart?",
    "Qu'est-ce que la ville fait pour l'itinérance?",
    "y a tu des camps de jour pas chers?",
    "la tarification sociale pour l'autobus",
    "les toilettes publiques en hiver",
    "les fêtes de quartier à Saint-Sacrement",
]


def wait_for(predicate, timeout: float = 60.0, step: float = 0.25) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except httpx.HTTPError:
            pass
        time.sleep(step)
    return False


@pytest.mark.chroma_server
def test_chroma_server_stopped_and_restarted(tmp_path: Path) -> None:
    chroma = ChromaServer(tmp_path / "chroma")
    chroma.start()
    env = {
        "PLAN_ASSISTANT_DATA_DIR": str(tmp_path / "data"),
        "CHROMA_HOST": chroma.host,
        "CHROMA_PORT": str(chroma.port),
        "PLAN_ASSISTANT_RATE_LIMIT": "0",
    }
    server = Uvicorn(env)
    try:
        server.start(ready="/readyz")
        with httpx.Client(base_url=server.url, timeout=30) as c:
            assert c.post("/api/ask", json={"question": QUESTIONS[0]}).json()["found"] is True
            chroma.stop()
            # Not ready, and questions that need the store get a clear 503.
            ready = c.get("/readyz")
            assert ready.status_code == 503 and ready.json()["status"] == "indisponible"
            r = c.post("/api/ask", json={"question": QUESTIONS[1]})
            assert r.status_code == 503, r.text
            err = r.json()["error"]
            assert err["code"] == "index_indisponible" and "momentanément indisponible" in err["message"]
            assert r.headers["retry-after"] == "5"
            # Exact look-ups come from the structured plans and still answer.
            exact = c.post("/api/ask", json={"question": "Qui s'occupe de l'action 37?"})
            assert exact.status_code == 200 and "- Police" in exact.json()["answer"]
            # The store comes back: the service recovers by itself.
            chroma.start()
            assert wait_for(lambda: c.get("/readyz").status_code == 200)
            r = c.post("/api/ask", json={"question": QUESTIONS[2]})
            assert r.status_code == 200 and r.json()["found"] is True
    finally:
        logs = server.stop()
        chroma.stop()
    assert "Traceback" not in logs


def test_reindex_while_serving_never_fails_nor_mixes(tmp_path: Path, built) -> None:  # type: ignore[no-untyped-def]
    corpus = tmp_path / "plans"
    shutil.copytree(ROOT / "corpus" / "plans", corpus)
    data = tmp_path / "data"
    shutil.copytree(built.location.root.parent, data)
    env = {
        "PLAN_ASSISTANT_DATA_DIR": str(data),
        "PLAN_ASSISTANT_CORPUS_DIR": str(corpus),
        "PLAN_ASSISTANT_ADMIN_TOKEN": "jeton-secret-de-test-Qm4Vz8Lp2Rx6Tw9K",
        "PLAN_ASSISTANT_RATE_LIMIT": "0",
    }
    old, new = "programme ÉquiMobilité", "programme ÉquiMobilité Plus"
    with uvicorn_server(env) as server:
        url = server.url
        stop = threading.Event()
        results: list[tuple[int, str, str]] = []

        def hammer(i: int) -> None:
            with httpx.Client(base_url=url, timeout=60) as c:
                n = 0
                while not stop.is_set():
                    n += 1
                    # A new wording each time, so the answer cache does not hide the switch.
                    r = c.post("/api/ask", json={"question": f"Qui s'occupe de l'action 37? ({i}-{n})"})
                    body = r.json()
                    cite = body["citations"][0]["text"] if r.status_code == 200 else ""
                    results.append((r.status_code, body.get("answer", ""), cite))

        src = corpus / CITY / "plan-action-developpement-social-2025-2030.txt"
        src.write_text(src.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        with ThreadPoolExecutor(4) as pool:
            futures = [pool.submit(hammer, i) for i in range(4)]
            time.sleep(1.0)
            with httpx.Client(base_url=url, timeout=30) as admin:
                assert admin.post("/api/admin/reindex").status_code == 401
                r = admin.post(
                    "/api/admin/reindex",
                    headers={"Authorization": "Bearer jeton-secret-de-test-Qm4Vz8Lp2Rx6Tw9K"},
                )
                assert r.status_code == 202
                assert wait_for(
                    lambda: (
                        admin.get(
                            "/api/admin/reindex",
                            headers={"Authorization": "Bearer jeton-secret-de-test-Qm4Vz8Lp2Rx6Tw9K"},
                        )
                        .json()
                        .get("state")
                        == "terminé"
                    ),
                    timeout=180,
                )
            time.sleep(1.5)
            stop.set()
            for f in futures:
                f.result()
    assert results and all(code == 200 for code, _, _ in results)
    before = [(a, c) for _, a, c in results if c.endswith(old)]
    after = [(a, c) for _, a, c in results if c.endswith(new)]
    assert before and after and len(before) + len(after) == len(results)
    # No answer mixes the two builds: its text quotes the same version as its citation.
    assert all(new not in a for a, _ in before)
    assert all(new in a for a, _ in after)


def test_broken_index_at_start_is_rebuilt(tmp_path: Path, built) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    shutil.copytree(built.location.root.parent, data)
    (data / "index" / "CURRENT").write_text("{ ceci n'est pas un pointeur", encoding="utf-8")
    server = Uvicorn({"PLAN_ASSISTANT_DATA_DIR": str(data)})
    server.start(ready="/readyz", timeout=300)
    try:
        with httpx.Client(base_url=server.url, timeout=30) as c:
            assert c.post("/api/ask", json={"question": QUESTIONS[0]}).json()["found"] is True
    finally:
        logs = server.stop()
    assert "index reconstruit : le pointeur d'index" in logs and "est illisible" in logs
    assert "Traceback" not in logs


def test_graceful_shutdown_lets_requests_in_flight_finish(tmp_path: Path, built) -> None:  # type: ignore[no-untyped-def]
    """A request still being answered (an LLM that takes 2 s) when the service is told to stop."""
    with FakeOpenAI(delay=2.0) as llm:
        env = {
            "PLAN_ASSISTANT_DATA_DIR": str(built.location.root.parent),
            "PLAN_ASSISTANT_LLM_MODEL": "slow",
            "PLAN_ASSISTANT_LLM_BASE_URL": llm.base_url,
            "PLAN_ASSISTANT_LLM_TIMEOUT": "10",
            "PLAN_ASSISTANT_RATE_LIMIT": "0",
        }
        server = Uvicorn(env)
        server.start(ready="/readyz")
        result: dict[str, object] = {}

        def slow_request() -> None:
            with httpx.Client(base_url=server.url, timeout=30) as c:
                r = c.post("/api/ask", json={"question": "Qui s'occupe de l'action 37?"})
                result["status"], result["answer"] = r.status_code, r.json()["answer"]

        t = threading.Thread(target=slow_request)
        t.start()
        time.sleep(0.8)  # the request is waiting on the LLM
        assert server.proc is not None
        server.proc.send_signal(signal.SIGTERM)
        t.join(timeout=30)
        # Uvicorn finishes the request, then exits with the signal it was given (0 or -SIGTERM).
        assert server.proc.wait(timeout=30) in (0, -signal.SIGTERM)
        server.stop()
    # The answer came back after the stop signal: the LLM's text, accepted (its marker is valid).
    assert result == {"status": 200, "answer": "Trop tard : l'action 37 [1]."}
