"""What a queued entry or vote becomes before the store sees it: every free text cleaned by
:func:`assistant.normalize.clean_text`, then the question, the answer's lead (it can quote the
question) and the comment redacted.

This runs in the writer's thread, not in the request: the queue holds the citizen's text in memory
only, and an answer never waits for the redaction (however slow its name model)."""

from __future__ import annotations

import dataclasses
from typing import overload

from assistant.normalize import clean_text
from assistant.privacy import redact
from assistant.questionlog.records import MAX_COMMENT, MAX_LEAD, Feedback, LogEntry

Item = LogEntry | Feedback


def _text(value: str | None) -> str | None:
    """``value`` cleaned; None when nothing is left of it."""
    return (clean_text(value) or None) if value else None


@overload
def storable(item: LogEntry) -> LogEntry: ...
@overload
def storable(item: Feedback) -> Feedback: ...
@overload
def storable(item: Item) -> Item: ...
def storable(item: Item) -> Item:
    """``item`` as it may be stored: its texts cleaned, its question, lead or comment redacted."""
    if isinstance(item, LogEntry):
        lead = _text(item.lead)
        return dataclasses.replace(
            item,
            question=redact(clean_text(item.question)).text,
            lead=redact(lead).text[:MAX_LEAD] if lead else None,
            conversation_id=_text(item.conversation_id),
            origin=_text(item.origin),
        )
    comment = _text(item.comment)
    return dataclasses.replace(
        item,
        reason=_text(item.reason),
        comment=redact(comment).text[:MAX_COMMENT] if comment else None,
    )
