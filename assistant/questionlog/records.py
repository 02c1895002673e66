"""What the private question log holds, and what its dashboard reads back.

An entry or a vote holds the citizen's raw text while it waits in the writer's queue, in memory;
what the store receives, and every text read back, was cleaned and redacted before (see
:mod:`assistant.questionlog.storable`). There is, by design,
no field for an IP address, a user agent, a cookie or any persistent identifier: the only link
between turns is a conversation id the widget generates per conversation. Times are UTC and
rounded down to the hour; what the staff see is in the organisation's time zone (the log's
``zone``, see :meth:`assistant.settings.AssistantSettings.log_zone`): the daily aggregates count
that zone's days (:func:`local_day`), and the dashboard shows every time in that zone."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from typing import Literal, get_args

Coverage = Literal["complete", "partial", "none"]
Reason = Literal["mauvaise_action", "pas_clair", "incomplet", "autre"]
COVERAGES: tuple[str, ...] = get_args(Coverage)
REASONS: frozenset[str] = frozenset(get_args(Reason))
MAX_COMMENT = 500
MAX_LEAD = 1000  # characters of an answer's lead kept, after redaction
FEEDBACKS: tuple[str, ...] = ("oui", "non", "aucun")  # the vote filter: helpful, not helpful, no vote
REVIEW_SCOPES: tuple[str, ...] = ("question", "cluster")


def hour_of(now: datetime) -> datetime:
    """``now`` in UTC, rounded down to the hour (a naive datetime is taken as UTC)."""
    now = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
    return now.replace(minute=0, second=0, microsecond=0)


def local_day(moment: datetime, zone: tzinfo) -> date:
    """The day of ``moment`` in ``zone``, the organisation's time zone (a naive datetime is taken as
    UTC). Stored hours are whole UTC hours: in a zone whose offset is a whole number of hours (−5 or
    −4 in eastern North America) the day of a stored hour is exact; in one offset by a half hour, an
    hour counts on the day it starts."""
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return moment.astimezone(zone).date()


def utc_hour() -> datetime:
    """The current hour, UTC."""
    return hour_of(datetime.now(UTC))


def new_answer_id() -> str:
    """A fresh answer id (uuid4, hexadecimal): random, tied to nothing about the person."""
    return uuid.uuid4().hex


@dataclass(frozen=True)
class LogEntry:
    """One answer given: the question (redacted before it is stored), what the service made of it,
    what it cited, and its lead: the first line the citizen read (redacted like the question, since
    it can quote it). ``turn`` is the answer's place in its conversation (1: the first), given by
    the store when it writes the entry (None before, and for an answer without a conversation)."""

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
    lead: str | None = None
    turn: int | None = field(default=None, compare=False)  # given by the store

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
    day: date  # a day of the log's time zone
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
    """An entry with its vote, if any: one line of the CSV export. Read by
    :meth:`~assistant.questionlog.store.QuestionLog.find`, it also says whether a correction in
    force was made from it, and the staff's reviews that cover it."""

    entry: LogEntry
    feedback: Feedback | None
    corrected: bool = False
    reviews: tuple[Review, ...] = ()

    @property
    def reviewed(self) -> Review | None:
        """The latest review that marked it « revu » (None: not reviewed)."""
        marks = [r for r in self.reviews if r.reviewed]
        return max(marks, key=lambda r: (r.created, r.review_id)) if marks else None


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


MAX_REVIEWED = 1000  # answers one review may cover (a form carries their ids)


@dataclass(frozen=True)
class Review:
    """A staff member's « revu » mark and/or note on a question or on a group of questions
    (``scope``: ``question`` or ``cluster``), with who and when.

    A review covers the logged answers the staff member saw (``answer_ids``), not a text nor a
    group's shape: a group of questions is made again at every reading (by meaning, and its method
    may change), so it is identified by its answers. A group stays « revu » while every answer in it
    is covered; a new question that joins it shows it again as not reviewed. The ids are random,
    tied to nothing about a person; the note was redacted by the caller. A review is deleted when
    the retention purge has deleted every answer it covers."""

    scope: str
    answer_ids: tuple[str, ...]
    author: str
    reviewed: bool = True
    note: str | None = None
    review_id: str = field(default_factory=new_answer_id)
    created: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __post_init__(self) -> None:
        if self.scope not in REVIEW_SCOPES:
            raise ValueError(f"portée inconnue : « {self.scope} » (attendu : {', '.join(REVIEW_SCOPES)})")
        ids = tuple(dict.fromkeys(self.answer_ids))
        if not ids:
            raise ValueError("une revue porte sur au moins une réponse")
        if len(ids) > MAX_REVIEWED:
            raise ValueError(f"une revue porte sur {MAX_REVIEWED} réponses au plus ({len(ids)} ici)")
        if not self.author.strip() or len(self.author) > MAX_AUTHOR:
            raise ValueError(f"auteur : entre 1 et {MAX_AUTHOR} caractères")
        if self.note is not None and len(self.note) > MAX_NOTE:
            raise ValueError(f"note : {MAX_NOTE} caractères au plus")
        if not self.reviewed and not self.note:
            raise ValueError("une revue sans la marque « revu » porte une note")
        object.__setattr__(self, "answer_ids", ids)


@dataclass(frozen=True)
class LogQuery:
    """Which entries to read (:meth:`~assistant.questionlog.store.QuestionLog.find`); ``None``: any.

    ``since`` included, ``until`` excluded; ``plan``: one of the answer's plans; ``feedback``:
    ``oui`` (voted helpful), ``non`` (voted not helpful), ``aucun`` (no vote); ``text``: words in the
    question, accents and case ignored; ``gaps``: only where the plans fall short (coverage
    ``none`` or ``partial``, voted not helpful, or corrected by the staff); ``reviewed``: covered
    (True) or not (False) by a « revu » mark."""

    since: datetime | None = None
    until: datetime | None = None
    plan: str | None = None
    coverage: str | None = None
    intent: str | None = None
    language: str | None = None
    origin: str | None = None
    feedback: str | None = None
    text: str | None = None
    conversation_id: str | None = None
    gaps: bool = False
    reviewed: bool | None = None

    def __post_init__(self) -> None:
        if self.coverage is not None and self.coverage not in COVERAGES:
            raise ValueError(f"couverture inconnue : « {self.coverage} »")
        if self.feedback is not None and self.feedback not in FEEDBACKS:
            raise ValueError(f"avis inconnu : « {self.feedback} » (attendu : {', '.join(FEEDBACKS)})")
