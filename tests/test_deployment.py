"""The reference deployment, for real: the shipped nginx configuration in front of ``plan-assistant
serve`` over TLS on 127.0.0.1, and the service's own guards when it faces clients directly.

Every client here is on the loopback network; the attackers connect from 127.0.0.2 so that the
per-address limits can tell them from the citizen and the health probe on 127.0.0.1."""

from __future__ import annotations

import gzip
import re
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
from .servers import Uvicorn, free_port, uvicorn_server

QUESTION = "Qui s'occupe de l'action 37?"


@pytest.fixture(scope="module")
def behind_nginx(built, tmp_path_factory) -> Iterator[tuple[Uvicorn, Nginx]]:  # type: ignore[no-untyped-def]
    port = free_port()
    # The test's clients play a trusted front (a load balancer) so that they can come from many
    # addresses, and a response left unread is cut after 1 s; the configuration is otherwise the
    # shipped one.
    nginx = Nginx(
        tmp_path_factory.mktemp("nginx"), port, trusted_fronts=("127.0.0.1",), options=("--send-timeout", "1")
    )
    env = {
        "PLAN_ASSISTANT_DATA_DIR": str(built.location.root.parent),
        "PLAN_ASSISTANT_TRUSTED_PROXIES": "127.0.0.1",
        "PLAN_ASSISTANT_RATE_LIMIT": "3/minute",
        "PLAN_ASSISTANT_ALLOWED_HOSTS": nginx.allowed_hosts,
    }
    service = Uvicorn(env, port=port)
    service.start(ready="/readyz")
    try:
        with nginx:
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


#: The Swagger bundle (1.5 MB): a response far larger than what the kernel buffers for a reader.
LARGE = "/vendor/swagger-ui/swagger-ui-bundle.js"
TCP_ESTABLISHED = 1  # the first byte of Linux's struct tcp_info


def unread_request(port: int, path: str, tls: bool) -> socket.socket:
    """A connection that asks for ``path`` and never reads the answer. Its receive buffer and
    segments are small, so that the server's buffers cannot swallow the answer either."""
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 536)
    raw.settimeout(10)
    raw.connect(("127.0.0.1", port))
    sock = raw
    if tls:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        sock = context.wrap_socket(raw, server_hostname="127.0.0.1")
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    return sock


def closed_unread(sock: socket.socket, bound: float) -> bool:
    """Whether the server closed (or reset) the connection within ``bound`` seconds, read without
    reading a byte of the answer: its TCP state leaves ESTABLISHED."""
    end = time.monotonic() + bound
    while time.monotonic() < end:
        if sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)[0] != TCP_ESTABLISHED:
            return True
        time.sleep(0.1)
    return False


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


def test_https_is_enforced(behind_nginx: tuple[Uvicorn, Nginx]) -> None:
    """HSTS on every answer (the cached ones, whose location adds headers of its own, too), and
    plain http sent to https under the site's own name, whatever Host the client wrote."""
    _, nginx = behind_nginx
    with client(nginx) as c:
        for path in ("/demo", "/api/units", f"/plans/{CITY}", "/widget.js", "/plans/inconnu"):
            r = c.get(path, headers={"X-Forwarded-For": "10.6.0.1"})
            assert r.headers["strict-transport-security"] == "max-age=31536000", path
    plain = f"http://127.0.0.1:{nginx.http_port}"
    with httpx.Client(timeout=10) as c:
        r = c.get(f"{plain}/api/search", params={"q": "logement social"})
        assert r.status_code == 301
        assert r.headers["location"] == nginx.url + r.request.url.raw_path.decode()
        assert r.headers["location"].endswith("/api/search?q=logement+social")
        r = c.post(f"{plain}/api/ask", json={"question": QUESTION}, headers={"Host": "evil.example"})
        assert r.status_code == 301 and r.headers["location"] == f"{nginx.url}/api/ask"


def test_a_host_with_a_foreign_port_is_refused_behind_the_proxy(behind_nginx: tuple[Uvicorn, Nginx]) -> None:
    _, nginx = behind_nginx
    with client(nginx) as c:
        r = c.get("/demo", headers={"Host": "127.0.0.1:6666", "X-Forwarded-For": "10.7.0.1"})
        assert r.status_code == 400 and r.json()["error"]["code"] == "hote_refuse"
        assert "6666" not in c.get("/demo", headers={"X-Forwarded-For": "10.7.0.1"}).text


def test_a_response_left_unread_is_cut_by_the_proxy(behind_nginx: tuple[Uvicorn, Nginx]) -> None:
    """A client asks for the Swagger bundle and never reads it: nginx resets the connection after
    its send timeout (1 s here), well before the bound."""
    _, nginx = behind_nginx
    sock = unread_request(nginx.port, LARGE, tls=True)
    try:
        assert closed_unread(sock, 20.0)
    finally:
        sock.close()


NAME, PHONE = "Ginette Laflamme", "418 555-0199"
PERSONAL = f"Je m'appelle {NAME}, mon téléphone est le {PHONE} : qui s'occupe de l'action 37?"
AGENT = "SondeConfidentialite/7.3 (journal-nginx)"


def test_nginx_writes_nothing_personal(behind_nginx: tuple[Uvicorn, Nginx]) -> None:
    """A citizen's question with a name and a phone number, in query strings (search, redirect,
    refusals that nginx logs as errors) and in bodies, from 127.0.0.1 with a distinctive user
    agent: nginx's log files (the site's access and error logs, the main error log) hold the
    requests' method, path and status, and none of the address, the words or the user agent."""
    _, nginx = behind_nginx
    headers = {"User-Agent": AGENT}
    with client(nginx) as c:
        r = c.get("/api/search", params={"q": PERSONAL}, headers=headers)
        assert r.status_code == 200, r.text
        r = c.post("/api/ask", json={"question": PERSONAL}, headers=headers)
        assert r.status_code == 200, r.text
        # Beyond the proxy's limit (2 questions a second, bursts of 20): refusals that nginx logs,
        # at its default level, with the request line and the client's address.
        codes = [c.get("/api/ask", params={"q": PERSONAL}, headers=headers).status_code for _ in range(30)]
        assert codes.count(429) >= 5, codes
        r = c.get("/api/ask", params={"q": PERSONAL}, headers=headers)
        assert r.status_code == 429 and r.headers["strict-transport-security"] == "max-age=31536000"
        # A body above client_max_body_size: refused by nginx, logged as an error too.
        r = c.post("/api/search", params={"q": PERSONAL}, content=PERSONAL.encode() * 1000, headers=headers)
        assert r.status_code == 413
        # And a response left unread (an error at « info » level, the request line with it).
        sock = unread_request(nginx.port, f"{LARGE}?q={PHONE.replace(' ', '%20')}", tls=True)
        try:
            assert closed_unread(sock, 20.0)
        finally:
            sock.close()
        with httpx.Client(timeout=10) as plain:
            r = plain.get(f"http://127.0.0.1:{nginx.http_port}/", params={"q": PERSONAL}, headers=headers)
            assert r.status_code == 301
        # Once this one is logged, every request before it is (one worker, in order).
        assert c.get("/plans/fin-de-l-essai").status_code == 404
    end = time.monotonic() + 10
    while '"GET /plans/fin-de-l-essai" 404' not in nginx.access_log.read_text(encoding="utf-8"):
        assert time.monotonic() < end, "la dernière requête n'est pas dans le journal d'accès"
        time.sleep(0.1)
    logs = nginx.logs()
    assert {"access.log", "error.log"} <= set(logs)
    access = logs["access.log"]
    assert '"GET /api/search" 200' in access and '"POST /api/ask" 200' in access
    assert '"GET /api/ask" 429' in access and '"POST /api/search" 413' in access and '"GET /" 301' in access
    written = "\n".join(logs.values())
    for secret in ("127.0.0.1", NAME, "Ginette", "Laflamme", PHONE, "555-0199", "555%20", "appelle", "?q=",
                   "q=", AGENT, "SondeConfidentialite"):  # fmt: skip
        assert secret not in written, secret
    assert not re.search(r"\b\d{1,3}(\.\d{1,3}){3}\b", written)  # no address at all (10.1.0.x came before)


@pytest.fixture(scope="module")
def direct(built) -> Iterator[Uvicorn]:  # type: ignore[no-untyped-def]
    """The service facing clients itself, with a short request deadline."""
    env = {
        "PLAN_ASSISTANT_DATA_DIR": str(built.location.root.parent),
        "PLAN_ASSISTANT_REQUEST_TIMEOUT": "2",
        "PLAN_ASSISTANT_MAX_CONNECTIONS_PER_CLIENT": "40",
        "PLAN_ASSISTANT_RATE_LIMIT": "3/minute",
        "PLAN_ASSISTANT_SEND_TIMEOUT": "1",
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


def test_without_a_proxy_a_response_left_unread_is_cut(direct: Uvicorn) -> None:
    """The Swagger bundle asked for and never read: the service resets the connection after its
    send timeout (1 s here), well before the bound; uvicorn alone would hold it for ever."""
    sock = unread_request(direct.port, LARGE, tls=False)
    try:
        assert closed_unread(sock, 20.0)
    finally:
        sock.close()
    with httpx.Client(base_url=direct.url, timeout=10) as c:  # the service goes on
        assert c.get(LARGE).status_code == 200


def test_a_host_with_a_bad_or_foreign_port_is_refused(direct: Uvicorn) -> None:
    """A Host's port is copied into /demo's links: only no port, the scheme's default one and the
    service's own are accepted under an allowed name; the rest gets a 400 that says why."""
    with httpx.Client(base_url=direct.url, timeout=10) as c:
        for host in (f"127.0.0.1:{direct.port}", "127.0.0.1", "localhost:80", f"[::1]:{direct.port}"):
            r = c.get("/demo", headers={"Host": host})
            assert r.status_code == 200, host
            assert f'src="http://{host}/widget.js"' in r.text
        invalid = "n'a pas de port valide (un nombre de 1 à 65535 après « : »)"
        refused: list[tuple[str | bytes, str]] = [
            ("127.0.0.1:abc", invalid),
            ("127.0.0.1:99999", invalid),
            ("127.0.0.1:0", invalid),
            ("127.0.0.1:", invalid),
            ("127.0.0.1:08000", invalid),
            (b"127.0.0.1:\xb2", invalid),  # « ² », a digit for str.isdigit()
            ("[::1]:x", invalid),
            ("127.0.0.1:6666", "Le port 6666 n'est pas servi sous le nom « 127.0.0.1 »"),
            ("localhost:443", "Le port 443 n'est pas servi sous le nom « localhost »"),
        ]
        for host, said in refused:
            r = c.get("/demo", headers={"Host": host})
            assert r.status_code == 400, host
            error = r.json()["error"]
            assert error["code"] == "hote_refuse" and said in error["message"], error
            assert "widget.js" not in r.text
        assert c.get("/healthz", headers={"Host": "127.0.0.1:abc"}).status_code == 200  # probes: any name


def test_an_allowed_host_with_a_bad_port_stops_the_start() -> None:
    from pydantic import ValidationError

    from api.settings import Settings

    with pytest.raises(ValidationError, match="port de 1 à 65535 attendu après « : »") as e:
        Settings(allowed_hosts="assistant.ville.quebec.qc.ca:https")
    assert "assistant.ville.quebec.qc.ca:https" in str(e.value)
    assert Settings(allowed_hosts="Assistant.Ville.Quebec.qc.ca:8443").allowed_hosts == [
        "assistant.ville.quebec.qc.ca:8443"
    ]


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
    assert "client_header_timeout 10s;" in result.stdout and "send_timeout 10s;" in result.stdout
    assert "listen 80;" in result.stdout
    assert "return 301 https://assistant.ville.quebec.qc.ca$request_uri;" in result.stdout
    assert 'add_header Strict-Transport-Security "max-age=31536000" always;' in result.stdout
    log_format = next(line for line in result.stdout.splitlines() if line.startswith("log_format"))
    assert "$uri" in log_format
    for variable in ("$remote_addr", "$request ", "$request_uri", "$args", "$query_string", "$http_"):
        assert variable not in log_format, variable
    assert "access_log /var/log/nginx/plan-assistant.access.log pa_private;" in result.stdout
    assert "error_log /var/log/nginx/plan-assistant.error.log emerg;" in result.stdout
    assert "PLAN_ASSISTANT_ALLOWED_HOSTS=assistant.ville.quebec.qc.ca\n" in result.stderr
    other = CliRunner().invoke(
        app,
        ["deploy", "nginx", "--server-name", "assistant.ville.quebec.qc.ca", "--certificate", "/a.pem",
         "--certificate-key", "/a.key", "--listen", "8443", "--hsts-subdomains", "--access-log", "off"],
    )  # fmt: skip
    assert other.exit_code == 0, other.output
    assert "return 301 https://assistant.ville.quebec.qc.ca:8443$request_uri;" in other.stdout
    assert '"max-age=31536000; includeSubDomains"' in other.stdout and "access_log off;" in other.stdout
    assert "PLAN_ASSISTANT_ALLOWED_HOSTS=assistant.ville.quebec.qc.ca:8443\n" in other.stderr
    bad = CliRunner().invoke(
        app, ["deploy", "nginx", "--server-name", "a;b", "--certificate", "x", "--certificate-key", "y"]
    )
    assert bad.exit_code == 1 and "nom de serveur invalide : 'a;b'" in bad.output
