"""The service's one settings object: the assistant's, with the web service's own (address, allowed
origins, limits, admin token). Every setting is declared once, in the layer that uses it, with its
default and help text (see :mod:`corpus.settings`)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_settings import NoDecode

from api.hosts import port_number, split_host
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


# The admin token and the dashboard's session key: at least this many varied characters.
SECRET_MIN = 32
_SECRET_NAMES = {"admin_token": "le jeton d'administration", "dashboard_secret": "la clé du tableau de bord"}


class Settings(AssistantSettings):
    host: str = Field(default="127.0.0.1", description="Adresse d'écoute du service web.")
    port: int = Field(default=8000, gt=0, lt=65536, description="Port du service web.")
    workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Processus du service (plan-assistant serve). Plus d'un : mode serveur Chroma (CHROMA_HOST) "
        "requis, et RATE_LIMIT_STORAGE=redis://… pour que la limite par client soit commune.",
    )
    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origines autorisées à appeler l'API depuis un navigateur (le widget sur un autre site), "
        "séparées par des virgules, ex. https://www.exemple-ville.ca. L'origine du service est toujours "
        "autorisée.",
    )
    privacy_policy_url: str | None = Field(
        default=None,
        description="Adresse de la politique de confidentialité de la Ville, liée par la mention du widget "
        "(https://…).",
    )
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["localhost", "127.0.0.1", "::1"],
        description="Noms d'hôte sous lesquels le service répond (en-tête Host), séparés par des virgules, ex. "
        "assistant.exemple-ville.ca; « *.exemple-ville.ca » accepte les sous-domaines, « * » tout nom. Le port, "
        "s'il est écrit, doit être celui par défaut du schéma (80, 443), celui où le service écoute, ou un port donné "
        "avec le nom (« assistant.exemple-ville.ca:8443 »). Autre nom, autre port ou port invalide : 400. /healthz "
        "et /readyz répondent à tout nom (sondes).",
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Adresses (ou réseaux, ex. 10.0.0.0/8) des mandataires inverses dont le service croit les "
        "en-têtes X-Forwarded-For et X-Forwarded-Proto : l'adresse du citoyen et le schéma (https) en "
        "viennent. Vide : aucun (le service est exposé directement). Derrière le nginx de référence sur la "
        "même machine : 127.0.0.1.",
    )
    rate_limit: str = Field(
        default="30/minute",
        description="Questions permises par adresse client (ex. 30/minute, 5/second); au-delà : 429 avec "
        "Retry-After. « 0 » : pas de limite.",
    )
    listing_rate_limit: str = Field(
        default="240/minute",
        description="Pages des plans et listes JSON (/plans, /api/plans, /api/units) permises par adresse "
        "client; au-delà : 429. « 0 » : pas de limite.",
    )
    rate_limit_storage: str = Field(
        default="memory://",
        description="Où les limites par client sont comptées : memory:// (dans chaque processus) ou "
        "redis://hôte:port/0 (communes à tous les processus et à toutes les machines). Si Redis ne répond "
        "pas, les questions passent (la limite du mandataire reste) et le journal le signale; la connexion au "
        "tableau de bord et le jeton d'administration, qui ne peuvent plus être comptés, sont refusés (503).",
    )
    max_body_bytes: int = Field(
        default=65536, gt=0, description="Taille maximale du corps d'une requête, en octets."
    )
    admin_token: str | None = Field(
        default=None,
        description=f"Jeton qui autorise POST /api/admin/reindex (en-tête Authorization: Bearer …), d'au moins "
        f"{SECRET_MIN} caractères. Vide : la route est désactivée.",
    )
    admin_attempts: str = Field(
        default="5/minute",
        description="Essais de jeton d'administration refusés permis par adresse, chacun compté avant d'être "
        "répondu (des essais en parallèle n'en obtiennent pas plus); au-delà, la route répond 429 à cette "
        "adresse, même avec le bon jeton, jusqu'à la fin de la fenêtre.",
    )
    dashboard_password_hash: str | None = Field(
        default=None,
        repr=False,
        description="Empreinte argon2 du mot de passe du tableau de bord (/admin), produite par "
        "« plan-assistant dashboard hash-password ». Vide : le tableau de bord est désactivé (404).",
    )
    dashboard_secret: str | None = Field(
        default=None,
        repr=False,
        description=f"Clé qui signe les sessions du tableau de bord (la même pour tous les processus), d'au "
        f"moins {SECRET_MIN} caractères variés; requise avec DASHBOARD_PASSWORD_HASH. La changer "
        "ferme toutes les sessions.",
    )
    dashboard_session_minutes: int = Field(
        default=60,
        ge=5,
        le=24 * 60,
        description="Durée d'une session du tableau de bord, en minutes, depuis la connexion.",
    )
    dashboard_attempts: str = Field(
        default="5/minute",
        description="Essais de connexion permis par adresse sur /admin/login, chacun compté avant que le mot de "
        "passe soit vérifié (le bon compris : des essais en parallèle n'en font pas vérifier plus); au-delà, 429 "
        "jusqu'à la fin de la fenêtre, même avec le bon mot de passe. Une limite est obligatoire.",
    )
    request_timeout: float = Field(
        default=10.0,
        gt=0,
        description="Secondes accordées à un client pour envoyer sa requête entière (ligne, en-têtes, corps); "
        "au-delà, la connexion est fermée (plan-assistant serve).",
    )
    send_timeout: float = Field(
        default=10.0,
        gt=0,
        description="Secondes accordées à un client pour lire la réponse : si la réponse attend dans les tampons "
        "sans que le client en lise rien pendant ce délai, la connexion est fermée (plan-assistant serve).",
    )
    keep_alive_timeout: int = Field(
        default=5, gt=0, description="Secondes d'inactivité après lesquelles une connexion est fermée."
    )
    max_connections: int = Field(
        default=1000,
        gt=0,
        description="Connexions et requêtes simultanées par processus; au-delà : 503 (plan-assistant serve).",
    )
    max_connections_per_client: int = Field(
        default=50,
        gt=0,
        description="Connexions simultanées par adresse client et par processus (les mandataires de "
        "TRUSTED_PROXIES ne sont pas limités); au-delà, la connexion est fermée.",
    )

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, v: object) -> object:
        if isinstance(v, str):
            return [o.strip().rstrip("/") for o in v.split(",") if o.strip()]
        return v

    @field_validator("allowed_hosts", "trusted_proxies", mode="before")
    @classmethod
    def _split(cls, v: object) -> object:
        if isinstance(v, str):
            return [h.strip().lower() for h in v.split(",") if h.strip()]
        return v

    @field_validator("allowed_hosts")
    @classmethod
    def _host_ports(cls, v: list[str]) -> list[str]:
        for item in v:
            _, port = split_host(item)
            if port is not None and port_number(port) is None:
                raise ValueError(
                    f"port de 1 à 65535 attendu après « : » (ex. assistant.exemple-ville.ca:8443), reçu {item!r}"
                )
        return v

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, v: list[str]) -> list[str]:
        for item in v:
            if item == "*":
                continue
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(
                    f"adresse ou réseau attendu (ex. 127.0.0.1, 10.0.0.0/8), reçu {item!r}"
                ) from None
        return v

    @field_validator("rate_limit", "listing_rate_limit", "admin_attempts")
    @classmethod
    def _rate(cls, v: str) -> str:
        parse_rate(v)
        return v

    @field_validator("rate_limit_storage")
    @classmethod
    def _storage(cls, v: str) -> str:
        scheme = v.split("://", 1)[0].lower()
        if "://" not in v or scheme not in ("memory", "redis", "rediss", "redis+unix"):
            raise ValueError(f"memory:// ou redis://hôte:port/0 attendu, reçu {v!r}")
        return v

    @field_validator("admin_token", "dashboard_secret")
    @classmethod
    def _secret(cls, v: str | None, info: ValidationInfo) -> str | None:
        if v is None or v == "":
            return None
        if len(v) < SECRET_MIN or len(set(v)) < 8:
            raise ValueError(
                f"{_SECRET_NAMES[str(info.field_name)]} doit compter au moins {SECRET_MIN} caractères variés "
                f"(reçu {len(v)}); générez-en une valeur avec : "
                'python -c "import secrets; print(secrets.token_urlsafe(32))"'
            )
        return v

    @field_validator("dashboard_password_hash")
    @classmethod
    def _password_hash(cls, v: str | None) -> str | None:
        if v is None or v.strip() == "":
            return None
        v = v.strip()
        from argon2 import extract_parameters
        from argon2.exceptions import InvalidHashError

        try:
            extract_parameters(v)
        except (InvalidHashError, ValueError, IndexError):
            raise ValueError(
                f"empreinte argon2 attendue ($argon2id$v=19$m=…), reçu une valeur qui commence par {v[:10]!r}; "
                "produisez-la avec : plan-assistant dashboard hash-password"
            ) from None
        return v

    @field_validator("dashboard_attempts")
    @classmethod
    def _dashboard_attempts(cls, v: str) -> str:
        if parse_rate(v) is None:
            raise ValueError(f"une limite d'essais est obligatoire (ex. 5/minute), reçu {v!r}")
        return v

    @model_validator(mode="after")
    def _dashboard(self) -> Settings:
        if self.dashboard_password_hash and not self.dashboard_secret:
            raise ValueError(
                "PLAN_ASSISTANT_DASHBOARD_PASSWORD_HASH est réglé mais PLAN_ASSISTANT_DASHBOARD_SECRET est vide : "
                "le tableau de bord a besoin des deux"
            )
        return self

    @property
    def dashboard_enabled(self) -> bool:
        return bool(self.dashboard_password_hash and self.dashboard_secret)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
