"""The question sets (``evals/questions.yaml`` to tune, ``evals/heldout.yaml`` to measure), as typed
records.

Each question says what a careful clerk would sign as its answer:

- ``expected``: every reference a good answer may cite (the relevant actions, objectives or
  sections), best first. A cited action outside this list counts as an irrelevant citation.
- ``first``: where one action is clearly best, the action(s) the answer must put first (by default
  any of ``expected``).
- ``coverage``: ``complete`` (the plans answer it), ``partial`` (the plans address the subject but
  not the fact asked: an amount, a date, a place, a person, opening hours, a numeric target, a named
  facility or project), ``none`` (the plans do not address it). By default ``complete``, or ``none``
  when ``found`` is false.
- ``asked``: for partial questions, the kind of fact the plans do not give.
- ``turns``: a conversation. The question is its first turn; each later turn is asked with the
  assistant's own previous answers as history (only their questions and cited references), and is
  judged on its own.
- ``history``: a fixed previous turn (question and references), for single follow-up questions.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, model_validator

QUESTIONS_FILE = Path(__file__).with_name("questions.yaml")
#: Written apart from the question set and the lexicon; reported, never tuned on.
HELDOUT_FILE = Path(__file__).with_name("heldout.yaml")
#: A second held-out set, written from the plan texts before the question bank and the rules of
#: issue 18, grounded in what residents ask; reported, never tuned on.
RESIDENTS_FILE = Path(__file__).with_name("heldout_residents.yaml")
#: The sets every answer evaluation reports: (key, file, name in the reports).
SETS: tuple[tuple[str, Path, str], ...] = (
    ("tuning", QUESTIONS_FILE, "jeu de réglage (`evals/questions.yaml`)"),
    ("heldout", HELDOUT_FILE, "jeu réservé (`evals/heldout.yaml`, jamais utilisé pour régler)"),
    (
        "residents",
        RESIDENTS_FILE,
        "jeu réservé des résidents (`evals/heldout_residents.yaml`, jamais utilisé pour régler)",
    ),
)
Category = Literal[
    "topic",
    "unit",
    "horizon",
    "reverse",
    "definition",
    "neighbourhood",
    "partial",
    "out_of_scope",
    "follow_up",
    "adversarial",
]
CATEGORIES: tuple[str, ...] = get_args(Category)
#: The categories the retrieval target is set on.
TARGET_CATEGORIES = ("topic", "unit", "horizon", "neighbourhood")
Coverage = Literal["complete", "partial", "none"]
AskedFact = Literal["amount", "date", "place", "person", "hours", "target", "facility", "other"]


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str
    refs: list[str] = []


class Expectation(BaseModel):
    """One question and what its answer must be."""

    model_config = ConfigDict(extra="forbid")
    question: str
    expected: list[str] = []
    first: list[str] = []
    coverage: Coverage | None = None
    asked: AskedFact | None = None
    units: list[str] = []
    units_scope: Literal["listed", "organisation"] | None = None
    horizon: str | None = None  # a timeline code of the plan
    complete: bool = False
    found: bool = True
    note: str | None = None

    @model_validator(mode="after")
    def _coverage_agrees(self) -> Expectation:
        if self.coverage is None:
            self.coverage = "complete" if self.found else "none"
        if (self.coverage == "none") == self.found:
            raise ValueError(
                f"« {self.question} » : coverage « {self.coverage} » et found {self.found} se contredisent "
                "(found est faux exactement quand coverage est none)"
            )
        if self.coverage == "none" and (self.expected or self.first):
            raise ValueError(f"« {self.question} » : une question non couverte n'attend aucune référence")
        missing = [r for r in self.first if r not in self.expected]
        if missing:
            raise ValueError(f"« {self.question} » : first {missing} doit figurer aussi dans expected")
        return self


class Question(Expectation):
    id: str
    category: Category
    lang: Literal["fr", "en"] = "fr"
    history: list[Turn] = []
    turns: list[Expectation] = []

    @property
    def steps(self) -> list[Expectation]:
        """The turns of the conversation, this question first."""
        return [self, *self.turns]

    @property
    def retrieval_query(self) -> str:
        """What retrieval is asked for this question: a follow-up is read with the previous
        question of its conversation (the assistant resolves follow-ups the same way)."""
        if self.history:
            return f"{self.history[-1].question} {self.question}"
        return self.question


@lru_cache(maxsize=4)
def load_questions(path: Path = QUESTIONS_FILE) -> tuple[Question, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(Question.model_validate(q) for q in data["questions"])
