"""ASGI middlewares: CORS allowlist, per-client rate limit, request size limit, security headers.
Each answers refusals in the API's one error shape."""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import time
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

from api.errors import INTERNAL_ERROR, error_body
from api.hosts import DEFAULT_PORTS, port_number, split_host
from api.settings import ENV_PREFIX, parse_rate

log = logging.getLogger("plan_assistant.api")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)


async def send_error(
    send: Send, status: int, code: str, fr: str, en: str, headers: Iterable[tuple[str, str]] = ()
) -> None:
    body = json.dumps(error_body(status, code, fr, en), ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"x-content-type-options", b"nosniff"),
                *[(k.encode(), v.encode()) for k, v in headers],
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for k, v in scope.get("headers", []):
        if k == name:
            return str(v.decode("latin-1"))
    return None


class SecurityHeaders:
    """X-Content-Type-Options everywhere; a strict Content-Security-Policy on HTML pages."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                ctype = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"strict-origin-when-cross-origin"),
                ]
                if ctype.startswith(b"text/html") and b"content-security-policy" not in names:
                    extra += [(b"content-security-policy", CSP.encode()), (b"x-frame-options", b"SAMEORIGIN")]
                message["headers"] = headers + [h for h in extra if h[0] not in names]
            await send(message)

        await self.app(scope, receive, wrapped)


class HeadAsGet:
    """HEAD is answered wherever GET is (RFC 9110): the GET of the same address, headers only. The
    application declares GET routes; monitoring probes and link checkers send HEAD."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


#: What an Origin header looks like (scheme://host[:port]); any other value is never echoed.
ORIGIN = re.compile(r"[a-z][a-z0-9+.-]*://[a-z0-9.:\[\]_-]+", re.IGNORECASE)


class CorsAllowlist:
    """Browsers may call the API from the service's own origin and from the configured origins only.
    Requests without an Origin (other systems, curl) are not concerned.

    Every answer to an allowed origin carries CORS headers, errors included (413, 429, 503, and a
    500: the page reads them and says what happened). A page of another origin is refused (403), in
    words its widget can read: the refusal, and only it, echoes that origin (``Vary: Origin``, no
    credentials), and so does the preflight, so that the browser sends the request that gets the
    refusal. Nothing else is let through: every request of that origin is refused before the
    application, whatever its method or path."""

    def __init__(self, app: ASGIApp, allowed: Iterable[str], setting: str = f"{ENV_PREFIX}ALLOWED_ORIGINS"):
        self.app = app
        self.allowed = {o.rstrip("/").lower() for o in allowed}
        self.setting = setting

    def own_origin(self, scope: Scope) -> str:
        host = _header(scope, b"host") or ""
        return f"{scope.get('scheme', 'http')}://{host}".lower()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        origin = _header(scope, b"origin")
        if origin is None or origin.lower() == self.own_origin(scope):
            await self.app(scope, receive, send)
            return
        allowed = origin.rstrip("/").lower() in self.allowed
        readable = allowed or ORIGIN.fullmatch(origin) is not None
        cors = [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")] if readable else []
        preflight = scope["method"] == "OPTIONS" and _header(scope, b"access-control-request-method")
        if not allowed:
            if preflight and readable:
                await _preflight(send, cors)
                return
            await send_error(
                send,
                403,
                "origine_refusee",
                f"L'origine {origin} n'est pas autorisée à utiliser ce service (réglage {self.setting}).",
                f"Origin {origin} is not allowed to use this service (setting {self.setting}).",
                headers=cors,
            )
            return
        if preflight:
            await _preflight(send, cors)
            return
        cors.append(("Access-Control-Expose-Headers", "Retry-After"))
        started = False

        async def wrapped(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [
                    *message.get("headers", []),
                    *[(k.lower().encode(), v.encode()) for k, v in cors],
                ]
            await send(message)

        try:
            await self.app(scope, receive, wrapped)
        except Exception:
            # The application's error handler answers (and logs) outside this middleware, without
            # these headers: the 500 is answered here, with them, and the error goes on its way.
            if not started:
                await send_error(send, *INTERNAL_ERROR, headers=cors)
            raise


async def _preflight(send: Send, cors: list[tuple[str, str]]) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 204,
            "headers": [
                *[(k.lower().encode(), v.encode()) for k, v in cors],
                (b"access-control-allow-methods", b"GET, POST, OPTIONS"),
                (b"access-control-allow-headers", b"Content-Type"),
                (b"access-control-max-age", b"600"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": b""})


class LimitStoreDown(Exception):
    """The store of a strict :class:`Limiter` does not answer: a password or a token that cannot be
    counted is refused."""


class Limiter:
    """Per-client limits through the ``limits`` library (moving window): counted in this process
    (``memory://``) or in Redis (``redis://…``), then common to every worker and machine. When the
    store does not answer, requests pass (the proxy's own limits remain) and the log says so, at
    most once a minute: a Redis outage must not take the service down. The limits of staff secrets
    are ``strict`` instead: a try is refused (:class:`LimitStoreDown`) rather than checked uncounted,
    and Redis gets more time to answer (a burst keeps the event loop busy; staff can wait)."""

    def __init__(self, storage_uri: str, rules: dict[str, str], strict: bool = False):
        import limits
        from limits.aio.strategies import MovingWindowRateLimiter
        from limits.storage import storage_from_string

        self.uri, self.strict = storage_uri, strict
        options: dict[str, Any] = {}
        if storage_uri.startswith("redis"):
            # redis-py (a dependency), and short timeouts: a slow Redis must not hold a citizen up.
            timeout = 2.0 if strict else 0.5
            options = {
                "implementation": "redispy",
                "socket_timeout": timeout,
                "socket_connect_timeout": timeout,
            }
        self.storage = storage_from_string("async+" + storage_uri, **options)
        self.strategy = MovingWindowRateLimiter(self.storage)
        self.items = {name: limits.parse(rate) for name, rate in rules.items() if parse_rate(rate)}
        self._warned = 0.0

    async def hit(self, rule: str, client: str) -> float:
        """Count one request of ``client`` under ``rule``: 0 when allowed, else the seconds to wait.
        The count and the decision are one atomic step of the store (memory or Redis), so that
        parallel requests cannot all pass a check made before any of them is counted."""
        return await self._wait(rule, client, count=True)

    async def over(self, rule: str, client: str) -> float:
        """Whether ``client`` has used up ``rule`` (without counting): the seconds to wait, or 0."""
        return await self._wait(rule, client, count=False)

    async def _wait(self, rule: str, client: str, count: bool) -> float:
        item = self.items.get(rule)
        if item is None:
            return 0.0
        try:
            check = self.strategy.hit if count else self.strategy.test
            if await check(item, rule, client):
                return 0.0
            stats = await self.strategy.get_window_stats(item, rule, client)
        except Exception as e:  # the store is down: say it once a minute; pass, unless strict
            self._warn(e)
            if self.strict:
                raise LimitStoreDown(type(e).__name__) from e
            return 0.0
        return max(1.0, stats.reset_time - time.time())

    def _warn(self, e: Exception) -> None:
        now = time.monotonic()
        if now - self._warned > 60:
            self._warned = now
            log.warning(
                "limites par client non comptées : %s ne répond pas (%s)", _redact(self.uri), type(e).__name__
            )


def _redact(uri: str) -> str:
    """A storage address without its password."""
    scheme, _, rest = uri.partition("://")
    return f"{scheme}://{rest.rsplit('@', 1)[-1]}"


def client_address(scope: Scope) -> str:
    return str((scope.get("client") or ("inconnu", 0))[0])


def too_many(retry: int) -> tuple[str, str]:
    return (
        f"Trop de requêtes en peu de temps. Réessayez dans {retry} seconde(s).",
        f"Too many requests. Try again in {retry} second(s).",
    )


class RateLimit:
    """Each rule counts the requests of a client address on its paths (questions; plan pages and
    listings, with a higher limit); beyond: 429 with Retry-After."""

    def __init__(self, app: ASGIApp, limiter: Limiter, rules: dict[str, tuple[str, ...]]):
        self.app, self.limiter, self.rules = app, limiter, rules

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        rule = next((name for name, paths in self.rules.items() if path.startswith(paths)), None)
        if rule is not None:
            wait = await self.limiter.hit(rule, client_address(scope))
            if wait > 0:
                retry = max(1, math.ceil(wait))
                await send_error(
                    send, 429, "trop_de_requetes", *too_many(retry), headers=[("Retry-After", str(retry))]
                )
                return
        await self.app(scope, receive, send)


class TrustedHosts:
    """The service answers under its own names and ports only (``allowed_hosts``): a forged ``Host``
    header gets a 400 and is never copied into a page (/demo's links). A port is accepted when it is
    the scheme's default, the one the service listens on, or one given with the name in
    ``allowed_hosts`` (« nom:8443 »); « * » accepts any name and any valid port. The probes
    (/healthz, /readyz) answer any name."""

    OPEN = ("/healthz", "/readyz")

    def __init__(self, app: ASGIApp, allowed: Iterable[str]):
        self.app = app
        self.allowed: list[tuple[str, int | None]] = []
        for entry in allowed:
            name, port = split_host(entry)
            self.allowed.append((name, port_number(port) if port is not None else None))
        self.any = any(name == "*" for name, _ in self.allowed)

    @staticmethod
    def _matches(name: str, allowed: str) -> bool:
        return name == allowed or (
            allowed.startswith("*.") and name.endswith(allowed[1:]) and len(name) > len(allowed) - 1
        )

    def refusal(self, host: str, scope: Scope) -> tuple[str, str] | None:
        """None when ``host`` is served here; else the refusal, in French and in English."""
        shown = host.encode("ascii", "replace").decode()[:100]
        name, written = split_host(host)
        port = port_number(written) if written is not None else None
        if written is not None and port is None:
            return (
                f"L'en-tête Host « {shown} » n'a pas de port valide (un nombre de 1 à 65535 après « : »).",
                f"Host '{shown}' has no valid port (a number from 1 to 65535 after ':').",
            )
        named = [p for allowed, p in self.allowed if self.any or self._matches(name, allowed)]
        if not named:
            return (
                f"Le nom d'hôte « {shown} » n'est pas servi ici (réglage PLAN_ASSISTANT_ALLOWED_HOSTS).",
                f"Host '{shown}' is not served here.",
            )
        server = scope.get("server") or (None, None)
        usual = {DEFAULT_PORTS.get(scope.get("scheme", "http")), server[1]}
        if port is None or self.any or port in usual or port in named:
            return None
        return (
            f"Le port {port} n'est pas servi sous le nom « {name} » (réglage PLAN_ASSISTANT_ALLOWED_HOSTS).",
            f"Port {port} is not served under the name '{name}'.",
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.OPEN:
            await self.app(scope, receive, send)
            return
        refused = self.refusal(_header(scope, b"host") or "", scope)
        if refused is not None:
            await send_error(send, 400, "hote_refuse", *refused)
            return
        await self.app(scope, receive, send)


class Listings:
    """Plan pages and JSON listings are the same for everyone until the next build: each is made
    once per corpus and path, then served from memory with an ETag (``If-None-Match`` → 304) and
    ``Cache-Control``, so a client that repeats them costs almost nothing."""

    def __init__(
        self,
        app: ASGIApp,
        paths: tuple[str, ...],
        version: Callable[[Scope], object],
        max_age: int = 60,
        entries: int = 256,
    ):
        from corpus.lru import LRUCache

        self.app, self.paths, self.version, self.max_age = app, paths, version, max_age
        self.cache: LRUCache[tuple[str, bytes], tuple[int, list[tuple[bytes, bytes]], bytes]] = LRUCache(
            entries
        )
        self._seen: object = None  # the corpus the cached pages were made from

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or not scope["path"].startswith(self.paths)
        ):
            await self.app(scope, receive, send)
            return
        version = self.version(scope)
        if version is not self._seen:  # a new build: the pages of the old one are forgotten
            self.cache.clear()
            self._seen = version
        key = (scope["path"], scope.get("query_string", b""))
        hit = self.cache.get(key)
        if hit is None:
            status, headers, body = await self._render(scope, receive)
            if status != 200:
                await _replay(send, status, headers, body)
                return
            etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
            headers = [h for h in headers if h[0].lower() not in (b"etag", b"cache-control")] + [
                (b"etag", etag.encode()),
                (b"cache-control", f"public, max-age={self.max_age}".encode()),
            ]
            hit = (status, headers, body)
            if self._seen is version:  # not switched while rendering
                self.cache.put(key, hit)
        status, headers, body = hit
        etag_value = next(v for k, v in headers if k == b"etag")
        match = _header(scope, b"if-none-match")
        if match is not None and etag_value.decode() in [m.strip() for m in match.split(",")]:
            keep = [h for h in headers if h[0] in (b"etag", b"cache-control", b"vary")]
            await _replay(send, 304, keep, b"")
            return
        await _replay(send, status, headers, b"" if scope["method"] == "HEAD" else body)

    async def _render(self, scope: Scope, receive: Receive) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        status = 500
        headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []

        async def collect(message: Message) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app({**scope, "method": "GET"}, receive, collect)
        return status, headers, b"".join(chunks)


async def _replay(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    headers = [h for h in headers if h[0].lower() != b"content-length"]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BodyTooLarge(Exception):
    pass


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = _header(scope, b"content-length")
        too_big = (
            f"La requête dépasse la taille permise ({self.max_bytes} octets).",
            f"The request body exceeds {self.max_bytes} bytes.",
        )
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await send_error(send, 413, "requete_trop_grosse", *too_big)
            return
        seen = 0
        started = False

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge
            return message

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited, tracking)
        except BodyTooLarge:
            if not started:
                await send_error(send, 413, "requete_trop_grosse", *too_big)
