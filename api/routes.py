"""The JSON API. Routes translate; the assistant and the corpus decide."""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from api.errors import ApiError, as_api_error
from api.schemas import (
    ActionItem,
    ActionList,
    AskRequest,
    ErrorResponse,
    FeedbackReceived,
    FeedbackRequest,
    Health,
    PlanSummary,
    PrivacyNotice,
    SearchResponse,
    SearchResultItem,
    UnitActions,
    UnitsResponse,
    Welcome,
)
from api.state import ServiceState
from assistant.answer import Answer, Filters
from assistant.pipeline import Request as PipelineRequest
from corpus import Kind, Plan
from corpus.model import Action, Indicateur, Objectif
from corpus.render import export_json
from corpus.text import ascii_digits, fold

router = APIRouter()
ERRORS: dict[int | str, dict[str, Any]] = {
    s: {"model": ErrorResponse, "description": d}
    for s, d in [
        (404, "Introuvable"),
        (422, "Requête invalide"),
        (429, "Trop de requêtes"),
        (503, "Index indisponible"),
    ]
}


def state(request: Request) -> ServiceState:
    service: ServiceState = request.app.state.service
    return service


def _plan(request: Request, plan_id: str) -> Plan:
    plan = state(request).corpus.plans.get(plan_id)
    if plan is None:
        known = ", ".join(state(request).corpus.plans)
        raise ApiError(
            404,
            "plan_inconnu",
            f"Le plan « {plan_id} » n'existe pas. Plans disponibles : {known}.",
            f"Unknown plan '{plan_id}'.",
            "plan_id",
        )
    return plan


def action_item(plan: Plan, a: Action) -> ActionItem:
    obj = plan.objective_of(a)
    return ActionItem(
        plan_id=plan.id,
        number=a.number or "",
        text=a.text,
        horizon=a.horizon,
        horizon_words=plan.horizon_words(a.horizon),
        units=list(plan.units_for(a)),
        units_scope=obj.units_scope.value if isinstance(obj, Objectif) else None,
        objective=obj.title if obj is not None else None,
        path=plan.breadcrumb(a),
        url=plan.url(a),
        continues=a.continues,
        indicators=[
            {"number": i.number, "text": i.title, "misnumbered": i.misnumbered}
            for i in plan.children(a.id)
            if isinstance(i, Indicateur)
        ],
    )


# ---------------------------------------------------------------------------------- questions
@router.post(
    "/api/ask",
    response_model=Answer,
    responses=ERRORS,
    tags=["questions"],
    summary="Poser une question (réponse complète)",
)
def ask(body: AskRequest, request: Request) -> Answer:
    return state(request).assistant().pipeline.run(pipeline_request(body, request))


def pipeline_request(body: AskRequest, request: Request) -> PipelineRequest:
    """The question as the answering pipeline receives it, with what its log records of the caller
    (the host page, the conversation)."""
    return PipelineRequest.of(
        body.question,
        body.history,
        body.filters,
        origin=request.headers.get("origin"),
        conversation_id=body.conversation_id,
    )


def _sse(event: str, data: Any) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def _pieces(text: str) -> list[str]:
    """The answer in pieces (words with their spaces and line breaks), a few at a time."""
    tokens = re.findall(r"\S+\s*", text)
    return ["".join(tokens[i : i + 4]) for i in range(0, len(tokens), 4)]


@router.post(
    "/api/ask/stream",
    responses={**ERRORS, 200: {"content": {"text/event-stream": {}}, "description": "Server-Sent Events"}},
    tags=["questions"],
    summary="Poser une question (flux SSE)",
)
async def ask_stream(body: AskRequest, request: Request) -> StreamingResponse:
    """Server-Sent Events: the answer text in pieces (``delta``), then ``citations``, then ``done``
    with the whole answer (the same object as ``POST /api/ask``); ``error`` on failure."""
    s = state(request)
    asked = pipeline_request(body, request)  # received now: the log's latency counts from here

    async def events() -> AsyncIterator[bytes]:
        try:
            answer: Answer = await run_in_threadpool(s.assistant().pipeline.run, asked)
        except Exception as e:
            err = as_api_error(e)
            yield _sse(
                "error",
                {
                    "error": {
                        "code": err.code,
                        "message": err.message,
                        "message_en": err.message_en,
                        "status": err.status,
                    }
                },
            )
            return
        for piece in _pieces(answer.answer):
            yield _sse("delta", {"text": piece})
        yield _sse(
            "citations",
            {
                "found": answer.found,
                "coverage": answer.coverage,
                "citations": [c.model_dump(mode="json") for c in answer.citations],
            },
        )
        yield _sse("done", answer.model_dump(mode="json"))

    # Refuse bad questions before the stream starts, with a proper status code.
    from assistant.normalize import clean_question
    from assistant.pipeline.read import check_filters

    clean_question(body.question, s.settings.max_question_length)
    check_filters(body.filters, s.assistant().corpus)
    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.post(
    "/api/feedback",
    status_code=202,
    response_model=FeedbackReceived,
    responses=ERRORS,
    tags=["questions"],
    summary="Dire si une réponse a aidé (un vote par réponse)",
)
def feedback(body: FeedbackRequest, request: Request) -> FeedbackReceived:
    """« Cette réponse vous a-t-elle aidé? » : Oui, ou Non avec une raison et un commentaire
    facultatifs (caviardé avant d'être conservé). Un second vote pour la même réponse est ignoré."""
    recorder = state(request).recorder
    if recorder is None:
        raise ApiError(
            404,
            "avis_desactives",
            "Ce service ne recueille pas d'avis.",
            "This service does not collect feedback.",
        )
    helpful = body.helpful
    if not recorder.vote(
        body.answer_id, helpful, None if helpful else body.reason, None if helpful else body.comment
    ):
        raise ApiError(
            503,
            "avis_en_attente",
            "Trop d'avis à enregistrer en ce moment; réessayez dans quelques secondes.",
            "Too much feedback to record right now; try again in a few seconds.",
            headers={"Retry-After": "5"},
        )
    return FeedbackReceived()


@router.get(
    "/api/welcome",
    response_model=Welcome,
    tags=["questions"],
    summary="L'accueil du widget : les plans et des exemples de questions",
)
def welcome(request: Request) -> Welcome:
    assistant = state(request).assistant()
    fr, en = assistant.welcome("fr"), assistant.welcome("en")
    return Welcome(welcome=fr[0], welcome_en=en[0], examples=fr[1], examples_en=en[1])


@router.get(
    "/api/privacy",
    response_model=PrivacyNotice,
    tags=["questions"],
    summary="Ce que le service conserve des questions (mention du widget)",
)
def privacy(request: Request) -> PrivacyNotice:
    s = state(request)
    url = s.settings.privacy_policy_url
    if s.recorder is None:
        return PrivacyNotice(
            logging=False,
            retention_days=None,
            policy_url=url,
            notice="Vos questions ne sont pas conservées.",
            notice_en="Your questions are not kept.",
        )
    days = s.settings.log_retention_days
    return PrivacyNotice(
        logging=True,
        retention_days=days,
        policy_url=url,
        notice=f"Vos questions sont conservées {days} jours pour améliorer le service, sans les renseignements "
        "personnels reconnus (nom, adresse, téléphone…) : n'en écrivez pas.",
        notice_en=f"Your questions are kept for {days} days to improve the service, without the personal "
        "information recognised (name, address, phone…): do not write any.",
    )


@router.get(
    "/api/search",
    response_model=SearchResponse,
    responses=ERRORS,
    tags=["recherche"],
    summary="Recherche hybride dans les plans",
)
def search(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=1000, description="Les mots cherchés.")],
    plan: Annotated[str | None, Query(description="Identifiant d'un plan.")] = None,
    unit: Annotated[str | None, Query(description="Unité administrative listée par l'objectif.")] = None,
    horizon: Annotated[
        str | None, Query(max_length=20, description="Code d'échéancier que le plan définit (sa légende).")
    ] = None,
    kind: Annotated[str | None, Query(description="action, objectif, section, …")] = None,
    k: Annotated[int, Query(ge=1, le=50, description="Nombre de résultats.")] = 10,
) -> SearchResponse:
    if not q.strip():
        raise ApiError(422, "question_vide", "La recherche est vide.", "The query is empty.", "q")
    if plan is not None:
        _plan(request, plan)
    from assistant.pipeline.read import check_filters

    assistant = state(request).assistant()
    f = check_filters(
        Filters.model_validate({"plan": plan, "unit": unit, "horizon": horizon, "kind": kind}),
        assistant.corpus,
        where="",
    )
    hits = assistant.index.searcher().search(q, k=k, filters=f.model_dump())
    return SearchResponse(
        query=q,
        results=[
            SearchResultItem(
                **{key: v for key, v in h.as_dict().items() if key in SearchResultItem.model_fields}
            )
            for h in hits
        ],
    )


# ---------------------------------------------------------------------------------- plans
def summary(plan: Plan) -> PlanSummary:
    counts = {
        k.value: len(plan.of_kind(k))
        for k in (Kind.ORIENTATION, Kind.THEME, Kind.AXE, Kind.OBJECTIF, Kind.ACTION, Kind.INDICATEUR)
        if plan.of_kind(k)
    }
    return PlanSummary(
        id=plan.id,
        title=plan.title,
        organisation=plan.meta.organisation,
        period=plan.meta.period,
        adopted=plan.meta.adopted.isoformat() if plan.meta.adopted else None,
        counts=counts,
        url=plan.url(),
        api_url=f"/api/plans/{plan.id}",
    )


@router.get("/api/plans", response_model=list[PlanSummary], tags=["plans"], summary="Les plans")
def plans(request: Request) -> list[PlanSummary]:
    return [summary(p) for p in state(request).corpus]


@router.get(
    "/api/plans/{plan_id}", responses=ERRORS, tags=["plans"], summary="Un plan structuré (données ouvertes)"
)
def plan_detail(plan_id: str, request: Request) -> Any:
    return json.loads(export_json(_plan(request, plan_id)))


def _match_horizon(plan: Plan, horizon: str) -> str:
    for code in plan.horizons:
        if code.upper() == horizon.strip().upper():
            return code
    known = ", ".join(plan.horizons) or "aucun (ce plan ne donne pas d'échéancier par action)"
    raise ApiError(
        422,
        "echeancier_inconnu",
        f"L'échéancier « {horizon} » n'est pas défini dans ce plan. Codes : {known}.",
        f"Unknown timeline code '{horizon}'.",
        "horizon",
    )


def _match_unit(plan: Plan, unit: str) -> str:
    f = fold(unit).strip()
    for u in plan.units():
        if fold(u) == f:
            return u
    known = "; ".join(plan.units()) or "aucune (ce plan ne désigne pas d'unités)"
    raise ApiError(
        422,
        "unite_inconnue",
        f"L'unité « {unit} » n'est pas nommée dans ce plan. Unités : {known}.",
        f"Unknown unit '{unit}'.",
        "unit",
    )


@router.get(
    "/api/plans/{plan_id}/actions",
    response_model=ActionList,
    responses=ERRORS,
    tags=["plans"],
    summary="Les actions d'un plan, filtrées exactement",
)
def actions(
    plan_id: str,
    request: Request,
    unit: Annotated[str | None, Query(description="Unité listée par l'objectif de l'action.")] = None,
    horizon: Annotated[
        str | None, Query(max_length=20, description="Code d'échéancier que le plan définit (sa légende).")
    ] = None,
    orientation: Annotated[
        str | None, Query(pattern=r"^\d{1,2}$", description="Numéro d'orientation.")
    ] = None,
    theme: Annotated[str | None, Query(pattern=r"^\d{1,2}$", description="Numéro de thème.")] = None,
    objective: Annotated[
        str | None,
        Query(
            pattern=r"^\d{1,2}(\.\d{1,2}){0,2}$",
            description="Objectif : 2.2.2 (orientation.axe.objectif) ou 2.1.",
        ),
    ] = None,
) -> ActionList:
    plan = _plan(request, plan_id)
    filters: dict[str, str] = {}
    out = plan.actions()
    if unit:
        name = _match_unit(plan, unit)
        filters["unit"] = name
        out = [a for a in out if name in plan.units_for(a)]
    if horizon:
        code = _match_horizon(plan, horizon)
        filters["horizon"] = code
        out = [a for a in out if a.horizon == code]
    for key, value, prefix in (("orientation", orientation, "orientation-"), ("theme", theme, "theme-")):
        if value:
            if plan.get(prefix + value) is None:
                raise ApiError(
                    404,
                    f"{key}_inconnu",
                    f"Le plan n'a pas de {key.replace('theme', 'thème')} {value}.",
                    f"No {key} {value} in this plan.",
                    key,
                )
            filters[key] = value
            out = [a for a in out if prefix + value in a.path]
    if objective:
        obj = next((o for o in plan.objectives() if o.key == objective or o.number == objective), None)
        if obj is None:
            raise ApiError(
                404,
                "objectif_inconnu",
                f"Le plan n'a pas d'objectif {objective}.",
                f"No objective {objective} in this plan.",
                "objective",
            )
        filters["objective"] = objective
        out = [a for a in out if obj.id in a.path]
    return ActionList(
        plan_id=plan.id, count=len(out), filters=filters, actions=[action_item(plan, a) for a in out]
    )


@router.get(
    "/api/plans/{plan_id}/actions/{number}",
    response_model=ActionItem,
    responses=ERRORS,
    tags=["plans"],
    summary="Une action, avec son contexte",
)
def action(plan_id: str, number: str, request: Request) -> ActionItem:
    plan = _plan(request, plan_id)
    a = plan.action(ascii_digits(number.strip()))
    if a is None:
        acts = plan.actions()
        raise ApiError(
            404,
            "action_inconnue",
            f"L'action {number} n'existe pas dans ce plan (actions {acts[0].number} à {acts[-1].number}).",
            f"Action {number} does not exist in this plan.",
            "number",
        )
    return action_item(plan, a)


@router.get("/api/units", response_model=UnitsResponse, tags=["plans"], summary="Chaque unité et ses actions")
def units(request: Request) -> UnitsResponse:
    corpus = state(request).corpus
    names = sorted({u for p in corpus for u in p.units()}, key=fold)
    out = []
    for name in names:
        items = [action_item(p, a) for p in corpus for a in p.actions() if name in p.units_for(a)]
        out.append(UnitActions(unit=name, count=len(items), actions=items))
    org = [o for p in corpus for o in p.objectives() if o.units_scope.value == "organisation"]
    note = (
        (
            "Les objectifs suivants ne nomment pas d'unité : le plan précise que toute l'organisation municipale "
            "est concernée : " + "; ".join(f"« {o.title} »" for o in org) + "."
        )
        if org
        else ""
    )
    return UnitsResponse(units=out, note=note)


# ---------------------------------------------------------------------------------- health
@router.get("/healthz", response_model=Health, tags=["santé"], summary="Le processus répond")
def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Health,
    responses={503: {"model": Health}},
    tags=["santé"],
    summary="L'index est chargé et répond (et l'état du journal des questions)",
)
def readyz(request: Request) -> Any:
    """200 when this process can answer (its index loaded and its store answering), 503 otherwise.
    The ``log`` field says whether the question log is writing: its failure is reported there and
    never makes this 503, since the answers go on without it."""
    from fastapi.responses import JSONResponse

    s = state(request)
    journal = s.log_health()
    try:
        searcher = s.assistant().index.searcher()
        searcher.store.count()  # the store answers (a Chroma server may be down)
        return Health(
            status="ok",
            build=searcher.build_id,
            documents=len(searcher.docs),
            model=searcher.embedder.model_id,
            worker=os.getpid(),
            log=journal,
        )
    except Exception as e:
        err = as_api_error(e)
        return JSONResponse(
            Health(status="indisponible", detail=err.message, log=journal).model_dump(), status_code=503
        )


# ---------------------------------------------------------------------------------- admin
async def _check_token(request: Request) -> None:
    """The admin token, compared in constant time; refused tokens are counted per address
    (``admin_attempts``): past the limit, the address gets 429 until the window ends, even with
    the right token. A wrong token is answered only once counted, in one atomic step of the
    store, so that parallel tries cannot all pass a check made before any of them is counted;
    the right one only reads the count (polling the status costs no try). The comparison costs
    nothing and its result is told only after the count. A store that does not answer: 503."""
    import hmac

    from api.middleware import Limiter, LimitStoreDown, too_many

    token = state(request).settings.admin_token
    if not token:
        raise ApiError(404, "introuvable", "Cette adresse n'existe pas.", "Not found.")
    limiter: Limiter = request.app.state.staff_limiter
    client = request.client.host if request.client else "inconnu"
    given = request.headers.get("authorization", "")
    right = hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    try:
        wait = await (limiter.over if right else limiter.hit)("admin", client)
    except LimitStoreDown:
        raise ApiError(
            503,
            "limites_indisponibles",
            "Le compteur des essais ne répond pas pour l'instant : le jeton d'administration ne peut pas "
            "être vérifié. Réessayez dans quelques instants.",
            "The attempts counter is not answering: the admin token cannot be checked. Try again shortly.",
            headers={"Retry-After": "30"},
        ) from None
    if wait > 0:
        retry = max(1, math.ceil(wait))
        raise ApiError(429, "trop_de_requetes", *too_many(retry), headers={"Retry-After": str(retry)})
    if not right:
        raise ApiError(
            401,
            "jeton_invalide",
            "Jeton d'administration absent ou invalide.",
            "Missing or invalid admin token.",
            headers={"WWW-Authenticate": "Bearer"},
        )


ADMIN_ERRORS: dict[int | str, dict[str, Any]] = {
    s: {"model": ErrorResponse, "description": d}
    for s, d in [
        (401, "Jeton absent ou invalide"),
        (404, "Route désactivée (aucun jeton configuré)"),
        (409, "Réindexation déjà en cours"),
        (429, "Trop de requêtes"),
        (503, "Compteur des essais indisponible"),
    ]
}


@router.post(
    "/api/admin/reindex",
    status_code=202,
    responses=ADMIN_ERRORS,
    tags=["administration"],
    summary="Réindexer le corpus sans interrompre le service",
    include_in_schema=False,
)
async def reindex(request: Request) -> dict[str, Any]:
    """Requires ``Authorization: Bearer <PLAN_ASSISTANT_ADMIN_TOKEN>``; disabled when no token is set.
    The new index is built beside the served one; answers keep coming and switch when it is ready."""
    await _check_token(request)
    if not state(request).start_reindex():
        raise ApiError(
            409,
            "reindexation_en_cours",
            "Une réindexation est déjà en cours.",
            "A re-index is already running.",
        )
    return {"status": "accepté", "status_url": "/api/admin/reindex"}


@router.get(
    "/api/admin/reindex",
    responses=ADMIN_ERRORS,
    tags=["administration"],
    summary="État de la dernière réindexation",
    include_in_schema=False,
)
async def reindex_status(request: Request) -> dict[str, Any]:
    await _check_token(request)
    return dict(state(request).reindex_status)
