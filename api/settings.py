"""The service's one settings object: the assistant's, with the web service's own (address, allowed
origins, limits, admin token). Every setting is declared once, in the layer that uses it, with its
default and help text (see :mod:`corpus.settings`)."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import NoDecode

from assistant.settings import AssistantSettings
from corpus.settings import ENV_PREFIX

_PERIODS = {"second": 1.0, "s": 1.0, "minute": 60.0, "min": 60.0, "m": 60.0, "hour": 3600.0, "h": 3600.0}

__all__ = ["ENV_PREFIX", "Settings", "get_settings", "parse_rate"]


def parse_rate(text: str) -> tuple[int, float] | None:
    """« 30/minute » → (30, 60.0); « 0 » → None (no limit). Raises ValueError with the bad value."""
    t = text.strip().lower()
    if t in ("0", "", "none", "off"):
        return None
    count, _, period = t.partition("/")
    if not count.isdigit() or period not in _PERIODS or int(count) <= 0:
        raise ValueError(f"limite attendue sous la forme « 30/minute » (second, minute, hour), reçu {text!r}")
    return int(count), _PERIODS[period]


class Settings(AssistantSettings):
    host: str = Field(default="127.0.0.1", description="Adresse d'écoute du service web.")
    port: int = Field(default=8000, gt=0, lt=65536, description="Port du service web.")
    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origines autorisées à appeler l'API depuis un navigateur (le widget sur un autre site), "
        "séparées par des virgules, ex. https://www.ville.quebec.qc.ca. L'origine du service est toujours "
        "autorisée.",
    )
    rate_limit: str = Field(
        default="30/minute",
        description="Questions permises par adresse client (ex. 30/minute, 5/second); au-delà : 429 avec "
        "Retry-After. « 0 » : pas de limite.",
    )
    max_body_bytes: int = Field(
        default=65536, gt=0, description="Taille maximale du corps d'une requête, en octets."
    )
    max_history_turns: int = Field(
        default=10, gt=0, description="Tours d'historique lus au plus par question."
    )
    admin_token: str | None = Field(
        default=None,
        description="Jeton qui autorise POST /api/admin/reindex (en-tête Authorization: Bearer …). Vide : la "
        "route est désactivée.",
    )

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, v: object) -> object:
        if isinstance(v, str):
            return [o.strip().rstrip("/") for o in v.split(",") if o.strip()]
        return v

    @field_validator("rate_limit")
    @classmethod
    def _rate(cls, v: str) -> str:
        parse_rate(v)
        return v


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
