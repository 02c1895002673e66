"""The answer contract: what ``assistant.ask`` returns and what the API serves as JSON."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Citation(BaseModel):
    """A node of a plan that the answer relies on; ``[n]`` in the answer points to the n-th."""

    model_config = ConfigDict(extra="forbid")
    plan_id: str
    plan_title: str
    organisation: str = Field(default="", description="Who carries the plan: « Ville de Québec ».")
    kind: str
    number: str | None = Field(
        description="As printed in the plan (« 37 », « 2.1.4 »); none for prose sections."
    )
    text: str
    url: str = Field(description="Link to the node in the source viewer: /plans/PLAN_ID#action-37.")
    horizon: str | None = Field(default=None, description="The plan's timeline code, where it gives one.")
    horizon_words: str | None = Field(default=None, description="The timeline in the plan's words.")
    horizon_label: str | None = Field(
        default=None,
        description="The timeline's badge in the answer's language (timelines.yaml, else the plan's label).",
    )
    horizon_order: int | None = Field(
        default=None, ge=1, description="The timeline's place in the plan's legend (1 for its first)."
    )
    units: list[str] = Field(
        default_factory=list, description="Units the plan lists for the node's objective."
    )
    units_scope: str | None = Field(
        default=None, description="listed, organisation (the whole municipal organisation) or unspecified."
    )
    path: list[str] = Field(default_factory=list, description="Titles of its orientation, axe and objective.")
    ref: str = Field(description="PLAN_ID:NUMBER, or PLAN_ID:NODE_ID for nodes without a number.")
    label: str = Field(default="", description="« Action 37 », « Objectif 2.2.2 », « Rôles de la Ville ».")
    role: Literal["primary", "related"] = Field(
        default="primary",
        description="primary: what the answer puts forward; related: shown under « Voir aussi », "
        "clearly labelled as related, not as the answer.",
    )


class Link(BaseModel):
    """A channel an answer names, to be linked where its text appears: the site, the phone line."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field(description="The words of the answer to link: « exemple-ville.ca », « 311 ».")
    href: str = Field(description="Where they lead: https://…, tel:…")


class Turn(BaseModel):
    """A previous turn of the conversation, sent back by the caller (the service keeps no state).
    Only its question and references are read: the caller may send the answer text, the service
    does not need it."""

    model_config = ConfigDict(extra="ignore")
    question: str = Field(max_length=4000)
    answer: str | None = Field(
        default=None, max_length=20000, description="Not needed (ignored); accepted for convenience."
    )
    refs: list[str] = Field(
        default_factory=list,
        max_length=100,
        description="The references that turn's answer put forward (its primary citations, ``Answer.refs``).",
    )
    related: list[str] = Field(
        default_factory=list,
        max_length=100,
        description="The references it showed as related (``Answer.related_refs``); optional.",
    )


class Filters(BaseModel):
    model_config = ConfigDict(extra="forbid")
    plan: str | None = None
    unit: str | None = None
    horizon: str | None = Field(
        default=None, max_length=20, description="A timeline code one of the plans defines (its legend)."
    )
    kind: str | None = None


Coverage = Literal["complete", "partial", "none"]


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(description="The question as understood (cleaned).")
    answer: str = Field(
        description="The text shown to the user, with citation markers [1], [2]…: its first line is ``lead``."
    )
    lead: str = Field(
        default="",
        description="The first sentence, which answers: « Oui : … », « Non : … », the timeline, the units, "
        "or what the plans do not say.",
    )
    coverage: Coverage = Field(
        default="complete",
        description="complete: the plans answer it; partial: the plans address the subject but not the fact "
        "asked (an amount, a date, a place, a person, opening hours, a numeric target, a named facility or "
        "project); none: the plans do not address it (nothing is cited).",
    )
    found: bool = Field(description="True when the plans answer it, completely or partly (coverage ≠ none).")
    sure: bool = Field(
        default=True,
        description="True when the answer asserts: its first action answers the question (« Oui : l'action 28 "
        "… »), or the plans clearly do not address it. False when it only says what is closest in the plans "
        "(« Les plans n'ont pas d'action qui réponde exactement; la plus proche : … »): a hedged answer, "
        "whose coverage is partial.",
    )
    confidence: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="For an answer judged on retrieval: the probability the relevance judge gives that its "
        "first action answers the question (calibrated out of fold); none for exact look-ups and lists.",
    )
    citations: list[Citation] = Field(default_factory=list)
    lang: Literal["fr", "en"] = "fr"
    intent: str = Field(description="How the question was read: action, units, horizon, reverse, count, …")
    generated: bool = Field(default=False, description="True when an LLM rewrote the composed answer.")
    notes: list[str] = Field(
        default_factory=list, description="Why the answer is what it is (for staff and logs)."
    )
    links: list[Link] = Field(
        default_factory=list,
        description="The organisation's channels the answer names (its site, its phone line), to link where "
        "their text appears in the answer.",
    )
    build_id: str | None = Field(
        default=None,
        description="The index build the answer was read from (one snapshot from question to log).",
    )
    answer_id: str | None = Field(
        default=None,
        description="This answer in the private question log, for a vote (POST /api/feedback); null when "
        "the log is off.",
    )

    @property
    def refs(self) -> list[str]:
        """What the answer put forward (its primary citations): what a follow-up reads."""
        return [c.ref for c in self.citations if c.role == "primary"]

    @property
    def related_refs(self) -> list[str]:
        return [c.ref for c in self.citations if c.role == "related"]

    def as_turn(self) -> Turn:
        """This answer as the previous turn of the next question."""
        return Turn(question=self.question, refs=self.refs, related=self.related_refs)
