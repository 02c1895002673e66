"""Login and admin-token attempts under bursts, against the real service (``plan-assistant serve``),
directly and through the shipped nginx, with the limits counted in memory and in a real Redis: 50
parallel tries from one address answer no more than the limit, and the right password or token
sent in the burst once the limit is reached is refused; a burst from many addresses keeps the
server's memory and the citizens' questions; with Redis down, logins and the token are refused
(fail closed) while questions flow (fail open).

Each client binds its own loopback address (127.0.0.x), so that every test has its own count."""

from __future__ import annotations

import contextlib
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest

from evals.deployment import Nginx, Redis

from .servers import Uvicorn, free_port, staff_service_env, uvicorn_server
from .test_dashboard import text_of

PASSWORD = "mot-de-passe-du-personnel-2025"
TOKEN = "Lz3Q9vY7pK2mW8rT5xN1bC6dF4gH0jS_e"  # 34 characters
LIMIT = 5  # tries a minute per address, for the password and for the token
BURST = 50
HOST = "http://127.0.0.1"
QUESTION = "Qui s'occupe de l'action 37?"

Send = Callable[[httpx.Client, bool], httpx.Response]


def service_env(built, folder, storage: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        **staff_service_env(built, folder, PASSWORD, HOST),
        "PLAN_ASSISTANT_RATE_LIMIT_STORAGE": storage,
        "PLAN_ASSISTANT_ADMIN_TOKEN": TOKEN,
        "PLAN_ASSISTANT_ADMIN_ATTEMPTS": f"{LIMIT}/minute",
        "PLAN_ASSISTANT_DASHBOARD_ATTEMPTS": f"{LIMIT}/minute",
        "PLAN_ASSISTANT_TRUSTED_PROXIES": "127.0.0.1",  # nginx; the tests' clients come from 127.0.0.2+
    }


@dataclass
class Deployment:
    """The service, and the shipped nginx in front of it."""

    service: Uvicorn
    nginx: Nginx

    def url(self, via: str) -> str:
        return self.service.url if via == "direct" else self.nginx.url


@pytest.fixture(scope="module", params=["memory", "redis"])
def deployment(request, built, tmp_path_factory) -> Iterator[Deployment]:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp(request.param)
    port = free_port()
    # nginx's connections per address raised so that the whole burst reaches the service: what is
    # measured is the service's own count.
    options = ("--connections-per-address", str(2 * BURST))
    nginx = Nginx(tmp_path_factory.mktemp("nginx"), port, options=options)
    with contextlib.ExitStack() as stack:
        storage = "memory://" if request.param == "memory" else stack.enter_context(Redis(folder)).url
        env = {**service_env(built, folder, storage), "PLAN_ASSISTANT_ALLOWED_HOSTS": nginx.allowed_hosts}
        service = Uvicorn(env, port=port)
        stack.callback(service.stop)
        service.start(ready="/readyz")
        yield Deployment(service, stack.enter_context(nginx))


def client(url: str, address: str) -> httpx.Client:
    """A client whose connections come from ``address`` (a loopback address of its own)."""
    transport = httpx.HTTPTransport(local_address=address, verify=False)
    return httpx.Client(base_url=url, transport=transport, timeout=120)


def login_form(url: str, address: str) -> Send:
    """A login attempt with a valid form (CSRF token and its cookie): the right password or not."""
    with client(url, address) as c:
        page = c.get("/admin")
    assert page.status_code == 200, page.text
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert match, page.text
    csrf, nonce = match.group(1), page.cookies["pa_login"]

    def send(c: httpx.Client, right: bool) -> httpx.Response:
        password = PASSWORD if right else "pas-le-bon-mot-de-passe"
        return c.post(
            "/admin/login",
            data={"csrf": csrf, "password": password},
            headers={"Cookie": f"pa_login={nonce}"},
            follow_redirects=False,
        )

    return send


def token_try(c: httpx.Client, right: bool) -> httpx.Response:
    return c.get("/api/admin/reindex", headers={"Authorization": f"Bearer {TOKEN if right else 'x' * 34}"})


def burst(url: str, address: str, send: Send) -> tuple[list[httpx.Response], httpx.Response]:
    """``BURST - 1`` wrong tries from ``address`` at once, and the right one sent among them as
    soon as the limit is reached (a refusal seen, or ``LIMIT`` tries answered); the wrong tries'
    responses, and the right one's."""
    start = threading.Barrier(BURST)
    reached = threading.Event()
    answered = Counter[str]()
    lock = threading.Lock()

    def wrong() -> httpx.Response:
        with client(url, address) as c:
            start.wait()
            r = send(c, False)
        with lock:
            answered["refused" if r.status_code == 429 else "answered"] += 1
            if answered["refused"] or answered["answered"] >= LIMIT:
                reached.set()
        return r

    def right() -> httpx.Response:
        with client(url, address) as c:
            start.wait()
            assert reached.wait(120), "la limite n'a jamais été atteinte"
            return send(c, True)

    with ThreadPoolExecutor(BURST) as pool:
        tries = [pool.submit(wrong) for _ in range(BURST - 1)]
        good = pool.submit(right)
        return [t.result() for t in tries], good.result()


@pytest.mark.parametrize(("via", "address"), [("direct", "127.0.0.11"), ("nginx", "127.0.0.12")])
def test_a_login_burst_answers_no_more_tries_than_the_limit(
    deployment: Deployment, via: str, address: str
) -> None:
    url = deployment.url(via)
    tries, right = burst(url, address, login_form(url, address))
    codes = Counter(r.status_code for r in tries)
    assert codes == {401: LIMIT, 429: BURST - 1 - LIMIT}, codes
    refused = next(r for r in tries if r.status_code == 429)
    assert "Trop d'essais depuis cette adresse" in text_of(refused.text)
    assert int(refused.headers["retry-after"]) >= 1
    assert right.status_code == 429 and "Trop d'essais" in text_of(right.text)
    assert "pa_session" not in right.headers.get("set-cookie", "")


@pytest.mark.parametrize(("via", "address"), [("direct", "127.0.0.13"), ("nginx", "127.0.0.14")])
def test_an_admin_token_burst_answers_no_more_tries_than_the_limit(
    deployment: Deployment, via: str, address: str
) -> None:
    url = deployment.url(via)
    tries, right = burst(url, address, token_try)
    codes = Counter(r.status_code for r in tries)
    assert codes == {401: LIMIT, 429: BURST - 1 - LIMIT}, codes
    assert {r.json()["error"]["code"] for r in tries if r.status_code == 429} == {"trop_de_requetes"}
    assert right.status_code == 429 and right.json()["error"]["code"] == "trop_de_requetes"
    # The right token alone, from another address, is accepted: polling the status costs no try.
    with client(url, "127.0.0.15" if via == "direct" else "127.0.0.16") as c:
        assert [token_try(c, True).status_code for _ in range(LIMIT + 2)] == [200] * (LIMIT + 2)


def test_a_burst_from_many_addresses_keeps_the_memory_and_the_questions(deployment: Deployment) -> None:
    """50 addresses try a password at once (each within its limit): argon2 (64 MiB each) runs for a
    few at a time, the others are refused at once; the server's memory stays within a few hashes
    of where it was and citizens' questions are answered."""
    import psutil

    service = deployment.service
    assert service.proc is not None
    server = psutil.Process(service.proc.pid)
    send = login_form(service.url, "127.0.1.1")
    before = server.memory_info().rss
    peak, done = before, threading.Event()

    def watch() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, server.memory_info().rss)
            done.wait(0.005)

    def one(i: int) -> httpx.Response:
        with client(service.url, f"127.0.1.{i + 2}") as c:
            start.wait()
            return send(c, False)

    start = threading.Barrier(BURST)
    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with ThreadPoolExecutor(BURST) as pool:
            answers = list(pool.map(one, range(BURST)))
    finally:
        done.set()
        watcher.join()
    codes = Counter(r.status_code for r in answers)
    assert set(codes) <= {401, 429} and codes[401] >= 1, codes
    busy = [text_of(r.text) for r in answers if r.status_code == 429]
    assert all("Trop de connexions en cours" in t for t in busy), busy[:1]
    grew = (peak - before) / 2**20
    assert grew < 512, f"mémoire : {before / 2**20:.0f} Mo avant, {peak / 2**20:.0f} Mo au plus haut"
    with client(service.url, "127.0.1.200") as c:
        r = c.post("/api/ask", json={"question": QUESTION})
    assert r.status_code == 200 and r.json()["citations"][0]["number"] == "37"


def test_with_the_limit_store_down_staff_are_refused_and_citizens_answered(built, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Redis unreachable: a login or a token cannot be counted, so it is refused (503), even the
    right one; a question is answered (its limit fails open)."""
    env = {
        **service_env(built, tmp_path, f"redis://127.0.0.1:{free_port()}/0"),  # nothing listens there
        "PLAN_ASSISTANT_RATE_LIMIT": "30/minute",
    }
    with uvicorn_server(env) as server:
        send = login_form(server.url, "127.0.0.21")
        with client(server.url, "127.0.0.21") as c:
            r = send(c, True)
            assert r.status_code == 503 and int(r.headers["retry-after"]) >= 1
            assert "Tableau de bord indisponible" in text_of(r.text)
            assert "Le compteur des essais de connexion ne répond pas" in text_of(r.text)
            assert "pa_session" not in r.headers.get("set-cookie", "")
            r = token_try(c, True)
            assert r.status_code == 503 and int(r.headers["retry-after"]) >= 1
            error = r.json()["error"]
            assert error["code"] == "limites_indisponibles" and error["status"] == 503
            assert error["message"].startswith("Le compteur des essais ne répond pas")
            r = c.post("/api/ask", json={"question": QUESTION})
            assert r.status_code == 200 and r.json()["citations"][0]["number"] == "37"


def test_password_checks_run_one_at_a_time_and_refuse_beyond_their_queue() -> None:
    import asyncio

    from api.dashboard.auth import ChecksBusy, PasswordChecks

    checks = PasswordChecks(running=1, waiting=2)
    go, lock = threading.Event(), threading.Lock()
    now = most = 0

    def check() -> bool:
        nonlocal now, most
        with lock:
            now += 1
            most = max(most, now)
        go.wait(30)
        with lock:
            now -= 1
        return True

    async def burst_of_checks() -> list[bool]:
        held = [asyncio.ensure_future(checks.run(check)) for _ in range(3)]
        await asyncio.sleep(0)  # the three take their places: one running, two queued
        with pytest.raises(ChecksBusy):
            await checks.run(check)
        go.set()
        done = list(await asyncio.gather(*held))
        return [*done, await checks.run(check)]  # places given back

    assert asyncio.run(burst_of_checks()) == [True, True, True, True]
    assert most == 1
