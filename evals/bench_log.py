"""The question log's measures for ``plan-assistant bench``: what logging adds to an answer, how
fast the log writes, and a load that must lose no entry.

- overhead: the time an answer spends in the log (a place in the queue: the writer's thread
  redacts), over the question set, and the in-process answer latency with the log on and off;
- write throughput: entries per second written by the background writer to SQLite;
- load: ``/api/ask`` at concurrency 8 on the real service with the log on (SQLite), then SIGTERM:
  every answer given is in the database (none lost, the queue written at shutdown).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import sqlalchemy

from assistant.answer import Turn
from assistant.questionlog import QuestionLog, default_url
from assistant.questionlog.recorder import QuestionRecorder
from assistant.service import Assistant
from evals.dataset import load_questions
from evals.deployment import Postgres
from evals.servers import Uvicorn
from evals.stats import percentile


def _us(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1e6, 1)


def overhead(assistant: Assistant, work: Path) -> dict[str, Any]:
    """The log's share of an answer, and answers with the log on and off (caches cleared each time)."""
    qs = load_questions()
    recorder = QuestionRecorder(QuestionLog(default_url(work / "log-overhead")), capacity=100_000)
    logged: list[float] = []
    on: list[float] = []
    off: list[float] = []
    try:
        for q in qs:
            history = [Turn(question=h.question, refs=h.refs) for h in q.history]
            for with_log, out in ((False, off), (True, on)):
                assistant.clear_caches()
                t = time.perf_counter()
                a = assistant.ask(q.question, history=history)
                if with_log:
                    t_log = time.perf_counter()
                    recorder.record(question=a.question, language=a.lang, intent=a.intent, coverage=a.coverage,
                                    refs=[c.ref for c in a.citations], latency_ms=1.0, build_id="bench",
                                    origin="https://www.ville.quebec.qc.ca", conversation_id=None)  # fmt: skip
                    logged.append(time.perf_counter() - t_log)
                out.append(time.perf_counter() - t)
    finally:
        recorder.close()
    return {
        "n": len(qs),
        "log_p50_us": _us(percentile(logged, 50)),
        "log_p99_us": _us(percentile(logged, 99)),
        "answer_off_p50_ms": round(1000 * (percentile(off, 50) or 0), 2),
        "answer_on_p50_ms": round(1000 * (percentile(on, 50) or 0), 2),
    }


def write_throughput(work: Path, n: int = 20_000) -> dict[str, Any]:
    """Entries written per second by the background writer to SQLite (batches of 100)."""
    store = QuestionLog(default_url(work / "log-throughput"))
    recorder = QuestionRecorder(store, capacity=n)
    refs = [
        "ville-de-quebec-developpement-social-2025-2030:28",
        "ville-de-quebec-developpement-social-2025-2030:29",
    ]
    t = time.perf_counter()
    for i in range(n):
        recorder.record(question=f"Est-ce que la Ville aide pour le logement? ({i})", language="fr",
                        intent="topic", coverage="complete", refs=refs, latency_ms=30.0, build_id="bench",
                        origin=None, conversation_id=None)  # fmt: skip
    recorder.writer.flush()
    seconds = time.perf_counter() - t
    counters = recorder.counters()
    recorder.close()
    return {"entries": n, "seconds": round(seconds, 2), "per_second": round(n / seconds), **counters}


def lossless_load(
    load: Any, data_dir: Path, work: Path, seconds: int, postgres: Postgres | None = None
) -> dict[str, Any]:
    """``/api/ask`` at concurrency 8 with the log on (SQLite, or a database of ``postgres``), then
    SIGTERM: the answers given and the entries in the database."""
    data = work / ("data-log-pg" if postgres else "data-log")
    shutil.copytree(data_dir, data, ignore=shutil.ignore_patterns("questions.sqlite3*"))
    url = postgres.database() if postgres else default_url(data)
    env = {
        "PLAN_ASSISTANT_DATA_DIR": str(data),
        "PLAN_ASSISTANT_RATE_LIMIT": "0",
        "PLAN_ASSISTANT_LOG_URL": url,
    }
    server = Uvicorn(env, log_level="warning")
    server.start(ready="/readyz", timeout=900)
    try:
        r = load(server.url, 8, seconds, work, unique=True)
    finally:
        server.stop()  # SIGTERM: the queue is written before the process ends
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as db:
            rows = int(db.execute(sqlalchemy.text("SELECT count(*) FROM answers")).scalar_one())
    finally:
        engine.dispose()
    answered = r["requests"] - r["errors"]
    # Locust counts the answers received before it stopped; the server also answers (and logs) the
    # requests still in flight then: more entries than answers counted is expected, fewer is a loss.
    return {
        "database": "PostgreSQL" if postgres else "SQLite",
        "seconds": seconds,
        "answered": answered,
        "rps": r["rps"],
        "logged": rows,
        "lost": max(0, answered - rows),
    }


def log_markdown(d: dict[str, Any]) -> list[str]:
    o, w = d["overhead"], d["throughput"]
    return [
        "",
        "## Journal des questions",
        "",
        "| mesure | valeur | cible |",
        "| --- | --- | --- |",
        f"| part du journal dans une réponse (caviardage + file), p50 / p99 | {o['log_p50_us']} / "
        f"{o['log_p99_us']} µs | p50 ≤ 1 ms |",
        f"| réponse en processus sans cache, journal coupé / en marche (p50, {o['n']} questions) | "
        f"{o['answer_off_p50_ms']} / {o['answer_on_p50_ms']} ms | |",
        f"| écriture en arrière-plan, SQLite | {w['per_second']} entrées/s ({w['entries']} en {w['seconds']} s, "
        f"{w['dropped']} perdue(s)) | |",
    ] + [
        f"| {ld.get('database', 'SQLite')} : charge de {ld['seconds']} s à 8 utilisateurs puis SIGTERM, réponses "
        f"reçues par locust / entrées écrites (plus d'entrées : les requêtes en vol à l'arrêt de locust) | "
        f"{ld['answered']} / {ld['logged']} ({ld['lost']} perdue) | 0 perdue |"
        for ld in d.get("loads", [d["load"]] if "load" in d else [])
    ]
