"""The HTTP server of ``plan-assistant serve``: uvicorn, with what it lacks on the public internet.

Uvicorn closes idle keep-alive connections, but gives a client all the time it wants to send a
request: a few thousand half-sent requests from one machine hold that many file descriptors, until
the process can accept nothing (``/healthz`` included). The protocol below adds, per connection:

- a **request deadline** (``request_timeout``): the request line, headers and body must arrive
  within it, counted from the connection (or from the end of the previous response); past it, the
  connection is closed;
- a **cap per client address** (``max_connections_per_client``): connections beyond it are closed
  at once; the trusted proxies (``trusted_proxies``) are exempt, since every citizen comes through
  them;
- a **send deadline** (``send_timeout``): a response the client stops reading (the Swagger bundle,
  an answer's stream) waits in the buffers; when none of it is read for that long, the connection is
  reset, as nginx's ``send_timeout`` does (uvicorn has no such option);

and uvicorn's own ``limit_concurrency`` (``max_connections``: beyond it, 503) and keep-alive
timeout apply. Behind the reference nginx (``deploy/nginx``) the proxy does the same earlier and
more cheaply; see docs/deploiement.md."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import resource
import socket
import struct
from collections import Counter
from typing import Any, ClassVar

from uvicorn.protocols.http.h11_impl import H11Protocol

from api.settings import Settings, get_settings

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # pragma: no cover - httptools is part of uvicorn[standard]
    HttpToolsProtocol = None  # type: ignore[assignment,misc]

log = logging.getLogger("plan_assistant.server")

# Connections per client address, in this process (the protocol instances share it).
_per_client: Counter[str] = Counter()


def _networks(settings: Settings) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(p, strict=False) for p in settings.trusted_proxies if p != "*"]


class _Guard:
    """What the two protocols share: the request deadline and the cap per client address."""

    settings: ClassVar[Settings | None] = None
    trusted: ClassVar[list[Any]] = []

    @classmethod
    def configure(cls) -> Settings:
        if _Guard.settings is None:
            _Guard.settings = get_settings()
            _Guard.trusted = _networks(_Guard.settings)
        return _Guard.settings

    # The hooks of uvicorn's protocols (this class comes first in the protocols' bases).
    def connection_made(self, transport: asyncio.Transport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self._guard_start(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        self._guard_end()
        super().connection_lost(exc)  # type: ignore[misc]

    def pause_writing(self) -> None:
        super().pause_writing()  # type: ignore[misc]
        transport = self.transport  # type: ignore[attr-defined]
        self._arm_stall(transport, transport.get_write_buffer_size())

    def resume_writing(self) -> None:
        self._disarm_stall()
        super().resume_writing()  # type: ignore[misc]

    def on_response_complete(self) -> None:
        super().on_response_complete()  # type: ignore[misc]
        transport = self.transport  # type: ignore[attr-defined]
        if not transport.is_closing():  # the next request on this connection has its own deadline
            self._arm_deadline(transport)

    def _guard_start(self, transport: Any) -> bool:
        """At connection: False when the client already holds its share of connections."""
        settings = self.configure()
        self._deadline: asyncio.TimerHandle | None = None
        self._stall: asyncio.TimerHandle | None = None
        self._counted: str | None = None
        peer = transport.get_extra_info("peername")
        host = str(peer[0]) if isinstance(peer, tuple) and peer else ""
        if host and not self._is_trusted(host):
            if _per_client[host] >= settings.max_connections_per_client:
                transport.abort()
                return False
            _per_client[host] += 1
            self._counted = host
        self._arm_deadline(transport)
        return True

    def _is_trusted(self, host: str) -> bool:
        settings = self.configure()
        if "*" in settings.trusted_proxies:
            return True
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(ip in net for net in self.trusted)

    def _arm_deadline(self, transport: Any) -> None:
        self._disarm_deadline()
        loop = asyncio.get_event_loop()
        self._deadline = loop.call_later(self.configure().request_timeout, self._deadline_passed, transport)

    def _disarm_deadline(self) -> None:
        if getattr(self, "_deadline", None) is not None:
            assert self._deadline is not None
            self._deadline.cancel()
            self._deadline = None

    def _deadline_passed(self, transport: Any) -> None:
        self._deadline = None
        if not transport.is_closing():
            transport.close()

    def _arm_stall(self, transport: Any, waiting: int) -> None:
        """The client has stopped reading (the response is above the transport's high-water mark):
        ``waiting`` bytes wait for it."""
        self._disarm_stall()
        loop = asyncio.get_event_loop()
        self._stall = loop.call_later(self.configure().send_timeout, self._stalled, transport, waiting)

    def _disarm_stall(self) -> None:
        if getattr(self, "_stall", None) is not None:
            assert self._stall is not None
            self._stall.cancel()
            self._stall = None

    def _stalled(self, transport: Any, waiting: int) -> None:
        self._stall = None
        if transport.is_closing():
            return
        now = transport.get_write_buffer_size()
        if now < waiting:  # some of it was read: a slow reader, not a stalled one; another period
            self._arm_stall(transport, now)
            return
        # Reset rather than closed: the kernel drops the unsent bytes at once instead of keeping
        # them for a client that does not read (nginx's reset_timedout_connection).
        with contextlib.suppress(OSError, AttributeError):
            transport.get_extra_info("socket").setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )
        transport.abort()

    def _guard_end(self) -> None:
        self._disarm_deadline()
        self._disarm_stall()
        if getattr(self, "_counted", None):
            host = self._counted
            assert host is not None
            _per_client[host] -= 1
            if _per_client[host] <= 0:
                del _per_client[host]
            self._counted = None


class GuardedH11Protocol(_Guard, H11Protocol):  # type: ignore[misc]
    def handle_events(self) -> None:
        super().handle_events()
        import h11

        if self.conn.their_state in (h11.DONE, h11.MUST_CLOSE, h11.CLOSED):
            self._disarm_deadline()  # the whole request has arrived


if HttpToolsProtocol is not None:

    class GuardedHttpToolsProtocol(_Guard, HttpToolsProtocol):  # type: ignore[misc]
        def on_message_complete(self) -> None:
            self._disarm_deadline()  # the whole request has arrived
            super().on_message_complete()

    PROTOCOL = "api.server:GuardedHttpToolsProtocol"
else:  # pragma: no cover
    PROTOCOL = "api.server:GuardedH11Protocol"


def raise_file_limit() -> int:
    """Raise this process's open-file limit to the hard limit; the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            pass
    return soft


def run(settings: Settings, host: str, port: int, workers: int, log_level: str = "info") -> None:
    """Serve ``api.app:app`` with the settings' server options (the workers read the same settings
    from the environment)."""
    import uvicorn

    raise_file_limit()
    uvicorn.run(
        "api.app:app",
        host=host,
        port=port,
        workers=workers,
        http=PROTOCOL,
        # The application reads the forwarded headers of trusted proxies itself (api.middleware.
        # ProxyHeaders), whatever server runs it; uvicorn must not do it a second time.
        proxy_headers=False,
        server_header=False,
        timeout_keep_alive=settings.keep_alive_timeout,
        limit_concurrency=settings.max_connections,
        timeout_graceful_shutdown=30,
        log_level=log_level,
    )
