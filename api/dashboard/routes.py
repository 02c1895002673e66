"""The staff dashboard's pages: ``/admin`` (the login form, or the dashboard once logged in),
``POST /admin/login``, ``POST /admin/logout``, ``/admin/export.csv``.

Off (404) unless ``dashboard_password_hash`` and ``dashboard_secret`` are set. Every answer is
HTML (errors included; the JSON error shape is the API's), never cached (``no-store``), and out of
the OpenAPI document."""

from __future__ import annotations

import math
import threading
from datetime import UTC, tzinfo
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from api.dashboard.auth import (
    ATTEMPTS_RULE,
    CSRF_FIELD,
    LOGIN_COOKIE,
    LOGIN_COOKIE_SECONDS,
    SESSION_COOKIE,
    ChecksBusy,
    DashboardAuth,
    Session,
    SessionStoreDown,
    read_form,
)
from api.dashboard.export import csv_lines
from api.dashboard.views import context, read_filters
from api.middleware import LimitStoreDown, client_address
from api.pages import templates
from assistant.questionlog.clusters import CachedEmbed
from assistant.questionlog.report import build_dashboard

router = APIRouter(include_in_schema=False)
NO_STORE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}
_lock = threading.Lock()


# ------------------------------------------------------------------ what the app holds
def _auth(request: Request) -> DashboardAuth | None:
    """The dashboard's checks, made once per application; ``None`` when it is off."""
    settings = getattr(getattr(request.app.state, "service", None), "settings", None)
    if settings is None or not settings.dashboard_enabled:
        return None
    auth: DashboardAuth | None = getattr(request.app.state, "dashboard_auth", None)
    if auth is None or auth.settings is not settings:
        with _lock:
            auth = getattr(request.app.state, "dashboard_auth", None)
            if auth is None or auth.settings is not settings:
                auth = DashboardAuth(settings)
                request.app.state.dashboard_auth = auth
    return auth


def log_zone(request: Request) -> tzinfo:
    """The time zone of the days and hours the pages show: the question log's, whose days its
    aggregates count (the organisation's); UTC when the log is off (there is nothing to show)."""
    log = getattr(request.app.state, "question_log", None)
    return log.zone if log is not None else UTC


def _embed(request: Request) -> CachedEmbed:
    """The service's loaded embedder, with the vectors of the questions already grouped kept."""
    embedder = request.app.state.service.embedder
    cached: CachedEmbed | None = getattr(request.app.state, "dashboard_vectors", None)
    if cached is None or cached.source is not embedder:
        with _lock:
            cached = CachedEmbed(embedder)
            request.app.state.dashboard_vectors = cached
    return cached


async def _signed_in(request: Request) -> tuple[DashboardAuth, Session | None] | Response:
    """The dashboard's checks and the request's session (None: not signed in); or the page to
    answer instead: 404 when the dashboard is off, 503 when the session store does not answer."""
    auth = _auth(request)
    if auth is None:
        return _not_found(request)
    try:
        return auth, await auth.session(request)
    except SessionStoreDown:
        return _unavailable(request, "Le stockage des sessions")


# ------------------------------------------------------------------ responses
def _page(
    request: Request,
    name: str,
    ctx: dict[str, Any],
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        name,
        {"zone": str(log_zone(request)), **ctx},
        status_code=status,
        headers={**NO_STORE, **(headers or {})},
    )


def _error(request: Request, status: int, title: str, message: str, **headers: str) -> HTMLResponse:
    return _page(request, "admin_error.html", {"title": title, "message": message}, status, headers)


def _not_found(request: Request) -> HTMLResponse:
    return _error(request, 404, "Page introuvable", "Cette adresse n'existe pas.")


def _unavailable(request: Request, what: str) -> HTMLResponse:
    return _error(
        request,
        503,
        "Tableau de bord indisponible",
        f"{what} ne répond pas pour l'instant. Réessayez dans quelques instants.",
        **{"Retry-After": "30"},
    )


def _to_dashboard() -> RedirectResponse:
    return RedirectResponse("/admin", status_code=303, headers=NO_STORE)


def _login_page(
    request: Request,
    auth: DashboardAuth,
    status: int = 200,
    error: str | None = None,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    nonce, new = auth.login_nonce(request)
    response = _page(
        request,
        "admin_login.html",
        {"csrf": auth.login_csrf(nonce), "csrf_field": CSRF_FIELD, "error": error},
        status,
        headers,
    )
    if new:
        auth.set_cookie(response, request, LOGIN_COOKIE, nonce, LOGIN_COOKIE_SECONDS)
    return response


def _refused(request: Request, session: Session, form: dict[str, str]) -> Response | None:
    """A form not sent by the dashboard (CSRF token missing or wrong) is refused."""
    auth = _auth(request)
    if auth is None or not auth.csrf_ok(session, form.get(CSRF_FIELD)):
        return _error(
            request,
            403,
            "Formulaire refusé",
            "Ce formulaire n'a pas été envoyé par le tableau de bord (jeton anti-falsification absent ou "
            "invalide). Rechargez la page et recommencez.",
        )
    return None


# ------------------------------------------------------------------ routes
@router.get("/admin", response_class=HTMLResponse)
async def dashboard(request: Request) -> Response:
    from sqlalchemy.exc import SQLAlchemyError

    signed = await _signed_in(request)
    if isinstance(signed, Response):
        return signed
    auth, session = signed
    if session is None:
        return _login_page(request, auth)
    corpus = request.app.state.service.corpus
    filters = read_filters(dict(request.query_params), corpus, log_zone(request))
    log = getattr(request.app.state, "question_log", None)
    ctx: dict[str, Any] = {
        "filters": filters,
        "plans": [(p.id, p.title) for p in corpus],
        "csrf": session.csrf,
        "csrf_field": CSRF_FIELD,
        "minutes_left": math.ceil(auth.remaining(session) / 60),
        "log_off": log is None,
        "export_url": "/admin/export.csv?" + urlencode(filters.period_query()),
        "gaps_url": "/admin/lacunes?" + urlencode(filters.period_query()),
        "plan_title": corpus.plans[filters.plan].title if filters.plan in corpus.plans else None,
    }
    if log is not None and not filters.errors:
        try:
            data = await run_in_threadpool(
                build_dashboard, log, _embed(request), filters.period, filters.plan or None
            )
        except SQLAlchemyError:
            return _unavailable(request, "Le journal des questions")
        ctx.update(context(data, corpus))
    return _page(request, "admin.html", ctx, 400 if filters.errors else 200)


@router.get("/admin/login")
@router.get("/admin/logout")
async def back_to_dashboard() -> RedirectResponse:
    return _to_dashboard()


@router.post("/admin/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    auth = _auth(request)
    if auth is None:
        return _not_found(request)
    form = await read_form(request)
    if not auth.login_csrf_ok(request, form.get(CSRF_FIELD)):
        return _login_page(
            request,
            auth,
            403,
            "Le formulaire a expiré ou n'a pas été envoyé par cette page : entrez de nouveau le mot de passe.",
        )
    # Counted first, checked only if counted (see api.dashboard.auth); uncountable: refused.
    try:
        wait = await auth.limiter.hit(ATTEMPTS_RULE, client_address(request.scope))
    except LimitStoreDown:
        return _unavailable(request, "Le compteur des essais de connexion")
    if wait > 0:
        retry = max(1, math.ceil(wait))
        return _login_page(
            request,
            auth,
            429,
            f"Trop d'essais depuis cette adresse. Réessayez dans {retry} seconde(s).",
            {"Retry-After": str(retry)},
        )
    try:
        right = await auth.check_password(form.get("password", ""))
    except ChecksBusy:
        return _login_page(
            request,
            auth,
            429,
            "Trop de connexions en cours. Réessayez dans quelques secondes.",
            {"Retry-After": "5"},
        )
    if not right:
        return _login_page(request, auth, 401, "Mot de passe incorrect.")
    token, _ = auth.new_session()
    response = _to_dashboard()
    auth.set_cookie(response, request, SESSION_COOKIE, token, auth.lifetime)
    auth.clear_cookie(response, request, LOGIN_COOKIE)
    return response


@router.post("/admin/logout", response_class=HTMLResponse)
async def logout(request: Request) -> Response:
    signed = await _signed_in(request)
    if isinstance(signed, Response):
        return signed
    auth, session = signed
    form = await read_form(request)
    if session is not None:
        refused = _refused(request, session, form)
        if refused is not None:
            return refused
        try:
            await auth.revoke(session)
        except SessionStoreDown:
            return _unavailable(request, "Le stockage des sessions")
    response = _to_dashboard()
    auth.clear_cookie(response, request, SESSION_COOKIE)
    return response


@router.get("/admin/export.csv")
async def export(request: Request) -> Response:
    signed = await _signed_in(request)
    if isinstance(signed, Response):
        return signed
    _, session = signed
    if session is None:
        return _to_dashboard()
    filters = read_filters(dict(request.query_params), request.app.state.service.corpus, log_zone(request))
    if filters.errors:
        return _error(request, 400, "Filtre invalide", " ".join(filters.errors.values()))
    log = getattr(request.app.state, "question_log", None)
    if log is None:
        return _error(
            request, 404, "Journal désactivé", "Le journal des questions est désactivé sur ce service."
        )
    items = log.entries(filters.period.since, filters.period.until, filters.plan or None)
    name = "-".join(["journal-questions", *(v for v in (filters.plan, filters.du, filters.au) if v)]) + ".csv"
    return StreamingResponse(
        csv_lines(items, log.zone),
        media_type="text/csv; charset=utf-8",
        headers={**NO_STORE, "Content-Disposition": f'attachment; filename="{name}"'},
    )
