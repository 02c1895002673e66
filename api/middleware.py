"""ASGI middlewares: CORS allowlist, per-client rate limit, request size limit, security headers.
Each answers refusals in the API's one error shape."""

from __future__ import annotations

import json
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

from api.errors import error_body

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


class CorsAllowlist:
    """Browsers may call the API from the service's own origin and from the configured origins only.
    Requests without an Origin (other systems, curl) are not concerned."""

    def __init__(self, app: ASGIApp, allowed: Iterable[str]):
        self.app = app
        self.allowed = {o.rstrip("/").lower() for o in allowed}

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
        if origin.rstrip("/").lower() not in self.allowed:
            await send_error(
                send,
                403,
                "origine_refusee",
                f"L'origine {origin} n'est pas autorisée à utiliser ce service "
                "(réglage PLAN_ASSISTANT_ALLOWED_ORIGINS).",
                f"Origin {origin} is not allowed to use this service.",
            )
            return
        cors = [(b"access-control-allow-origin", origin.encode()), (b"vary", b"Origin")]
        if scope["method"] == "OPTIONS" and _header(scope, b"access-control-request-method"):
            await send(
                {
                    "type": "http.response.start",
                    "status": 204,
                    "headers": [
                        *cors,
                        (b"access-control-allow-methods", b"GET, POST, OPTIONS"),
                        (b"access-control-allow-headers", b"Content-Type"),
                        (b"access-control-max-age", b"600"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    *cors,
                    (b"access-control-expose-headers", b"Retry-After"),
                ]
            await send(message)

        await self.app(scope, receive, wrapped)


class TokenBuckets:
    """Per-client token buckets: ``count`` requests per ``period`` seconds, bursts up to ``count``."""

    def __init__(self, count: int, period: float, max_clients: int = 10000):
        self.capacity = float(count)
        self.rate = count / period
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self.max_clients = max_clients
        self.lock = threading.Lock()

    def take(self, client: str, now: float | None = None) -> float:
        """0 when allowed, else the seconds to wait."""
        now = time.monotonic() if now is None else now
        with self.lock:
            tokens, last = self.buckets.pop(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self.buckets[client] = (tokens - 1.0, now)
                wait = 0.0
            else:
                self.buckets[client] = (tokens, now)
                wait = (1.0 - tokens) / self.rate
            while len(self.buckets) > self.max_clients:
                self.buckets.popitem(last=False)
        return wait


class RateLimit:
    def __init__(self, app: ASGIApp, buckets: TokenBuckets | None, paths: tuple[str, ...]):
        self.app, self.buckets, self.paths = app, buckets, paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.buckets is None
            or scope["type"] != "http"
            or scope["method"] == "OPTIONS"
            or not scope["path"].startswith(self.paths)
        ):
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("inconnu", 0))[0]
        wait = self.buckets.take(client)
        if wait > 0:
            retry = max(1, math.ceil(wait))
            await send_error(
                send,
                429,
                "trop_de_requetes",
                f"Trop de questions en peu de temps. Réessayez dans {retry} seconde(s).",
                f"Too many requests. Try again in {retry} second(s).",
                headers=[("Retry-After", str(retry))],
            )
            return
        await self.app(scope, receive, send)


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
