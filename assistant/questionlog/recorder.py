"""What the service calls to log an answer or a vote: queued as it is, in memory, for the background
writer, which cleans and redacts it before the store sees it (an answer never waits for the
redaction nor for the database).

The only texts that leave memory are the question, the answer's lead (the first line the citizen
read, which can quote the question) and the vote's comment, all cleaned and passed through
:func:`assistant.privacy.redact` (:mod:`assistant.questionlog.storable`); everything else is
what the service made of the question (language, intent, coverage, cited references), the build, the
host page's origin (scheme, host and port: never a path) and the hour."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import urlsplit

from assistant.questionlog.records import Feedback, LogEntry, new_answer_id
from assistant.questionlog.retention import RETENTION_DAYS, RetentionScheduler
from assistant.questionlog.store import QuestionLog
from assistant.questionlog.writer import LogWriter

log = logging.getLogger(__name__)


def page_origin(origin: str | None) -> str | None:
    """The origin of a host page (``https://www.exemple-ville.ca``), or None when it is not one:
    no path, query or credentials kept."""
    if not origin:
        return None
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname if port is None else f"{parts.hostname}:{port}"
    return f"{parts.scheme}://{host}"[:200]


class QuestionRecorder:
    """The question log as the service uses it: :meth:`record` an answer (its id back), take a
    :meth:`vote`; retention runs in the background; :meth:`close` flushes the queue."""

    def __init__(self, store: QuestionLog, capacity: int = 1000, retention_days: int = RETENTION_DAYS):
        self.store = store
        self.writer = LogWriter(store, capacity=capacity)
        self.retention = RetentionScheduler(store, days=retention_days)

    def start(self) -> None:
        """Purge what is past the retention period now, then every day."""
        self.retention.start()

    def record(
        self,
        *,
        question: str,
        language: str,
        intent: str,
        coverage: str,
        refs: Iterable[str],
        latency_ms: float,
        build_id: str,
        origin: str | None,
        conversation_id: str | None,
        lead: str | None = None,
    ) -> str:
        """Queue one answer (its question and lead redacted in the writer's thread); the answer's id,
        for a vote."""
        answer_id = new_answer_id()
        refs = tuple(refs)
        entry = LogEntry(
            answer_id=answer_id,
            conversation_id=conversation_id,
            question=question,
            language=language,
            intent=intent,
            coverage=coverage,
            refs=refs,
            plan_ids=tuple(sorted({r.split(":", 1)[0] for r in refs})),
            latency_ms=round(latency_ms, 1),
            build_id=build_id,
            origin=page_origin(origin),
            lead=lead or None,
        )
        self.writer.submit(entry)
        return answer_id

    def vote(self, answer_id: str, helpful: bool, reason: str | None, comment: str | None) -> bool:
        """Queue a vote (its comment redacted in the writer's thread); False when the queue is full
        (counted as dropped)."""
        return self.writer.submit_feedback(Feedback(answer_id, helpful, reason, comment))

    def counters(self) -> dict[str, int]:
        w = self.writer
        return {
            "written": w.written,
            "dropped": w.dropped,
            "failed": w.failed,
            "isolated": w.isolated,
            "rejected": w.rejected,
            "pending": w.pending,
        }

    def failing(self) -> str | None:
        """What is wrong with the log's database (its last write, or its last purge, failed), in
        French; None when it works."""
        if self.writer.failing is not None:
            return f"les dernières écritures du journal ont échoué ({self.writer.failing})"
        if self.retention.last_error is not None:
            return f"la dernière purge du journal a échoué ({self.retention.last_error})"
        return None

    def close(self, timeout: float = 30.0) -> None:
        """Stop the retention thread, write what is queued, close the database."""
        self.retention.stop()
        if not self.writer.close(timeout):
            log.warning("journal des questions : %d entrées non écrites à l'arrêt", self.writer.pending)
        self.store.close()
