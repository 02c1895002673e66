"""Where the plans fall short, for the staff: ``/admin/lacunes`` (the gaps grouped by meaning, each
question with the answers as given, « revu » marks and notes), ``/admin/objectifs`` (what citizens
ask per objective and axis of the plans), ``/admin/conversation`` (every turn of a conversation),
and the review forms (``POST /admin/revues``, ``POST /admin/revues/{id}/retirer``).

Every page reads its filters from its address (:func:`~api.dashboard.views.read_filters`): a view
can be shared by its link. Every form carries the session's CSRF token."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.dashboard import routes as base
from api.dashboard.auth import CSRF_FIELD
from api.dashboard.corrections import _gate, _posted
from api.dashboard.views import (
    FEEDBACK_LABELS,
    INTENT_LABELS,
    LANGUAGE_LABELS,
    REVIEW_LABELS,
    Filters,
    answer_view,
    comparison_view,
    gaps_view,
    local_time,
    read_filters,
)
from assistant.normalize import clean_text
from assistant.privacy import redact
from assistant.questionlog.gaps import Comparison, by_structure, compare, group_gaps
from assistant.questionlog.records import MAX_AUTHOR, MAX_NOTE, MAX_REVIEWED, LoggedAnswer, Review
from assistant.questionlog.report import COVERAGE_LABELS, GAP_LIMIT
from assistant.questionlog.store import SCAN_LIMIT

router = APIRouter(include_in_schema=False)
T = TypeVar("T")
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
SCOPES = {"question": "question", "groupe": "cluster"}
QUESTIONS_SHOWN = 20  # distinct questions shown in a group (its review covers them all)


async def _read(request: Request, work: Callable[[], T]) -> T | Response:
    """``work`` (reads of the log) in the thread pool; the 503 page when the database fails."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return await run_in_threadpool(work)
    except SQLAlchemyError:
        return base._unavailable(request, "Le journal des questions")


def _choices(request: Request, filters: Filters, origins: list[str]) -> dict[str, Any]:
    """The filter form's lists."""
    corpus = request.app.state.service.corpus
    if filters.origine and filters.origine not in origins:
        origins = [filters.origine, *origins]
    return {
        "plans": [(p.id, p.title) for p in corpus],
        "coverages": COVERAGE_LABELS,
        "intents": INTENT_LABELS,
        "languages": LANGUAGE_LABELS,
        "feedbacks": FEEDBACK_LABELS,
        "review_labels": REVIEW_LABELS,
        "origins": [(o, o) for o in origins],
    }


def _comparison(
    log: Any, filters: Filters, corpus: Any, now: list[LoggedAnswer] | None = None
) -> tuple[Comparison | None, bool, bool]:
    """The period against the one before, with the same filters (None when the period is open); and
    whether the one before is incomplete (partly purged) or either was read only in part. ``now``:
    the period's answers when already read."""
    previous = filters.period.previous()
    if previous is None:
        return None, False, False
    if now is None:
        now = log.find(filters.log_query(), limit=SCAN_LIMIT, reviews=False)
    before = log.find(filters.log_query(previous), limit=SCAN_LIMIT, reviews=False)
    plan = filters.plan or None
    purged = log.rates(previous.since, previous.until, plan).answers > log.count_entries(
        previous.since, previous.until, plan
    )
    return compare(now, before, corpus), purged, SCAN_LIMIT in (len(now), len(before))


def _here(request: Request) -> str:
    """This page's address (path and query), for a form to come back to."""
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def _page_context(request: Request, session: Any, filters: Filters) -> dict[str, Any]:
    return {
        "filters": filters,
        "csrf": session.csrf,
        "csrf_field": CSRF_FIELD,
        "here": _here(request),
        "done": request.query_params.get("fait", ""),
        "max_author": MAX_AUTHOR,
        "max_note": MAX_NOTE,
        "share_query": urlencode(filters.query()),
    }


async def _filtered_page(
    request: Request, template: str, body: Callable[[Any, Filters, Any], dict[str, Any]]
) -> Response:
    """A filtered page: signed in, the filters read (400 naming the field when one is wrong), the
    log read off the event loop (the host sites for the filter, then the page's ``body``), the
    comparison with the previous period included by ``body``."""
    gate = await _gate(request)
    if isinstance(gate, Response):
        return gate
    session, log = gate
    corpus = request.app.state.service.corpus
    filters = read_filters(dict(request.query_params), corpus, log.zone)
    ctx = _page_context(request, session, filters)

    def work() -> dict[str, Any]:
        out: dict[str, Any] = {"origins": log.origins(filters.period.since, filters.period.until)}
        if not filters.errors:
            out.update(body(log, filters, corpus))
        return out

    read = await _read(request, work)
    if isinstance(read, Response):
        return read
    ctx.update(read)
    ctx["choices"] = _choices(request, filters, read["origins"])
    return base._page(request, template, ctx, 400 if filters.errors else 200)


def _compared(log: Any, filters: Filters, corpus: Any, found: Any = None) -> dict[str, Any]:
    comparison, incomplete, partial = _comparison(log, filters, corpus, found)
    return {"comparison": comparison_view(filters, comparison, incomplete), "comparison_partial": partial}


@router.get("/admin/lacunes", response_class=HTMLResponse)
async def gaps(request: Request) -> Response:
    def body(log: Any, filters: Filters, corpus: Any) -> dict[str, Any]:
        found = log.find(filters.log_query(gaps=True), limit=GAP_LIMIT)
        grouped = group_gaps(found, base._embed(request), reviewed=filters.reviewed)
        return {
            "gaps": grouped,
            "clusters": gaps_view(corpus, grouped, log.zone),
            "truncated": len(found) >= GAP_LIMIT,
            "gap_limit": GAP_LIMIT,
            "questions_shown": QUESTIONS_SHOWN,
            **_compared(log, filters, corpus),
        }

    return await _filtered_page(request, "admin_gaps.html", body)


@router.get("/admin/objectifs", response_class=HTMLResponse)
async def objectives(request: Request) -> Response:
    def body(log: Any, filters: Filters, corpus: Any) -> dict[str, Any]:
        found = log.find(filters.log_query(), limit=SCAN_LIMIT, reviews=False)
        return {
            "structure": by_structure(found, corpus),
            "truncated": len(found) >= SCAN_LIMIT,
            "scan_limit": SCAN_LIMIT,
            **_compared(log, filters, corpus, found),
        }

    return await _filtered_page(request, "admin_objectives.html", body)


@router.get("/admin/conversation", response_class=HTMLResponse)
async def conversation(request: Request) -> Response:
    gate = await _gate(request)
    if isinstance(gate, Response):
        return gate
    session, log = gate
    corpus = request.app.state.service.corpus
    answer_id = request.query_params.get("reponse", "")
    turns: list[LoggedAnswer] = []
    if _ID.match(answer_id):
        read = await _read(request, lambda: log.conversation(answer_id))
        if isinstance(read, Response):
            return read
        turns = read
    if not turns:
        return base._error(
            request,
            404,
            "Conversation introuvable",
            "Cette réponse n'est pas (ou plus) dans le journal des questions : les entrées sont purgées après "
            "la période de conservation.",
        )
    first, last = turns[0].entry, turns[-1].entry
    return base._page(
        request,
        "admin_conversation.html",
        {
            "turns": [answer_view(corpus, t, log.zone) for t in turns],
            "chosen": answer_id,
            "has_id": first.conversation_id is not None,
            "first": local_time(first.hour, log.zone),
            "last": local_time(last.hour, log.zone),
            "origins": sorted({t.entry.origin for t in turns if t.entry.origin}),
            "csrf": session.csrf,
            "csrf_field": CSRF_FIELD,
            "here": _here(request),
            "done": request.query_params.get("fait", ""),
            "max_author": MAX_AUTHOR,
            "max_note": MAX_NOTE,
        },
    )


def _back(value: str, default: str = "/admin/lacunes") -> str:
    """Where a form returns: a page of the dashboard (path, query and fragment), never elsewhere."""
    value = value.strip()
    try:
        parts = urlsplit(value)
    except ValueError:
        return default
    if parts.scheme or parts.netloc or not parts.path.startswith("/admin") or "\\" in value:
        return default
    return value[:2000]


def _with_done(back: str, done: str) -> str:
    """``back`` with ``fait=done`` in its query (its fragment kept last)."""
    address, _, fragment = back.partition("#")
    address = re.sub(r"([?&])fait=[^&]*&?", r"\1", address).rstrip("?&")
    address += ("&" if "?" in address else "?") + f"fait={done}"
    return address + (f"#{fragment}" if fragment else "")


@router.post("/admin/revues", response_class=HTMLResponse)
async def review(request: Request) -> Response:
    posted = await _posted(request)
    if isinstance(posted, Response):
        return posted
    _session, log, form = posted
    back = _back(form.get("retour", ""))
    scope = SCOPES.get(form.get("portee", ""))
    ids = list(dict.fromkeys(form.get("reponses", "").split()))
    author = clean_text(form.get("auteur", ""))  # the staff member's own name or initials
    note = clean_text(form.get("note", ""))
    marked = form.get("revu") == "1"
    error = None
    if scope is None or not ids or not all(_ID.match(i) for i in ids):
        error = "Ce formulaire ne dit pas quelles questions il marque : rechargez la page."
    elif len(ids) > MAX_REVIEWED:
        error = f"Une revue porte sur {MAX_REVIEWED} réponses au plus."
    elif not author or len(author) > MAX_AUTHOR:
        error = f"Indiquez votre nom ou vos initiales ({MAX_AUTHOR} caractères au plus)."
    elif len(note) > MAX_NOTE:
        error = f"La note compte {len(note)} caractères : {MAX_NOTE} au plus."
    elif not marked and not note:
        error = "Cochez « revu » ou écrivez une note."
    if error is not None:
        return _form_error(request, error, back)
    assert scope is not None
    # For the staff only, redacted like every stored text (in a thread: the name model is slow).
    redacted = (await run_in_threadpool(redact, note)).text if note else ""
    item = Review(scope=scope, answer_ids=tuple(ids), author=author, reviewed=marked, note=redacted or None)
    covered = await _read(request, lambda: log.add_review(item))
    if isinstance(covered, Response):
        return covered
    if not covered:
        return _form_error(
            request, "Ces questions ne sont plus dans le journal (purgées après la conservation).", back, 404
        )
    return RedirectResponse(_with_done(back, "revue"), status_code=303, headers=base.NO_STORE)


@router.post("/admin/revues/{review_id}/retirer", response_class=HTMLResponse)
async def retire_review(request: Request, review_id: str) -> Response:
    posted = await _posted(request)
    if isinstance(posted, Response):
        return posted
    _session, log, form = posted
    back = _back(form.get("retour", ""))
    removed = await _read(request, lambda: log.remove_review(review_id[:64]))
    if isinstance(removed, Response):
        return removed
    if not removed:
        return _form_error(request, "Cette revue n'existe pas (ou plus).", back, 404)
    return RedirectResponse(_with_done(back, "retiree"), status_code=303, headers=base.NO_STORE)


def _form_error(request: Request, message: str, back: str, status: int = 400) -> HTMLResponse:
    return base._page(
        request,
        "admin_error.html",
        {"title": "Revue non enregistrée", "message": message, "back": back},
        status,
    )
