"""HTML pages rendered on the server (no build step): the source viewer, the list of plans, the
demo page, the API documentation (/docs); and the widget's script. Templates escape everything they
print."""

from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from api.errors import ApiError
from api.routes import state, summary
from corpus import Kind
from corpus.model import Action, Axe, Indicateur, Node, Objectif, Plan, Section, UnitsScope

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
router = APIRouter(include_in_schema=False)

# Swagger UI 5 (it reads OpenAPI 3.1, which FastAPI writes), from the files the fastapi-offline package
# ships: served by the service itself, since the pages' CSP allows no CDN and no inline script.
DOCS_ASSETS = "/vendor/swagger-ui"
router.mount(
    DOCS_ASSETS,
    StaticFiles(directory=str(Path(fastapi_offline.__file__).parent / "static")),
    name="swagger-ui",
)

HEADING = {
    Kind.ORIENTATION: 2,
    Kind.THEME: 2,
    Kind.AXE: 3,
    Kind.OBJECTIF: 4,
    Kind.SECTION: 2,
    Kind.ROLE: 3,
    Kind.ECHEANCE: 3,
    Kind.PRINCIPE: 3,
}


def _tree(plan: Plan, parent: str | None, depth: int = 0) -> list[dict[str, Any]]:
    out = []
    for node in plan.children(parent):
        if isinstance(node, Indicateur):
            continue
        item: dict[str, Any] = {"node": node, "children": _tree(plan, node.id, depth + 1), "depth": depth}
        item["level"] = min(6, 2 + depth) if node.kind != Kind.ACTION else None
        if isinstance(node, Action):
            item["horizon_words"] = plan.horizon_words(node.horizon)
            item["indicators"] = [c for c in plan.children(node.id) if isinstance(c, Indicateur)]
            item["continues"] = plan.action(node.continues) if node.continues else None
        if isinstance(node, Objectif):
            item["units_listed"] = node.units_scope == UnitsScope.LISTED
            item["units_org"] = node.units_scope == UnitsScope.ORGANISATION
        out.append(item)
    return out


def _toc(plan: Plan) -> list[Node]:
    return [n for n in plan.nodes if n.parent_id is None]


@router.get("/", response_class=HTMLResponse)
def home() -> RedirectResponse:
    return RedirectResponse("/plans", status_code=307)


@router.get("/plans", response_class=HTMLResponse)
def plans_page(request: Request) -> HTMLResponse:
    corpus = state(request).corpus
    return templates.TemplateResponse(request, "plans.html", {"plans": [(p, summary(p)) for p in corpus]})


@router.get("/plans/{plan_id}", response_class=HTMLResponse)
def plan_page(plan_id: str, request: Request) -> HTMLResponse:
    plan = state(request).corpus.plans.get(plan_id)
    if plan is None:
        raise ApiError(
            404,
            "plan_inconnu",
            f"Le plan « {plan_id} » n'existe pas.",
            f"Unknown plan '{plan_id}'.",
            "plan_id",
        )
    return templates.TemplateResponse(
        request,
        "plan.html",
        {
            "plan": plan,
            "tree": _tree(plan, None),
            "toc": _toc(plan),
            "Kind": Kind,
            "Axe": Axe,
            "Objectif": Objectif,
            "Action": Action,
            "Section": Section,
            "summary": summary(plan),
        },
    )


def widget_snippet(base_url: str) -> str:
    return (
        f'<script src="{base_url}/widget.js" data-title="Assistant des plans d\'action" data-plan="" '
        'data-lang="fr" data-mode="launcher" defer></script>'
    )


@router.get("/demo", response_class=HTMLResponse)
def demo(request: Request) -> HTMLResponse:
    base = str(request.base_url).rstrip("/")
    return templates.TemplateResponse(
        request, "demo.html", {"base_url": base, "snippet": widget_snippet(base)}
    )


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    """The API's documentation (Swagger UI) under the site's strict CSP: local files, started by an
    external script (static/docs.js). No /redoc: ReDoc needs inline styles, a blob: worker and a logo
    from its CDN."""
    return templates.TemplateResponse(
        request, "docs.html", {"assets": DOCS_ASSETS, "openapi_url": request.app.openapi_url}
    )


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    """Browsers ask for /favicon.ico; the site's icon is an SVG."""
    return FileResponse(
        HERE / "static" / "favicon.svg",
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@lru_cache(maxsize=1)
def widget_source() -> bytes:
    """The widget as served: its lines without indentation and without comment lines (the file in
    the repository stays commented and readable)."""
    text = (HERE / "static" / "widget.js").read_text(encoding="utf-8")
    lines = (line.strip() for line in text.splitlines())
    return ("\n".join(line for line in lines if line and not line.startswith("//")) + "\n").encode("utf-8")


@lru_cache(maxsize=1)
def widget_gzip() -> bytes:
    """The widget as served, compressed once: `plan-assistant serve` alone sends what nginx would."""
    return gzip.compress(widget_source(), compresslevel=9, mtime=0)


def accepts_gzip(accept_encoding: str) -> bool:
    for part in accept_encoding.lower().split(","):
        name, _, params = part.strip().partition(";")
        if name.strip() in ("gzip", "x-gzip"):
            q = params.strip().removeprefix("q=")
            try:
                return not params.strip().startswith("q=") or float(q) > 0
            except ValueError:
                return False
    return False


@router.get("/widget.js")
def widget(request: Request) -> Response:
    """The widget's script, gzipped for a browser that accepts it (it is the one file every host page
    loads; the pages, lists and streamed answers stay as they are)."""
    headers = {"Cache-Control": "public, max-age=300", "Vary": "Accept-Encoding"}
    if accepts_gzip(request.headers.get("accept-encoding", "")):
        headers["Content-Encoding"] = "gzip"
        body = widget_gzip()
    else:
        body = widget_source()
    return Response(body, media_type="text/javascript; charset=utf-8", headers=headers)
