"""The FastAPI application: ``uvicorn api.app:app``.

JSON API under /api (documented at /docs), the source viewer under /plans, the demo page at
/demo and the widget at /widget.js; /healthz and /readyz for the platform."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api import errors
from api.middleware import (
    BodySizeLimit,
    CorsAllowlist,
    HeadAsGet,
    Limiter,
    Listings,
    RateLimit,
    SecurityHeaders,
    TrustedHosts,
)
from api.settings import Settings, get_settings
from api.state import ServiceState

HERE = Path(__file__).resolve().parent
# The same for everyone until the next build: cached, with an ETag, and limited apart from questions.
LISTINGS = ("/plans", "/api/plans", "/api/units")


class PrivateAccessLog(logging.Filter):
    """uvicorn's access log without what could identify a citizen or repeat their words: no client
    address, no query string (« /api/search?q=… » is logged « /api/search »)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5:
            _, method, path, version, status = args
            record.args = ("-", method, str(path).split("?", 1)[0], version, status)
        return True


PRIVATE_ACCESS_LOG = PrivateAccessLog()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s : %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per call to a Chroma server, else
    logging.getLogger("uvicorn.access").addFilter(PRIVATE_ACCESS_LOG)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from starlette.concurrency import run_in_threadpool

        service = ServiceState(settings)
        app.state.service = service
        await run_in_threadpool(service.start)  # builds the index on first start if missing
        app.state.question_log = service.recorder.store if service.recorder is not None else None
        try:
            yield
        finally:
            await run_in_threadpool(service.close)  # the question log's queue written (SIGTERM too)

    app = FastAPI(
        title="plan-assistant",
        summary="Questions sur les plans d'action municipaux, réponses citées.",
        description="Réponses en français, citant les actions et objectifs des plans. Chaque erreur a la forme "
        '`{"error": {"code", "message", "message_en", "status", "field"}}`.',
        version="0.1.0",
        # /docs is served by api.pages (Swagger UI from local files, no inline script: the CSP holds);
        # no /redoc (see api.pages).
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    errors.install(app)
    from api import dashboard, pages, routes

    app.include_router(routes.router)
    app.include_router(pages.router)
    app.include_router(dashboard.router)
    app.include_router(dashboard.corrections_router)
    app.include_router(dashboard.gaps_router)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    limiter = Limiter(
        settings.rate_limit_storage,
        {"questions": settings.rate_limit, "listings": settings.listing_rate_limit},
    )
    app.state.limiter = limiter
    # Tries of the admin token: refused when they cannot be counted (api.routes._check_token).
    app.state.staff_limiter = Limiter(
        settings.rate_limit_storage, {"admin": settings.admin_attempts}, strict=True
    )
    # Outermost first: security headers; HEAD read as GET; the client's address, scheme and host from a trusted
    # proxy; the host allowlist; CORS; body size; rate limits; cached listings.
    app.add_middleware(Listings, paths=LISTINGS, version=lambda scope: scope["app"].state.service.corpus)
    app.add_middleware(
        RateLimit,
        limiter=limiter,
        rules={
            "questions": ("/api/ask", "/api/search"),
            "listings": (*LISTINGS, "/api/feedback", "/api/privacy"),
        },
    )
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(CorsAllowlist, allowed=settings.allowed_origins)
    app.add_middleware(TrustedHosts, allowed=settings.allowed_hosts)
    if settings.trusted_proxies:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=",".join(settings.trusted_proxies))
    app.add_middleware(HeadAsGet)
    app.add_middleware(SecurityHeaders)
    return app


app: FastAPI  # ``api.app:app``, created on first access (see below)


def __getattr__(name: str) -> FastAPI:
    """``api.app:app`` for uvicorn: the application of the settings in the environment, created on
    first access (importing this module builds nothing). The corpus, the model and the index load
    in the lifespan."""
    global app
    if name == "app":
        app = create_app()
        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
