"""The question log's database: SQLite in the data folder by default (WAL, nothing to install),
PostgreSQL by URL (``postgresql+psycopg://…``) when several workers or machines share it.

Writes count into the daily aggregates in the same transaction (an upsert on both databases), so
the dashboard's counts survive the purge of the entries; the aggregates count the days of the log's
``zone``, the organisation's time zone, the days the staff read. Reads take a period (``since``
included, ``until`` excluded, any time zone) and an optional plan; what is read from the aggregates
is counted per whole day of that zone."""

from __future__ import annotations

import contextlib
import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    String,
    and_,
    create_engine,
    delete,
    event,
    exists,
    func,
    insert,
    literal,
    make_url,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.sql.elements import ColumnElement

from assistant.questionlog.records import (
    COVERAGES,
    BatchResult,
    Correction,
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
    local_day,
)
from assistant.questionlog.schema import (
    ALL_PLANS,
    Answer,
    AnswerPlan,
    AnswerRef,
    CorrectionRow,
    DailyAggregate,
    FeedbackRow,
    RefAggregate,
    ReviewAnswer,
    ReviewRow,
    UTCDateTime,
)

FILE_NAME = "questions.sqlite3"
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")  # the files SQLite keeps beside the database
# What a purge deletes from.
PURGED_TABLES = ("answers", "answer_refs", "answer_plans", "feedback", "review_answers", "reviews")
SCAN_LIMIT = 20_000  # entries a text search reads at most (the most recent first)
SQLITE_BUSY_MS = 10_000  # how long a SQLite writer waits for the lock before failing
WRITE_OPTION = "questionlog_write"  # execution option: a SQLite transaction that will write


class QuestionLogError(Exception):
    """A write the log refuses."""


class UnknownAnswer(QuestionLogError):
    def __init__(self, answer_id: str):
        super().__init__(f"Réponse inconnue : aucun avis ne peut être enregistré pour « {answer_id} ».")
        self.answer_id = answer_id


class AlreadyVoted(QuestionLogError):
    def __init__(self, answer_id: str):
        super().__init__("Un avis a déjà été donné pour cette réponse.")
        self.answer_id = answer_id


def _with_retries(step: Callable[[], None], attempts: int = 5) -> None:
    """Run ``step``, again when SQLite says « database is locked » outside its busy handler (a new
    file being switched to WAL by several processes starting at once)."""
    for attempt in range(attempts):
        try:
            step()
            return
        except OperationalError as e:
            if "locked" not in str(e) or attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


def default_url(data_dir: Path) -> str:
    """The SQLite file of the log in a data folder."""
    return f"sqlite:///{data_dir / FILE_NAME}"


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy emits BEGIN itself (_sqlite_begin): the sqlite3 module's own transaction handling
    # skips DDL and SELECT, which breaks transactional migrations and SAVEPOINTs.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(
            "PRAGMA synchronous = NORMAL"
        )  # in WAL: a power cut may lose the last commits, never corrupts
        cursor.execute("PRAGMA foreign_keys = ON")
        # Deleted rows overwritten with zeros, not only unlinked: a purged question is gone from the
        # file's bytes (some builds of SQLite have it on by default, not all).
        cursor.execute("PRAGMA secure_delete = ON")
    finally:
        cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # A writing transaction takes the write lock at once (waiting up to busy_timeout) rather than
    # failing when it upgrades from reading; readers do not block anyone in WAL mode.
    immediate = connection.get_execution_options().get(WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str) -> Engine:
    """An engine for the log's database: a SQLite file (WAL, foreign keys, busy timeout) or
    PostgreSQL (``postgresql://`` is read as ``postgresql+psycopg://``). Its errors and logs never
    show a statement's parameters: they are the questions."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, pool_pre_ping=True, hide_parameters=True)
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise ValueError(
                "journal des questions : SQLite en mémoire n'est pas pris en charge, donnez un fichier"
            )
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        _private(Path(parsed.database))
        engine = create_engine(parsed, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    raise ValueError(f"journal des questions : base « {backend} » non prise en charge (SQLite ou PostgreSQL)")


def _private(database: Path) -> None:
    """The log's SQLite file readable and writable by the service's user only (0600), created so
    before SQLite opens it; SQLite gives its -wal, -shm and -journal files the database's
    permissions. Files made by an earlier version are narrowed too (by their owner: another user,
    an operator running a command, leaves them to the service)."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for path in (database, *(database.with_name(database.name + s) for s in SQLITE_COMPANIONS)):
        with contextlib.suppress(FileNotFoundError, PermissionError):
            os.chmod(path, 0o600)


def writing(engine: Engine) -> Engine:
    """The same engine, for transactions that write."""
    return engine.execution_options(**{WRITE_OPTION: True})


@dataclass
class _Counts:
    """Aggregate increments of one batch, applied at its end in key order (so that concurrent
    writers on PostgreSQL lock the aggregate rows in the same order and never deadlock)."""

    daily: defaultdict[tuple[date, str, str], list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0, 0])
    )
    refs: defaultdict[tuple[date, str], int] = field(default_factory=lambda: defaultdict(int))


def _upsert(
    conn: Connection, model: Any, keys: list[str], sums: list[str], rows: list[dict[str, Any]]
) -> None:
    """Insert ``rows`` into ``model``'s table, adding ``sums`` to the existing row on a key conflict."""
    if not rows:
        return
    table = model.__table__
    if conn.dialect.name == "postgresql":
        pg = postgresql.insert(table)
        stmt: Any = pg.on_conflict_do_update(
            index_elements=keys, set_={c: table.c[c] + pg.excluded[c] for c in sums}
        )
    else:
        lite = sqlite.insert(table)
        stmt = lite.on_conflict_do_update(
            index_elements=keys, set_={c: table.c[c] + lite.excluded[c] for c in sums}
        )
    conn.execute(stmt, rows)


def _days(
    column: Any, since: datetime | None, until: datetime | None, zone: tzinfo
) -> list[ColumnElement[bool]]:
    """The whole days of ``zone`` that meet [since, until)."""
    whens: list[ColumnElement[bool]] = []
    if since is not None:
        whens.append(column >= local_day(since, zone))
    if until is not None:
        whens.append(column <= local_day(until - timedelta(microseconds=1), zone))
    return whens


def _period(column: Any, since: datetime | None, until: datetime | None) -> list[ColumnElement[bool]]:
    whens: list[ColumnElement[bool]] = []
    if since is not None:
        whens.append(column >= since)
    if until is not None:
        whens.append(column < until)
    return whens


def _answers(since: datetime | None, until: datetime | None, plan: str | None) -> list[ColumnElement[bool]]:
    """The filters of the entries: the answer's hour in the period, one of its plans ``plan``."""
    whens = _period(Answer.hour, since, until)
    if plan is not None:
        whens.append(exists().where(AnswerPlan.answer_id == Answer.answer_id, AnswerPlan.plan_id == plan))
    return whens


def _children(
    conn: Connection, model: type[AnswerRef] | type[AnswerPlan], ids: Sequence[str] | Any
) -> dict[str, tuple[str, ...]]:
    """``answer_id`` → its references (``AnswerRef``) or plans (``AnswerPlan``), in order; ``ids``: the
    answers' ids, or a query that selects them."""
    column = AnswerRef.ref if model is AnswerRef else AnswerPlan.plan_id
    found: dict[str, list[str]] = defaultdict(list)
    if not isinstance(ids, list | tuple) or ids:
        rows = conn.execute(
            select(model.answer_id, column)
            .where(model.answer_id.in_(ids))
            .order_by(model.answer_id, model.rank)
        )
        for answer_id, value in rows:
            found[answer_id].append(value)
    return {k: tuple(v) for k, v in found.items()}


class QuestionLog:
    """The log's database at ``url``, migrated to the latest revision when opened (``migrate``).

    ``zone``: the time zone whose days the aggregates count and the dashboard shows, the
    organisation's (:meth:`assistant.settings.AssistantSettings.log_zone`; UTC when not given). The
    days already counted stay counted in the zone they were written in: a log keeps one zone."""

    def __init__(self, url: str, migrate: bool = True, zone: tzinfo = UTC):
        from assistant.questionlog.migrations import upgrade

        self.url = url
        self.zone = zone
        self.engine = make_engine(url)
        self._writes = writing(self.engine)
        if migrate:
            _with_retries(lambda: upgrade(self.engine))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> QuestionLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Writing

    def write_entries(self, entries: Iterable[LogEntry]) -> int:
        """Store entries (one transaction); how many."""
        return self.write_batch(list(entries)).written

    def write_feedback(self, feedback: Feedback) -> None:
        """Store a vote; :class:`UnknownAnswer` when its answer is not in the log, :class:`AlreadyVoted`
        when the answer already has one."""
        with self._writes.begin() as conn:
            counts = _Counts()
            refused = self._insert_feedback(conn, feedback, counts)
            self._apply(conn, counts)
        if refused is not None:
            raise refused

    def write_batch(self, items: Sequence[LogEntry | Feedback]) -> BatchResult:
        """Entries and votes, in order, in one transaction. A refused vote (unknown answer, second
        vote) is counted as rejected and does not undo the rest; a database error undoes it all."""
        written = rejected = 0
        counts = _Counts()
        with self._writes.begin() as conn:
            run: list[LogEntry] = []
            for item in items:
                if isinstance(item, LogEntry):
                    run.append(item)
                    continue
                written += self._insert_entries(conn, run, counts)
                run = []
                if self._insert_feedback(conn, item, counts) is None:
                    written += 1
                else:
                    rejected += 1
            written += self._insert_entries(conn, run, counts)
            self._apply(conn, counts)
        return BatchResult(written=written, rejected=rejected)

    def _insert_entries(self, conn: Connection, entries: list[LogEntry], counts: _Counts) -> int:
        if not entries:
            return 0
        turns = self._turns(conn, entries)
        conn.execute(
            insert(Answer),
            [
                {
                    "answer_id": e.answer_id,
                    "conversation_id": e.conversation_id,
                    "question": e.question,
                    "language": e.language,
                    "intent": e.intent,
                    "coverage": e.coverage,
                    "latency_ms": e.latency_ms,
                    "build_id": e.build_id,
                    "origin": e.origin,
                    "hour": e.hour,
                    "lead": e.lead,
                    "turn": turn,
                }
                for e, turn in zip(entries, turns, strict=True)
            ],
        )
        refs = [
            {"answer_id": e.answer_id, "rank": i, "ref": r} for e in entries for i, r in enumerate(e.refs)
        ]
        if refs:
            conn.execute(insert(AnswerRef), refs)
        plans = [
            {"answer_id": e.answer_id, "rank": i, "plan_id": p}
            for e in entries
            for i, p in enumerate(e.plan_ids)
        ]
        if plans:
            conn.execute(insert(AnswerPlan), plans)
        for e in entries:
            day = local_day(e.hour, self.zone)
            for plan in (ALL_PLANS, *dict.fromkeys(e.plan_ids)):
                counts.daily[(day, plan, e.coverage)][0] += 1
            for ref in dict.fromkeys(e.refs):
                counts.refs[(day, ref)] += 1
        return len(entries)

    @staticmethod
    def _turns(conn: Connection, entries: list[LogEntry]) -> list[int | None]:
        """Each entry's place in its conversation: after the turns already stored (their highest
        number, or their count for turns stored before numbering), in the order given (the order
        they were answered: one writer thread per process reads its queue in order)."""
        conversations = {e.conversation_id for e in entries if e.conversation_id}
        last: dict[str, int] = {}
        if conversations:
            rows = conn.execute(
                select(Answer.conversation_id, func.max(Answer.turn), func.count())
                .where(Answer.conversation_id.in_(conversations))
                .group_by(Answer.conversation_id)
            )
            last = {str(c): max(int(top or 0), int(n)) for c, top, n in rows}
        turns: list[int | None] = []
        for e in entries:
            if e.conversation_id is None:
                turns.append(None)
                continue
            last[e.conversation_id] = last.get(e.conversation_id, 0) + 1
            turns.append(last[e.conversation_id])
        return turns

    def _insert_feedback(self, conn: Connection, fb: Feedback, counts: _Counts) -> QuestionLogError | None:
        """Insert a vote when its answer exists and has none yet (one atomic statement); the
        refusal otherwise."""
        chosen = select(
            Answer.answer_id,
            literal(fb.helpful),
            literal(fb.reason, String()),
            literal(fb.comment, String()),
            literal(fb.hour, UTCDateTime()),
        ).where(Answer.answer_id == fb.answer_id)
        columns = ["answer_id", "helpful", "reason", "comment", "hour"]
        stmt: Any
        if conn.dialect.name == "postgresql":
            stmt = postgresql.insert(FeedbackRow).from_select(columns, chosen).on_conflict_do_nothing()
        else:
            stmt = sqlite.insert(FeedbackRow).from_select(columns, chosen).on_conflict_do_nothing()
        if conn.execute(stmt.execution_options(preserve_rowcount=True)).rowcount != 1:
            known = conn.scalar(select(Answer.answer_id).where(Answer.answer_id == fb.answer_id))
            return UnknownAnswer(fb.answer_id) if known is None else AlreadyVoted(fb.answer_id)
        hour, coverage = conn.execute(
            select(Answer.hour, Answer.coverage).where(Answer.answer_id == fb.answer_id)
        ).one()
        plans = conn.scalars(select(AnswerPlan.plan_id).where(AnswerPlan.answer_id == fb.answer_id)).all()
        for plan in (ALL_PLANS, *dict.fromkeys(plans)):
            counts.daily[(local_day(hour, self.zone), plan, coverage)][1 if fb.helpful else 2] += 1
        return None

    def _apply(self, conn: Connection, counts: _Counts) -> None:
        _upsert(
            conn,
            DailyAggregate,
            ["day", "plan_id", "coverage"],
            ["count", "helpful", "not_helpful"],
            [
                {"day": d, "plan_id": p, "coverage": c, "count": n, "helpful": h, "not_helpful": u}
                for (d, p, c), (n, h, u) in sorted(counts.daily.items())
            ],
        )
        _upsert(
            conn,
            RefAggregate,
            ["day", "ref"],
            ["count"],
            [{"day": d, "ref": r, "count": n} for (d, r), n in sorted(counts.refs.items())],
        )

    # Staff corrections

    def add_correction(self, correction: Correction) -> None:
        """Record a correction; an earlier correction of the same question is retired by it."""
        with self._writes.begin() as conn:
            conn.execute(
                update(CorrectionRow)
                .where(CorrectionRow.question == correction.question, CorrectionRow.active.is_(True))
                .values(active=False)
            )
            conn.execute(
                insert(CorrectionRow).values(
                    correction_id=correction.correction_id,
                    question=correction.question,
                    refs=";".join(correction.refs),
                    note=correction.note,
                    author=correction.author,
                    created=correction.created,
                    answer_id=correction.answer_id,
                    active=correction.active,
                )
            )

    def retire_correction(self, correction_id: str) -> bool:
        """Stop applying a correction (kept, inactive); False when there is none of that id."""
        with self._writes.begin() as conn:
            done = conn.execute(
                update(CorrectionRow).where(CorrectionRow.correction_id == correction_id).values(active=False)
            )
            return bool(done.rowcount)

    def corrections(self, active_only: bool = True) -> list[Correction]:
        """The corrections, oldest first (by default, those in force)."""
        query = select(*CorrectionRow.__table__.columns).order_by(
            CorrectionRow.created, CorrectionRow.correction_id
        )
        if active_only:
            query = query.where(CorrectionRow.active.is_(True))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            Correction(
                question=r.question,
                refs=tuple(x for x in r.refs.split(";") if x),
                author=r.author,
                note=r.note,
                answer_id=r.answer_id,
                correction_id=r.correction_id,
                created=r.created,
                active=bool(r.active),
            )
            for r in rows
        ]

    def corrections_version(self) -> tuple[int, datetime | None]:
        """Changes whenever a correction is added or retired (cheap: what every process polls)."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(func.count(), func.max(CorrectionRow.created)).where(CorrectionRow.active.is_(True))
            ).one()
        return int(row[0]), row[1]

    def answer(self, answer_id: str) -> LoggedAnswer | None:
        """One logged answer with its vote (None when unknown, or purged)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(Answer.hour).where(Answer.answer_id == answer_id)).first()
        if row is None:
            return None
        for item in self.entries(row.hour, row.hour + timedelta(hours=1)):
            if item.entry.answer_id == answer_id:
                return item
        return None

    def purge(self, older_than: datetime) -> int:
        """Delete the entries (with their references, plans and votes) of hours before ``older_than``,
        and the reviews left covering none; the aggregates stay. How many entries were deleted. When
        some were, their bytes are erased from the database's files too (:meth:`erase`)."""
        old = select(Answer.answer_id).where(Answer.hour < older_than)
        with self._writes.begin() as conn:
            for child in (AnswerRef, AnswerPlan, FeedbackRow, ReviewAnswer):
                conn.execute(delete(child).where(child.answer_id.in_(old)))
            deleted = int(conn.execute(delete(Answer).where(Answer.hour < older_than)).rowcount)
            conn.execute(
                delete(ReviewRow).where(~exists().where(ReviewAnswer.review_id == ReviewRow.review_id))
            )
        if deleted:
            self.erase()
        return deleted

    def erase(self) -> None:
        """Make deleted rows unreadable in the database's files, not merely free space. SQLite
        (``secure_delete`` on every connection) zeroes them in the pages; a checkpoint then copies those
        pages into the file and truncates the write-ahead log, which still held the rows as written.
        PostgreSQL leaves a deleted row's bytes in its page even after a VACUUM: ``VACUUM FULL``
        rewrites the tables (their TOAST and indexes too) into new files and removes the old ones. It
        locks each table while it runs (the writer's queue waits; an answer never does); it waits for
        that lock 30 s at most, else the purge fails and is logged (the next purge that deletes erases
        these rows too)."""
        if self.dialect == "postgresql":
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("SET lock_timeout = '30s'")
                try:
                    for table in PURGED_TABLES:
                        conn.exec_driver_sql(f"VACUUM FULL {table}")
                finally:  # the connection goes back to the pool as it came
                    conn.exec_driver_sql("RESET lock_timeout")
            return
        raw = self.engine.raw_connection()  # outside a transaction: a checkpoint cannot run in one
        try:
            cursor = raw.cursor()
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.close()
        finally:
            raw.close()

    # Reading: counts from the aggregates (whole days of the log's zone, kept after the purge)

    def per_day(
        self, since: datetime | None = None, until: datetime | None = None, plan: str | None = None
    ) -> list[DayCount]:
        """Answers per day of the log's zone (days without any answer are absent)."""
        query = (
            select(DailyAggregate.day, func.sum(DailyAggregate.count))
            .where(
                DailyAggregate.plan_id == (plan or ALL_PLANS),
                *_days(DailyAggregate.day, since, until, self.zone),
            )
            .group_by(DailyAggregate.day)
            .order_by(DailyAggregate.day)
        )
        with self.engine.connect() as conn:
            return [DayCount(day, int(n)) for day, n in conn.execute(query)]

    def coverage_over_time(
        self, since: datetime | None = None, until: datetime | None = None, plan: str | None = None
    ) -> list[CoverageDay]:
        """Answers per day of the log's zone and coverage."""
        query = (
            select(DailyAggregate.day, DailyAggregate.coverage, func.sum(DailyAggregate.count))
            .where(
                DailyAggregate.plan_id == (plan or ALL_PLANS),
                *_days(DailyAggregate.day, since, until, self.zone),
            )
            .group_by(DailyAggregate.day, DailyAggregate.coverage)
        )
        days: dict[date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COVERAGES, 0))
        with self.engine.connect() as conn:
            for day, coverage, n in conn.execute(query):
                days[day][coverage] += int(n)
        return [CoverageDay(day, c["complete"], c["partial"], c["none"]) for day, c in sorted(days.items())]

    def rates(
        self, since: datetime | None = None, until: datetime | None = None, plan: str | None = None
    ) -> Rates:
        """Answers, votes and helpful votes (votes counted on their answer's day)."""
        query = select(
            func.coalesce(func.sum(DailyAggregate.count), 0),
            func.coalesce(func.sum(DailyAggregate.helpful), 0),
            func.coalesce(func.sum(DailyAggregate.not_helpful), 0),
        ).where(
            DailyAggregate.plan_id == (plan or ALL_PLANS), *_days(DailyAggregate.day, since, until, self.zone)
        )
        with self.engine.connect() as conn:
            answers, helpful, not_helpful = conn.execute(query).one()
        return Rates(answers=int(answers), feedback=int(helpful) + int(not_helpful), helpful=int(helpful))

    def top_refs(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        plan: str | None = None,
        limit: int = 10,
    ) -> list[RefCount]:
        """The most cited references (number of answers citing each), most cited first."""
        total = func.sum(RefAggregate.count)
        whens = _days(RefAggregate.day, since, until, self.zone)
        if plan is not None:  # a reference is PLAN_ID:NUMBER
            whens.append(RefAggregate.ref.startswith(f"{plan}:", autoescape=True))
        query = (
            select(RefAggregate.ref, total)
            .where(*whens)
            .group_by(RefAggregate.ref)
            .order_by(total.desc(), RefAggregate.ref)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [RefCount(ref, int(n)) for ref, n in conn.execute(query)]

    # Reading: the entries (their redacted text; gone after the purge)

    def count_entries(
        self, since: datetime | None = None, until: datetime | None = None, plan: str | None = None
    ) -> int:
        """Entries still in the log."""
        with self.engine.connect() as conn:
            return int(
                conn.scalar(select(func.count()).select_from(Answer).where(*_answers(since, until, plan)))
                or 0
            )

    def gaps(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        plan: str | None = None,
        limit: int = 50,
    ) -> list[Gap]:
        """Questions the plans do not cover, grouped by identical redacted text, most recent first."""
        last = func.max(Answer.hour)
        n = func.count()
        query = (
            select(Answer.question, n, last)
            .where(Answer.coverage == "none", *_answers(since, until, plan))
            .group_by(Answer.question)
            .order_by(last.desc(), n.desc(), Answer.question)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [Gap(q, int(c), t) for q, c, t in conn.execute(query)]

    def negative_feedback(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        plan: str | None = None,
        limit: int = 100,
    ) -> list[NegativeFeedback]:
        """Answers voted « not helpful », with their question, references, reason and comment; most
        recent first."""
        query = (
            select(
                Answer.answer_id,
                Answer.hour,
                Answer.question,
                Answer.coverage,
                FeedbackRow.reason,
                FeedbackRow.comment,
            )
            .join(FeedbackRow, FeedbackRow.answer_id == Answer.answer_id)
            .where(FeedbackRow.helpful.is_(False), *_answers(since, until, plan))
            .order_by(Answer.hour.desc(), Answer.answer_id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
            refs = _children(conn, AnswerRef, [r.answer_id for r in rows])
        return [
            NegativeFeedback(
                answer_id=r.answer_id,
                hour=r.hour,
                question=r.question,
                coverage=r.coverage,
                refs=refs.get(r.answer_id, ()),
                reason=r.reason,
                comment=r.comment,
            )
            for r in rows
        ]

    def questions(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        plan: str | None = None,
        coverage: str | None = None,
    ) -> list[str]:
        """The redacted questions of the period, one per answer (repeats included), oldest first:
        what the dashboard clusters."""
        whens = _answers(since, until, plan)
        if coverage is not None:
            whens.append(Answer.coverage == coverage)
        query = select(Answer.question).where(*whens).order_by(Answer.hour, Answer.answer_id)
        with self.engine.connect() as conn:
            return list(conn.scalars(query))

    def entries(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        plan: str | None = None,
        chunk: int = 500,
    ) -> Iterator[LoggedAnswer]:
        """Every entry of the period with its vote, oldest first, read ``chunk`` at a time (one short
        read per chunk: an export never holds the database)."""
        after: tuple[datetime, str] | None = None
        while True:
            whens = _answers(since, until, plan)
            if after is not None:
                whens.append(
                    or_(Answer.hour > after[0], and_(Answer.hour == after[0], Answer.answer_id > after[1]))
                )
            query = _ENTRY_COLUMNS.where(*whens).order_by(Answer.hour, Answer.answer_id).limit(chunk)
            with self.engine.connect() as conn:
                rows = conn.execute(query).all()
                ids = [r.answer_id for r in rows]
                refs = _children(conn, AnswerRef, ids)
                plans = _children(conn, AnswerPlan, ids)
            for r in rows:
                yield LoggedAnswer(*_logged(r, refs, plans))
            if len(rows) < chunk:
                return
            after = (rows[-1].hour, rows[-1].answer_id)

    def find(self, query: LogQuery, limit: int = 5000, reviews: bool = True) -> list[LoggedAnswer]:
        """The entries ``query`` selects, most recent first, at most ``limit``; each with its vote,
        whether a correction in force was made from it, and the reviews that cover it (not read
        with ``reviews=False``, for counts). A text search reads the :data:`SCAN_LIMIT` most recent
        entries that meet the other filters, and keeps those whose question holds the words (accents
        and case ignored: « deneigement » finds « Déneigement »)."""
        corrected = (
            exists()
            .where(CorrectionRow.answer_id == Answer.answer_id, CorrectionRow.active.is_(True))
            .correlate(Answer)
        )
        reviewed = (
            exists()
            .where(
                ReviewAnswer.answer_id == Answer.answer_id,
                ReviewRow.review_id == ReviewAnswer.review_id,
                ReviewRow.reviewed.is_(True),
            )
            .correlate(Answer)
        )
        whens = _answers(query.since, query.until, query.plan)
        for column, value in (
            (Answer.coverage, query.coverage),
            (Answer.intent, query.intent),
            (Answer.language, query.language),
            (Answer.origin, query.origin),
            (Answer.conversation_id, query.conversation_id),
        ):
            if value is not None:
                whens.append(column == value)
        if query.feedback == "oui":
            whens.append(FeedbackRow.helpful.is_(True))
        elif query.feedback == "non":
            whens.append(FeedbackRow.helpful.is_(False))
        elif query.feedback == "aucun":
            whens.append(FeedbackRow.answer_id.is_(None))
        if query.gaps:
            whens.append(
                or_(Answer.coverage.in_(("none", "partial")), FeedbackRow.helpful.is_(False), corrected)
            )
        if query.reviewed is not None:
            whens.append(reviewed if query.reviewed else ~reviewed)
        needle = _folded(query.text or "")
        order = (Answer.hour.desc(), func.coalesce(Answer.turn, 0).desc(), Answer.answer_id.desc())
        select_ = (
            _ENTRY_COLUMNS.add_columns(corrected.label("corrected"))
            .where(*whens)
            .order_by(*order)
            .limit(SCAN_LIMIT if needle else limit)
        )
        # The children of thousands of entries: by the same query (a subquery), not by thousands of
        # bound ids (5 times slower on SQLite for 20 000 entries).
        same: Any = (
            select(Answer.answer_id)
            .outerjoin(FeedbackRow, FeedbackRow.answer_id == Answer.answer_id)
            .where(*whens)
            .order_by(*order)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(select_).all()
            if needle:
                rows = [r for r in rows if needle in _folded(r.question)][:limit]
                same = [r.answer_id for r in rows]
            return self._read(conn, rows, same, reviews)

    def conversation(self, answer_id: str) -> list[LoggedAnswer]:
        """Every turn still in the log of the conversation of answer ``answer_id``, in order (by
        their numbers; turns logged before they were numbered, by hour); only that answer when it has
        no conversation id; empty when it is unknown (or purged)."""
        with self.engine.connect() as conn:
            conversation = conn.execute(
                select(Answer.conversation_id).where(Answer.answer_id == answer_id)
            ).first()
            if conversation is None:
                return []
            chosen = (
                Answer.answer_id == answer_id
                if conversation[0] is None
                else Answer.conversation_id == conversation[0]
            )
            corrected = (
                exists()
                .where(CorrectionRow.answer_id == Answer.answer_id, CorrectionRow.active.is_(True))
                .correlate(Answer)
            )
            rows = conn.execute(
                _ENTRY_COLUMNS.add_columns(corrected.label("corrected"))
                .where(chosen)
                .order_by(Answer.hour, func.coalesce(Answer.turn, 0), Answer.answer_id)
                .limit(1000)
            ).all()
            return self._read(conn, rows, [r.answer_id for r in rows])

    def _read(
        self, conn: Connection, rows: Sequence[Any], ids: Any, reviews: bool = True
    ) -> list[LoggedAnswer]:
        """``rows`` of :data:`_ENTRY_COLUMNS` (and ``corrected``) as answers; ``ids``: their ids, or
        a query that selects them."""
        refs = _children(conn, AnswerRef, ids)
        plans = _children(conn, AnswerPlan, ids)
        found = _reviews(conn, ids) if reviews else {}
        return [
            LoggedAnswer(
                *_logged(r, refs, plans),
                corrected=bool(r.corrected),
                reviews=found.get(r.answer_id, ()),
            )
            for r in rows
        ]

    def origins(
        self, since: datetime | None = None, until: datetime | None = None, limit: int = 50
    ) -> list[str]:
        """The host sites (origins) of the period's entries, the most frequent first."""
        n = func.count()
        query = (
            select(Answer.origin, n)
            .where(Answer.origin.is_not(None), *_period(Answer.hour, since, until))
            .group_by(Answer.origin)
            .order_by(n.desc(), Answer.origin)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [str(origin) for origin, _ in conn.execute(query)]

    # Staff reviews

    def add_review(self, review: Review) -> int:
        """Record a review on the answers it covers that are still in the log; how many it covers
        (0: none is left, nothing is recorded)."""
        with self._writes.begin() as conn:
            conn.execute(
                insert(ReviewRow).values(
                    review_id=review.review_id,
                    scope=review.scope,
                    reviewed=review.reviewed,
                    note=review.note,
                    author=review.author,
                    created=review.created,
                )
            )
            covered = conn.execute(
                insert(ReviewAnswer)
                .from_select(
                    ["review_id", "answer_id"],
                    select(literal(review.review_id, String()), Answer.answer_id).where(
                        Answer.answer_id.in_(review.answer_ids)
                    ),
                )
                .execution_options(preserve_rowcount=True)
            ).rowcount
            if not covered:
                conn.execute(delete(ReviewRow).where(ReviewRow.review_id == review.review_id))
            return int(covered)

    def remove_review(self, review_id: str) -> bool:
        """Delete a review (its mark and note); False when there is none of that id."""
        with self._writes.begin() as conn:
            conn.execute(delete(ReviewAnswer).where(ReviewAnswer.review_id == review_id))
            return bool(conn.execute(delete(ReviewRow).where(ReviewRow.review_id == review_id)).rowcount)


_ENTRY_COLUMNS = select(
    Answer.answer_id,
    Answer.conversation_id,
    Answer.question,
    Answer.language,
    Answer.intent,
    Answer.coverage,
    Answer.latency_ms,
    Answer.build_id,
    Answer.origin,
    Answer.hour,
    Answer.lead,
    Answer.turn,
    FeedbackRow.helpful,
    FeedbackRow.reason,
    FeedbackRow.comment,
    FeedbackRow.hour.label("voted"),
).outerjoin(FeedbackRow, FeedbackRow.answer_id == Answer.answer_id)


def _logged(
    r: Any, refs: dict[str, tuple[str, ...]], plans: dict[str, tuple[str, ...]]
) -> tuple[LogEntry, Feedback | None]:
    """A row of :data:`_ENTRY_COLUMNS` as an entry and its vote."""
    entry = LogEntry(
        answer_id=r.answer_id,
        conversation_id=r.conversation_id,
        question=r.question,
        language=r.language,
        intent=r.intent,
        coverage=r.coverage,
        refs=refs.get(r.answer_id, ()),
        plan_ids=plans.get(r.answer_id, ()),
        latency_ms=r.latency_ms,
        build_id=r.build_id,
        origin=r.origin,
        hour=r.hour,
        lead=r.lead,
        turn=r.turn,
    )
    vote = (
        None
        if r.helpful is None
        else Feedback(r.answer_id, bool(r.helpful), r.reason, r.comment, hour=r.voted)
    )
    return entry, vote


def _reviews(conn: Connection, ids: Sequence[str] | Any) -> dict[str, tuple[Review, ...]]:
    """``answer_id`` → the reviews that cover it, oldest first (each with every answer it covers);
    ``ids``: the answers' ids, or a query that selects them."""
    if isinstance(ids, list | tuple) and not ids:
        return {}
    pairs = conn.execute(
        select(ReviewAnswer.answer_id, ReviewAnswer.review_id).where(ReviewAnswer.answer_id.in_(ids))
    ).all()
    chosen = sorted({review_id for _, review_id in pairs})
    if not chosen:
        return {}
    covered: dict[str, list[str]] = defaultdict(list)
    for review_id, answer_id in conn.execute(
        select(ReviewAnswer.review_id, ReviewAnswer.answer_id)
        .where(ReviewAnswer.review_id.in_(chosen))
        .order_by(ReviewAnswer.review_id, ReviewAnswer.answer_id)
    ):
        covered[review_id].append(answer_id)
    reviews = {
        r.review_id: Review(
            scope=r.scope,
            answer_ids=tuple(covered[r.review_id]),
            author=r.author,
            reviewed=bool(r.reviewed),
            note=r.note,
            review_id=r.review_id,
            created=r.created,
        )
        for r in conn.execute(select(*ReviewRow.__table__.columns).where(ReviewRow.review_id.in_(chosen)))
    }
    found: dict[str, list[Review]] = defaultdict(list)
    for answer_id, review_id in pairs:
        found[answer_id].append(reviews[review_id])
    return {k: tuple(sorted(v, key=lambda r: (r.created, r.review_id))) for k, v in found.items()}


def _folded(text: str) -> str:
    """``text`` for a search: accents and case out, spaces collapsed."""
    from corpus.text import fold

    return " ".join(fold(text).split())
