"""Staff correct the assistant: ``/admin/reponses`` lists the answers given (search and every filter),
``/admin/corriger/{answer_id}`` says which actions answer a logged question (or that the plans do
not), with a note and who decided; ``/admin/corrections`` lists the corrections in force (and
retires one). A correction answers that question and its near paraphrases from the next answer on
(:mod:`assistant.corrections`); ``plan-assistant corpus bank export`` writes them into the plans'
question banks for review."""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.dashboard import routes as base
from api.dashboard.auth import CSRF_FIELD, read_form
from api.dashboard.views import answer_view, read_filters, ref_view
from assistant.normalize import clean_text
from assistant.privacy import redact
from assistant.questionlog.records import MAX_AUTHOR, MAX_NOTE, Correction
from assistant.questionlog.report import COVERAGE_LABELS, local_time
from corpus import Corpus, Kind

router = APIRouter(include_in_schema=False)
HORS_PLAN_CHOICE = "hors-plan"
MAX_LISTED = 200
CHOICES = 3  # actions a correction may name


def _log(request: Request) -> Any:
    return getattr(request.app.state, "question_log", None)


def _options(corpus: Corpus) -> list[dict[str, Any]]:
    """Every action of every plan, grouped by plan, for the correction form's lists."""
    return [
        {
            "plan": p.title,
            "actions": [
                {"ref": p.ref(a), "label": f"{a.label} — {a.text[:110]}{'…' if len(a.text) > 110 else ''}"}
                for a in p.nodes
                if a.kind == Kind.ACTION
            ],
        }
        for p in corpus
    ]


async def _gate(request: Request) -> tuple[Any, Any] | Response:
    """The signed-in session and the question log; or the page to answer instead."""
    signed = await base._signed_in(request)
    if isinstance(signed, Response):
        return signed
    _auth, session = signed
    if session is None:
        return base._to_dashboard()
    log = _log(request)
    if log is None:
        return base._error(
            request, 404, "Journal désactivé", "Le journal des questions est désactivé sur ce service."
        )
    return session, log


async def _posted(request: Request) -> tuple[Any, Any, dict[str, str]] | Response:
    """A form sent by the dashboard: the session, the question log and the form's fields; or the
    page to answer instead (not signed in, no log, or no valid CSRF token)."""
    gate = await _gate(request)
    if isinstance(gate, Response):
        return gate
    session, log = gate
    form = await read_form(request)
    refused = base._refused(request, session, form)
    return refused if refused is not None else (session, log, form)


@router.get("/admin/reponses", response_class=HTMLResponse)
async def answers(request: Request) -> Response:
    gate = await _gate(request)
    if isinstance(gate, Response):
        return gate
    _session, log = gate
    corpus = request.app.state.service.corpus
    filters = read_filters(dict(request.query_params), corpus, log.zone)

    def work() -> tuple[list[Any], list[str]]:
        origins = log.origins(filters.period.since, filters.period.until)
        if filters.errors:
            return [], origins
        query = dataclasses.replace(filters.log_query(), reviewed=filters.reviewed)
        return log.find(query, limit=MAX_LISTED), origins

    from api.dashboard.gaps import _choices, _read

    read = await _read(request, work)
    if isinstance(read, Response):
        return read
    items, origins = read
    return base._page(
        request,
        "admin_answers.html",
        {
            "filters": filters,
            "rows": [answer_view(corpus, item, log.zone) for item in items],
            "max_listed": MAX_LISTED,
            "choices": _choices(request, filters, origins),
        },
        400 if filters.errors else 200,
    )


def _form_page(
    request: Request,
    session: Any,
    entry: Any,
    status: int = 200,
    error: str | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    corpus = request.app.state.service.corpus
    return base._page(
        request,
        "admin_correct.html",
        {
            "entry": entry,
            "cited": [ref_view(corpus, r) for r in entry.refs],
            "coverage": COVERAGE_LABELS.get(entry.coverage, entry.coverage),
            "options": _options(corpus),
            "choices": range(1, CHOICES + 1),
            "hors_plan": HORS_PLAN_CHOICE,
            "csrf": session.csrf,
            "csrf_field": CSRF_FIELD,
            "error": error,
            "values": values or {},
            "max_author": MAX_AUTHOR,
            "max_note": MAX_NOTE,
        },
        status,
    )


def _answer_not_found(request: Request) -> Response:
    return base._error(
        request,
        404,
        "Réponse introuvable",
        "Cette réponse n'est pas (ou plus) dans le journal des questions.",
    )


async def _refresh(request: Request) -> None:
    """Every correction in force applies from the next answer on (this process; the others reread
    them within seconds)."""
    assistant = request.app.state.service.current_assistant()
    if assistant is not None and assistant.corrections is not None:
        await run_in_threadpool(assistant.corrections.refresh, True)


@router.get("/admin/corriger/{answer_id}", response_class=HTMLResponse)
async def correct_form(request: Request, answer_id: str) -> Response:
    gate = await _gate(request)
    if isinstance(gate, Response):
        return gate
    session, log = gate
    item = await run_in_threadpool(log.answer, answer_id[:64])
    if item is None:
        return _answer_not_found(request)
    return _form_page(request, session, item.entry)


@router.post("/admin/corriger/{answer_id}", response_class=HTMLResponse)
async def correct(request: Request, answer_id: str) -> Response:
    posted = await _posted(request)
    if isinstance(posted, Response):
        return posted
    session, log, form = posted
    item = await run_in_threadpool(log.answer, answer_id[:64])
    if item is None:
        return _answer_not_found(request)
    corpus = request.app.state.service.corpus
    chosen = [form.get(f"action{i}", "").strip() for i in range(1, CHOICES + 1)]
    chosen = [c for c in dict.fromkeys(chosen) if c]
    author = clean_text(form.get("auteur", ""))  # stored: the log's one cleaning of a free text
    note = clean_text(form.get("note", ""))
    values = {**{f"action{i}": c for i, c in enumerate(chosen, start=1)}, "auteur": author, "note": note}
    error = None
    if not chosen:
        error = "Choisissez l'action qui répond à la question, ou « les plans n'y répondent pas »."
    elif HORS_PLAN_CHOICE in chosen and len(chosen) > 1:
        error = "« Les plans n'y répondent pas » ne va pas avec une action : choisissez l'un ou l'autre."
    elif any(c != HORS_PLAN_CHOICE and corpus.resolve(c) is None for c in chosen):
        error = "Une action choisie n'existe pas dans les plans servis : rechargez la page."
    elif not author or len(author) > MAX_AUTHOR:
        error = f"Indiquez votre nom ou vos initiales ({MAX_AUTHOR} caractères au plus)."
    elif len(note) > MAX_NOTE:
        error = f"La note compte {len(note)} caractères : {MAX_NOTE} au plus."
    if error is not None:
        return _form_page(request, session, item.entry, 400, error, values)
    refs = tuple(c for c in chosen if c != HORS_PLAN_CHOICE)
    correction = Correction(
        question=item.entry.question,  # redacted before it was logged
        refs=refs,
        author=author,  # the staff member's own name or initials, as they typed it
        note=redact(note).text or None,
        answer_id=item.entry.answer_id,
    )
    await run_in_threadpool(log.add_correction, correction)
    await _refresh(request)  # from the next answer on
    return RedirectResponse("/admin/corrections?enregistree=1", status_code=303, headers=base.NO_STORE)


@router.get("/admin/corrections", response_class=HTMLResponse)
async def corrections(request: Request) -> Response:
    gate = await _gate(request)
    if isinstance(gate, Response):
        return gate
    session, log = gate
    corpus = request.app.state.service.corpus
    items = await run_in_threadpool(log.corrections)
    return base._page(
        request,
        "admin_corrections.html",
        {
            "items": [
                {
                    "id": c.correction_id,
                    "question": c.question,
                    "refs": [ref_view(corpus, r) for r in c.refs],
                    "author": c.author,
                    "note": c.note,
                    "created": local_time(c.created, log.zone, minutes=True),
                }
                for c in reversed(items)
            ],
            "saved": request.query_params.get("enregistree") == "1",
            "retired": request.query_params.get("retiree") == "1",
            "csrf": session.csrf,
            "csrf_field": CSRF_FIELD,
        },
    )


@router.post("/admin/corrections/{correction_id}/retirer", response_class=HTMLResponse)
async def retire(request: Request, correction_id: str) -> Response:
    posted = await _posted(request)
    if isinstance(posted, Response):
        return posted
    _session, log, _form = posted
    if not await run_in_threadpool(log.retire_correction, correction_id[:64]):
        return base._error(request, 404, "Correction introuvable", "Cette correction n'existe pas.")
    await _refresh(request)
    return RedirectResponse("/admin/corrections?retiree=1", status_code=303, headers=base.NO_STORE)
