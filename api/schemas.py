"""Request and response models of the JSON API (they are the OpenAPI schema at /docs)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.answer import Filters, Turn


class AskRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"question": "Qui s'occupe de l'action 37?", "history": [], "filters": {}}]
        },
    )
    question: str = Field(
        min_length=1,
        max_length=20000,
        pattern=r"\S",
        description="La question, en français ou en anglais. Sa longueur maximale est un réglage du service "
        "(PLAN_ASSISTANT_MAX_QUESTION_LENGTH, 1000 par défaut); au-delà : 422.",
    )
    history: list[Turn] = Field(
        default_factory=list,
        max_length=50,
        description="Les tours précédents (question, réponse, références citées).",
    )
    filters: Filters = Field(default_factory=Filters)
    conversation_id: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_-]{8,64}$",
        description="Identifiant tiré au hasard par le widget pour une conversation (jamais conservé dans le "
        "navigateur au-delà) : relie les tours dans le journal.",
    )


class ErrorDetail(BaseModel):
    code: str
    message: str = Field(description="Message en français.")
    message_en: str = Field(description="The same message in English.")
    status: int
    field: str | None = None


class ErrorResponse(BaseModel):
    error: ErrorDetail


class SearchResultItem(BaseModel):
    plan_id: str
    kind: str
    number: str | None
    ref: str
    title: str
    score: float
    text: str
    url: str
    horizon: str | None
    units: list[str]


class SearchResponse(BaseModel):
    query: str
    results: list[SearchResultItem]


class PlanSummary(BaseModel):
    id: str
    title: str
    organisation: str
    period: str | None
    adopted: str | None
    counts: dict[str, int]
    url: str = Field(description="Le plan dans le visualiseur.")
    api_url: str


class ActionItem(BaseModel):
    plan_id: str
    number: str
    text: str
    horizon: str | None
    horizon_words: str | None
    units: list[str]
    units_scope: str | None
    objective: str | None = Field(description="Le titre de l'objectif de l'action.")
    path: list[str]
    url: str
    indicators: list[dict[str, Any]] = Field(default_factory=list)
    continues: str | None = None


class ActionList(BaseModel):
    plan_id: str
    count: int
    filters: dict[str, str]
    actions: list[ActionItem]


class UnitActions(BaseModel):
    unit: str
    count: int
    actions: list[ActionItem]


class UnitsResponse(BaseModel):
    units: list[UnitActions]
    note: str = Field(description="Ce que le plan dit des objectifs qui ne nomment pas d'unité.")


class LogHealth(BaseModel):
    """The private question log of the process that answered: what monitoring alerts on. Its failure
    never makes ``/readyz`` answer 503: the citizens' answers go on without it."""

    status: Literal["ok", "en_panne", "desactive"] = Field(
        description="ok : le journal écrit; en_panne : sa base ne s'ouvre pas ou ses dernières écritures (ou "
        "sa dernière purge) ont échoué, les entrées sont perdues; desactive : PLAN_ASSISTANT_LOG_ENABLED=false."
    )
    detail: str | None = Field(
        default=None, description="La panne, en français (jamais le texte d'une question)."
    )
    written: int | None = Field(default=None, description="Entrées et avis écrits depuis le démarrage.")
    failed: int | None = Field(
        default=None, description="Perdus sur une erreur (base en panne ou élément refusé)."
    )
    isolated: int | None = Field(
        default=None, description="Parmi eux, les éléments refusés seuls (leurs voisins de lot écrits)."
    )
    dropped: int | None = Field(default=None, description="Perdus parce que la file d'attente était pleine.")
    rejected: int | None = Field(default=None, description="Avis refusés : réponse inconnue ou déjà notée.")
    pending: int | None = Field(default=None, description="En attente d'écriture.")


class Health(BaseModel):
    status: Literal["ok", "indisponible"]
    detail: str | None = None
    build: str | None = None
    documents: int | None = None
    model: str | None = None
    worker: int | None = Field(
        default=None, description="Le processus qui a répondu (plusieurs : plan-assistant serve --workers N)."
    )
    log: LogHealth | None = Field(default=None, description="Le journal des questions de ce processus.")


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answer_id: str = Field(pattern=r"^[0-9a-f]{32}$", description="Le champ answer_id de la réponse.")
    helpful: bool = Field(description="true : la réponse a aidé; false : non.")
    reason: Literal["mauvaise_action", "pas_clair", "incomplet", "autre"] | None = Field(
        default=None, description="Après « Non » : pas la bonne action, pas clair, incomplet, autre."
    )
    comment: str | None = Field(
        default=None,
        max_length=500,
        description="Commentaire facultatif; caviardé des renseignements personnels avant d'être conservé.",
    )


class FeedbackReceived(BaseModel):
    status: Literal["reçu"] = "reçu"


class Welcome(BaseModel):
    """What the widget says before the first question: the plans it answers about and examples, from
    the corpus and the organisation's file (organisation.yaml)."""

    welcome: str = Field(description="La phrase d'accueil, en français.")
    welcome_en: str
    examples: list[str] = Field(description="Des questions à essayer, en français.")
    examples_en: list[str]


class PrivacyNotice(BaseModel):
    logging: bool = Field(description="true : les questions, caviardées, et les votes sont conservés.")
    retention_days: int | None
    policy_url: str | None = Field(description="La politique de confidentialité de la Ville.")
    notice: str = Field(description="La mention à afficher sous le widget, en français.")
    notice_en: str
