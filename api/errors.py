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


QUESTION_EN = {
    "question_vide": "The question is empty.",
    "question_trop_longue": "The question is too long.",
    "question_invalide": "The question is not valid.",
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
        return ApiError(
            503,
            "index_indisponible",
            f"L'index des plans n'est pas prêt : {exc}.",
            "The plans index is not ready.",
            headers={"Retry-After": "5"},
        )
    if isinstance(exc, ValueError):
        return ApiError(
            422, "parametre_invalide", str(exc)[:1].upper() + str(exc)[1:] + ".", "Invalid parameter."
        )
    log.exception("unexpected error", exc_info=exc)
    return ApiError(
        500,
        "erreur_interne",
        "Une erreur inattendue est survenue. L'équipe en a été avisée.",
        "An unexpected error occurred.",
    )


_HTTP = {
    404: ("introuvable", "Cette adresse n'existe pas.", "Not found."),
    405: ("methode_non_permise", "Cette méthode n'est pas permise à cette adresse.", "Method not allowed."),
    413: ("requete_trop_grosse", "La requête est trop volumineuse.", "Request body too large."),
}


def _validation_message(errors: list[Any]) -> tuple[str, str, str | None]:
    first = errors[0] if errors else {}
    loc = [str(x) for x in first.get("loc", ()) if x not in ("body", "query", "path")]
    field = ".".join(loc) or None
    kind = first.get("type", "")
    if kind == "missing":
        fr, en = f"Le champ « {field} » est obligatoire.", f"The field '{field}' is required."
    elif kind == "json_invalid":
        fr, en = "Le corps de la requête n'est pas du JSON valide.", "The request body is not valid JSON."
    elif "type" in kind or kind.endswith("_type") or kind in ("string_type", "int_parsing", "list_type"):
        fr = f"Le champ « {field} » n'a pas le bon type ({first.get('msg', '')})."
        en = f"The field '{field}' has the wrong type."
    else:
        fr, en = (
            f"Le champ « {field} » est invalide : {first.get('msg', '')}.",
            f"The field '{field}' is invalid.",
        )
    return fr, en, field


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
        code, fr, en = _HTTP.get(exc.status_code, ("erreur_http", str(exc.detail), str(exc.detail)))
        return error_response(ApiError(exc.status_code, code, fr, en))

    # Expected failures get their own handlers (they are answers, not crashes: no traceback in
    # the logs); anything else reaches the catch-all, is logged once, and reads as a 500.
    for expected in (QuestionError, StoreUnavailable, IndexError_, ValueError):

        @app.exception_handler(expected)
        async def _expected(request: Request, exc: Exception) -> JSONResponse:
            return error_response(as_api_error(exc))

    @app.exception_handler(Exception)
    async def _any(request: Request, exc: Exception) -> JSONResponse:
        return error_response(as_api_error(exc))
