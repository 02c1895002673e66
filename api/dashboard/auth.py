"""Who may see the staff dashboard: one password (stored as an argon2id hash), signed sessions,
CSRF tokens, login attempts limited per address.

**Attempts are counted before the password is checked.** Each try takes one place in the window of
its address (``dashboard_attempts``) in one atomic step of the limits storage, and only a try that
got a place is checked: parallel tries cannot all pass a check made before any of them is counted,
and once the window is full even the right password is refused. A storage that does not answer
refuses the login (fail closed). The argon2 checks themselves (64 MiB and a few hundred ms of CPU
each with the default parameters) run one at a time per process (:class:`PasswordChecks`): a burst
from many addresses costs a bounded memory and one check at a time, not 2 GB.

**Sessions work across workers and machines without a session table.** The cookie ``pa_session``
holds ``ID.ISSUED.SIGNATURE``: a random id, the time it was issued, and an HMAC-SHA256 of both
under a key derived from ``dashboard_secret`` *and* the password hash (changing either closes
every session). A session ends ``dashboard_session_minutes`` after the login. Logging out revokes
its id in the limits storage (``rate_limit_storage``: per process with ``memory://``, common to
every worker and machine with Redis, as the rate limits), for the rest of its lifetime; when that
storage does not answer, sessions are refused (fail closed) rather than a revoked one accepted.

**CSRF.** Every POST form carries a token: for a session, an HMAC of its id; for the login form
(no session yet), an HMAC of a random nonce kept in the cookie ``pa_login`` (double submit). The
cookies are ``HttpOnly``, ``SameSite=Strict``, ``Path=/admin``, and ``Secure`` when the request came
over https (behind a proxy: ``trusted_proxies``, so that ``X-Forwarded-Proto`` is believed)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import parse_qsl

from fastapi import Request
from fastapi.responses import Response

from api.middleware import Limiter
from api.settings import Settings

SESSION_COOKIE = "pa_session"
LOGIN_COOKIE = "pa_login"
COOKIE_PATH = "/admin"
CSRF_FIELD = "csrf"
MAX_PASSWORD = 1024  # characters; longer is refused before hashing
LOGIN_COOKIE_SECONDS = 3600
ATTEMPTS_RULE = "dashboard"
REVOKED = "dashboard-logout"


class SessionStoreDown(Exception):
    """The storage of revoked sessions does not answer: no session can be trusted now."""


class ChecksBusy(Exception):
    """Every place for a password check in this process is taken: the try is refused at once."""


class PasswordChecks:
    """At most ``running`` password checks at once in this process, and ``waiting`` more queued
    behind them; beyond, :class:`ChecksBusy` at once. The checks run in their own threads, not the
    shared thread pool that answers citizens, and a queued check holds no hash memory."""

    def __init__(self, running: int = 1, waiting: int = 4):
        self._pool = ThreadPoolExecutor(max_workers=running, thread_name_prefix="argon2")
        self._places = running + waiting
        self._taken = 0
        self._lock = threading.Lock()

    def _release(self, _: Future[bool]) -> None:
        with self._lock:
            self._taken -= 1

    async def run(self, check: Callable[[], bool]) -> bool:
        with self._lock:
            if self._taken >= self._places:
                raise ChecksBusy
            job = self._pool.submit(check)
            self._taken += 1
        # Released when the check ends (or, queued, is cancelled), not when its caller gives up:
        # a check still running keeps its place.
        job.add_done_callback(self._release)
        return await asyncio.wrap_future(job)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class Session:
    id: str
    issued: int
    csrf: str


class DashboardAuth:
    """The dashboard's checks for one set of settings (made once per application)."""

    def __init__(self, settings: Settings):
        import limits
        from argon2 import PasswordHasher

        if not settings.dashboard_enabled:
            raise ValueError("tableau de bord désactivé")
        assert settings.dashboard_password_hash and settings.dashboard_secret
        self.settings = settings
        self.password_hash = settings.dashboard_password_hash
        self.lifetime = settings.dashboard_session_minutes * 60
        self._key = hmac.new(
            settings.dashboard_secret.encode(),
            b"plan-assistant/dashboard/v1\0" + self.password_hash.encode(),
            hashlib.sha256,
        ).digest()
        self._hasher = PasswordHasher()
        self.limiter = Limiter(
            settings.rate_limit_storage, {ATTEMPTS_RULE: settings.dashboard_attempts}, strict=True
        )
        self.checks = PasswordChecks()
        self._revocation = limits.RateLimitItemPerMinute(1, settings.dashboard_session_minutes)

    # ------------------------------------------------------------------ signing
    def _sign(self, *parts: str) -> str:
        return _b64(hmac.new(self._key, "|".join(parts).encode(), hashlib.sha256).digest())

    def _same(self, a: str, b: str) -> bool:
        return hmac.compare_digest(a.encode(), b.encode())

    # ------------------------------------------------------------------ password
    async def check_password(self, password: str) -> bool:
        """:meth:`password_ok` in one of the process's few places for it (:class:`ChecksBusy` when
        none is free). Count the attempt first (``limiter.hit``): this is the costly part."""
        return await self.checks.run(lambda: self.password_ok(password))

    def password_ok(self, password: str) -> bool:
        """Constant-cost check against the argon2 hash (64 MiB and a few hundred ms with the
        default parameters: call :meth:`check_password`)."""
        from argon2.exceptions import InvalidHashError, VerificationError

        if not password or len(password) > MAX_PASSWORD:
            return False
        try:
            return bool(self._hasher.verify(self.password_hash, password))
        except (VerificationError, InvalidHashError):
            return False

    # ------------------------------------------------------------------ sessions
    def new_session(self, now: float | None = None) -> tuple[str, Session]:
        """A fresh session (a new id at each login: no fixation) and its cookie value."""
        sid = secrets.token_urlsafe(18)
        issued = int(time.time() if now is None else now)
        token = f"{sid}.{issued}.{self._sign('session', sid, str(issued))}"
        return token, Session(sid, issued, self._sign("csrf", sid))

    def _parse(self, token: str | None, now: float | None = None) -> Session | None:
        if not token or len(token) > 200:
            return None
        parts = token.split(".")
        if len(parts) != 3 or not parts[1].isdigit():
            return None
        sid, issued_s, sig = parts
        if not self._same(sig, self._sign("session", sid, issued_s)):
            return None
        issued = int(issued_s)
        now = time.time() if now is None else now
        if not (issued - 60 <= now < issued + self.lifetime):
            return None
        return Session(sid, issued, self._sign("csrf", sid))

    async def session(self, request: Request, now: float | None = None) -> Session | None:
        """The request's valid session, or ``None``; :class:`SessionStoreDown` when revocations
        cannot be read."""
        session = self._parse(request.cookies.get(SESSION_COOKIE), now)
        if session is None:
            return None
        try:
            alive = await self.limiter.strategy.test(self._revocation, REVOKED, session.id)
        except Exception as e:
            raise SessionStoreDown(type(e).__name__) from e
        return session if alive else None

    async def revoke(self, session: Session) -> None:
        try:
            await self.limiter.strategy.hit(self._revocation, REVOKED, session.id)
        except Exception as e:
            raise SessionStoreDown(type(e).__name__) from e

    def remaining(self, session: Session, now: float | None = None) -> int:
        now = time.time() if now is None else now
        return max(0, int(session.issued + self.lifetime - now))

    # ------------------------------------------------------------------ CSRF
    def csrf_ok(self, session: Session, given: str | None) -> bool:
        return bool(given) and self._same(given or "", session.csrf)

    def login_nonce(self, request: Request) -> tuple[str, bool]:
        """The login form's nonce (from its cookie, or a new one) and whether it is new."""
        nonce = request.cookies.get(LOGIN_COOKIE, "")
        if 16 <= len(nonce) <= 64 and nonce.replace("-", "").replace("_", "").isalnum():
            return nonce, False
        return secrets.token_urlsafe(18), True

    def login_csrf(self, nonce: str) -> str:
        return self._sign("login", nonce)

    def login_csrf_ok(self, request: Request, given: str | None) -> bool:
        nonce = request.cookies.get(LOGIN_COOKIE)
        return bool(nonce and given) and self._same(given or "", self.login_csrf(nonce or ""))

    # ------------------------------------------------------------------ cookies
    def set_cookie(self, response: Response, request: Request, name: str, value: str, max_age: int) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path=COOKIE_PATH,
            secure=request.url.scheme == "https",
            httponly=True,
            samesite="strict",
        )

    def clear_cookie(self, response: Response, request: Request, name: str) -> None:
        response.delete_cookie(
            name, path=COOKIE_PATH, secure=request.url.scheme == "https", httponly=True, samesite="strict"
        )


async def read_form(request: Request, max_fields: int = 20) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body (the only kind the dashboard's forms send);
    ``{}`` for anything else. The body's size is already bounded (``max_body_bytes``)."""
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        return {}
    try:
        text = (await request.body()).decode("utf-8")
        return dict(parse_qsl(text, keep_blank_values=True, max_num_fields=max_fields, strict_parsing=False))
    except (UnicodeDecodeError, ValueError):
        return {}
