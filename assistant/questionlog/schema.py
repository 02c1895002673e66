"""The question log's tables (SQLAlchemy 2, typed). They are created only by the Alembic migrations
in :mod:`assistant.questionlog.migrations`; a change here needs a new migration.

- ``answers``: one row per answer, the redacted question, what the service made of it, its lead
  as shown (redacted) and its place in its conversation;
- ``answer_refs`` / ``answer_plans``: its cited references and its plans, in order, one row each,
  so « the most cited actions » and « filter by plan » are plain joins and GROUP BYs;
- ``feedback``: at most one vote per answer (the primary key is the answer's id);
- ``daily_aggregates`` / ``ref_aggregates``: counts per day of the organisation's time zone (the
  log's ``zone``, the reference deployment's since revision 0003), without any text, kept after the
  entries they count are purged. ``daily_aggregates`` has one row per plan of an answer and one for
  all plans (``plan_id`` = :data:`ALL_PLANS`), so totals never double-count an answer that touches
  two plans. Rows written before revision 0003 count UTC days (read as the local day of the same
  date: 19 or 20 of its 24 hours in eastern North America);
- ``reviews`` / ``review_answers``: the staff's « revu » marks and notes, and the answers each
  covers (deleted with the last of them by the purge)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ALL_PLANS = "*"  # the plan_id of the all-plans rows of daily_aggregates

# Constraint names fixed by convention, so migrations can name what they alter on every database.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A UTC time stored without a zone (the same on SQLite and PostgreSQL), read back aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Answer(Base):
    __tablename__ = "answers"
    __table_args__ = (CheckConstraint("coverage IN ('complete', 'partial', 'none')", name="coverage"),)

    answer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    conversation_id: Mapped[str | None] = mapped_column(String(64), index=True)
    question: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(16))
    intent: Mapped[str] = mapped_column(String(64))
    coverage: Mapped[str] = mapped_column(String(16))
    latency_ms: Mapped[float] = mapped_column(Float)
    build_id: Mapped[str] = mapped_column(String(128))
    origin: Mapped[str | None] = mapped_column(String(255))
    hour: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    lead: Mapped[str | None] = mapped_column(Text)  # the first line shown, redacted
    turn: Mapped[int | None] = mapped_column(Integer)  # 1: the first answer of its conversation


class AnswerRef(Base):
    __tablename__ = "answer_refs"

    answer_id: Mapped[str] = mapped_column(
        ForeignKey("answers.answer_id", ondelete="CASCADE"), primary_key=True
    )
    rank: Mapped[int] = mapped_column(Integer, primary_key=True)  # 0 = first cited
    ref: Mapped[str] = mapped_column(String(255), index=True)


class AnswerPlan(Base):
    __tablename__ = "answer_plans"

    answer_id: Mapped[str] = mapped_column(
        ForeignKey("answers.answer_id", ondelete="CASCADE"), primary_key=True
    )
    rank: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[str] = mapped_column(String(128), index=True)


class FeedbackRow(Base):
    __tablename__ = "feedback"
    __table_args__ = (
        CheckConstraint(
            "reason IS NULL OR reason IN ('mauvaise_action', 'pas_clair', 'incomplet', 'autre')",
            name="reason",
        ),
    )

    # The primary key is the answer: one vote per answer, enforced by the database.
    answer_id: Mapped[str] = mapped_column(
        ForeignKey("answers.answer_id", ondelete="CASCADE"), primary_key=True
    )
    helpful: Mapped[bool]
    reason: Mapped[str | None] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(Text)
    hour: Mapped[datetime] = mapped_column(UTCDateTime())


class DailyAggregate(Base):
    __tablename__ = "daily_aggregates"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    plan_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    coverage: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    helpful: Mapped[int] = mapped_column(Integer, default=0)
    not_helpful: Mapped[int] = mapped_column(Integer, default=0)


class RefAggregate(Base):
    __tablename__ = "ref_aggregates"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    ref: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class CorrectionRow(Base):
    """A staff member's correction of how a question is answered: the actions that answer it, or
    none (« hors plan »), with who made it and when. It answers that question and its near
    paraphrases from the next answer on. Not purged with the entries: it is the City's decision,
    not a citizen's data (its question was redacted before it was logged)."""

    __tablename__ = "corrections"

    correction_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    question: Mapped[str] = mapped_column(Text)
    refs: Mapped[str] = mapped_column(Text)  # "PLAN:NUM;PLAN:NUM", empty: the plans do not answer it
    note: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(120))
    created: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    answer_id: Mapped[str | None] = mapped_column(String(64))  # the logged answer it corrects
    active: Mapped[bool] = mapped_column(default=True)


class ReviewRow(Base):
    """A staff member's « revu » mark and/or note (:class:`~assistant.questionlog.records.Review`)."""

    __tablename__ = "reviews"
    __table_args__ = (CheckConstraint("scope IN ('question', 'cluster')", name="scope"),)

    review_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    scope: Mapped[str] = mapped_column(String(16))
    reviewed: Mapped[bool]
    note: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(120))
    created: Mapped[datetime] = mapped_column(UTCDateTime())


class ReviewAnswer(Base):
    """One answer a review covers."""

    __tablename__ = "review_answers"

    review_id: Mapped[str] = mapped_column(
        ForeignKey("reviews.review_id", ondelete="CASCADE"), primary_key=True
    )
    answer_id: Mapped[str] = mapped_column(
        ForeignKey("answers.answer_id", ondelete="CASCADE"), primary_key=True, index=True
    )


TABLES = (
    "answers",
    "answer_refs",
    "answer_plans",
    "feedback",
    "daily_aggregates",
    "ref_aggregates",
    "corrections",
    "reviews",
    "review_answers",
)
