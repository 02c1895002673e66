"""The production measures of ``plan-assistant bench``: the reference deployment for real on
127.0.0.1 (the shipped nginx configuration over TLS in front of ``plan-assistant serve``).

- a slow-request attack (half-sent requests held open from another address), through the proxy
  and direct: did ``/healthz`` answer throughout, how fast;
- throughput and latency at concurrency 8 and 32, distinct and repeated questions, through the
  proxy and direct, with 1 worker (embedded Chroma) and 2 workers (a ``chroma run`` server);
- memory and open files of the server over 20 re-indexes.

The proxy's per-address limits are raised for the throughput runs (every simulated citizen has its
own forwarded address, but a benchmark asks far faster than a citizen): what is measured is the
proxy's cost, not its limits.
"""

from __future__ import annotations

import secrets
import shutil
import socket
import ssl
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from evals.deployment import Nginx, half_sent_requests
from evals.servers import Uvicorn, chroma_server, free_port, open_files, rss_mb
from evals.stats import ms, percentile

# The bench's citizens each come from their own address, forwarded by a trusted front (127.0.0.1).
BENCH_RATES = ("--questions-rate", "1000r/s", "--questions-burst", "1000", "--pages-rate", "1000r/s")


def still_open(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        return sock.recv(1) != b""
    except (BlockingIOError, ssl.SSLWantReadError):
        return True
    except OSError:
        return False


def slow_attack(url: str, port: int, tls: bool, count: int, hold: float) -> dict[str, Any]:
    """``count`` half-sent requests held ``hold`` seconds while a citizen's probe asks ``/healthz``
    every 0.2 s: whether every probe answered, and how fast."""
    latencies: list[float] = []
    failures = 0
    with half_sent_requests(port, count, tls) as held, httpx.Client(verify=False, timeout=5) as c:
        opened = len(held)
        end = time.monotonic() + hold
        while time.monotonic() < end:
            t = time.perf_counter()
            try:
                ok = c.get(url + "/healthz").status_code == 200
            except httpx.HTTPError:
                ok = False
            latencies.append(time.perf_counter() - t)
            failures += not ok
            time.sleep(0.2)
        remaining = sum(still_open(s) for s in held)
    return {
        "connections": count,
        "opened": opened,
        "still_open_after_s": remaining,
        "hold_s": hold,
        "probes": len(latencies),
        "probe_failures": failures,
        "survived": failures == 0,
        "healthz_p50_ms": ms(percentile(latencies, 50)),
        "healthz_max_ms": round(max(latencies) * 1000, 1),
    }


Load = Callable[..., dict[str, Any]]
#: A first load on each new server, not counted (its caches of the build fill on the first questions).
WARM_UP_SECONDS = 5


def throughput(
    load: Load, data_dir: Path, work: Path, seconds: int, workers: int, chroma_port: int | None
) -> dict[str, Any]:
    """Direct and through the proxy, at concurrency 8 and 32, distinct and repeated questions, once
    the service is warm (a first load of a few seconds, not counted: the start is measured apart)."""
    env = {"PLAN_ASSISTANT_DATA_DIR": str(data_dir), "PLAN_ASSISTANT_RATE_LIMIT": "0",
           "PLAN_ASSISTANT_TRUSTED_PROXIES": "127.0.0.1"}  # fmt: skip
    if chroma_port is not None:
        env |= {"PLAN_ASSISTANT_CHROMA_HOST": "127.0.0.1", "PLAN_ASSISTANT_CHROMA_PORT": str(chroma_port)}
    folder = work / f"nginx-{workers}"
    folder.mkdir(exist_ok=True)
    port = free_port()
    nginx = Nginx(folder, port, trusted_fronts=("127.0.0.1",), options=BENCH_RATES)
    env["PLAN_ASSISTANT_ALLOWED_HOSTS"] = nginx.allowed_hosts  # the name and port written through the proxy
    server = Uvicorn(env, port=port, log_level="warning", workers=workers)
    server.start(ready="/readyz", timeout=900)
    runs: list[dict[str, Any]] = []
    try:
        with nginx:
            load(server.url, 8, WARM_UP_SECONDS, work, unique=True)
            for path, url in (("direct", server.url), ("proxy", nginx.url)):
                for users in (8, 32):
                    for unique in (True, False):
                        r = load(url, users, seconds, work, unique=unique, forwarded=path == "proxy")
                        runs.append({"path": path, "workers": workers, **r})
    finally:
        server.stop()
    return {"workers": workers, "store": "serveur Chroma" if chroma_port else "embarqué", "runs": runs}


def attacks(data_dir: Path, work: Path, hold: float) -> dict[str, Any]:
    """The slow-request attack through the proxy (500 connections over TLS) and direct (300)."""
    env = {"PLAN_ASSISTANT_DATA_DIR": str(data_dir), "PLAN_ASSISTANT_TRUSTED_PROXIES": "127.0.0.1"}
    server = Uvicorn(env, log_level="warning")
    server.start(ready="/readyz", timeout=900)
    try:
        folder = work / "nginx-attack"
        folder.mkdir(exist_ok=True)
        with Nginx(folder, server.port) as nginx:
            proxied = slow_attack(nginx.url, nginx.port, tls=True, count=500, hold=hold)
        direct = slow_attack(server.url, server.port, tls=False, count=300, hold=hold)
    finally:
        server.stop()
    return {"proxy": proxied, "direct": direct}


def reindexes(data_dir: Path, corpus_dir: Path, work: Path, cycles: int = 20) -> dict[str, Any]:
    """``cycles`` re-indexes through the admin route, one document of the corpus changed each time:
    the server's RSS, open files and files held after removal, after the first and the last."""
    corpus = work / "corpus-reindex"
    shutil.copytree(corpus_dir, corpus)
    # One action's text changed back and forth: each re-index publishes a new build.
    plan = next(
        p for p in sorted(corpus.rglob("*.txt")) if "tarification sociale" in p.read_text(encoding="utf-8")
    )
    original = plan.read_text(encoding="utf-8")
    changed = original.replace("tarification sociale", "tarification sociale révisée", 1)
    data = work / "data-reindex"
    shutil.copytree(data_dir, data)
    token = secrets.token_urlsafe(32)
    env = {"PLAN_ASSISTANT_DATA_DIR": str(data), "PLAN_ASSISTANT_CORPUS_DIR": str(corpus),
           "PLAN_ASSISTANT_ADMIN_TOKEN": token, "PLAN_ASSISTANT_RATE_LIMIT": "0"}  # fmt: skip
    auth = {"Authorization": f"Bearer {token}"}
    server = Uvicorn(env, log_level="warning")
    server.start(ready="/readyz", timeout=900)
    figures: list[dict[str, Any]] = []
    try:
        assert server.proc is not None
        pid = server.proc.pid
        with httpx.Client(base_url=server.url, timeout=120) as c:
            build = c.get("/readyz").json().get("build")
            for cycle in range(cycles):
                plan.write_text(changed if cycle % 2 == 0 else original, encoding="utf-8")
                c.post("/api/admin/reindex", headers=auth).raise_for_status()
                deadline = time.monotonic() + 300
                while time.monotonic() < deadline:
                    status = c.get("/api/admin/reindex", headers=auth).json()
                    if status.get("state") == "échec":
                        raise RuntimeError(f"réindexation échouée : {status}")
                    if status.get("state") == "terminé" and status.get("build") != build:
                        break
                    time.sleep(0.1)
                build = status.get("build")
                c.post("/api/ask", json={"question": f"la tarification sociale pour l'autobus ({cycle})"})
                time.sleep(1)  # removed builds are released a moment after their last request
                files = open_files(pid)
                figures.append({"cycle": cycle + 1, "rss_mb": round(rss_mb(pid), 1), "open_files": len(files),
                                "deleted_held": sum(f.endswith(" (deleted)") for f in files)})  # fmt: skip
    finally:
        server.stop()
    return {
        "cycles": cycles,
        "first": figures[0],
        "tenth": figures[min(9, len(figures) - 1)],
        "last": figures[-1],
    }


def run_deployment(load: Load, data_dir: Path, corpus_dir: Path, work: Path, seconds: int) -> dict[str, Any]:
    """Every production measure, on an index already built in ``data_dir``."""
    out: dict[str, Any] = {"attack": attacks(data_dir, work, hold=15.0)}
    loads = [throughput(load, data_dir, work, seconds, workers=1, chroma_port=None)]
    with chroma_server(work / "chroma") as chroma:
        loads.append(
            throughput(load, work / "data-server", work, seconds, workers=2, chroma_port=chroma.port)
        )
    out["throughput"] = loads
    out["reindex"] = reindexes(data_dir, corpus_dir, work)
    return out


def deployment_markdown(d: dict[str, Any]) -> list[str]:
    yes = {True: "oui", False: "**non**"}
    lines = [
        "",
        "## Déploiement de référence (nginx devant le service, 127.0.0.1)",
        "",
        "Attaque par requêtes à moitié envoyées depuis une autre adresse (127.0.0.2), pendant qu'un "
        "citoyen sonde `/healthz` toutes les 0,2 s :",
        "",
        "| chemin | connexions | ouvertes | encore ouvertes à la fin | `/healthz` toujours servi | "
        "`/healthz` p50 / max |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for label, key in (("nginx (TLS)", "proxy"), ("direct (uvicorn)", "direct")):
        a = d["attack"][key]
        lines.append(
            f"| {label} | {a['connections']} pendant {a['hold_s']:.0f} s | {a['opened']} | "
            f"{a['still_open_after_s']} | {yes[a['survived']]} ({a['probes'] - a['probe_failures']}/"
            f"{a['probes']}) | {a['healthz_p50_ms']} / {a['healthz_max_ms']} ms |"
        )
    lines += [
        "",
        "Débit de `/api/ask` (locust; à travers nginx, chaque citoyen simulé a sa propre adresse "
        "transmise et les limites par adresse sont relevées; chaque service mesuré après "
        f"{WARM_UP_SECONDS} s de questions non comptées; cible : 60 réponses/s à 8 utilisateurs "
        "sur des questions toutes différentes) :",
        "",
        "| processus | index | chemin | utilisateurs | questions | réponses/s | p50 | p99 | erreurs |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for t in d["throughput"]:
        for r in t["runs"]:
            kind = "différentes" if r["unique"] else "répétées"
            lines.append(
                f"| {t['workers']} | {t['store']} | {r['path']} | {r['users']} | {kind} | {r['rps']} | "
                f"{r['p50_ms']} ms | {r['p99_ms']} ms | {r['errors']} |"
            )
    ri = d["reindex"]
    lines += [
        "",
        f"Mémoire et fichiers du serveur au fil de {ri['cycles']} réindexations :",
        "",
        "| après | RSS | fichiers ouverts | fichiers supprimés encore tenus |",
        "| --- | --- | --- | --- |",
    ]
    for key in ("first", "tenth", "last"):
        f = ri[key]
        lines.append(
            f"| réindexation {f['cycle']} | {f['rss_mb']} Mo | {f['open_files']} | {f['deleted_held']} |"
        )
    return lines
