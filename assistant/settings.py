"""The assistant's settings: the question's length, the question log, the optional LLM (see
:mod:`corpus.settings` for how the layers' settings fit together)."""

from __future__ import annotations

from datetime import UTC, tzinfo
from pathlib import Path

from pydantic import Field, field_validator

from assistant.organisation import Organisation, zone_named
from index.settings import IndexSettings


class AssistantSettings(IndexSettings):
    max_question_length: int = Field(
        default=1000,
        gt=0,
        description="Longueur maximale d'une question, en caractères (au-delà : erreur 422).",
    )
    max_history_turns: int = Field(
        default=10,
        gt=0,
        description="Tours d'historique lus au plus par question (les plus récents; le seul endroit où "
        "l'historique est borné).",
    )
    log_enabled: bool = Field(
        default=True,
        description="Journal privé des questions (texte caviardé des renseignements personnels, sans adresse IP "
        "ni identifiant) et votes des citoyens. false : rien n'est conservé et le widget ne demande pas d'avis.",
    )
    log_url: str | None = Field(
        default=None,
        description="Base de données du journal : vide, SQLite dans le dossier de données "
        "(DATA/questions.sqlite3); ou postgresql://… pour plusieurs processus ou machines.",
    )
    log_retention_days: int = Field(
        default=90,
        ge=1,
        description="Jours de conservation des questions et des votes; au-delà, ils sont supprimés (au "
        "démarrage, chaque jour, et par plan-assistant log purge). Les comptes par jour, sans texte, restent.",
    )
    log_queue_size: int = Field(
        default=1000,
        ge=1,
        description="Entrées du journal en attente d'écriture au plus; au-delà, une entrée est perdue et "
        "comptée plutôt que de faire attendre un citoyen.",
    )
    log_time_zone: str | None = Field(
        default=None,
        description="Fuseau horaire des jours et des heures du journal : comptes par jour, tableau de bord, "
        "export CSV, rapport (nom IANA, ex. America/Toronto, Europe/Paris). Vide : celui de l'organisation "
        "(time_zone dans organisation.yaml), sinon UTC. Les jours déjà comptés le restent dans le fuseau "
        "d'alors.",
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

    @field_validator("log_time_zone", mode="before")
    @classmethod
    def _time_zone(cls, v: object) -> object:
        if isinstance(v, str):
            v = v.strip() or None
            if v is not None:
                zone_named(v)
        return v

    def log_zone(self) -> tzinfo:
        """The zone of the question log's days and hours: LOG_TIME_ZONE, else the organisation's
        (``time_zone`` in organisation.yaml beside the plans), else UTC. A bad organisation file
        raises a ValueError naming the file and the field."""
        if self.log_time_zone:
            return zone_named(self.log_time_zone)
        name = Organisation.load(Path(self.corpus_dir)).time_zone
        return zone_named(name) if name else UTC
