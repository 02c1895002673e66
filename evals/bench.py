"""``plan-assistant bench``: start-up, index build, answer latency in process and over HTTP
(locust at concurrency 1, 8 and 32 against uvicorn on 127.0.0.1), server memory, scale with
synthetic plans (2, 10, 100), and the naive baseline beside the project — all in one run,
written to the reports folder with a PNG chart."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from assistant.answer import Turn
from assistant.service import Assistant
from corpus import load_corpus
from evals.bench_deployment import WARM_UP_SECONDS, deployment_markdown, run_deployment
from evals.bench_log import log_markdown, lossless_load, write_throughput
from evals.bench_log import overhead as log_overhead
from evals.dataset import TARGET_CATEGORIES, load_questions
from evals.deployment import Postgres
from evals.report import write_report
from evals.retrieval import first_rank, normalise_expected
from evals.servers import Uvicorn
from evals.stats import ms, percentile
from index.embeddings import EmbeddingModel
from index.location import LocalLocation
from index.service import IndexService

ROOT = Path(__file__).resolve().parent.parent

# The load generator runs on the machine it measures: FastHttpUser (geventhttpclient), which locust
# recommends for throughput, takes about 1.2 ms of CPU per request where HttpUser (requests) took 2.5,
# CPU the server under test would otherwise lose (measured here; each run reports it).
LOCUSTFILE = """
import json, random
from locust import FastHttpUser, task, constant
QUESTIONS = json.load(open(__QFILE__, encoding="utf-8"))

class Citizen(FastHttpUser):
    wait_time = constant(0)
    insecure = True  # the proxy's self-signed certificate

    def on_start(self):
        self.i = random.randrange(len(QUESTIONS))
        self.headers = {}
        if __FORWARDED__:  # each citizen from an address of its own, forwarded by a trusted front
            self.headers["X-Forwarded-For"] = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"

    @task
    def ask(self):
        q = QUESTIONS[self.i % len(QUESTIONS)]
        self.i += 1
        if __UNIQUE__:  # every question different: no answer comes from the cache
            q = f"{q} (envoi {random.randrange(10**9)})"
        with self.client.post("/api/ask", json={"question": q}, headers=self.headers, name="/api/ask", catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}")
"""


def start_server(data_dir: Path, extra: dict[str, str] | None = None) -> tuple[Uvicorn, str, float]:
    server = Uvicorn(
        {"PLAN_ASSISTANT_DATA_DIR": str(data_dir), "PLAN_ASSISTANT_RATE_LIMIT": "0", **(extra or {})},
        log_level="warning",
    )
    seconds = server.start(ready="/readyz", timeout=900)
    return server, server.url, seconds


def stop_server(server: Uvicorn) -> None:
    server.stop()


def _processes(pid: int) -> list[Any]:
    """A server's processes: the one started and its children (the workers)."""
    import psutil

    p = psutil.Process(pid)
    return [p, *p.children(recursive=True)]


def rss_mb(pid: int) -> float:
    return round(sum(c.memory_info().rss for c in _processes(pid)) / 2**20, 1)


def in_process(assistant: Assistant) -> dict[str, Any]:
    qs = load_questions()
    secs = []
    for q in qs:
        assistant.clear_caches()
        history = [Turn(question=h.question, refs=h.refs) for h in q.history]
        t = time.perf_counter()
        assistant.ask(q.question, history=history)
        secs.append(time.perf_counter() - t)
    cached = []
    for q in qs:
        history = [Turn(question=h.question, refs=h.refs) for h in q.history]
        assistant.ask(q.question, history=history)
        t = time.perf_counter()
        assistant.ask(q.question, history=history)
        cached.append(time.perf_counter() - t)
    return {
        "n": len(qs),
        "p50_ms": ms(percentile(secs, 50)),
        "p95_ms": ms(percentile(secs, 95)),
        "p99_ms": ms(percentile(secs, 99)),
        "cached_p50_ms": ms(percentile(cached, 50)),
        "cached_p99_ms": ms(percentile(cached, 99)),
    }


def http_load(
    url: str,
    users: int,
    seconds: int,
    workdir: Path,
    unique: bool = False,
    forwarded: bool = False,
    server_pid: int | None = None,
) -> dict[str, Any]:
    """Locust against ``url`` for ``seconds``: requests, errors, answers/s and latencies, and the CPU
    the load generator spent per request; with ``server_pid``, the server's too (its processes)."""
    qfile = workdir / "questions.json"
    qfile.write_text(json.dumps([q.question for q in load_questions()], ensure_ascii=False), encoding="utf-8")
    lf = workdir / f"locustfile_{int(unique)}{int(forwarded)}.py"
    lf.write_text(
        LOCUSTFILE.replace("__QFILE__", repr(str(qfile)))
        .replace("__UNIQUE__", str(unique))
        .replace("__FORWARDED__", str(forwarded)),
        encoding="utf-8",
    )
    prefix = workdir / f"c{users}-{int(unique)}{int(forwarded)}-{time.monotonic_ns()}"
    server_cpu = _cpu_seconds(server_pid)
    locust = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(lf),
            "--headless",
            "-u",
            str(users),
            "-r",
            str(users),
            "-t",
            f"{seconds}s",
            "--host",
            url,
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "ERROR",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client_cpu = _while_running(locust, seconds + 120)
    server_cpu = _cpu_seconds(server_pid) - server_cpu
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        row = next(r for r in csv.DictReader(f) if r["Name"] == "/api/ask")
    n = int(row["Request Count"])
    out = {
        "users": users,
        "unique": unique,
        "requests": n,
        "errors": int(row["Failure Count"]),
        "rps": round(float(row["Requests/s"]), 1),
        "p50_ms": float(row["50%"]),
        "p95_ms": float(row["95%"]),
        "p99_ms": float(row["99%"]),
        "client_cpu_ms": round(client_cpu / n * 1000, 1) if n else None,
    }
    if server_pid is not None:
        out["server_cpu_ms"] = round(server_cpu / n * 1000, 1) if n else None
    return out


def _cpu_seconds(pid: int | None) -> float:
    """CPU seconds (user and system) of a process and its children so far; 0 without a process."""
    import psutil

    if pid is None:
        return 0.0
    total = 0.0
    with contextlib.suppress(psutil.Error):
        for p in _processes(pid):
            with contextlib.suppress(psutil.Error):
                total += sum(p.cpu_times()[:2])
    return total


def _while_running(process: subprocess.Popen[bytes], timeout: float) -> float:
    """Wait for ``process`` (killed after ``timeout`` seconds); the CPU seconds it had spent at its
    last reading, taken every half second while it runs (its start-up included, its exit not)."""
    cpu, end = 0.0, time.monotonic() + timeout
    try:
        while process.poll() is None and time.monotonic() < end:
            cpu = _cpu_seconds(process.pid) or cpu
            time.sleep(0.5)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
    return cpu


#: Runs of the throughput of new questions; the report gives their median, minimum and maximum (the
#: same code measured twice on this shared 2-core machine differs by up to 10 answers/s).
NEW_QUESTION_RUNS = 3
NEW_QUESTION_SECONDS = 30


def new_questions(data_dir: Path, workdir: Path, seconds: int = NEW_QUESTION_SECONDS) -> list[dict[str, Any]]:
    """Distinct questions at concurrency 8, measured ``NEW_QUESTION_RUNS`` times on one warm server:
    the set's questions as written on a server that keeps none (``question_cache_size`` 0: each is
    computed as a new one), and the set's questions made distinct by a suffix « (envoi N) » on a
    server with its caches (the method of the earlier reports: about 9 more tokens to embed, and a
    few more questions that the keywords alone do not settle)."""
    out = []
    for label, env, unique in (
        ("telles qu'écrites, sans cache", {"PLAN_ASSISTANT_QUESTION_CACHE_SIZE": "0"}, False),
        ("suivies de « (envoi N) », caches par défaut", {}, True),
    ):
        server, url, _ = start_server(data_dir, env)
        try:
            http_load(url, 8, WARM_UP_SECONDS, workdir, unique=unique)
            pid = server.proc.pid if server.proc else None
            runs = [
                http_load(url, 8, seconds, workdir, unique=unique, server_pid=pid)
                for _ in range(NEW_QUESTION_RUNS)
            ]
        finally:
            stop_server(server)
        out.append({"questions": label, "seconds": seconds, "runs": runs, **_medians(runs)})
    return out


def _medians(runs: list[dict[str, Any]]) -> dict[str, Any]:
    def med(key: str) -> float | None:
        value = percentile([r[key] for r in runs if r.get(key) is not None], 50)
        return None if value is None else round(float(value), 1)

    rps = [r["rps"] for r in runs]
    return {
        "rps": med("rps"),
        "rps_min": min(rps),
        "rps_max": max(rps),
        "p50_ms": med("p50_ms"),
        "p99_ms": med("p99_ms"),
        "server_cpu_ms": med("server_cpu_ms"),
        "client_cpu_ms": med("client_cpu_ms"),
        "errors": sum(r["errors"] for r in runs),
    }


def scale(embedder: EmbeddingModel, sizes: list[int], workdir: Path) -> list[dict[str, Any]]:
    from evals.synthetic import write_synthetic_corpus

    out = []
    qs = [q for q in load_questions() if q.category in TARGET_CATEGORIES and q.expected]
    for n in sizes:
        corpus_dir = write_synthetic_corpus(workdir / f"corpus-{n}", n)
        corpus = load_corpus(corpus_dir)
        service = IndexService(corpus, embedder, LocalLocation(workdir / f"index-{n}"))
        t = time.perf_counter()
        service.build()
        build = time.perf_counter() - t
        searcher = service.ensure(rebuild=False)
        secs, hits = [], 0
        real = load_corpus()
        for q in qs:
            embedder.clear_cache()
            t = time.perf_counter()
            found = searcher.search(q.retrieval_query, k=5)
            secs.append(time.perf_counter() - t)
            rank = first_rank([{h.ref} for h in found], normalise_expected(real, q.expected))
            hits += rank is not None and rank <= 5
        out.append(
            {
                "plans": len(corpus),
                "actions": sum(len(p.actions()) for p in corpus),
                "documents": len(searcher.docs),
                "build_s": round(build, 1),
                "query_p50_ms": ms(percentile(secs, 50)),
                "query_p95_ms": ms(percentile(secs, 95)),
                "hit@5": round(hits / len(qs), 4),
            }
        )
        shutil.rmtree(workdir / f"index-{n}", ignore_errors=True)
    return out


def run(
    output: Path, seconds: int = 20, sizes: list[int] | None = None, deployment: bool = True
) -> dict[str, Any]:
    from assistant.settings import AssistantSettings
    from evals.retrieval import run as retrieval_run

    sizes = sizes or [2, 10, 100]
    settings = AssistantSettings()
    work = Path(tempfile.mkdtemp(prefix="plan-assistant-bench-"))
    report: dict[str, Any] = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}}
    try:
        # 1. Cold start: an empty data folder (the index is built), then a start with the index present.
        proc, url, cold = start_server(work / "data")
        report["cold_start_s"] = round(cold, 2)
        stop_server(proc)
        proc, url, warm = start_server(work / "data")
        report["start_with_index_s"] = round(warm, 2)
        try:
            # 2. HTTP load at concurrency 1, 8, 32.
            # Every question different (the work itself), then the set asked again and again (the cache).
            report["http"] = [http_load(url, users, seconds, work, unique=True) for users in (1, 8, 32)]
            report["http_repeated"] = [http_load(url, users, seconds, work) for users in (1, 8, 32)]
            report["server_rss_mb"] = rss_mb(proc.proc.pid if proc.proc else 0)
        finally:
            stop_server(proc)
        # 2b. The goal: new questions at concurrency 8, three runs of each kind.
        report["new_questions"] = new_questions(work / "data", work)
        # 3. In process.
        assistant = Assistant(
            IndexService.from_settings(settings.model_copy(update={"data_dir": work / "data"}))
        )
        assistant.index.ensure()
        report["in_process"] = in_process(assistant)
        # 4. Retrieval beside the naive baseline, and the index build, measured in the same run.
        summary = retrieval_run(
            assistant.index,
            work / "retrieval",
            with_naive=True,
            fresh_build_dir=work / "fresh",
            corpus_dir=Path(settings.corpus_dir),
        )
        t = summary["target"]
        report["index_build_s"] = summary["index"]["build_seconds"]
        report["baseline"] = {
            m: {"hit@5": t[m]["hit@5"], "p50_ms": t[m]["p50_ms"], "p95_ms": t[m]["p95_ms"]}
            for m in ("naive", "hybrid")
        }
        # 5. Scale.
        report["scale"] = scale(assistant.index.embedder, sizes, work)
        # 6. The question log: its share of an answer, its write throughput, a load that loses nothing.
        report["log"] = {
            "overhead": log_overhead(assistant, work),
            "throughput": write_throughput(work),
            "loads": [lossless_load(http_load, work / "data", work, 60)],
        }
        with Postgres() as postgres:
            report["log"]["loads"].append(lossless_load(http_load, work / "data", work, 60, postgres))
        # 7. The reference deployment: nginx in front, attacks, workers, re-indexes.
        if deployment:
            report["deployment"] = run_deployment(
                http_load, work / "data", Path(settings.corpus_dir), work, seconds
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    write_bench_report(report, output)
    return report


TARGETS = {"p50": 30.0, "p99": 150.0, "rps8": 60.0, "scale_ratio": 2.0, "rss": 600.0}


def bench_markdown(r: dict[str, Any]) -> str:
    ip = r["in_process"]
    lines = [
        "# Bancs d'essai",
        "",
        f"Machine : {r['machine']['cpus']} cœurs, Python {r['machine']['python']}.",
        "",
        "| mesure | valeur | cible |",
        "| --- | --- | --- |",
        f"| démarrage à froid (index construit) | {r['cold_start_s']} s | |",
        f"| démarrage avec l'index présent | {r['start_with_index_s']} s | |",
        f"| construction de l'index (corpus) | {r['index_build_s']} s | |",
        f"| réponse en processus p50 / p95 / p99 | {ip['p50_ms']} / {ip['p95_ms']} / {ip['p99_ms']} ms | ≤ 30 / — / ≤ 150 ms |",
        f"| question répétée (cache) p50 / p99 | {ip['cached_p50_ms']} / {ip['cached_p99_ms']} ms | |",
        f"| mémoire résidente du serveur | {r['server_rss_mb']} Mo | < 600 Mo |",
        "",
        "HTTP `/api/ask` (locust sur uvicorn, 127.0.0.1; cible à 8 utilisateurs : au moins 60 réponses/s, "
        "0 erreur) :",
        "",
        "| questions | utilisateurs simultanés | requêtes | erreurs | réponses/s | p50 | p95 | p99 |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    loads = [("toutes différentes", h) for h in r["http"]]
    loads += [("du jeu, répétées (cache)", h) for h in r.get("http_repeated", [])]
    for label, h in loads:
        lines.append(
            f"| {label} | {h['users']} | {h['requests']} | {h['errors']} | {h['rps']} | {h['p50_ms']} ms | "
            f"{h['p95_ms']} ms | {h['p99_ms']} ms |"
        )
    if "new_questions" in r:
        lines += new_questions_markdown(r["new_questions"])
    lines += [
        "",
        "Échelle (plans synthétiques hors de la portée par défaut; qualité sur le jeu réel) :",
        "",
        "| plans | actions | documents | construction | requête p50 | requête p95 | hit@5 (cibles) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for s in r["scale"]:
        lines.append(
            f"| {s['plans']} | {s['actions']} | {s['documents']} | {s['build_s']} s | {s['query_p50_ms']} ms "
            f"| {s['query_p95_ms']} ms | {s['hit@5']} |"
        )
    b = r["baseline"]
    lines += [
        "",
        "Base naïve et projet, même exécution (catégories cibles) :",
        "",
        "| méthode | hit@5 | p50 | p95 |",
        "| --- | --- | --- | --- |",
        f"| base naïve | {b['naive']['hit@5']} | {b['naive']['p50_ms']} ms | {b['naive']['p95_ms']} ms |",
        f"| hybride | {b['hybrid']['hit@5']} | {b['hybrid']['p50_ms']} ms | {b['hybrid']['p95_ms']} ms |",
    ]
    if "log" in r:
        lines += log_markdown(r["log"])
    if "deployment" in r:
        lines += deployment_markdown(r["deployment"])
    return "\n".join(lines) + "\n"


def new_questions_markdown(rows: list[dict[str, Any]]) -> list[str]:
    runs, seconds = len(rows[0]["runs"]), rows[0]["seconds"]
    lines = [
        "",
        f"Questions nouvelles à 8 utilisateurs simultanés (cible : au moins {TARGETS['rps8']:.0f} réponses/s) : "
        f"médiane de {runs} mesures de {seconds} s sur un même serveur, après {WARM_UP_SECONDS} s de mise en "
        "route; le CPU est celui du serveur par réponse et celui de locust (sur la même machine) par requête :",
        "",
        "| questions du jeu | réponses/s (min–max) | p50 | p99 | CPU serveur / réponse | CPU locust / requête "
        "| erreurs |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for q in rows:
        lines.append(
            f"| {q['questions']} | **{q['rps']}** ({q['rps_min']}–{q['rps_max']}) | {q['p50_ms']} ms | "
            f"{q['p99_ms']} ms | {q['server_cpu_ms']} ms | {q['client_cpu_ms']} ms | {q['errors']} |"
        )
    lines += [
        "",
        "Sans cache, chaque question du jeu est calculée comme une nouvelle (analyse, embedding, jugement, "
        "réponse); le suffixe « (envoi N) » rend aussi chaque question nouvelle, mais lui ajoute des mots "
        "que les plans n'ont pas : une question embarquée plus longue, et un peu plus de questions que les "
        "mots-clés seuls ne règlent pas.",
    ]
    return lines


def write_bench_report(r: dict[str, Any], output: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    chart = write_report(output, "bench", r, bench_markdown(r))
    fig, axes = plt.subplots(1, 3, figsize=(13, 4.2), dpi=110)
    users = [h["users"] for h in r["http"]]
    axes[0].plot(users, [h["rps"] for h in r["http"]], marker="o", label="réponses/s")
    axes[0].set_xlabel("utilisateurs simultanés")
    axes[0].set_title("HTTP /api/ask : débit")
    axes[0].axhline(TARGETS["rps8"], ls="--", color="grey", label="cible à 8 : 60/s")
    axes[0].legend(fontsize=8)
    axes[1].plot(users, [h["p50_ms"] for h in r["http"]], marker="o", label="p50")
    axes[1].plot(users, [h["p99_ms"] for h in r["http"]], marker="o", label="p99")
    axes[1].set_xlabel("utilisateurs simultanés")
    axes[1].set_ylabel("ms")
    axes[1].set_title("HTTP /api/ask : latence")
    axes[1].legend(fontsize=8)
    plans = [s["plans"] for s in r["scale"]]
    axes[2].plot(plans, [s["query_p50_ms"] for s in r["scale"]], marker="o", label="requête p50 (ms)")
    axes[2].set_xscale("log")
    axes[2].set_xlabel("plans")
    axes[2].set_title("Échelle : latence de recherche")
    ax2 = axes[2].twinx()
    ax2.plot(plans, [s["hit@5"] for s in r["scale"]], marker="s", color="tab:green", label="hit@5")
    ax2.set_ylim(0, 1)
    axes[2].legend(loc="upper left", fontsize=8)
    ax2.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(chart)
    plt.close(fig)
