"""The question log under load: 8 citizens ask at once, and the service gets SIGTERM in the middle of
it. Every answer a citizen received (its ``answer_id``) is in the database afterwards: the queue is
written before the process ends. On SQLite (the default) and on a real PostgreSQL."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy

from evals.deployment import Postgres

from .servers import Uvicorn

pytestmark = pytest.mark.slow

TOPICS = ("le logement abordable", "les toilettes publiques en hiver", "la tarification sociale de l'autobus",
          "les aînés isolés", "l'itinérance", "les jardins communautaires", "la sécurité des piétons",
          "les loisirs des adolescents")  # fmt: skip


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    with Postgres() as pg:
        yield pg


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_sigterm_during_a_load_loses_no_entry(backend: str, built, tmp_path: Path, request) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    shutil.copytree(built.location.root.parent, data, ignore=shutil.ignore_patterns("questions.sqlite3*"))
    url = f"sqlite:///{data / 'questions.sqlite3'}"
    if backend == "postgresql":
        url = request.getfixturevalue("postgres").database()
    server = Uvicorn({"PLAN_ASSISTANT_DATA_DIR": str(data), "PLAN_ASSISTANT_RATE_LIMIT": "0",
                      "PLAN_ASSISTANT_LOG_URL": url}, log_level="warning")  # fmt: skip
    server.start(ready="/readyz")
    received: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def citizen(n: int) -> None:
        with httpx.Client(base_url=server.url, timeout=30) as c:
            i = 0
            while not stop.is_set():
                i += 1
                try:
                    r = c.post("/api/ask", json={"question": f"Que fait la Ville pour {TOPICS[n]}? ({i})"})
                except httpx.HTTPError:
                    return  # the server is stopping
                if r.status_code == 200:
                    with lock:
                        received.append(r.json()["answer_id"])

    threads = [threading.Thread(target=citizen, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    time.sleep(8)
    logs = server.stop()  # SIGTERM while the 8 citizens are still asking
    stop.set()
    for t in threads:
        t.join(30)
    assert len(received) >= 16, logs
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as db:
            stored = {row[0] for row in db.execute(sqlalchemy.text("SELECT answer_id FROM answers"))}
    finally:
        engine.dispose()
    missing = [a for a in received if a not in stored]
    assert missing == [], f"{len(missing)} réponses sur {len(received)} absentes du journal"
    print(f"{backend} : {len(received)} réponses reçues, {len(stored)} entrées écrites, aucune perdue")
