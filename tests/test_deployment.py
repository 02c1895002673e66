"""The reference deployment, for real: the shipped nginx configuration in front of ``plan-assistant
serve`` over TLS on 127.0.0.1, and the service's own guards when it faces clients directly.

Every client here is on the loopback network; the attackers connect from 127.0.0.2 so that the
per-address limits can tell them from the citizen and the health probe on 127.0.0.1."""

from __future__ import annotations

import gzip
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from evals.deployment import Nginx, half_sent_requests

from .conftest import CITY
from .servers import Uvicorn, uvicorn_server

QUESTION = "Qui s'occupe de l'action 37?"


@pytest.fixture(scope="module")
def behind_nginx(built, tmp_path_factory) -> Iterator[tuple[Uvicorn, Nginx]]:  # type: ignore[no-untyped-def]
    env = {
        "PLAN_ASSISTANT_DATA_DIR": str(built.location.root.parent),
        "PLAN_ASSISTANT_TRUSTED_PROXIES": "127.0.0.1",
        "PLAN_ASSISTANT_RATE_LIMIT": "3/minute",
    }
    service = Uvicorn(env)
    service.start(ready="/readyz")
    try:
        # The test's clients play a trusted front (a load balancer) so that they can come from
        # many addresses; the configuration is otherwise the shipped one.
        with Nginx(tmp_path_factory.mktemp("nginx"), service.port, trusted_fronts=("127.0.0.1",)) as nginx:
            yield service, nginx
    finally:
        service.stop()


def client(nginx: Nginx) -> httpx.Client:
    return httpx.Client(base_url=nginx.url, verify=False, timeout=30)


def closed(sock: socket.socket, wait: float) -> bool:
    """True when the server closed the connection within ``wait`` seconds."""
    sock.settimeout(wait)
    try:
        while True:
            data = sock.recv(4096)
            if not data:
                return True
    except TimeoutError:
        return False
    except (OSError, ssl.SSLError):
        return True


def probe_health(url: str, stop: threading.Event, out: list[float], verify: bool = True) -> None:
    with httpx.Client(verify=verify, timeout=5) as c:
        while not stop.is_set():
            t = time.perf_counter()
            try:
                ok = c.get(url + "/healthz").status_code == 200
            except httpx.HTTPError:
                ok = False
            out.append(time.perf_counter() - t if ok else float("inf"))
            time.sleep(0.1)


def test_the_shipped_configuration_is_valid(behind_nginx: tuple[Uvicorn, Nginx]) -> None:
    _, nginx = behind_nginx
    assert "test is successful" in nginx.check()


def test_slow_requests_do_not_take_the_service_down(behind_nginx: tuple[Uvicorn, Nginx]) -> None:
    """500 half-sent requests through the proxy: the probe keeps answering, questions too, and
    nginx cuts the slow clients off after its header timeout (10 s)."""
    _, nginx = behind_nginx
    stop, latencies = threading.Event(), []
    probe = threading.Thread(target=probe_health, args=(nginx.url, stop, latencies, False))
    with half_sent_requests(nginx.port, 500, tls=True) as held:
        assert len(held) >= 450
        probe.start()
        with client(nginx) as c:
            r = c.post("/api/ask", json={"question": QUESTION}, headers={"X-Forwarded-For": "10.9.0.1"})
            assert r.status_code == 200 and r.json()["citations"][0]["number"] == "37"
        time.sleep(1.0)
        # nginx closes every half-sent request after client_header_timeout.
        assert all(closed(s, 14.0) for s in held[:20])
    stop.set()
    probe.join()
    assert latencies and all(t < 5 for t in latencies), latencies


def test_each_citizen_has_their_own_limit(behind_nginx: tuple[Uvicorn, Nginx]) -> None:
    """Behind the proxy, each address gets its own questions (3 a minute here), not the city's
    whole share; the service's 429 keeps its error shape and Retry-After."""
    _, nginx = behind_nginx
    with client(nginx) as c:
        for i in range(12):
            for _ in range(3):
                r = c.post(
                    "/api/ask", json={"question": QUESTION}, headers={"X-Forwarded-For": f"10.1.0.{i}"}
                )
                assert r.status_code == 200, r.text
        r = c.post("/api/ask", json={"question": QUESTION}, headers={"X-Forwarded-For": "10.1.0.0"})
        assert r.status_code == 429 and r.json()["error"]["code"] == "trop_de_requetes"
        assert int(r.headers["retry-after"]) >= 1
        r = c.post("/api/ask", json={"question": QUESTION}, headers={"X-Forwarded-For": "10.1.0.200"})
        assert r.status_code == 200


def test_https_scheme_host_and_origin_come_from_the_proxy(behind_nginx: tuple[Uvicorn, Nginx]) -> None:
    _, nginx = behind_nginx
    with client(nginx) as c:
        demo = c.get("/demo")
        assert demo.status_code == 200
        assert f'src="{nginx.url}/widget.js"' in demo.text and "http://127.0.0.1" not in demo.text
        headers = {"Origin": nginx.url, "X-Forwarded-For": "10.2.0.1"}
        r = c.post("/api/ask", json={"question": QUESTION}, headers=headers)
        assert r.status_code == 200, r.text
        r = c.post(
            "/api/ask", json={"question": QUESTION}, headers={**headers, "Origin": "https://evil.example"}
        )
        assert r.status_code == 403 and r.json()["error"]["code"] == "origine_refusee"
        # A forged Host is refused, never copied into a page.
        r = c.get("/demo", headers={"Host": "evil.example"})
        assert r.status_code == 400 and r.json()["error"]["code"] == "hote_refuse"
        assert "server" not in r.headers or "uvicorn" not in r.headers["server"].lower()


def test_the_proxy_compresses_and_caches_listings(behind_nginx: tuple[Uvicorn, Nginx]) -> None:
    _, nginx = behind_nginx
    with client(nginx) as c:
        raw = c.get("/api/units", headers={"Accept-Encoding": "gzip", "X-Forwarded-For": "10.3.0.1"})
        assert raw.status_code == 200 and raw.headers["content-encoding"] == "gzip"
        assert "Police" in raw.text and raw.headers["etag"]
        first = c.get(f"/plans/{CITY}").headers.get("x-cache-status")
        second = c.get(f"/plans/{CITY}")
        assert first in ("MISS", "EXPIRED", "HIT") and second.headers["x-cache-status"] == "HIT"
        assert "Ville de Québec" in second.text or "Plan d'action" in second.text
        etag = second.headers["etag"]
        assert c.get(f"/plans/{CITY}", headers={"If-None-Match": etag}).status_code == 304
    assert len(gzip.compress(raw.content)) < len(raw.content)


@pytest.fixture(scope="module")
def direct(built) -> Iterator[Uvicorn]:  # type: ignore[no-untyped-def]
    """The service facing clients itself, with a short request deadline."""
    env = {
        "PLAN_ASSISTANT_DATA_DIR": str(built.location.root.parent),
        "PLAN_ASSISTANT_REQUEST_TIMEOUT": "2",
        "PLAN_ASSISTANT_MAX_CONNECTIONS_PER_CLIENT": "40",
        "PLAN_ASSISTANT_RATE_LIMIT": "3/minute",
    }
    with uvicorn_server(env) as server:
        yield server


def test_without_a_proxy_one_client_cannot_exhaust_the_service(direct: Uvicorn) -> None:
    """300 half-sent requests from one address: beyond its 40 connections they are closed at once,
    the 40 are closed at the request deadline (2 s here), and the probe from another address
    answers throughout."""
    stop, latencies = threading.Event(), []
    probe = threading.Thread(target=probe_health, args=(direct.url, stop, latencies))
    probe.start()
    try:
        with half_sent_requests(direct.port, 300, tls=False) as held:
            time.sleep(0.5)
            still_open = [s for s in held if not closed(s, 0.05)]
            assert len(still_open) <= 40, len(still_open)
            assert all(closed(s, 6.0) for s in still_open)
        with httpx.Client(base_url=direct.url, timeout=10) as c:
            assert c.post("/api/ask", json={"question": QUESTION}).status_code == 200
    finally:
        stop.set()
        probe.join()
    assert latencies and all(t < 5 for t in latencies), latencies


def test_without_a_trusted_proxy_forwarded_headers_are_ignored(direct: Uvicorn) -> None:
    """A client cannot give itself new addresses to escape its limit."""
    with httpx.Client(base_url=direct.url, timeout=10) as c:
        codes = [
            c.post(
                "/api/search", params={"q": "logement"}, headers={"X-Forwarded-For": f"10.5.0.{i}"}
            ).status_code
            for i in range(5)
        ]
    assert codes.count(429) >= 2, codes


def test_deploy_command_renders_what_the_tests_run(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from api.cli import app

    result = CliRunner().invoke(
        app,
        ["deploy", "nginx", "--server-name", "assistant.ville.quebec.qc.ca", "--certificate",
         "/etc/ssl/certs/a.pem", "--certificate-key", "/etc/ssl/private/a.key"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "server_name assistant.ville.quebec.qc.ca;" in result.stdout and "{{" not in result.stdout
    assert "client_header_timeout 10s;" in result.stdout
    bad = CliRunner().invoke(
        app, ["deploy", "nginx", "--server-name", "a;b", "--certificate", "x", "--certificate-key", "y"]
    )
    assert bad.exit_code == 1 and "nom de serveur invalide : 'a;b'" in bad.output
