"""Retention: entries older than the retention period (90 days by default) are deleted, at start-up
and then every day; the aggregates, which hold no text, stay."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol

log = logging.getLogger(__name__)

RETENTION_DAYS = 90
DAY = 24 * 3600.0


class Purgeable(Protocol):
    def purge(self, older_than: datetime) -> int: ...


def purge_expired(store: Purgeable, days: int = RETENTION_DAYS, now: datetime | None = None) -> int:
    """Delete the entries older than ``days`` days before ``now``; how many."""
    if days < 1:
        raise ValueError(f"durée de conservation invalide : {days} jour(s) (au moins 1)")
    now = datetime.now(UTC) if now is None else now
    return store.purge(now - timedelta(days=days))


class RetentionScheduler:
    """A daemon thread that purges at start and then every ``interval`` seconds (a day) until
    :meth:`stop`. A failed purge is logged and retried at the next turn."""

    def __init__(self, store: Purgeable, days: int = RETENTION_DAYS, interval: float = DAY):
        self.store = store
        self.days = days
        self.interval = interval
        self.runs = 0  # purges done
        self.deleted = 0  # entries deleted in all
        self.errors = 0
        self.last_error: str | None = None  # the kind of the last purge's error; None once one succeeds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> RetentionScheduler:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="question-log-retention", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float | None = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def __enter__(self) -> RetentionScheduler:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                n = purge_expired(self.store, self.days)
            except Exception as e:
                self.errors += 1
                self.last_error = type(e).__name__
                log.warning(
                    "journal des questions : purge impossible (%s), nouvel essai plus tard", type(e).__name__
                )
            else:
                self.runs += 1
                self.last_error = None
                self.deleted += n
                if n:
                    log.info(
                        "journal des questions : %d entrée(s) de plus de %d jours supprimée(s)", n, self.days
                    )
            if self._stop.wait(self.interval):
                return
