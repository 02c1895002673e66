"""What the private question log holds, and what its dashboard reads back.

An entry or a vote holds the citizen's raw text while it waits in the writer's queue, in memory;
what the store receives, and every text read back, was cleaned and redacted before (see
:mod:`assistant.questionlog.storable`). There is, by design,
no field for an IP address, a user agent, a cookie or any persistent identifier: the only link
between turns is a conversation id the widget generates per conversation. Times are UTC and
rounded down to the hour."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Literal, get_args

Coverage = Literal["complete", "partial", "none"]
Reason = Literal["mauvaise_action", "pas_clair", "incomplet", "autre"]
COVERAGES: tuple[str, ...] = get_args(Coverage)
REASONS: frozenset[str] = frozenset(get_args(Reason))
MAX_COMMENT = 500


def hour_of(now: datetime) -> datetime:
    """``now`` in UTC, rounded down to the hour (a naive datetime is taken as UTC)."""
    now = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
    return now.replace(minute=0, second=0, microsecond=0)


def utc_hour() -> datetime:
    """The current hour, UTC."""
    return hour_of(datetime.now(UTC))


def new_answer_id() -> str:
    """A fresh answer id (uuid4, hexadecimal): random, tied to nothing about the person."""
    return uuid.uuid4().hex


@dataclass(frozen=True)
class LogEntry:
    """One answer given: the question (redacted before it is stored), what the service made of it,
    what it cited."""

    answer_id: str
    conversation_id: str | None
    question: str
    language: str
    intent: str
    coverage: str
    refs: tuple[str, ...]
    plan_ids: tuple[str, ...]
    latency_ms: float
    build_id: str
    origin: str | None
    hour: datetime = field(default_factory=utc_hour)

    def __post_init__(self) -> None:
        if self.coverage not in COVERAGES:
            raise ValueError(f"couverture inconnue : « {self.coverage} » (attendu : {', '.join(COVERAGES)})")
        if not self.answer_id:
            raise ValueError("identifiant de réponse vide")
        object.__setattr__(self, "refs", tuple(self.refs))
        object.__setattr__(self, "plan_ids", tuple(self.plan_ids))
        object.__setattr__(self, "hour", hour_of(self.hour))


@dataclass(frozen=True)
class Feedback:
    """A citizen's vote on one answer: helpful or not, with an optional reason and short comment
    (redacted before it is stored)."""

    answer_id: str
    helpful: bool
    reason: str | None = None
    comment: str | None = None
    hour: datetime = field(default_factory=utc_hour)

    def __post_init__(self) -> None:
        if self.reason is not None and self.reason not in REASONS:
            raise ValueError(f"raison inconnue : « {self.reason} » (attendu : {', '.join(sorted(REASONS))})")
        if self.comment is not None and len(self.comment) > MAX_COMMENT:
            raise ValueError(
                f"commentaire trop long : {len(self.comment)} caractères (au plus {MAX_COMMENT})"
            )
        object.__setattr__(self, "hour", hour_of(self.hour))


# What the dashboard reads back.


@dataclass(frozen=True)
class DayCount:
    day: date  # UTC day
    answers: int


@dataclass(frozen=True)
class CoverageDay:
    day: date
    complete: int
    partial: int
    none: int

    @property
    def total(self) -> int:
        return self.complete + self.partial + self.none


@dataclass(frozen=True)
class RefCount:
    ref: str  # PLAN_ID:NUMBER
    count: int  # answers that cited it


@dataclass(frozen=True)
class Gap:
    """A question the plans do not cover (coverage « none »), with how often that exact redacted
    text was asked and when last."""

    question: str
    count: int
    last_seen: datetime


@dataclass(frozen=True)
class NegativeFeedback:
    answer_id: str
    hour: datetime  # the answer's hour
    question: str
    coverage: str
    refs: tuple[str, ...]
    reason: str | None
    comment: str | None


@dataclass(frozen=True)
class Rates:
    answers: int
    feedback: int
    helpful: int

    @property
    def not_helpful(self) -> int:
        return self.feedback - self.helpful

    @property
    def feedback_rate(self) -> float | None:
        """Share of answers that received a vote; ``None`` when there was no answer."""
        return self.feedback / self.answers if self.answers else None

    @property
    def helpful_rate(self) -> float | None:
        """Share of votes that said « helpful »; ``None`` when there was no vote."""
        return self.helpful / self.feedback if self.feedback else None


@dataclass(frozen=True)
class LoggedAnswer:
    """An entry with its vote, if any: one line of the CSV export."""

    entry: LogEntry
    feedback: Feedback | None


@dataclass(frozen=True)
class BatchResult:
    written: int  # entries and votes stored
    rejected: int = 0  # votes refused: unknown answer, or a second vote


MAX_AUTHOR = 120
MAX_NOTE = 1000


@dataclass(frozen=True)
class Correction:
    """A staff member's decision on how a question is answered: ``refs``, the actions (or other
    nodes) that answer it, best first; empty when the plans do not answer it (« hors plan »). Its
    question and note were redacted by the caller."""

    question: str
    refs: tuple[str, ...]
    author: str
    note: str | None = None
    answer_id: str | None = None
    correction_id: str = field(default_factory=new_answer_id)
    created: datetime = field(default_factory=lambda: datetime.now(UTC))
    active: bool = True

    def __post_init__(self) -> None:
        if not self.question.strip():
            raise ValueError("une correction porte sur une question (vide ici)")
        if not self.author.strip() or len(self.author) > MAX_AUTHOR:
            raise ValueError(f"auteur : entre 1 et {MAX_AUTHOR} caractères")
        if self.note is not None and len(self.note) > MAX_NOTE:
            raise ValueError(f"note : {MAX_NOTE} caractères au plus")
        object.__setattr__(self, "refs", tuple(self.refs))

    @property
    def hors_plan(self) -> bool:
        return not self.refs
