"""The private question log's storage: the same contract on SQLite (a file in tmp_path) and on a
real PostgreSQL (Debian's, started on 127.0.0.1 for this module); the background writer; the
retention; the migrations."""

from __future__ import annotations

import dataclasses
import logging
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import typer
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

import assistant.questionlog.storable as storable_module
from assistant.questionlog import (
    AlreadyVoted,
    BatchResult,
    CoverageDay,
    DayCount,
    Feedback,
    Gap,
    LogEntry,
    LoggedAnswer,
    LogWriter,
    NegativeFeedback,
    QuestionLog,
    Rates,
    RefCount,
    RetentionScheduler,
    UnknownAnswer,
    default_url,
    head,
    hour_of,
    purge_expired,
    upgrade,
)
from assistant.questionlog.cli import register
from assistant.questionlog.recorder import QuestionRecorder
from assistant.questionlog.records import Correction, LogQuery, Review
from assistant.questionlog.schema import TABLES, Base, FeedbackRow
from assistant.questionlog.store import PURGED_TABLES
from evals.deployment import Postgres

#: The reference deployment's time zone (corpus/plans/organisation.yaml): days in it are not UTC's.
QUEBEC = ZoneInfo("America/Montreal")
CITY = "quebec-ds-2025-2030"
SS = "saint-sacrement-2024-2026"
NOW = datetime(2025, 6, 15, 14, 37, tzinfo=UTC)
DAY1 = datetime(2025, 6, 10, 9, tzinfo=UTC)
DAY2 = datetime(2025, 6, 11, 16, tzinfo=UTC)
DAY3 = datetime(2025, 6, 12, 23, tzinfo=UTC)

_ids = iter(range(10**9))


def entry(
    question: str = "Qui s'occupe de l'action 37?",
    *,
    hour: datetime = DAY1,
    coverage: str = "complete",
    refs: tuple[str, ...] = (f"{CITY}:37",),
    plans: tuple[str, ...] | None = None,
    answer_id: str | None = None,
) -> LogEntry:
    return LogEntry(
        answer_id=answer_id or f"a{next(_ids):031d}",
        conversation_id="c" * 32,
        question=question,
        language="fr",
        intent="lookup",
        coverage=coverage,
        refs=refs,
        plan_ids=plans if plans is not None else tuple(dict.fromkeys(r.split(":")[0] for r in refs)),
        latency_ms=42.5,
        build_id="build-1",
        origin="https://www.ville.quebec.qc.ca",
        hour=hour,
    )


@pytest.fixture(scope="module")
def postgres_server() -> Iterator[Postgres]:
    with Postgres() as server:
        yield server


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return default_url(tmp_path / "data")
    server: Postgres = request.getfixturevalue("postgres_server")
    return server.emptied()


@pytest.fixture
def store(url: str) -> Iterator[QuestionLog]:
    log = QuestionLog(url, zone=QUEBEC)
    yield log
    log.close()


class Gate:
    """A store whose writes wait until the test opens the gate (and say when one is waiting)."""

    def __init__(self, store: QuestionLog):
        self.store = store
        self.entered = threading.Event()
        self.open = threading.Event()

    def write_batch(self, items: Sequence[LogEntry | Feedback]) -> BatchResult:
        self.entered.set()
        assert self.open.wait(30), "the test never opened the gate"
        return self.store.write_batch(items)


class TestQuestionLogContract:
    """Run on SQLite and on PostgreSQL."""

    def test_migrations_create_the_tables_and_are_idempotent(self, url: str, store: QuestionLog) -> None:
        names = set(inspect(store.engine).get_table_names())
        assert names == {*TABLES, "questionlog_version"}
        upgrade(url)
        upgrade(store.engine)
        with store.engine.connect() as conn:
            assert conn.scalar(text("SELECT version_num FROM questionlog_version")) == head() == "0003"
            assert conn.scalar(text("SELECT count(*) FROM questionlog_version")) == 1
            # The migration builds exactly what the models declare.
            context = MigrationContext.configure(conn, opts={"version_table": "questionlog_version"})
            assert compare_metadata(context, Base.metadata) == []
        # By design nothing that identifies a person has a column.
        columns = {c["name"] for c in inspect(store.engine).get_columns("answers")}
        assert columns == {
            "answer_id", "conversation_id", "question", "language", "intent", "coverage", "latency_ms",
            "build_id", "origin", "hour", "lead", "turn",
        }  # fmt: skip

    def test_corrections_are_recorded_replaced_and_retired(self, store: QuestionLog) -> None:
        logged = entry("Y a-tu de l'aide pour l'épicerie?", refs=(f"{CITY}:24",))
        store.write_entries([logged])
        assert store.answer(logged.answer_id) == LoggedAnswer(logged, None)
        assert store.answer("inconnue") is None
        before = store.corrections_version()
        first = Correction(
            logged.question, (f"{CITY}:23",), "M. T.", "la 24 est l'aide alimentaire", logged.answer_id
        )
        store.add_correction(first)
        assert store.corrections() == [first] and store.corrections_version() != before
        # A new correction of the same question replaces the one in force.
        second = Correction(logged.question, (f"{CITY}:23", f"{CITY}:24"), "J. L.")
        store.add_correction(second)
        assert [c.correction_id for c in store.corrections()] == [second.correction_id]
        assert len(store.corrections(active_only=False)) == 2
        hors = Correction("Quand passe la déneigeuse?", (), "J. L.")
        store.add_correction(hors)
        assert store.corrections()[-1].hors_plan
        assert store.retire_correction(second.correction_id) and not store.retire_correction("inconnue")
        assert [c.question for c in store.corrections()] == ["Quand passe la déneigeuse?"]
        # Corrections outlive the purge of the entries they came from.
        store.purge(NOW + timedelta(days=400))
        assert store.answer(logged.answer_id) is None and len(store.corrections()) == 1

    def test_entries_and_feedback_read_back(self, store: QuestionLog) -> None:
        first = entry(refs=(f"{CITY}:37", f"{CITY}:12", f"{SS}:3"), hour=DAY1.replace(minute=42))
        second = entry("Et pour les aînés?", hour=DAY2, coverage="partial", refs=(), plans=(SS,))
        assert store.write_entries([first, second]) == 2
        vote = Feedback(first.answer_id, False, "incomplet", "Il manque le budget.", hour=DAY2)
        store.write_feedback(vote)

        assert first.hour == DAY1  # rounded down to the hour
        assert list(store.entries()) == [LoggedAnswer(first, vote), LoggedAnswer(second, None)]
        read = next(store.entries())
        assert read.entry.refs == (f"{CITY}:37", f"{CITY}:12", f"{SS}:3")
        assert read.entry.plan_ids == (CITY, SS)
        assert read.entry.hour.tzinfo is not None and read.entry.hour.utcoffset() == timedelta(0)
        assert store.negative_feedback() == [
            NegativeFeedback(
                answer_id=first.answer_id,
                hour=DAY1,
                question="Qui s'occupe de l'action 37?",
                coverage="complete",
                refs=(f"{CITY}:37", f"{CITY}:12", f"{SS}:3"),
                reason="incomplet",
                comment="Il manque le budget.",
            )
        ]

    def test_one_vote_per_answer(self, store: QuestionLog) -> None:
        e = entry()
        store.write_entries([e])
        store.write_feedback(Feedback(e.answer_id, True, hour=DAY1))
        with pytest.raises(AlreadyVoted, match="déjà"):
            store.write_feedback(Feedback(e.answer_id, False, "autre", hour=DAY1))
        with store.engine.connect() as conn:
            assert conn.execute(
                select(FeedbackRow.helpful, func.count()).group_by(FeedbackRow.helpful)
            ).all() == [(True, 1)]
        assert store.rates() == Rates(answers=1, feedback=1, helpful=1)

    def test_unknown_answer(self, store: QuestionLog) -> None:
        with pytest.raises(UnknownAnswer, match="inconnue") as caught:
            store.write_feedback(Feedback("0" * 32, False, hour=DAY1))
        assert caught.value.answer_id == "0" * 32
        assert store.rates() == Rates(answers=0, feedback=0, helpful=0)
        assert list(store.entries()) == []

    def test_a_refused_vote_does_not_undo_its_batch(self, store: QuestionLog) -> None:
        a, b = entry(), entry()
        result = store.write_batch(
            [a, Feedback(a.answer_id, True), Feedback(a.answer_id, False), Feedback("f" * 32, True), b]
        )
        assert result == BatchResult(written=3, rejected=2)
        assert store.count_entries() == 2
        assert store.rates().feedback == 1

    def test_purge_deletes_old_entries_and_keeps_aggregates(self, store: QuestionLog) -> None:
        old = entry("Ancienne question", hour=NOW - timedelta(days=100), refs=(f"{CITY}:5",))
        recent = entry("Question récente", hour=NOW - timedelta(days=10), refs=(f"{CITY}:5",))
        store.write_entries([old, recent])
        store.write_feedback(Feedback(old.answer_id, False, "pas_clair", "Texte", hour=old.hour))

        assert purge_expired(store, days=90, now=NOW) == 1
        assert purge_expired(store, days=90, now=NOW) == 0
        assert [x.entry.answer_id for x in store.entries()] == [recent.answer_id]
        assert store.negative_feedback() == []
        with store.engine.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM feedback")) == 0
            assert conn.scalar(text("SELECT count(*) FROM answer_refs")) == 1
            assert conn.scalar(text("SELECT count(*) FROM answer_plans")) == 1
        # The counts outlive the text.
        assert store.per_day() == [DayCount(date(2025, 3, 7), 1), DayCount(date(2025, 6, 5), 1)]
        assert store.top_refs() == [RefCount(f"{CITY}:5", 2)]
        assert store.rates() == Rates(answers=2, feedback=1, helpful=0)

    def test_filters_by_period_and_plan(self, store: QuestionLog) -> None:
        store.write_entries(
            [
                entry("q1", hour=DAY1, refs=(f"{CITY}:37", f"{SS}:3")),  # both plans
                entry("q2", hour=DAY1, refs=(f"{CITY}:37",)),
                entry("q3", hour=DAY2, refs=(f"{SS}:3",), coverage="partial"),
                entry("q4", hour=DAY2, refs=(), plans=(), coverage="none"),
                entry("q5", hour=DAY3, refs=(f"{CITY}:12",)),
            ]
        )
        assert store.per_day() == [
            DayCount(date(2025, 6, 10), 2),
            DayCount(date(2025, 6, 11), 2),
            DayCount(date(2025, 6, 12), 1),
        ]
        assert store.per_day(plan=CITY) == [DayCount(date(2025, 6, 10), 2), DayCount(date(2025, 6, 12), 1)]
        assert store.per_day(plan=SS) == [DayCount(date(2025, 6, 10), 1), DayCount(date(2025, 6, 11), 1)]
        # Aggregates count whole Québec days; entries their hours, ``until`` excluded.
        june11 = datetime(2025, 6, 11, tzinfo=QUEBEC)
        assert store.per_day(since=june11) == [DayCount(date(2025, 6, 11), 2), DayCount(date(2025, 6, 12), 1)]
        assert store.per_day(until=june11) == [DayCount(date(2025, 6, 10), 2)]
        assert store.questions(since=june11) == ["q3", "q4", "q5"]
        assert store.questions(since=DAY1, until=DAY2) == ["q1", "q2"]
        assert store.questions(plan=SS) == ["q1", "q3"]
        assert store.questions(plan=CITY, since=june11) == ["q5"]
        assert store.questions(coverage="none") == ["q4"]
        assert store.count_entries(plan=CITY) == 3
        assert store.top_refs() == [
            RefCount(f"{CITY}:37", 2),
            RefCount(f"{SS}:3", 2),
            RefCount(f"{CITY}:12", 1),
        ]
        assert store.top_refs(plan=SS) == [RefCount(f"{SS}:3", 2)]
        assert store.top_refs(since=june11, limit=1) == [RefCount(f"{CITY}:12", 1)]
        assert store.coverage_over_time() == [
            CoverageDay(date(2025, 6, 10), complete=2, partial=0, none=0),
            CoverageDay(date(2025, 6, 11), complete=0, partial=1, none=1),
            CoverageDay(date(2025, 6, 12), complete=1, partial=0, none=0),
        ]
        assert store.coverage_over_time(plan=SS) == [
            CoverageDay(date(2025, 6, 10), 1, 0, 0),
            CoverageDay(date(2025, 6, 11), 0, 1, 0),
        ]
        # A time in another zone is the same instant.
        eastern = timezone(timedelta(hours=-4))
        assert store.questions(since=datetime(2025, 6, 11, 12, tzinfo=eastern)) == ["q3", "q4", "q5"]
        assert store.questions(since=datetime(2025, 6, 11, 12, 30, tzinfo=eastern)) == ["q5"]
        assert [x.entry.question for x in store.entries(plan=SS, until=DAY2)] == ["q1"]

    def test_rates_with_known_numbers(self, store: QuestionLog) -> None:
        entries = [entry(f"q{i}", hour=DAY1 if i < 6 else DAY2, refs=(f"{CITY}:{i}",)) for i in range(10)]
        entries[0] = dataclasses.replace(entries[0], plan_ids=(CITY, SS))
        store.write_entries(entries)
        for e, helpful in zip(entries[:4], (True, True, True, False), strict=True):
            store.write_feedback(Feedback(e.answer_id, helpful, None if helpful else "mauvaise_action"))
        rates = store.rates()
        assert rates == Rates(answers=10, feedback=4, helpful=3)
        assert (rates.feedback_rate, rates.helpful_rate, rates.not_helpful) == (0.4, 0.75, 1)
        assert store.rates(plan=SS) == Rates(answers=1, feedback=1, helpful=1)
        assert store.rates(since=DAY2) == Rates(answers=4, feedback=0, helpful=0)
        empty = store.rates(since=NOW)
        assert (empty.feedback_rate, empty.helpful_rate) == (None, None)

    def test_gaps_group_identical_questions_most_recent_first(self, store: QuestionLog) -> None:
        store.write_entries(
            [
                entry("Où déposer mes encombrants?", hour=DAY1, coverage="none", refs=()),
                entry("Où déposer mes encombrants?", hour=DAY3, coverage="none", refs=()),
                entry("Horaire de la piscine [adresse]?", hour=DAY2, coverage="none", refs=()),
                entry("Où déposer mes encombrants?", hour=DAY2, coverage="none", refs=()),
                entry("Qui s'occupe de l'action 37?", hour=DAY3, coverage="complete"),
            ]
        )
        assert store.gaps() == [
            Gap("Où déposer mes encombrants?", 3, DAY3),
            Gap("Horaire de la piscine [adresse]?", 1, DAY2),
        ]
        assert store.gaps(until=DAY3) == [  # as recent: the most asked first
            Gap("Où déposer mes encombrants?", 2, DAY2),
            Gap("Horaire de la piscine [adresse]?", 1, DAY2),
        ]
        assert store.gaps(limit=1) == [Gap("Où déposer mes encombrants?", 3, DAY3)]

    def test_export_reads_in_chunks(self, store: QuestionLog) -> None:
        same_hour = [entry(f"q{i}", hour=DAY1) for i in range(7)]
        store.write_entries([*same_hour, entry("later", hour=DAY2)])
        got = [x.entry.question for x in store.entries(chunk=3)]
        assert got == [*(e.question for e in sorted(same_hour, key=lambda e: e.answer_id)), "later"]

    def test_writer_from_eight_threads_loses_nothing(self, store: QuestionLog) -> None:
        writer = LogWriter(store, capacity=4000, batch=100)
        accepted: list[int] = []

        def work(thread: int) -> None:
            accepted.append(
                sum(writer.submit(entry(f"t{thread} q{i}", refs=(f"{CITY}:{i % 7}",))) for i in range(500))
            )

        threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert writer.flush(timeout=120)
        assert accepted == [500] * 8
        assert (writer.written, writer.dropped, writer.failed, writer.pending) == (4000, 0, 0, 0)
        assert store.count_entries() == 4000
        assert store.rates().answers == 4000
        assert sum(r.count for r in store.top_refs()) == 4000
        assert writer.close()

    def test_full_queue_drops_and_counts_without_waiting(self, store: QuestionLog) -> None:
        gate = Gate(store)
        writer = LogWriter(gate, capacity=5, batch=100)
        assert writer.submit(entry("q0"))
        assert gate.entered.wait(30)  # the writer holds q0 and waits on the database
        results: list[bool] = []
        submitter = threading.Thread(
            target=lambda: results.extend(writer.submit(entry(f"q{i}")) for i in range(1, 16))
        )
        submitter.start()
        submitter.join(30)  # a guard against a hang, not a measure: the store is still blocked
        assert not submitter.is_alive()
        assert not gate.open.is_set()
        assert results == [True] * 5 + [False] * 10
        assert (writer.written, writer.dropped, writer.pending) == (0, 10, 6)
        gate.open.set()
        assert writer.close()
        assert (writer.written, writer.dropped, writer.failed) == (6, 10, 0)
        assert store.questions() == [f"q{i}" for i in range(6)]

    def test_feedback_for_an_answer_still_queued(self, store: QuestionLog) -> None:
        gate = Gate(store)
        writer = LogWriter(gate, capacity=100, batch=100)
        a, b = entry("a"), entry("b")
        writer.submit(a)
        assert gate.entered.wait(30)
        assert writer.submit(b)
        assert writer.submit_feedback(Feedback(b.answer_id, False, "pas_clair"))
        assert writer.submit_feedback(Feedback(a.answer_id, True))
        assert writer.submit_feedback(Feedback(a.answer_id, False))  # a second vote
        gate.open.set()
        assert writer.flush(30)
        assert (writer.written, writer.rejected, writer.failed) == (4, 1, 0)
        assert [x.question for x in store.negative_feedback()] == ["b"]
        assert store.rates() == Rates(answers=2, feedback=2, helpful=1)
        writer.close()

    def test_answers_arriving_one_by_one_are_written_together(self, store: QuestionLog) -> None:
        sizes: list[int] = []

        class Counting:
            def write_batch(self, items: Sequence[LogEntry | Feedback]) -> BatchResult:
                sizes.append(len(items))
                return store.write_batch(items)

        writer = LogWriter(Counting(), batch=5, linger=5.0)
        for i in range(12):  # as a loaded server hands them over: one at a time, a little apart
            assert writer.submit(entry(f"q{i}"))
            time.sleep(0.005)
        assert writer.close(30)
        # Full batches leave at once; the last two, when the writer closes, not after its linger.
        assert sizes == [5, 5, 2]
        assert store.questions() == [f"q{i}" for i in range(12)]

    def test_close_flushes_everything(self, store: QuestionLog) -> None:
        writer = LogWriter(store, capacity=1000, batch=100)
        for i in range(250):
            assert writer.submit(entry(f"q{i}"))
        assert writer.close(timeout=60)
        assert (writer.written, writer.pending) == (250, 0)
        assert store.count_entries() == 250
        assert not writer.submit(entry("too late"))
        assert writer.dropped == 1

    def test_failing_batch_is_counted_and_the_writer_goes_on(
        self, store: QuestionLog, caplog: pytest.LogCaptureFixture
    ) -> None:
        writer = LogWriter(store)
        first = entry("Mon voisin au 12 [adresse] fait du bruit")
        writer.submit(first)
        assert writer.flush(30)
        with caplog.at_level(logging.WARNING, logger="assistant.questionlog.writer"):
            writer.submit(first)  # the same answer id twice: the database refuses the batch
            assert writer.flush(30)
        assert (writer.written, writer.failed) == (1, 1)
        assert "IntegrityError" in caplog.text
        assert "voisin" not in caplog.text and first.answer_id not in caplog.text
        with pytest.raises(IntegrityError) as caught:
            store.write_entries([first])
        assert "voisin" not in str(caught.value)  # errors never quote the parameters
        writer.submit(entry("Et ensuite?"))
        assert writer.close(30)
        assert (writer.written, writer.failed, writer.dropped) == (2, 1, 0)
        assert store.questions() == ["Mon voisin au 12 [adresse] fait du bruit", "Et ensuite?"]

    def test_a_bad_item_is_lost_alone(self, store: QuestionLog, caplog: pytest.LogCaptureFixture) -> None:
        """One item the database refuses (here an answer id already logged) in the middle of a batch:
        the batch is written again item by item, the bad one lost and counted, never its neighbours."""
        known = entry("Déjà dans le journal")
        store.write_entries([known])
        before, after = entry("Avant l'intrus"), entry("Après l'intrus")
        writer = LogWriter(store, batch=100, linger=30.0)  # all five in one batch, written at close
        with caplog.at_level(logging.WARNING, logger="assistant.questionlog.writer"):
            writer.submit(before)
            writer.submit_feedback(Feedback(before.answer_id, False, "incomplet", "Il manque le budget."))
            writer.submit(known)
            writer.submit(after)
            writer.submit_feedback(Feedback(after.answer_id, True))
            assert writer.close(60)
        assert sorted(store.questions()) == sorted(
            ["Déjà dans le journal", "Avant l'intrus", "Après l'intrus"]
        )
        assert store.rates() == Rates(answers=3, feedback=2, helpful=1)
        assert (writer.written, writer.failed, writer.isolated, writer.rejected) == (4, 1, 1, 0)
        assert writer.failing is None  # one bad item is not a failing database
        assert "IntegrityError" in caplog.text
        assert (
            "intrus" not in caplog.text and "Déjà" not in caplog.text and known.answer_id not in caplog.text
        )

    def test_a_failing_database_is_reported_until_it_writes_again(
        self, store: QuestionLog, caplog: pytest.LogCaptureFixture
    ) -> None:
        writer = LogWriter(store, linger=0)
        with store.engine.begin() as conn:  # the table gone: every write fails, whatever its item
            conn.exec_driver_sql("ALTER TABLE answers RENAME TO answers_away")
        with caplog.at_level(logging.WARNING, logger="assistant.questionlog.writer"):
            writer.submit(entry("Perdue pendant la panne"))
            assert writer.flush(60)
            assert writer.failing is not None and writer.failing.startswith(
                ("OperationalError", "ProgrammingError")
            )
            assert (writer.written, writer.failed, writer.isolated) == (0, 1, 0)
            assert "en panne" in caplog.text and "Perdue" not in caplog.text
            with store.engine.begin() as conn:
                conn.exec_driver_sql("ALTER TABLE answers_away RENAME TO answers")
            writer.submit(entry("Écrite au retour"))
            assert writer.close(60)
        assert (writer.written, writer.failed, writer.failing) == (1, 1, None)
        assert "rétabli" in caplog.text
        assert store.questions() == ["Écrite au retour"]

    def test_texts_are_cleaned_and_redacted_in_the_writer_thread(
        self, store: QuestionLog, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The request only queues the raw text: the real redaction runs in the writer's thread (a
        spy records where), on the cleaned text, before the store sees it."""
        where: list[str] = []
        real = storable_module.redact

        def spied(text: str):  # type: ignore[no-untyped-def]
            where.append(threading.current_thread().name)
            return real(text)

        monkeypatch.setattr(storable_module, "redact", spied)
        recorder = QuestionRecorder(store)
        answer_id = recorder.record(
            question="Appelez-moi au ４１８ ５５５-０１９９\u202e, merci\x00",
            language="fr",
            intent="topic",
            coverage="none",
            refs=(),
            latency_ms=12.0,
            build_id="build-1",
            origin="https://www.ville\u202e.quebec.qc.ca:8443/chemin?q=1",
            conversation_id=None,
        )
        assert recorder.vote(
            answer_id, False, "autre", "  x\x00\u202e\u2066 écrivez à ginette@example.com\n "
        )
        recorder.close()
        assert where == ["question-log-writer", "question-log-writer"]
        logged = store.answer(answer_id)
        assert logged is not None and logged.feedback is not None
        assert logged.entry.question == "Appelez-moi au [téléphone], merci"
        assert logged.entry.origin == "https://www.ville.quebec.qc.ca:8443"
        assert logged.feedback.comment == "x écrivez à [courriel]"

    def test_purge_erases_the_text_from_the_database_files(
        self, store: QuestionLog, request: pytest.FixtureRequest
    ) -> None:
        """Not only unlinked: after the purge, the purged question, the answer's lead as given, the
        vote's comment and the staff's note on it are in none of the bytes the database keeps for its
        tables (SQLite: the file and its write-ahead log; PostgreSQL: the data files of the tables,
        their TOAST and their indexes)."""
        purged, lead, comment, note, kept = (
            "Question purgée ZQXW du citoyen",
            "Début de réponse purgé LQMX qui cite la question",
            "Commentaire purgé KJVB",
            "Note du personnel purgée PZRT",
            "Question gardée WVPL",
        )
        old = dataclasses.replace(
            entry(purged, hour=NOW - timedelta(days=100), refs=(f"{CITY}:5",)), lead=lead
        )
        young = dataclasses.replace(entry(kept, hour=NOW - timedelta(days=10)), lead="Début gardé HYTN")
        store.write_entries([old, young])
        store.write_feedback(Feedback(old.answer_id, False, "autre", comment, hour=old.hour))
        assert store.add_review(Review("question", (old.answer_id,), "M. T.", note=note)) == 1
        kept_review = Review("cluster", (old.answer_id, young.answer_id), "J. L.", note="Note gardée BNRW")
        assert store.add_review(kept_review) == 2
        before = log_bytes(store, request)
        for text_ in (purged, lead, comment, note, kept):
            assert text_.encode() in before, text_
        assert purge_expired(store, days=90, now=NOW) == 1
        after = log_bytes(store, request)
        for text_ in (purged, lead, comment, note):
            assert text_.encode() not in after, text_
        assert kept.encode() in after and b"BNRW" in after and b"HYTN" in after
        assert store.questions() == [kept]
        # The review of the purged answer alone is gone; the other covers what is left.
        (left,) = store.find(LogQuery())
        assert [(r.review_id, r.answer_ids) for r in left.reviews] == [
            (kept_review.review_id, (young.answer_id,))
        ]


def log_bytes(store: QuestionLog, request: pytest.FixtureRequest) -> bytes:
    """Every byte the log's database keeps on disk for the purged tables, as of now."""
    if store.dialect == "sqlite":
        database = Path(str(store.engine.url.database))
        return b"".join(p.read_bytes() for p in sorted(database.parent.glob(database.name + "*")))
    server: Postgres = request.getfixturevalue("postgres_server")
    tables = ", ".join(f"'{t}'::regclass" for t in PURGED_TABLES)
    with store.engine.connect() as conn:
        conn.exec_driver_sql("CHECKPOINT")  # what the buffers hold, written to the files
        paths = conn.exec_driver_sql(
            f"""WITH t AS (SELECT oid FROM pg_class WHERE oid IN ({tables})
                           UNION SELECT reltoastrelid FROM pg_class WHERE oid IN ({tables}) AND reltoastrelid <> 0)
                SELECT pg_relation_filepath(oid) FROM t
                UNION SELECT pg_relation_filepath(indexrelid) FROM pg_index WHERE indrelid IN (SELECT oid FROM t)"""
        ).scalars()
        files = [f for p in paths for f in server.data.glob(p + "*")]  # segments and forks
    assert len(files) >= 2 * len(PURGED_TABLES)
    return b"".join(f.read_bytes() for f in sorted(files))


def test_the_sqlite_files_are_private_and_deletes_secure(tmp_path: Path) -> None:
    """0600 for the database and the files SQLite keeps beside it, a file of an earlier version
    narrowed too; ``secure_delete`` set on every connection, not left to how SQLite was built."""
    folder = tmp_path / "data"
    with QuestionLog(default_url(folder)) as store:
        store.write_entries([entry()])
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
        made = sorted(p.name for p in folder.iterdir())
        assert made == ["questions.sqlite3", "questions.sqlite3-shm", "questions.sqlite3-wal"]
        assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()} == dict.fromkeys(
            made, 0o600
        )
    earlier = tmp_path / "earlier.sqlite3"
    sqlite3.connect(earlier).close()
    os.chmod(earlier, 0o644)
    QuestionLog(f"sqlite:///{earlier}").close()
    assert stat.S_IMODE(earlier.stat().st_mode) == 0o600


def test_the_days_counted_are_those_of_the_log_s_time_zone(tmp_path: Path) -> None:
    """The organisation's zone, given to the log, makes its days: 02:00 UTC on the 12th of June is
    the 11th in Québec (22 h), the 12th in Paris (4 h) and in UTC. Reads count the same days."""
    hour = datetime(2025, 6, 12, 2, tzinfo=UTC)
    for zone, day in (
        (QUEBEC, date(2025, 6, 11)),
        (ZoneInfo("Europe/Paris"), date(2025, 6, 12)),
        (UTC, date(2025, 6, 12)),
    ):
        with QuestionLog(default_url(tmp_path / str(zone).replace("/", "-")), zone=zone) as log:
            log.write_entries([entry(hour=hour)])
            log.write_feedback(Feedback(log.find(LogQuery())[0].entry.answer_id, False))
            assert log.zone is zone and log.per_day() == [DayCount(day, 1)], zone
            assert log.rates(datetime.combine(day, datetime.min.time(), zone)).not_helpful == 1
            assert log.per_day(until=datetime.combine(day, datetime.min.time(), zone)) == []


def test_sqlite_settings(tmp_path: Path) -> None:
    url = default_url(tmp_path / "data")
    assert url == f"sqlite:///{tmp_path}/data/questions.sqlite3"
    with QuestionLog(url) as store:
        store.write_entries([entry()])
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
    with sqlite3.connect(tmp_path / "data" / "questions.sqlite3") as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert raw.execute("SELECT question FROM answers").fetchall() == [("Qui s'occupe de l'action 37?",)]


def test_tables_are_made_only_by_migrations(tmp_path: Path) -> None:
    url = default_url(tmp_path)
    with QuestionLog(url, migrate=False) as store:
        assert inspect(store.engine).get_table_names() == []
        upgrade(url)
        assert set(inspect(store.engine).get_table_names()) == {*TABLES, "questionlog_version"}


def test_two_stores_migrating_the_same_file_at_once(tmp_path: Path) -> None:
    url = default_url(tmp_path)
    errors: list[BaseException] = []

    def open_store() -> None:
        try:
            QuestionLog(url).close()
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_records_validate_and_hold_no_identifier() -> None:
    assert hour_of(datetime(2025, 6, 15, 22, 59, 59, tzinfo=timezone(timedelta(hours=-4)))) == datetime(
        2025, 6, 16, 2, tzinfo=UTC
    )
    assert hour_of(datetime(2025, 6, 15, 9, 30)) == datetime(2025, 6, 15, 9, tzinfo=UTC)
    with pytest.raises(ValueError, match="couverture inconnue"):
        entry(coverage="total")
    with pytest.raises(ValueError, match="raison inconnue"):
        Feedback("a" * 32, False, "spam")
    with pytest.raises(ValueError, match="trop long"):
        Feedback("a" * 32, False, "autre", "x" * 501)
    assert Feedback("a" * 32, False, "autre", "x" * 500).comment == "x" * 500
    assert {f.name for f in dataclasses.fields(LogEntry)} == {
        "answer_id", "conversation_id", "question", "language", "intent", "coverage", "refs", "plan_ids",
        "latency_ms", "build_id", "origin", "hour", "lead", "turn",
    }  # fmt: skip
    assert {f.name for f in dataclasses.fields(Feedback)} == {
        "answer_id",
        "helpful",
        "reason",
        "comment",
        "hour",
    }


def test_retention_scheduler_purges_at_start_and_again(tmp_path: Path) -> None:
    with QuestionLog(default_url(tmp_path)) as store:
        now = datetime.now(UTC)
        store.write_entries([entry("old", hour=now - timedelta(days=91)), entry("new", hour=now)])
        scheduler = RetentionScheduler(store, days=90, interval=0.01)
        runs = threading.Event()
        purge = store.purge

        def counted(older_than: datetime) -> int:
            n = purge(older_than)
            if scheduler.runs >= 2:  # the third purge is under way
                runs.set()
            return n

        store.purge = counted  # type: ignore[method-assign]
        with scheduler:
            assert runs.wait(30)
        assert scheduler.deleted == 1 and scheduler.runs >= 3 and scheduler.errors == 0
        assert store.questions() == ["new"]
        assert scheduler._thread is None


def test_retention_scheduler_survives_a_failed_purge() -> None:
    class Flaky:
        calls = 0
        done = threading.Event()

        def purge(self, older_than: datetime) -> int:
            self.calls += 1
            if self.calls == 1:
                raise OSError("disque plein")
            self.done.set()
            return 2

    flaky = Flaky()
    with RetentionScheduler(flaky, interval=0.01) as scheduler:
        assert flaky.done.wait(30)
    assert scheduler.errors == 1 and scheduler.runs >= 1 and scheduler.deleted >= 2


def test_cli_purge(tmp_path: Path) -> None:
    url = default_url(tmp_path)
    with QuestionLog(url) as store:
        now = datetime.now(UTC)
        store.write_entries([entry("old", hour=now - timedelta(days=40)), entry("new", hour=now)])
    root = typer.Typer()
    root.command("noop")(lambda: None)
    register(root)
    done = CliRunner().invoke(root, ["log", "purge", "--url", url, "--days", "30"])
    assert done.exit_code == 0, done.output
    assert "1 entrée(s) de plus de 30 jours supprimée(s)" in done.output
    with QuestionLog(url) as store:
        assert store.questions() == ["new"]
        assert store.rates().answers == 2
