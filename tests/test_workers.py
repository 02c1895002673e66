"""Several workers on a Chroma server, for real: ``plan-assistant serve --workers 2`` with a real
``chroma run`` and a real ``redis-server`` on 127.0.0.1. One limit per client across the workers,
and a re-index triggered through one worker served by both, never a mixed answer."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from evals.deployment import Redis

from .conftest import CITY, ROOT
from .servers import ChromaServer, Uvicorn

TOKEN = "jeton-des-processus-Wq8Zr3Kt6Yp1Mv4Xb"
OLD, NEW = "programme ÉquiMobilité", "programme ÉquiMobilité Express"


@pytest.fixture(scope="module")
def workers(tmp_path_factory) -> Iterator[tuple[Uvicorn, Path]]:  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("workers")
    corpus = root / "plans"
    shutil.copytree(ROOT / "corpus" / "plans", corpus)
    chroma = ChromaServer(root / "chroma")
    chroma.start()
    try:
        with Redis(root) as redis:
            env = {
                "PLAN_ASSISTANT_DATA_DIR": str(root / "data"),
                "PLAN_ASSISTANT_CORPUS_DIR": str(corpus),
                "CHROMA_HOST": chroma.host,
                "CHROMA_PORT": str(chroma.port),
                "PLAN_ASSISTANT_RATE_LIMIT": "6/minute",
                "PLAN_ASSISTANT_LISTING_RATE_LIMIT": "0",
                "PLAN_ASSISTANT_RATE_LIMIT_STORAGE": redis.url,
                "PLAN_ASSISTANT_ADMIN_TOKEN": TOKEN,
            }
            server = Uvicorn(env, workers=2)
            server.start(ready="/readyz", timeout=600)
            try:
                yield server, corpus
            finally:
                logs = server.stop()
                assert "Traceback" not in logs, logs[-3000:]
    finally:
        chroma.stop()


def pinned_clients(url: str) -> dict[int, httpx.Client]:
    """One keep-alive client per worker: new connections until both workers have answered."""
    clients: dict[int, httpx.Client] = {}
    for _ in range(200):
        c = httpx.Client(base_url=url, timeout=60)
        pid = c.get("/readyz").json()["worker"]
        if pid in clients:
            c.close()
        else:
            clients[pid] = c
        if len(clients) == 2:
            return clients
    for c in clients.values():
        c.close()
    raise AssertionError("un seul processus a répondu à 200 connexions")


def test_one_limit_across_workers(workers: tuple[Uvicorn, Path]) -> None:
    server, _ = workers
    clients = pinned_clients(server.url)
    try:
        # Questions alternate between the two workers: 6 a minute in all, not 6 each.
        codes: dict[int, list[int]] = {pid: [] for pid in clients}
        for i in range(12):
            pid = list(clients)[i % 2]
            r = clients[pid].post("/api/ask", json={"question": f"Qui s'occupe de l'action 37? ({i})"})
            codes[pid].append(r.status_code)
        assert sorted(c for cs in codes.values() for c in cs) == [200] * 6 + [429] * 6, codes
        assert all(200 in cs for cs in codes.values()), codes  # both workers answered
    finally:
        for c in clients.values():
            c.close()


def test_reindex_through_one_worker_is_served_by_both(workers: tuple[Uvicorn, Path]) -> None:
    server, corpus = workers
    src = corpus / CITY / "plan-action-developpement-social-2025-2030.txt"
    src.write_text(src.read_text(encoding="utf-8").replace(OLD, NEW), encoding="utf-8")
    auth = {"Authorization": f"Bearer {TOKEN}"}
    clients = pinned_clients(server.url)
    before = {pid: c.get("/readyz").json()["build"] for pid, c in clients.items()}
    assert len(set(before.values())) == 1
    results: list[tuple[str, str]] = []
    stop = threading.Event()

    def read(pid: int) -> None:
        # The exact look-up needs no question quota: /api/plans answers from the snapshot too.
        c = clients[pid]
        while not stop.is_set():
            a = c.get(f"/api/plans/{CITY}/actions/37")
            if a.status_code == 200:
                results.append((str(pid), a.json()["text"]))

    try:
        admin = clients[next(iter(clients))]
        assert admin.post("/api/admin/reindex", headers=auth).status_code == 202
        threads = [threading.Thread(target=read, args=(pid,)) for pid in clients]
        for t in threads:
            t.start()
        end = time.monotonic() + 180
        while time.monotonic() < end:
            if admin.get("/api/admin/reindex", headers=auth).json().get("state") == "terminé":
                break
            time.sleep(0.5)
        else:
            raise AssertionError("la réindexation n'a pas fini")
        time.sleep(1.0)
        stop.set()
        for t in threads:
            t.join()
    finally:
        for c in clients.values():
            c.close()
    # Each worker moved to the new build; texts are either the old or the new one, never another.
    clients = pinned_clients(server.url)
    try:
        after = {pid: c.get("/readyz").json()["build"] for pid, c in clients.items()}
        assert len(set(after.values())) == 1 and set(after.values()) != set(before.values())
        for c in clients.values():
            a = c.get(f"/api/plans/{CITY}/actions/37").json()
            assert NEW in a["text"]
    finally:
        for c in clients.values():
            c.close()
    assert results and {text.endswith(("ÉquiMobilité", "Express")) for _, text in results} == {True}
