"""The private question log's storage: what was asked (redacted), how the service answered, and the
citizens' votes; in SQLite by default or PostgreSQL, written by a background queue that never slows
an answer, purged after the retention period.

A raw question stays in memory, in the queue: the writer's thread cleans and redacts every item
(:mod:`assistant.questionlog.storable`) before the store sees it."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.questionlog.migrations import head, upgrade
    from assistant.questionlog.records import (
        COVERAGES,
        MAX_COMMENT,
        REASONS,
        BatchResult,
        CoverageDay,
        DayCount,
        Feedback,
        Gap,
        LogEntry,
        LoggedAnswer,
        LogQuery,
        NegativeFeedback,
        Rates,
        RefCount,
        Review,
        hour_of,
        local_day,
        new_answer_id,
    )
    from assistant.questionlog.retention import RETENTION_DAYS, RetentionScheduler, purge_expired
    from assistant.questionlog.store import (
        AlreadyVoted,
        QuestionLog,
        QuestionLogError,
        UnknownAnswer,
        default_url,
        make_engine,
    )
    from assistant.questionlog.writer import LogWriter

# Loaded on first use: `plan-assistant --help` does not import SQLAlchemy and Alembic.
_HOMES = {
    "head": "assistant.questionlog.migrations",
    "upgrade": "assistant.questionlog.migrations",
    "COVERAGES": "assistant.questionlog.records",
    "MAX_COMMENT": "assistant.questionlog.records",
    "REASONS": "assistant.questionlog.records",
    "BatchResult": "assistant.questionlog.records",
    "CoverageDay": "assistant.questionlog.records",
    "DayCount": "assistant.questionlog.records",
    "Feedback": "assistant.questionlog.records",
    "Gap": "assistant.questionlog.records",
    "LogEntry": "assistant.questionlog.records",
    "LoggedAnswer": "assistant.questionlog.records",
    "LogQuery": "assistant.questionlog.records",
    "NegativeFeedback": "assistant.questionlog.records",
    "Rates": "assistant.questionlog.records",
    "RefCount": "assistant.questionlog.records",
    "Review": "assistant.questionlog.records",
    "hour_of": "assistant.questionlog.records",
    "local_day": "assistant.questionlog.records",
    "new_answer_id": "assistant.questionlog.records",
    "RETENTION_DAYS": "assistant.questionlog.retention",
    "RetentionScheduler": "assistant.questionlog.retention",
    "purge_expired": "assistant.questionlog.retention",
    "AlreadyVoted": "assistant.questionlog.store",
    "QuestionLog": "assistant.questionlog.store",
    "QuestionLogError": "assistant.questionlog.store",
    "UnknownAnswer": "assistant.questionlog.store",
    "default_url": "assistant.questionlog.store",
    "make_engine": "assistant.questionlog.store",
    "LogWriter": "assistant.questionlog.writer",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)


__all__ = [
    "COVERAGES",
    "MAX_COMMENT",
    "REASONS",
    "RETENTION_DAYS",
    "AlreadyVoted",
    "BatchResult",
    "CoverageDay",
    "DayCount",
    "Feedback",
    "Gap",
    "LogEntry",
    "LogQuery",
    "LogWriter",
    "LoggedAnswer",
    "NegativeFeedback",
    "QuestionLog",
    "QuestionLogError",
    "Rates",
    "RefCount",
    "RetentionScheduler",
    "Review",
    "UnknownAnswer",
    "default_url",
    "head",
    "hour_of",
    "local_day",
    "make_engine",
    "new_answer_id",
    "purge_expired",
    "upgrade",
]
