"""One error shape for every failure, from one place: ``{"error": {"code", "message",
"message_en", "status", "field"?}}``. Routes raise; this module translates. No traceback
ever reaches a client."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from assistant.normalize import QuestionError
from index.location import IndexError_
from index.store import StoreUnavailable

log = logging.getLogger("plan_assistant.api")


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        message_en: str,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status, self.code, self.message, self.message_en, self.field = (
            status,
            code,
            message,
            message_en,
            field,
        )
        self.headers = headers or {}


def error_body(
    status: int, code: str, message: str, message_en: str, field: str | None = None
) -> dict[str, Any]:
    err: dict[str, Any] = {"code": code, "message": message, "message_en": message_en, "status": status}
    if field:
        err["field"] = field
    return {"error": err}


def error_response(e: ApiError) -> JSONResponse:
    return JSONResponse(
        error_body(e.status, e.code, e.message, e.message_en, e.field),
        status_code=e.status,
        headers=e.headers,
    )


#: The answer to an unexpected error: status, code, French and English messages.
INTERNAL_ERROR = (
    500,
    "erreur_interne",
    "Une erreur inattendue est survenue. L'équipe en a été avisée.",
    "An unexpected error occurred.",
)

QUESTION_EN = {
    "question_vide": "The question is empty.",
    "question_trop_longue": "The question is too long.",
    "question_invalide": "The question is not valid.",
    "filtre_inconnu": "Unknown filter value (see the message for the known ones).",
}


def as_api_error(exc: BaseException) -> ApiError:
    """The one place that decides how an exception reads to a client."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, QuestionError):
        msg = str(exc)
        return ApiError(
            422,
            exc.code,
            msg[:1].upper() + msg[1:] + ".",
            QUESTION_EN.get(exc.code, "Invalid question."),
            exc.field,
        )
    if isinstance(exc, StoreUnavailable):
        return ApiError(
            503,
            "index_indisponible",
            "L'index des plans est momentanément indisponible. Réessayez dans quelques instants.",
            "The plans index is temporarily unavailable. Please try again shortly.",
            headers={"Retry-After": "5"},
        )
    if isinstance(exc, IndexError_):
        # Its message names folders and builds: for the operator's log, never for a client.
        log.warning("index non prêt : %s", exc)
        return ApiError(
            503,
            "index_indisponible",
            "L'index des plans n'est pas prêt. Réessayez dans quelques instants.",
            "The plans index is not ready. Please try again shortly.",
            headers={"Retry-After": "5"},
        )
    if isinstance(exc, ValueError):
        return ApiError(
            422, "parametre_invalide", str(exc)[:1].upper() + str(exc)[1:] + ".", "Invalid parameter."
        )
    log.exception("unexpected error", exc_info=exc)
    return ApiError(*INTERNAL_ERROR)


_HTTP = {
    400: (
        "requete_illisible",
        "Le corps de la requête est illisible : envoyez un objet JSON encodé en UTF-8.",
        "The request body cannot be read: send a JSON object encoded in UTF-8.",
    ),
    404: ("introuvable", "Cette adresse n'existe pas.", "Not found."),
    405: ("methode_non_permise", "Cette méthode n'est pas permise à cette adresse.", "Method not allowed."),
    413: ("requete_trop_grosse", "La requête est trop volumineuse.", "Request body too large."),
}


# Pydantic's error types, said in French (its own messages are English).
_BOUNDS = {
    "less_than_equal": ("au plus", "at most"),
    "less_than": ("moins de", "less than"),
    "greater_than_equal": ("au moins", "at least"),
    "greater_than": ("plus de", "more than"),
    "string_too_long": ("caractères au plus :", "characters at most:"),
    "string_too_short": ("caractères au moins :", "characters at least:"),
    "too_long": ("éléments au plus :", "items at most:"),
    "too_short": ("éléments au moins :", "items at least:"),
}
_TYPES = {
    "string_type": "une chaîne de caractères",
    "list_type": "une liste",
    "dict_type": "un objet",
    "model_type": "un objet",
    "model_attributes_type": "un objet",
    "bool_type": "vrai ou faux",
    "bool_parsing": "vrai ou faux",
    "int_type": "un nombre entier",
    "float_type": "un nombre",
    "string_unicode": "du texte valide",
}


def _validation_message(errors: list[Any]) -> tuple[str, str, str | None]:
    first = errors[0] if errors else {}
    loc = [str(x) for x in first.get("loc", ()) if x not in ("body", "query", "path")]
    field = ".".join(loc) or None
    kind = first.get("type", "")
    ctx = first.get("ctx") or {}
    if kind == "missing" and field is None:
        fr = "Le corps de la requête est vide : envoyez un objet JSON avec le champ « question »."
        en = "The request body is empty: send a JSON object with the field 'question'."
    elif kind == "missing":
        fr, en = f"Le champ « {field} » est obligatoire.", f"The field '{field}' is required."
    elif kind in _BOUNDS:
        fr_rule, en_rule = _BOUNDS[kind]
        limit = next(iter(ctx.values()), "")
        fr = f"Le champ « {field} » est invalide : {fr_rule} {limit}."
        en = f"The field '{field}' is invalid: {en_rule} {limit}."
    elif kind in ("int_parsing", "int_parsing_size", "int_from_float", "float_parsing", "finite_number"):
        fr = f"Le champ « {field} » attend un nombre entier raisonnable."
        en = f"The field '{field}' expects a reasonable whole number."
    elif kind == "json_invalid":
        fr, en = "Le corps de la requête n'est pas du JSON valide.", "The request body is not valid JSON."
    elif kind in _TYPES:
        fr = f"Le champ « {field} » doit être {_TYPES[kind]}."
        en = f"The field '{field}' has the wrong type."
    elif kind == "string_pattern_mismatch":
        fr = f"Le champ « {field} » n'a pas la forme attendue ({ctx.get('pattern', '')})."
        en = f"The field '{field}' does not match the expected pattern."
    elif kind == "extra_forbidden":
        fr, en = f"Le champ « {field} » n'existe pas.", f"Unknown field '{field}'."
    else:
        fr, en = f"Le champ « {field} » est invalide.", f"The field '{field}' is invalid."
    return fr, en, field


#: The methods a 405 may name (HEAD goes with GET).
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(request: Request) -> str:
    """The ``Allow`` of a 405: every method some route answers at this address (a path may have one
    route per method, and the router names only the one it tried), with HEAD wherever GET is."""
    routes = request.app.router.routes
    allowed = [
        m
        for m in METHODS
        if any(route.matches({**request.scope, "method": m})[0] == Match.FULL for route in routes)
    ]
    if "GET" in allowed:
        allowed.insert(1, "HEAD")
    return ", ".join(allowed)


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        first = errors[0] if errors else {}
        if list(first.get("loc", ())) == ["body", "question"] and first.get("type") in (
            "string_too_short",
            "string_pattern_mismatch",
        ):
            # The schema says it too, but the question's own words say it best.
            return error_response(as_api_error(QuestionError("la question est vide", code="question_vide")))
        fr, en, field = _validation_message(errors)
        return error_response(ApiError(422, "requete_invalide", fr, en, field))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, fr, en = _HTTP.get(
            exc.status_code, ("erreur_http", "La requête n'a pas pu être traitée.", "The request failed.")
        )
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = allowed_methods(request)
        return error_response(ApiError(exc.status_code, code, fr, en, headers=headers))

    # Expected failures get their own handlers (they are answers, not crashes: no traceback in
    # the logs); anything else reaches the catch-all, is logged once, and reads as a 500.
    for expected in (QuestionError, StoreUnavailable, IndexError_, ValueError):

        @app.exception_handler(expected)
        async def _expected(request: Request, exc: Exception) -> JSONResponse:
            return error_response(as_api_error(exc))

    @app.exception_handler(Exception)
    async def _any(request: Request, exc: Exception) -> JSONResponse:
        return error_response(as_api_error(exc))
