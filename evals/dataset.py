"""The fixed question set (``evals/questions.yaml``), as typed records."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict

QUESTIONS_FILE = Path(__file__).with_name("questions.yaml")
#: Written apart from the question set and the lexicon; reported, never tuned on.
HELDOUT_FILE = Path(__file__).with_name("heldout.yaml")
Category = Literal[
    "topic", "unit", "horizon", "reverse", "definition", "neighbourhood", "out_of_scope", "adversarial"
]
CATEGORIES: tuple[str, ...] = (
    "topic",
    "unit",
    "horizon",
    "reverse",
    "definition",
    "neighbourhood",
    "out_of_scope",
    "adversarial",
)
#: The categories the retrieval target is set on.
TARGET_CATEGORIES = ("topic", "unit", "horizon", "neighbourhood")


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str
    refs: list[str] = []


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    category: Category
    lang: Literal["fr", "en"] = "fr"
    question: str
    expected: list[str] = []
    units: list[str] = []
    units_scope: Literal["listed", "organisation"] | None = None
    horizon: Literal["EC", "CT", "MT"] | None = None
    complete: bool = False
    found: bool = True
    history: list[Turn] = []
    note: str | None = None

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
