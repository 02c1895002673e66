"""The answer contract: what ``assistant.ask`` returns and what the API serves as JSON."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Citation(BaseModel):
    """A node of a plan that the answer relies on; ``[n]`` in the answer points to the n-th."""

    model_config = ConfigDict(extra="forbid")
    plan_id: str
    plan_title: str
    kind: str
    number: str | None = Field(
        description="As printed in the plan (« 37 », « 2.1.4 »); none for prose sections."
    )
    text: str
    url: str = Field(description="Link to the node in the source viewer: /plans/PLAN_ID#action-37.")
    horizon: str | None = Field(default=None, description="EC, CT or MT where the plan gives one.")
    horizon_words: str | None = Field(default=None, description="The timeline in the plan's words.")
    units: list[str] = Field(
        default_factory=list, description="Units the plan lists for the node's objective."
    )
    units_scope: str | None = Field(
        default=None, description="listed, organisation (the whole municipal organisation) or unspecified."
    )
    path: list[str] = Field(default_factory=list, description="Titles of its orientation, axe and objective.")
    ref: str = Field(description="PLAN_ID:NUMBER, or PLAN_ID:NODE_ID for nodes without a number.")
    label: str = Field(default="", description="« Action 37 », « Objectif 2.2.2 », « Rôles de la Ville ».")


class Turn(BaseModel):
    """A previous turn of the conversation, sent back by the caller (the service keeps no state)."""

    model_config = ConfigDict(extra="ignore")
    question: str = Field(max_length=4000)
    answer: str | None = Field(default=None, max_length=20000)
    refs: list[str] = Field(
        default_factory=list, max_length=100, description="References cited in that turn."
    )


class Filters(BaseModel):
    model_config = ConfigDict(extra="forbid")
    plan: str | None = None
    unit: str | None = None
    horizon: Literal["EC", "CT", "MT"] | None = None
    kind: str | None = None


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(description="The question as understood (cleaned).")
    answer: str = Field(description="The text shown to the user, with citation markers [1], [2]…")
    found: bool = Field(description="False when the plans do not cover the question.")
    citations: list[Citation] = Field(default_factory=list)
    lang: Literal["fr", "en"] = "fr"
    intent: str = Field(description="How the question was read: action, units, horizon, reverse, count, …")
    generated: bool = Field(default=False, description="True when an LLM rewrote the composed answer.")
    notes: list[str] = Field(
        default_factory=list, description="Why the answer is what it is (for staff and logs)."
    )

    @property
    def refs(self) -> list[str]:
        return [c.ref for c in self.citations]
