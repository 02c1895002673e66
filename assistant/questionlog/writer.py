"""Writes to the log that never slow an answer: a bounded queue drained by one background thread,
in batches of one transaction each. The thread waits a moment (``linger``) after the first item of a
batch for the next ones: one answer per transaction costs 1.7 ms of CPU on SQLite, twenty cost 0.16 ms
each (measured here), and at 60 answers/s the batches drained at once held one or two answers: with
0.2 s, the server's CPU per new question went from 27.8 to 25.0 ms (three paired runs at concurrency
8). A process killed outright loses at most that moment's answers; a stop writes them.

``submit`` never waits: when the queue is full the entry is dropped and counted. One writer thread
reading the queue in order means a vote submitted after its answer is written after it, even while
the answer is still queued. The queue holds the citizen's raw text, in memory only: the thread makes
each item :func:`~assistant.questionlog.storable.storable` (cleaned, redacted) before the store sees
it, so an answer never waits for the redaction.

A batch the database refuses is written again item by item, so that one bad item (a duplicate id, a
text the database cannot hold) is lost alone, counted ``isolated``, never its neighbours. An error
that is the database's own (unreachable, locked, corrupted, a table missing) ends that attempt, the
rest of the batch counted ``failed`` (not one wait per item on a database that is down), and marks
the log failing until a write succeeds again (:attr:`LogWriter.failing`, what ``/readyz``
reports). Errors are logged by kind, never with a text."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Sequence
from typing import Protocol

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from assistant.questionlog.records import BatchResult, Feedback, LogEntry
from assistant.questionlog.storable import Item, storable

log = logging.getLogger(__name__)


class BatchStore(Protocol):
    """What the writer needs of a store (:class:`~assistant.questionlog.store.QuestionLog`)."""

    def write_batch(self, items: Sequence[Item]) -> BatchResult: ...


class _Stop:
    """The sentinel that ends the writer thread."""


def _kind(e: BaseException) -> str:
    """An error by its kind only: a database error's text quotes the statement's parameters, that
    is the question."""
    cause = getattr(e, "orig", None)
    return type(e).__name__ + (f" ({type(cause).__name__})" if cause is not None else "")


def _database_failing(e: BaseException) -> bool:
    """Whether ``e`` is the database's own failure, that every item would meet (unreachable,
    locked, corrupted, a table missing), rather than one item's (a duplicate id, a value refused)."""
    if isinstance(e, (DataError, IntegrityError)):
        return False
    return isinstance(e, (DBAPIError, PoolTimeout, OSError))


class LogWriter:
    """Queue entries and votes for ``store``; at most ``capacity`` waiting, written ``batch`` at a time,
    a batch written at most ``linger`` seconds after its first item arrived (sooner when full).

    Counters (thread-safe reads): ``written`` (stored), ``dropped`` (refused because the queue was
    full or the writer closed), ``failed`` (lost to an error), ``isolated`` (of those, lost alone: the
    rest of their batch was written), ``rejected`` (votes the store refused: unknown answer, or a
    second vote); :attr:`failing` says whether the database itself is failing."""

    def __init__(self, store: BatchStore, capacity: int = 1000, batch: int = 100, linger: float = 0.2):
        if capacity < 1 or batch < 1:
            raise ValueError("capacité et taille de lot doivent être positives")
        if linger < 0:
            raise ValueError(f"le délai d'un lot doit être positif ou nul, reçu {linger}")
        self.store = store
        self.capacity = capacity
        self.batch = batch
        self.linger = linger
        self._queue: queue.Queue[Item | _Stop] = queue.Queue(maxsize=capacity)
        self._state = threading.Condition()
        self._accepted = 0  # items put in the queue
        self._done = 0  # items taken out and handled (written, failed or rejected)
        self._closed = False
        self._written = self._dropped = self._failed = self._isolated = self._rejected = 0
        self._failing: str | None = None
        self._thread = threading.Thread(target=self._run, name="question-log-writer", daemon=True)
        self._thread.start()

    # Counters

    @property
    def written(self) -> int:
        return self._written

    @property
    def dropped(self) -> int:
        return self._dropped

    @property
    def failed(self) -> int:
        return self._failed

    @property
    def isolated(self) -> int:
        return self._isolated

    @property
    def rejected(self) -> int:
        return self._rejected

    @property
    def failing(self) -> str | None:
        """The kind of the database's error when its last write attempt failed (None once a write
        succeeds again): the log is losing what it is given."""
        return self._failing

    @property
    def pending(self) -> int:
        """Items accepted but not yet handled."""
        with self._state:
            return self._accepted - self._done

    # Submitting (any thread; never blocks on the database)

    def submit(self, entry: LogEntry) -> bool:
        """Queue an entry; ``False`` (and one more ``dropped``) when the queue is full or closed."""
        return self._offer(entry)

    def submit_feedback(self, feedback: Feedback) -> bool:
        """Queue a vote, behind everything already queued (its answer included)."""
        return self._offer(feedback)

    def _offer(self, item: Item) -> bool:
        with self._state:
            if not self._closed:
                try:
                    self._queue.put_nowait(item)
                except queue.Full:
                    pass
                else:
                    self._accepted += 1
                    return True
            self._dropped += 1
            return False

    # Waiting

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until everything accepted so far is handled; ``False`` if ``timeout`` (seconds) ran out."""
        with self._state:
            target = self._accepted
            return self._state.wait_for(lambda: self._done >= target, timeout)

    def close(self, timeout: float | None = 30.0) -> bool:
        """Refuse new items, write what is queued and stop the thread; ``False`` if it did not finish
        within ``timeout`` seconds (what is left is lost with the process)."""
        end = None if timeout is None else time.monotonic() + timeout
        with self._state:
            self._closed = True  # from here nothing enters the queue: the sentinel comes last
        if self._thread.is_alive():
            try:  # a batch waiting for more is written at once
                self._queue.put(_Stop(), timeout=self._left(end))
            except queue.Full:
                return False
        flushed = self.flush(self._left(end))
        self._thread.join(self._left(end))
        return flushed and not self._thread.is_alive()

    @staticmethod
    def _left(end: float | None) -> float | None:
        return None if end is None else max(0.0, end - time.monotonic())

    def __enter__(self) -> LogWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # The writer thread

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if isinstance(first, _Stop):
                return
            items: list[Item] = [first]
            stop = False
            end = time.monotonic() + self.linger
            while len(items) < self.batch:
                try:
                    item = self._queue.get(timeout=max(0.0, end - time.monotonic()))
                except queue.Empty:
                    break
                if isinstance(item, _Stop):
                    stop = True
                    break
                items.append(item)
            self._write(items)
            if stop:
                return

    def _write(self, queued: list[Item]) -> None:
        items: list[Item] = []
        isolated = 0
        for item in queued:
            try:
                items.append(storable(item))
            except Exception as e:  # never stored raw: lost alone
                isolated += 1
                log.warning(
                    "journal des questions : un élément impossible à nettoyer, perdu seul (%s)", _kind(e)
                )
            # The interpreter lock handed over between two redactions: an answer being computed waits
            # for one at most, not for a whole batch (with a redaction of 2 ms of CPU, one answer
            # every 10 ms: p99 of record() 0.3–2.6 ms against 0.3–9.5 ms without, 4 runs each).
            time.sleep(0)
        written = rejected = lost = 0
        failing: str | None = None
        if items:
            try:
                result = self.store.write_batch(items)
                written, rejected = result.written, result.rejected
            except Exception as e:
                log.warning(
                    "journal des questions : lot de %d élément(s) refusé (%s), réécrit élément par élément",
                    len(items),
                    _kind(e),
                )
                written, rejected, alone, lost, failing = self._one_by_one(items)
                isolated += alone
        if rejected:
            log.info("journal des questions : %d avis refusé(s) (réponse inconnue ou déjà notée)", rejected)
        # Only this thread changes ``_failing``; logged before the counters move (a flush returns
        # with the line written), outside the lock that ``submit`` takes.
        was = self._failing
        now = failing if failing is not None else (None if written or rejected else was)
        if now is not None and was is None:
            log.error(
                "journal des questions en panne (%s) : les réponses continuent, les entrées sont perdues "
                "jusqu'au retour de la base",
                now,
            )
        elif was is not None and now is None:
            log.warning("journal des questions rétabli : les écritures reprennent")
        with self._state:
            self._failing = now
            self._written += written
            self._rejected += rejected
            self._isolated += isolated
            self._failed += isolated + lost
            self._done += len(queued)
            self._state.notify_all()

    def _one_by_one(self, items: list[Item]) -> tuple[int, int, int, int, str | None]:
        """Write ``items`` one per transaction, so that a bad one is lost alone: written, rejected,
        isolated (lost alone), lost to the database's own failure (which ends the attempt), and
        that failure's kind."""
        written = rejected = isolated = 0
        for i, item in enumerate(items):
            try:
                result = self.store.write_batch([item])
            except Exception as e:
                if _database_failing(e):
                    log.warning(
                        "journal des questions : %d élément(s) perdu(s), erreur de la base %s",
                        len(items) - i,
                        _kind(e),
                    )
                    return written, rejected, isolated, len(items) - i, _kind(e)
                isolated += 1
                log.warning(
                    "journal des questions : un élément refusé par la base (%s), perdu seul", _kind(e)
                )
            else:
                written += result.written
                rejected += result.rejected
        return written, rejected, isolated, 0, None
