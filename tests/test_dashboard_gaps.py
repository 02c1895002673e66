"""Where the plans fall short (issue 20): the answer as given in the log (its lead redacted in the
writer's thread, its place in its conversation), the staff's reviews, the days of the log's time
zone (Québec's here), migration 0003;
on SQLite and on a real PostgreSQL where the store is concerned. Then the pages in process:
``/admin/lacunes`` (gaps grouped by meaning, each question with the answers as given, « revu »
marks and notes behind CSRF), ``/admin/objectifs`` (per objective and axis of the plans, with the
previous period), ``/admin/conversation``, the filters read from the address."""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text

import assistant.questionlog.storable as storable_module
from api.dashboard.gaps import _back, _with_done
from api.dashboard.views import read_filters
from assistant.pipeline.record import lead_as_shown
from assistant.questionlog import Feedback, LogEntry, QuestionLog
from assistant.questionlog.gaps import Change, by_structure, compare, gap_reasons, group_gaps
from assistant.questionlog.migrations import alembic_config
from assistant.questionlog.recorder import QuestionRecorder
from assistant.questionlog.records import Correction, LoggedAnswer, LogQuery, Review, local_day
from assistant.questionlog.report import Period
from assistant.questionlog.store import make_engine, writing
from corpus import Corpus

from .conftest import CITY, SS
from .test_dashboard import CountingEmbed, csrf_of, login, make_app, settings_for, text_of
from .test_question_log import QUEBEC, postgres_server, store, url  # noqa: F401  (fixtures)
from .test_question_log import entry as log_entry

JUNE = {"du": "2025-06-01", "au": "2025-06-30"}
H1 = datetime(2025, 6, 10, 14, tzinfo=UTC)  # 10 h in Québec
H2 = datetime(2025, 6, 11, 15, tzinfo=UTC)
H3 = datetime(2025, 6, 12, 1, tzinfo=UTC)  # 21 h on the 11th in Québec

SNOW = "Quand ma rue sera-t-elle déneigée?"
SNOW2 = "Le déneigement de ma rue, c'est quand?"
STADIUM = "La Ville va-t-elle construire un nouveau stade?"
COST = "Combien coûte l'action 37?"
JOBS = "Qui s'occupe de l'action 37?"
SNOW_LEAD = "Les plans d'action n'abordent pas le déneigement des rues."
STADIUM_LEAD = "Les plans d'action ne parlent pas d'un stade."
COST_LEAD = "Le plan ne donne pas de montant pour l'action 37 [1]."


def entry(
    question: str,
    hour: datetime,
    coverage: str,
    refs: tuple[str, ...] = (),
    *,
    lead: str | None = None,
    conversation: str | None = "c" * 32,
    intent: str = "topic",
    language: str = "fr",
    origin: str | None = "https://www.ville.quebec.qc.ca",
) -> LogEntry:
    e = log_entry(question, hour=hour, coverage=coverage, refs=refs)
    return dataclasses.replace(
        e, lead=lead, conversation_id=conversation, intent=intent, language=language, origin=origin
    )


# ------------------------------------------------------------------ the store (SQLite and PostgreSQL)


class TestAnswersGivenAndReviews:
    def test_the_lead_is_redacted_in_the_writer_thread(
        self,
        store: QuestionLog,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """The lead can quote the question: it goes through the same cleaning and redaction, in the
        writer's thread, before the store sees it."""
        where: list[str] = []
        real = storable_module.redact

        def spied(text_: str):  # type: ignore[no-untyped-def]
            where.append(threading.current_thread().name)
            return real(text_)

        monkeypatch.setattr(storable_module, "redact", spied)
        recorder = QuestionRecorder(store)
        answer_id = recorder.record(
            question="Mon numéro est le 418 555-0199 : qui déneige ma rue?",
            language="fr",
            intent="topic",
            coverage="none",
            refs=(),
            latency_ms=12.0,
            build_id="build-1",
            origin=None,
            conversation_id="conv-0001",
            lead="« Mon numéro est le ４１８ ５５５-０１９９ » : les plans n'en parlent pas\u202e.",
        )
        recorder.close()
        assert where == ["question-log-writer", "question-log-writer"]  # the question, then the lead
        logged = store.answer(answer_id)
        assert logged is not None
        assert logged.entry.question == "Mon numéro est le [téléphone] : qui déneige ma rue?"
        assert logged.entry.lead == "« Mon numéro est le [téléphone] » : les plans n'en parlent pas."
        assert logged.entry.turn == 1
        with store.engine.connect() as conn:
            stored = conn.execute(text("SELECT lead FROM answers")).scalar()
        assert stored is not None and "0199" not in stored and "555" not in stored

    def test_turns_number_a_conversation_in_the_order_answered(self, store: QuestionLog) -> None:  # noqa: F811
        """Times are whole hours: the turns of one hour are ordered by their numbers, given by the
        store after the turns already written (a later batch continues the count)."""
        a = [entry(f"tour {i}", H2, "complete", conversation="conv-a") for i in range(3)]
        b = entry("autre conversation", H2, "none", conversation="conv-b")
        alone = entry("sans conversation", H2, "none", conversation=None)
        store.write_batch([a[0], b, a[1], alone])
        store.write_batch([a[2]])
        # Answer ids are random: the numbers, not the ids, give the order.
        turns = store.conversation(a[1].answer_id)
        assert [(t.entry.question, t.entry.turn) for t in turns] == [
            ("tour 0", 1),
            ("tour 1", 2),
            ("tour 2", 3),
        ]
        assert [t.entry.question for t in store.conversation(b.answer_id)] == ["autre conversation"]
        only = store.conversation(alone.answer_id)
        assert [(t.entry.question, t.entry.turn) for t in only] == [("sans conversation", None)]
        assert store.conversation("inconnue") == []

    def test_find_reads_every_filter(self, store: QuestionLog) -> None:  # noqa: F811
        snow = entry(
            SNOW, H1, "none", lead=SNOW_LEAD, intent="topic", origin="https://partenaire.example.org"
        )
        snow2 = entry(SNOW2, H3, "none", lead=SNOW_LEAD, language="fr")
        cost = entry(COST, H2, "partial", (f"{CITY}:37",), lead=COST_LEAD, intent="action")
        jobs = entry(JOBS, H2, "complete", (f"{CITY}:37",), intent="units")
        wrong = entry("Who runs action 12?", H3, "complete", (f"{SS}:1.1.2",), language="en", intent="units")
        store.write_entries([snow, snow2, cost, jobs, wrong])
        store.write_feedback(Feedback(jobs.answer_id, True))
        store.write_feedback(Feedback(cost.answer_id, False, "incomplet"))
        store.add_correction(Correction(wrong.question, (f"{SS}:1.1.1",), "M. T.", answer_id=wrong.answer_id))

        def found(**kw: object) -> list[str]:
            return [a.entry.question for a in store.find(LogQuery(**kw))]  # type: ignore[arg-type]

        # Most recent first; in one hour, the later turn first (the five share one conversation).
        assert found() == [wrong.question, SNOW2, JOBS, COST, SNOW]
        assert set(found(gaps=True)) == {SNOW, SNOW2, COST, wrong.question}  # none, partial, Non, corrected
        assert found(coverage="partial") == [COST]
        assert set(found(intent="units")) == {JOBS, wrong.question}
        assert found(language="en") == [wrong.question]
        assert found(origin="https://partenaire.example.org") == [SNOW]
        assert found(feedback="oui") == [JOBS] and found(feedback="non") == [COST]
        assert set(found(feedback="aucun")) == {SNOW, SNOW2, wrong.question}
        assert set(found(text="DENEIGE")) == {SNOW, SNOW2}  # accents and case ignored
        assert found(text="déneigée") == [SNOW]
        assert found(plan=SS) == [wrong.question]
        june11 = datetime(2025, 6, 11, tzinfo=QUEBEC)
        assert set(found(since=june11, until=june11 + timedelta(days=1))) == {
            COST,
            JOBS,
            SNOW2,
            wrong.question,
        }
        read = {a.entry.question: a for a in store.find(LogQuery())}
        assert read[wrong.question].corrected and not read[COST].corrected
        assert read[COST].entry.lead == COST_LEAD and gap_reasons(read[COST]) == ("partial", "non")
        assert gap_reasons(read[wrong.question]) == ("corrigee",) and gap_reasons(read[JOBS]) == ()
        # A correction retired no longer makes a gap.
        (correction,) = store.corrections()
        store.retire_correction(correction.correction_id)
        assert wrong.question not in found(gaps=True)
        assert store.origins() == ["https://www.ville.quebec.qc.ca", "https://partenaire.example.org"]
        assert len(store.find(LogQuery(), limit=2)) == 2

    def test_reviews_cover_the_answers_they_name(self, store: QuestionLog) -> None:  # noqa: F811
        a, b, c = (entry(q, H2, "none", lead=SNOW_LEAD) for q in (SNOW, SNOW2, STADIUM))
        store.write_entries([a, b, c])
        group = Review(
            "cluster", (a.answer_id, b.answer_id, "f" * 32), "M. Tremblay", note="Hors plan : Travaux publics"
        )
        assert store.add_review(group) == 2  # the unknown id is not covered
        assert store.add_review(Review("question", ("0" * 32,), "M. T.")) == 0  # nothing left: not recorded
        note_only = Review("question", (c.answer_id,), "J. L.", reviewed=False, note="À suivre")
        assert store.add_review(note_only) == 1
        by_question = {x.entry.question: x for x in store.find(LogQuery())}
        mark = by_question[SNOW].reviewed
        assert (
            mark is not None and mark.author == "M. Tremblay" and mark.note == "Hors plan : Travaux publics"
        )
        assert mark.answer_ids == tuple(sorted((a.answer_id, b.answer_id)))
        assert by_question[STADIUM].reviewed is None and by_question[STADIUM].reviews[0].note == "À suivre"
        assert {x.entry.question for x in store.find(LogQuery(reviewed=False))} == {STADIUM}
        assert {x.entry.question for x in store.find(LogQuery(reviewed=True))} == {SNOW, SNOW2}
        assert store.remove_review(group.review_id) and not store.remove_review(group.review_id)
        assert store.find(LogQuery(reviewed=True)) == []

    def test_aggregates_count_quebec_days(self, store: QuestionLog) -> None:  # noqa: F811
        """A UTC hour falls on one Québec day (the offset is whole hours): 02:00 UTC on the 12th of
        June is 22:00 on the 11th (UTC−4); 04:00 UTC on the 15th of January is 23:00 on the 14th
        (UTC−5), 05:00 UTC is midnight on the 15th."""
        late = entry("tard le soir", datetime(2025, 6, 12, 2, tzinfo=UTC), "none")
        winter = entry("en hiver", datetime(2025, 1, 15, 4, tzinfo=UTC), "complete", (f"{CITY}:37",))
        midnight = entry("à minuit", datetime(2025, 1, 15, 5, tzinfo=UTC), "partial", (f"{CITY}:37",))
        store.write_entries([late, winter, midnight])
        store.write_feedback(Feedback(late.answer_id, False))
        days = {d.day: d.answers for d in store.per_day()}
        assert days == {date(2025, 6, 11): 1, date(2025, 1, 14): 1, date(2025, 1, 15): 1}
        june11 = Period(date(2025, 6, 11), date(2025, 6, 11), store.zone)
        assert june11.since == datetime(2025, 6, 11, 4, tzinfo=UTC)
        assert store.rates(june11.since, june11.until).not_helpful == 1  # the vote on its answer's day
        assert store.questions(june11.since, june11.until) == ["tard le soir"]
        jan15 = Period(date(2025, 1, 15), date(2025, 1, 15), store.zone)
        assert store.questions(jan15.since, jan15.until) == ["à minuit"]
        assert [(c.day, c.partial) for c in store.coverage_over_time(jan15.since, jan15.until)] == [
            (date(2025, 1, 15), 1)
        ]
        assert [r.count for r in store.top_refs(jan15.since, jan15.until)] == [1]


def migrate(url_: str, revision: str, down: bool = False) -> None:
    engine = make_engine(url_)
    try:
        with writing(engine).begin() as conn:
            config = alembic_config()
            config.attributes["connection"] = conn
            (command.downgrade if down else command.upgrade)(config, revision)
    finally:
        engine.dispose()


def test_migration_0003_keeps_what_0002_held(url: str) -> None:  # noqa: F811
    """A log at 0002 with answers, a vote and aggregates: 0003 adds the lead and the turn (empty for
    the old answers) and the review tables; the old answers read back, a new turn of an old
    conversation is numbered after them; 0003 undone keeps every answer, reference and vote."""
    migrate(url, "0002")
    engine = make_engine(url)
    with writing(engine).begin() as conn:
        conn.execute(
            text(
                "INSERT INTO answers (answer_id, conversation_id, question, language, intent, coverage, "
                "latency_ms, build_id, origin, hour) VALUES ('old1', 'conv-old', 'Ancienne question', 'fr', "
                "'topic', 'none', 10.0, 'b', NULL, :hour)"
            ),
            {"hour": datetime(2025, 6, 10, 14)},
        )
        conn.execute(text("INSERT INTO answer_refs (answer_id, rank, ref) VALUES ('old1', 0, 'p:1')"))
        conn.execute(
            text(
                "INSERT INTO feedback (answer_id, helpful, reason, comment, hour) VALUES ('old1', :f, NULL, NULL, :h)"
            ),
            {"f": False, "h": datetime(2025, 6, 10, 14)},
        )
    engine.dispose()
    with QuestionLog(url) as log:  # migrates to head
        assert {"reviews", "review_answers"} <= set(inspect(log.engine).get_table_names())
        (old,) = log.find(LogQuery())
        assert (old.entry.question, old.entry.lead, old.entry.turn, old.feedback is not None) == (
            "Ancienne question",
            None,
            None,
            True,
        )
        new = entry("Nouvelle question", H2, "complete", conversation="conv-old")
        log.write_entries([new])
        assert [t.entry.turn for t in log.conversation("old1")] == [None, 2]
        assert log.add_review(Review("question", ("old1",), "M. T.")) == 1
    migrate(url, "0002", down=True)
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM answers")).scalar() == 2
        assert conn.execute(text("SELECT count(*) FROM answer_refs")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM feedback")).scalar() == 1
        assert "lead" not in {c["name"] for c in inspect(conn).get_columns("answers")}
        assert "reviews" not in inspect(conn).get_table_names()
    engine.dispose()
    QuestionLog(url).close()  # and up again


# ------------------------------------------------------------------ grouping, structure, periods


def logged(
    e: LogEntry, vote: bool | None = None, corrected: bool = False, reviews: tuple[Review, ...] = ()
) -> LoggedAnswer:
    fb = None if vote is None else Feedback(e.answer_id, vote)
    return LoggedAnswer(e, fb, corrected, reviews)


def snow_table() -> dict[str, list[float]]:
    return {SNOW: [1.0, 0.05], SNOW2: [1.0, 0.1], STADIUM: [0, 0, 1.0], COST: [0, 0, 0, 1.0]}


def test_gaps_are_grouped_with_the_answers_as_given() -> None:
    s1 = entry(SNOW, H3, "none", lead=SNOW_LEAD)
    s2 = entry(SNOW, H2, "none", lead=SNOW_LEAD)
    s3 = entry(SNOW2, H1, "none", lead=SNOW_LEAD)
    st = entry(STADIUM, H2, "none", lead=STADIUM_LEAD)
    co = entry(COST, H2, "partial", (f"{CITY}:37",), lead=COST_LEAD)
    answers = [logged(s1), logged(s2, vote=False), logged(st), logged(co, corrected=True), logged(s3)]
    gaps = group_gaps(answers, CountingEmbed(snow_table()))
    assert (gaps.answers, gaps.distinct, gaps.hidden, gaps.more) == (5, 4, 0, 0)
    snow = gaps.clusters[0]
    assert (snow.representative, snow.count) == (SNOW, 3)
    assert [(q.text, q.count) for q in snow.questions] == [(SNOW, 2), (SNOW2, 1)]
    assert snow.questions[0].latest.entry.answer_id == s1.answer_id  # the most recent first
    (given,) = snow.questions[0].given  # answered twice the same way
    assert (given.lead, given.coverage, given.refs, given.count) == (SNOW_LEAD, "none", (), 2)
    assert snow.reasons == {"none": 3, "non": 1}
    assert {c.representative: c.reasons for c in gaps.clusters[1:]} == {
        COST: {"partial": 1, "corrigee": 1},
        STADIUM: {"none": 1},
    }
    assert snow.reviewed is None and snow.unreviewed == 3

    # Reviewed as a group (its three answers), then a new question joins it: to review again.
    mark = Review("cluster", (s1.answer_id, s2.answer_id, s3.answer_id), "M. T.", note="Travaux publics")
    reviewed = [
        dataclasses.replace(a, reviews=(mark,)) if a.entry.question in (SNOW, SNOW2) else a for a in answers
    ]
    again = group_gaps(reviewed, CountingEmbed(snow_table()))
    assert again.clusters[0].reviewed == mark and again.clusters[0].reviews == (mark,)
    assert all(q.reviewed == mark for q in again.clusters[0].questions)
    assert [
        c.representative for c in group_gaps(reviewed, CountingEmbed(snow_table()), reviewed=False).clusters
    ] == [
        COST,
        STADIUM,
    ]
    assert group_gaps(reviewed, CountingEmbed(snow_table()), reviewed=False).hidden == 1
    newcomer = logged(entry(SNOW2, H3 + timedelta(hours=1), "none", lead=SNOW_LEAD))
    later = group_gaps([newcomer, *reviewed], CountingEmbed(snow_table()))
    assert later.clusters[0].reviewed is None and later.clusters[0].unreviewed == 1
    assert (
        group_gaps([newcomer, *reviewed], CountingEmbed(snow_table()), reviewed=False).clusters[0].count == 4
    )
    assert group_gaps(answers, CountingEmbed(snow_table()), top=1).more == 2


def test_questions_by_the_plans_structure_and_the_previous_period(corpus: Corpus) -> None:
    city = corpus.plan(CITY)
    a37 = city.action("37")
    assert a37 is not None
    objective = city.objective_of(a37)
    assert objective is not None
    answers = [
        logged(entry(JOBS, H2, "complete", (f"{CITY}:37",))),
        logged(entry(JOBS, H2, "complete", (f"{CITY}:37", f"{CITY}:37"))),
        logged(entry(COST, H2, "partial", (f"{CITY}:37", f"{SS}:1.1.2"))),
        logged(entry(SNOW, H2, "none")),
    ]
    s = by_structure(answers, corpus)
    assert (s.answers, s.uncited) == (4, 1)
    plan = next(p for p in s.plans if p.plan_id == CITY)
    (axis,) = plan.axes
    assert axis.axis is not None and axis.axis.label.startswith("Axe d'intervention")
    assert axis.orientation is not None and axis.orientation.label.startswith("Orientation")
    (topic,) = axis.objectives
    assert (topic.objective.label, topic.objective.title) == (objective.label, objective.title)
    assert topic.answers == 3 and topic.coverage == {"complete": 2, "partial": 1, "none": 0}
    assert topic.questions == ((JOBS, 2), (COST, 1))
    ss_plan = next(p for p in s.plans if p.plan_id == SS)
    assert ss_plan.axes[0].axis is not None and ss_plan.axes[0].axis.label.startswith("Thème")

    previous = [logged(entry(JOBS, H1, "complete", (f"{CITY}:37",))), logged(entry(SNOW, H1, "none"))] * 2
    cmp = compare(answers, previous, corpus)
    assert [(c.key, c.current, c.previous, c.words) for c in cmp.coverage] == [
        ("complete", 2, 2, "0"),
        ("partial", 1, 0, "+1 (nouveau)"),
        ("none", 1, 2, "\u22121 (\u221250\u00a0%)"),
        ("total", 4, 4, "0"),
    ]
    top = cmp.objectives[0]
    assert top.key == f"{CITY}:{objective.id}" and (top.current, top.previous) == (3, 2)
    assert top.words == "+1 (+50\u00a0%)" and objective.title in top.label
    assert Change("x", "x", 0, 3).words == "\u22123 (\u2212100\u00a0%)"


def test_periods_are_days_of_the_log_s_zone_and_have_a_previous_one() -> None:
    june = Period(date(2025, 6, 1), date(2025, 6, 30), QUEBEC)
    assert june.since == datetime(2025, 6, 1, 4, tzinfo=UTC)  # midnight, heure avancée (UTC−4)
    assert june.until == datetime(2025, 7, 1, 4, tzinfo=UTC)
    assert june.days == 30 and june.previous() == Period(date(2025, 5, 2), date(2025, 5, 31), QUEBEC)
    winter = Period(date(2025, 1, 1), date(2025, 1, 1), QUEBEC)
    assert winter.since == datetime(2025, 1, 1, 5, tzinfo=UTC)  # heure normale (UTC−5)
    # The day the clocks go back has 25 hours; the previous period of one day is the day before.
    fall = Period(date(2025, 11, 2), date(2025, 11, 2), QUEBEC)
    assert fall.until.astimezone(UTC) - fall.since.astimezone(UTC) == timedelta(hours=25)  # type: ignore[union-attr]
    assert fall.previous() == Period(date(2025, 11, 1), date(2025, 11, 1), QUEBEC)
    assert (
        Period(date(2025, 6, 1)).previous() is None
        and Period(date(2000, 1, 1), date(2000, 1, 5)).previous() is None
    )
    assert local_day(datetime(2025, 11, 2, 4, tzinfo=UTC), QUEBEC) == date(2025, 11, 2)  # 00:00 HAE
    assert local_day(datetime(2025, 11, 2, 3, tzinfo=UTC), QUEBEC) == date(2025, 11, 1)
    # Another organisation's zone: its own midnights (Paris: UTC+2 in June).
    paris = Period(date(2025, 6, 1), date(2025, 6, 1), ZoneInfo("Europe/Paris"))
    assert paris.since == datetime(2025, 5, 31, 22, tzinfo=UTC)
    assert local_day(datetime(2025, 5, 31, 22, tzinfo=UTC), ZoneInfo("Europe/Paris")) == date(2025, 6, 1)


def test_filters_are_read_from_the_address_and_named_when_wrong(corpus: Corpus) -> None:
    ok = read_filters(
        {
            "q": "  déneigement   rue ",
            "couverture": "partial",
            "intention": "topic",
            "langue": "fr",
            "plan": CITY,
            "origine": "https://www.ville.quebec.qc.ca",
            "avis": "non",
            "du": "2025-06-01",
            "au": "2025-06-30",
            "revue": "non",
        },
        corpus,
        QUEBEC,
    )
    assert ok.errors == {}
    assert ok.query() == {
        "q": "déneigement rue",
        "couverture": "partial",
        "intention": "topic",
        "langue": "fr",
        "plan": CITY,
        "origine": "https://www.ville.quebec.qc.ca",
        "avis": "non",
        "du": "2025-06-01",
        "au": "2025-06-30",
        "revue": "non",
    }
    query = ok.log_query(gaps=True)
    assert (query.coverage, query.intent, query.language, query.feedback, query.text, query.gaps) == (
        "partial",
        "topic",
        "fr",
        "non",
        "déneigement rue",
        True,
    )
    assert query.since == datetime(2025, 6, 1, tzinfo=QUEBEC) and ok.reviewed is False
    bad = read_filters(
        {
            "q": "x" * 201,
            "couverture": "totale",
            "intention": "bavardage",
            "langue": "de",
            "origine": "https://www.ville.quebec.qc.ca/chemin",
            "avis": "peut-être",
            "revue": "jamais",
            "du": "2025-13-01",
            "au": "3000-01-01",
        },
        corpus,
        QUEBEC,
    )
    assert bad.errors == {
        "du": "Date invalide : « 2025-13-01 ». Écrivez-la sous la forme AAAA-MM-JJ.",
        "au": "Date hors des limites : 3000-01-01 (entre 2000-01-01 et 2999-12-31).",
        "q": "Recherche trop longue : 201 caractères (200 au plus).",
        "origine": "Site hôte invalide : « https://www.ville.quebec.qc.ca/chemin ». Donnez une origine, comme "
        "https://www.exemple-ville.ca (sans chemin).",
        "couverture": "Couverture inconnue : « totale ». Valeurs permises : « complete » (complète), "
        "« partial » (partielle), « none » (aucune).",
        "intention": bad.errors["intention"],
        "langue": "Langue inconnue : « de ». Valeurs permises : « fr » (français), « en » (anglais).",
        "avis": "Valeur d'avis inconnue : « peut-être ». Valeurs permises : « oui » (Oui, utile), "
        "« non » (Non, inutile), « aucun » (sans avis).",
        "revue": "Valeur de revue inconnue : « jamais ». Valeurs permises : « non » (non revus), « oui » (revus).",
    }
    assert bad.errors["intention"].startswith(
        "Intention inconnue : « bavardage ». Valeurs permises : « action »"
    )
    # Nothing given: the last 30 days of the log's zone.
    default = read_filters({}, corpus, QUEBEC, today=date(2025, 6, 30))
    assert (default.du, default.au) == ("2025-06-01", "2025-06-30")


def test_the_lead_as_shown_and_the_way_back() -> None:
    assert (
        lead_as_shown("\n  Oui : l'action 28 [1] aide.\n\n- Action 28 [1]") == "Oui : l'action 28 [1] aide."
    )
    assert lead_as_shown("") == ""
    assert _back("/admin/lacunes?du=2025-06-01#groupe-abc") == "/admin/lacunes?du=2025-06-01#groupe-abc"
    for outside in ("https://evil.example/admin", "//evil.example/admin", "/\\evil.example", "/plans", ""):
        assert _back(outside) == "/admin/lacunes", outside
    assert (
        _with_done("/admin/lacunes?du=x&fait=revue#groupe-a", "retiree")
        == "/admin/lacunes?du=x&fait=retiree#groupe-a"
    )
    assert _with_done("/admin/lacunes", "revue") == "/admin/lacunes?fait=revue"


# ------------------------------------------------------------------ the pages (SQLite; and PostgreSQL)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def staff(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[TestClient, QuestionLog, dict[str, LogEntry]]]:
    """A signed-in staff member on a log of June 2025: snow removal asked three times (twice the
    same way, one voted « Non »), a stadium, the cost of action 37 (partial, corrected), action 37's
    units (complete, voted « Oui »), in two conversations; the previous 30 days hold one snow
    question and one about action 37."""
    if request.param == "sqlite":
        target = f"sqlite:///{tmp_path / 'questions.sqlite3'}"
    else:
        target = request.getfixturevalue("postgres_server").emptied()
    log = QuestionLog(target, zone=QUEBEC)
    e = {
        "snow1": entry(SNOW, H1, "none", lead=SNOW_LEAD, conversation="conv-1"),
        "jobs": entry(
            JOBS,
            H1,
            "complete",
            (f"{CITY}:37",),
            lead="L'action 37 relève du Service du transport.",
            conversation="conv-1",
        ),
        "cost": entry(COST, H1, "partial", (f"{CITY}:37",), lead=COST_LEAD, conversation="conv-1"),
        "snow2": entry(
            SNOW, H2, "none", lead=SNOW_LEAD, conversation="conv-2", origin="https://partenaire.example.org"
        ),
        "snow3": entry(SNOW2, H3, "none", lead=SNOW_LEAD, conversation="conv-2", language="fr"),
        "stadium": entry(STADIUM, H3, "none", lead=STADIUM_LEAD, conversation=None, intent="off_topic"),
        "may_snow": entry(
            SNOW, datetime(2025, 5, 20, 15, tzinfo=UTC), "none", lead=SNOW_LEAD, conversation=None
        ),
        "may_jobs": entry(
            JOBS, datetime(2025, 5, 20, 15, tzinfo=UTC), "complete", (f"{CITY}:37",), conversation=None
        ),
    }
    log.write_entries(e.values())
    log.write_feedback(Feedback(e["snow2"].answer_id, False, "autre", "Et mon trottoir? [téléphone]"))
    log.write_feedback(Feedback(e["jobs"].answer_id, True))
    log.add_correction(Correction(COST, (), "M. T.", answer_id=e["cost"].answer_id))
    app: FastAPI = make_app(settings_for(tmp_path), log)
    app.state.service.embedder = CountingEmbed(snow_table())
    client = TestClient(app)
    login(client)
    yield client, log, e
    client.close()
    log.close()


def questions_shown(html: str) -> set[str]:
    """Every question shown in a gap group."""
    return {text_of(q) for q in re.findall(r'<p class="gap-q">.*?<strong>(.*?)</strong>', html, re.S)}


def group_with(html: str, question: str) -> str:
    """The text of the gap group that holds ``question`` (whichever its representative)."""
    (found,) = [t for t in groups(html).values() if f"Question : {question} " in t]
    return found


def groups(html: str) -> dict[str, str]:
    """Each gap group's text, by its representative."""
    found = {}
    for body in re.findall(r'<article class="gap[^"]*"(.*?)</article>', html, re.S):
        rep = re.search(r'<span class="gap-rep">«&nbsp;(.*?)&nbsp;»</span>', body)
        assert rep
        found[text_of(rep.group(1))] = text_of("<x" + body)
    return found


def test_gaps_page_groups_questions_with_the_answers_as_given(staff) -> None:  # type: ignore[no-untyped-def]
    client, _log, _e = staff
    r = client.get("/admin/lacunes", params=JUNE)
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    html, page = r.text, text_of(r.text)
    assert "<h1>Là où les plans ne répondent pas</h1>" in html
    assert "5 réponse(s) en lacune, 4 formulation(s) distincte(s), 3 groupe(s) montré(s)" in page
    g = groups(html)
    assert list(g) == [SNOW, COST, STADIUM]  # the most asked first
    snow = g[SNOW]
    assert "3 question(s)" in snow and "Non revu" in snow
    assert "aucune couverture : 3 · avis « Non » : 1" in snow
    # Each question with the answer as given: its lead, its coverage, when (Québec time).
    assert (
        f"{SNOW} 2 fois Réponse donnée 2 fois, le 2025-06-11 11 h · couverture aucune · avis : Non, inutile (autre)"
        in snow
    )
    assert f"{SNOW_LEAD}" in snow and f"{SNOW2} 1 fois" in snow
    assert "Commentaire du citoyen : Et mon trottoir? [téléphone]" in snow
    cost = g[COST]
    assert "couverture partielle : 1 · corrigée par le personnel : 1" in cost and COST_LEAD in cost
    assert "Action 37 (Plan d'action en développement social 2025-2030)" in cost
    assert f'href="/plans/{CITY}#action-37"' in html
    # The comparison with the 30 days before (the 2nd to the 31st of May).
    cmp = page.split("Par rapport à la période précédente", 1)[1]
    assert "comparé à la période de même durée qui précède : du 2025-05-02 au 2025-05-31" in cmp
    assert "aucune 4 1 +3 (+300 %)" in cmp and "toutes les réponses 6 2 +4 (+200 %)" in cmp
    assert re.search(r"Objectif 2\.2\.2 : .*? 2 1 \+1 \(\+100 %\)", cmp)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"couverture": "partial"}, {COST}),
        ({"avis": "non"}, {SNOW}),
        ({"q": "DENEIGEMENT"}, {SNOW2}),
        ({"intention": "off_topic"}, {STADIUM}),
        ({"origine": "https://partenaire.example.org"}, {SNOW}),
        # 01 h UTC on the 12th is 21 h on the 11th in Québec.
        ({"du": "2025-06-11", "au": "2025-06-11"}, {SNOW, SNOW2, STADIUM}),
        ({"du": "2025-06-10", "au": "2025-06-10"}, {SNOW, COST}),
        ({"plan": SS}, set()),
    ],
)
def test_gaps_page_filters(staff, params: dict[str, str], expected: set[str]) -> None:  # type: ignore[no-untyped-def]
    client, _log, _e = staff
    r = client.get("/admin/lacunes", params={**JUNE, **params})
    assert r.status_code == 200
    assert questions_shown(r.text) == expected
    for key, value in params.items():  # shown back in the form
        if key in ("q", "du", "au"):
            assert f'name="{key}" value="{value}"' in r.text
        else:
            assert f'<option value="{value}" selected>' in r.text


def test_gaps_page_refuses_bad_filters_by_name(staff) -> None:  # type: ignore[no-untyped-def]
    client, _log, _e = staff
    r = client.get("/admin/lacunes", params={"couverture": "totale", "avis": "bof", "du": "2025-02-30"})
    assert r.status_code == 400
    page = text_of(r.text)
    assert "Couverture inconnue : « totale »" in page and "Valeur d'avis inconnue : « bof »" in page
    assert "Date invalide : « 2025-02-30 »" in page
    assert (
        'id="couverture" name="couverture" aria-invalid="true" aria-describedby="couverture-erreur"' in r.text
    )
    assert "<article" not in r.text


def review(
    client: TestClient,
    html: str,
    form_id: str,
    author: str = "M. Tremblay",
    note: str = "",
    marked: bool = True,
) -> object:
    """Send one of the page's review forms (``form_id``: the id prefix of its fields) as a browser would."""
    form = re.search(
        rf'<form method="post" action="/admin/revues">(?:(?!</form>).)*?id="{re.escape(form_id)}-revu".*?</form>',
        html,
        re.S,
    )
    assert form, form_id
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group()))
    fields = {k: v.replace("&amp;", "&").replace("&#39;", "'") for k, v in fields.items()}
    fields.update(auteur=author, note=note)
    if marked:
        fields["revu"] = "1"
    return client.post("/admin/revues", data=fields, follow_redirects=False)


def test_a_group_is_marked_reviewed_with_a_note(staff) -> None:  # type: ignore[no-untyped-def]
    client, log, e = staff
    page = client.get("/admin/lacunes", params=JUNE).text
    anchor = re.search(r'id="groupe-([0-9a-f]+)"', page).group(1)  # type: ignore[union-attr]
    assert anchor == e["snow2"].answer_id  # the latest answer to the group's representative
    r = review(
        client,
        page,
        f"g-{anchor}",
        note="Hors plan : le déneigement relève des Travaux publics; 418 555-0199",
    )
    assert r.status_code == 303  # type: ignore[attr-defined]
    back = r.headers["location"]  # type: ignore[attr-defined]
    assert back.startswith("/admin/lacunes?") and back.endswith(f"#groupe-{anchor}")
    assert parse_qs(urlsplit(back).query) == {"du": ["2025-06-01"], "au": ["2025-06-30"], "fait": ["revue"]}
    shown = client.get(back.split("#")[0])
    assert "Revue enregistrée." in text_of(shown.text)
    snow = groups(shown.text)[SNOW]
    assert re.search(r"Revu par M\. Tremblay, le \d{4}-\d\d-\d\d \d\d h \d\d", snow)
    # The note is stored redacted, like every text the log keeps.
    assert "« Hors plan : le déneigement relève des Travaux publics; [téléphone] »" in snow
    assert f'<article class="gap is-reviewed" id="groupe-{anchor}"' in shown.text
    # « Non revus »: the group is gone; « revus »: it is alone.
    assert list(groups(client.get("/admin/lacunes", params={**JUNE, "revue": "non"}).text)) == [COST, STADIUM]
    assert list(groups(client.get("/admin/lacunes", params={**JUNE, "revue": "oui"}).text)) == [SNOW]
    assert "1 groupe(s) écarté(s) par le filtre de revue" in text_of(
        client.get("/admin/lacunes", params={**JUNE, "revue": "non"}).text
    )
    # A new snow question joins the group: it is to review again, its new answer not covered.
    log.write_entries([entry(SNOW2, H3 + timedelta(hours=2), "none", lead=SNOW_LEAD, conversation=None)])
    # The group's representative may change (two texts asked twice each now): the review stays on
    # its answers.
    again = group_with(client.get("/admin/lacunes", params={**JUNE, "revue": "non"}).text, SNOW)
    assert "À revoir 1 question(s) sur 4 pas encore revue(s)" in again
    # The mark is withdrawn with its own form.
    page = client.get("/admin/lacunes", params=JUNE).text
    (review_id,) = set(re.findall(r'action="/admin/revues/([0-9a-f]+)/retirer"', page))
    token = csrf_of(page)
    assert (
        client.post(f"/admin/revues/{review_id}/retirer", data={"retour": "/admin/lacunes"}).status_code
        == 403
    )
    r = client.post(
        f"/admin/revues/{review_id}/retirer",
        data={"csrf": token, "retour": "/admin/lacunes"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/admin/lacunes?fait=retiree"
    assert "Revu par" not in group_with(client.get("/admin/lacunes", params=JUNE).text, SNOW)
    r = client.post(f"/admin/revues/{review_id}/retirer", data={"csrf": token, "retour": "/admin/lacunes"})
    assert r.status_code == 404


def test_a_question_is_reviewed_alone_and_a_note_without_mark(staff) -> None:  # type: ignore[no-untyped-def]
    client, _log, _e = staff
    page = client.get("/admin/lacunes", params=JUNE).text
    anchor = re.search(r'id="groupe-([0-9a-f]+)"', page).group(1)  # type: ignore[union-attr]
    assert review(client, page, f"q-{anchor}-2", author="J. L.").status_code == 303  # type: ignore[attr-defined]
    snow = groups(client.get("/admin/lacunes", params=JUNE).text)[SNOW]
    assert f"{SNOW2} 1 fois Revue" in snow and f"{SNOW} 2 fois Revue" not in snow
    assert "À revoir 2 question(s) sur 3 pas encore revue(s)" in snow
    page = client.get("/admin/lacunes", params=JUNE).text
    r = review(
        client, page, f"q-{anchor}-1", author="J. L.", note="À suivre avec les Travaux publics", marked=False
    )
    assert r.status_code == 303  # type: ignore[attr-defined]
    snow = groups(client.get("/admin/lacunes", params=JUNE).text)[SNOW]
    assert "Note par J. L., le" in snow and "« À suivre avec les Travaux publics »" in snow
    assert f"{SNOW} 2 fois Revue" not in snow  # a note is not a mark


def test_review_forms_are_checked(staff) -> None:  # type: ignore[no-untyped-def]
    client, log, e = staff
    page = client.get("/admin/lacunes", params=JUNE).text
    token = csrf_of(page)
    ids = e["stadium"].answer_id
    base = {
        "csrf": token,
        "portee": "groupe",
        "reponses": ids,
        "auteur": "M. T.",
        "revu": "1",
        "retour": "/admin/lacunes",
    }
    assert client.post("/admin/revues", data={**base, "csrf": "x" * 43}).status_code == 403
    for change, message in (
        ({"portee": "tout"}, "ne dit pas quelles questions"),
        ({"reponses": "a b ' OR 1=1"}, "ne dit pas quelles questions"),
        ({"auteur": "  "}, "nom ou vos initiales"),
        ({"revu": ""}, "Cochez « revu » ou écrivez une note."),
        ({"note": "x" * 1001}, "1001 caractères"),
    ):
        r = client.post("/admin/revues", data={**base, **change})
        assert r.status_code == 400 and message in text_of(r.text), change
        assert 'href="/admin/lacunes">Retour à la page précédente' in r.text
    r = client.post("/admin/revues", data={**base, "reponses": "f" * 32})
    assert r.status_code == 404 and "ne sont plus dans le journal" in text_of(r.text)
    # A way back outside the dashboard is never followed.
    r = client.post("/admin/revues", data={**base, "retour": "https://evil.example/"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/admin/lacunes?fait=revue"
    assert log.find(LogQuery(reviewed=True))[0].entry.answer_id == ids


def test_conversation_shows_every_turn_in_order(staff) -> None:  # type: ignore[no-untyped-def]
    client, _log, e = staff
    r = client.get("/admin/conversation", params={"reponse": e["cost"].answer_id})
    assert r.status_code == 200
    page = text_of(r.text)
    assert "3 tour(s), du 2025-06-10 10 h au 2025-06-10 10 h (heure locale, fuseau America/Montreal)" in page
    turns = re.findall(
        r"Tour (\d) · [^·]+ · [^·]+ · [^·]+? Question du citoyen \(caviardée\) (.+?) Réponse donnée", page
    )
    assert turns == [("1", SNOW), ("2", JOBS), ("3", COST)]
    assert SNOW_LEAD in page and COST_LEAD in page and "avis : Oui, utile" in page
    assert f'id="tour-{e["cost"].answer_id}" aria-current="true"' in r.text
    alone = text_of(client.get("/admin/conversation", params={"reponse": e["stadium"].answer_id}).text)
    assert "n'a pas d'identifiant de conversation" in alone and STADIUM_LEAD in alone
    for bad in ("inconnue", "../x", ""):
        assert client.get("/admin/conversation", params={"reponse": bad}).status_code == 404
    # Every gap question links to its conversation.
    gaps_page = client.get("/admin/lacunes", params=JUNE).text
    assert f'href="/admin/conversation?reponse={e["snow2"].answer_id}"' in gaps_page


def test_objectives_page_counts_per_objective_and_axis(staff) -> None:  # type: ignore[no-untyped-def]
    client, _log, _e = staff
    r = client.get("/admin/objectifs", params=JUNE)
    assert r.status_code == 200
    page = text_of(r.text)
    assert "Du 2025-06-01 au 2025-06-30 : 6 réponse(s), dont 4 sans action citée." in page
    assert "Plan d'action en développement social 2025-2030 2 réponse(s)" in page
    assert re.search(r"Orientation 2 › Axe d'intervention 2 : .*? 2 réponse\(s\)", page)
    assert re.search(
        rf"Objectif 2\.2\.2 : .*? 2 complète 1 · partielle 1 · aucune 0 {re.escape(COST)} \(1\) {re.escape(JOBS)} \(1\)",
        page,
    )
    assert "Par rapport à la période précédente" in page
    r = client.get("/admin/objectifs", params={**JUNE, "couverture": "complete"})
    assert "1 réponse(s), dont 0 sans action citée" in text_of(r.text)


def test_answers_page_reads_the_same_filters(staff) -> None:  # type: ignore[no-untyped-def]
    client, _log, _e = staff
    r = client.get("/admin/reponses", params={**JUNE, "q": "deneigee"})
    rows = [text_of(x) for x in re.findall(r"<tr>(.*?)</tr>", r.text, re.S)[1:]]
    assert len(rows) == 2 and all(SNOW in x and SNOW_LEAD in x for x in rows)
    r = client.get("/admin/reponses", params={**JUNE, "avis": "oui"})
    (row,) = [text_of(x) for x in re.findall(r"<tr>(.*?)</tr>", r.text, re.S)[1:]]
    assert JOBS in row and "Oui, utile" in row and "L'action 37 relève du Service du transport." in row


def test_new_pages_need_a_session(tmp_path: Path) -> None:
    log = QuestionLog(f"sqlite:///{tmp_path / 'q.sqlite3'}")
    client = TestClient(make_app(settings_for(tmp_path), log))
    for path in ("/admin/lacunes", "/admin/objectifs", "/admin/conversation?reponse=x"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/admin", path
    r = client.post("/admin/revues", data={"portee": "groupe"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/admin"
    log.close()
