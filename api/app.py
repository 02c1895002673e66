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

from api import errors
from api.middleware import BodySizeLimit, CorsAllowlist, RateLimit, SecurityHeaders, TokenBuckets
from api.settings import Settings, get_settings, parse_rate
from api.state import ServiceState

HERE = Path(__file__).resolve().parent


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s : %(message)s")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from starlette.concurrency import run_in_threadpool

        service = ServiceState(settings)
        app.state.service = service
        await run_in_threadpool(service.start)  # builds the index on first start if missing
        yield

    app = FastAPI(
        title="plan-assistant",
        summary="Questions sur les plans d'action municipaux de Québec, réponses citées.",
        description="Réponses en français, citant les actions et objectifs des plans. Chaque erreur a la forme "
        '`{"error": {"code", "message", "message_en", "status", "field"}}`.',
        version="0.1.0",
        lifespan=lifespan,
    )
    errors.install(app)
    from api import pages, routes

    app.include_router(routes.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    rate = parse_rate(settings.rate_limit)
    # Outermost first: security headers, then CORS, body size, rate limit.
    app.add_middleware(
        RateLimit, buckets=TokenBuckets(*rate) if rate else None, paths=("/api/ask", "/api/search")
    )
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(CorsAllowlist, allowed=settings.allowed_origins)
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
