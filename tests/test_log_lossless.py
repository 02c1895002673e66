"""The question log loses nothing a citizen gives it, whatever the text (issue 19): every free text is
cleaned by one function before it is stored, one bad item is lost alone, and ``/readyz`` says when
the log fails while the answers go on. Real uvicorn on 127.0.0.1, the real index, the log on SQLite
and on a real PostgreSQL (started here)."""

from __future__ import annotations

import json
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.normalize import clean_text
from assistant.questionlog.records import Feedback
from assistant.questionlog.storable import storable
from evals.deployment import Postgres

from .servers import Uvicorn
from .test_feedback import fresh_data
from .test_log_load import TOPICS

CONTROL = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
# What an attacker sends: NUL and other C0/C1 controls, zero-width and bidirectional controls
# (U+200E/F, U+202A–E, U+2066–9), a byte order mark, a private-use and a noncharacter code point,
# lone surrogates (which JSON can carry), compatibility forms (full-width digits, a ligature).
HOSTILE = (
    "\x00\x01\x08\t\n\r\x1b\x7f\x85\x9f\xa0\xad\u061c\u200b\u200c\u200d\u200e\u200f\u2028\u202a\u202b"
    "\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff\ufff9\uffff\U000e0001\U000f0000\ud800\udfff"
    "４１８ ５５５-０１９９ﬁ½²"
)
CHARS = st.one_of(st.characters(), st.sampled_from(HOSTILE))
NOISE = st.text(CHARS, max_size=40)
QUESTIONS = st.one_of(
    st.text(CHARS, max_size=1000),  # anything: often nothing is left of it (422)
    st.builds(
        lambda a, topic, b: f"{a}Que fait la Ville pour {topic}?{b}", NOISE, st.sampled_from(TOPICS), NOISE
    ),
    st.builds(
        lambda piece, n: (piece * n)[:1000], st.text(CHARS, min_size=1, max_size=20), st.integers(1, 1000)
    ),
)
COMMENTS = st.one_of(
    st.text(CHARS, max_size=500),
    st.builds(
        lambda piece, n: (piece * n)[:500], st.text(CHARS, min_size=1, max_size=20), st.integers(1, 500)
    ),
)


def is_clean(text: str) -> bool:
    """No control, format, surrogate, private-use or unassigned character; NFKC; spaces collapsed."""
    return (
        not any(unicodedata.category(ch) in CONTROL for ch in text)
        and unicodedata.is_normalized("NFKC", text)
        and text == " ".join(text.split())
    )


@given(st.text(CHARS, max_size=300))
@settings(max_examples=300, derandomize=True, database=None)
def test_clean_text_leaves_no_control_and_is_idempotent(text: str) -> None:
    cleaned = clean_text(text)
    assert is_clean(cleaned)
    assert clean_text(cleaned) == cleaned


def test_clean_text_examples() -> None:
    assert clean_text("x\x00") == "x"
    assert clean_text("\u202eellivruoM ne\u202c, \u2066merci\u2069\u200f") == "ellivruoM ne, merci"
    assert clean_text("Appelez au ４１８ ５５５-０１９９\n\tsvp\x85") == "Appelez au 418 555-0199 svp"
    assert clean_text("Que\u0301bec, l'e\u0301te\u0301 ﬁni") == "Québec, l'été fini"  # composed
    assert clean_text("\x00\u200b \ufeff") == ""


def test_storable_cleans_every_free_text() -> None:
    vote = storable(Feedback("a" * 32, False, "autre", "\x00\u202e\n"))
    assert vote.comment is None  # nothing was left: no empty comment stored
    vote = storable(Feedback("a" * 32, False, "pas_clair", "x\x00 \u202eRappelez le 418 555-0199"))
    assert (vote.reason, vote.comment) == ("pas_clair", "x Rappelez le [téléphone]")


# ------------------------------------------------------------------------ the real service


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    with Postgres() as pg:
        yield pg


@dataclass
class Service:
    client: httpx.Client
    log_url: str  # the log's database, read by the test


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def service(
    request: pytest.FixtureRequest, built: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    data = fresh_data(built, tmp_path_factory.mktemp(request.param))
    url = f"sqlite:///{data / 'questions.sqlite3'}"
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres").database()
    server = Uvicorn({"PLAN_ASSISTANT_DATA_DIR": str(data), "PLAN_ASSISTANT_RATE_LIMIT": "0",
                      "PLAN_ASSISTANT_LOG_URL": url}, log_level="warning")  # fmt: skip
    server.start(ready="/readyz")
    try:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            yield Service(client, url)
    finally:
        server.stop()


def post(c: httpx.Client, path: str, body: dict[str, Any]) -> httpx.Response:
    """JSON with every non-ASCII character escaped: lone surrogates travel too."""
    return c.post(path, content=json.dumps(body).encode(), headers={"Content-Type": "application/json"})


def eventually(c: httpx.Client, done: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """The ``log`` field of ``/readyz`` once ``done`` holds for it (a guard of 60 s against a hang,
    not a measure)."""
    deadline = time.monotonic() + 60
    while True:
        ready = c.get("/readyz")
        assert ready.status_code == 200, ready.text
        log: dict[str, Any] = ready.json()["log"]
        if done(log) or time.monotonic() > deadline:
            return log
        time.sleep(0.1)


def settled(c: httpx.Client) -> dict[str, Any]:
    """The log's counters once everything queued so far is handled."""
    log = eventually(c, lambda log: log["pending"] == 0)
    assert log["pending"] == 0, log
    return log


def logged(url: str) -> tuple[dict[str, str], dict[str, str | None]]:
    """answer_id → question, and answer_id → comment of its vote, as stored."""
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as db:
            questions = {
                a: q for a, q in db.execute(sqlalchemy.text("SELECT answer_id, question FROM answers"))
            }
            comments = {
                a: c for a, c in db.execute(sqlalchemy.text("SELECT answer_id, comment FROM feedback"))
            }
    finally:
        engine.dispose()
    return questions, comments


def test_any_text_through_the_api_is_logged_clean_and_nothing_is_lost(service: Service) -> None:
    c = service.client
    before = settled(c)
    asked: list[str] = []
    votes: dict[str, str] = {}

    @given(question=QUESTIONS, comment=COMMENTS, reason=st.sampled_from([None, "autre", "incomplet"]))
    @settings(max_examples=30, derandomize=True, database=None, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])  # fmt: skip
    def ask_and_vote(question: str, comment: str, reason: str | None) -> None:
        r = post(c, "/api/ask", {"question": question})
        if r.status_code == 422:  # nothing left to ask, or not text: the field is named
            assert r.json()["error"]["field"] == "question", r.text
            return
        assert r.status_code == 200, r.text
        answer_id = r.json()["answer_id"]
        asked.append(answer_id)
        r = post(
            c,
            "/api/feedback",
            {"answer_id": answer_id, "helpful": False, "reason": reason, "comment": comment},
        )
        if any(unicodedata.category(ch) == "Cs" for ch in comment):  # not Unicode text
            assert r.status_code == 422 and r.json()["error"]["field"] == "comment", r.text
            return
        assert r.status_code == 202, r.text
        votes[answer_id] = comment

    ask_and_vote()
    after = settled(c)
    assert len(asked) >= 10 and len(votes) >= 5  # the texts did reach the log
    assert {k: after[k] - before[k] for k in ("written", "failed", "isolated", "dropped", "rejected")} == {
        "written": len(asked) + len(votes), "failed": 0, "isolated": 0, "dropped": 0, "rejected": 0,
    }  # fmt: skip
    assert after["status"] == "ok"
    questions, comments = logged(service.log_url)
    assert [a for a in asked if a not in questions] == []
    assert [a for a in asked if not is_clean(questions[a])] == []
    for answer_id, comment in votes.items():
        stored = comments[answer_id]
        assert stored is None or is_clean(stored), repr(stored)
        # Nothing lost beyond the cleaning: the comment as the one cleaning and the redaction make it.
        assert stored == storable(Feedback(answer_id, False, None, comment)).comment


def test_a_nul_comment_never_costs_other_citizens_their_entries(service: Service) -> None:
    """The probe of issue 19: votes whose comment holds a NUL, between other citizens' answers. On
    PostgreSQL every batch that held one was refused whole, its neighbours lost with it."""
    c = service.client
    before = settled(c)
    answers: list[str] = []
    for i in range(30):
        r = post(c, "/api/ask", {"question": f"Que fait la Ville pour {TOPICS[i % len(TOPICS)]}? ({i})"})
        assert r.status_code == 200, r.text
        answers.append(r.json()["answer_id"])
        if i % 3 == 0:
            vote = {"answer_id": answers[-1], "helpful": False, "reason": "autre", "comment": "x\u0000"}
            assert post(c, "/api/feedback", vote).status_code == 202
    after = settled(c)
    questions, comments = logged(service.log_url)
    assert [a for a in answers if a not in questions] == []
    assert {a: comments.get(a) for a in answers[::3]} == dict.fromkeys(answers[::3], "x")
    assert (after["failed"] - before["failed"], after["written"] - before["written"]) == (0, 40)


def test_readyz_says_when_the_log_fails_and_the_answers_go_on(service: Service) -> None:
    c = service.client
    engine = sqlalchemy.create_engine(service.log_url)
    try:
        with engine.begin() as db:  # the table gone: every write of the log fails
            db.exec_driver_sql("ALTER TABLE answers RENAME TO answers_away")
        try:
            r = post(c, "/api/ask", {"question": "Qui s'occupe de l'action 37?"})
            assert r.status_code == 200 and len(r.json()["answer_id"]) == 32, r.text
            lost = r.json()["answer_id"]
            log = eventually(c, lambda log: log["status"] == "en_panne")
            assert log["status"] == "en_panne", log
            assert log["detail"].startswith("les dernières écritures du journal ont échoué ("), log
            ready = c.get("/readyz")  # the service itself is ready: answers go on
            assert ready.status_code == 200 and ready.json()["status"] == "ok"
        finally:
            with engine.begin() as db:
                db.exec_driver_sql("ALTER TABLE answers_away RENAME TO answers")
    finally:
        engine.dispose()
    r = post(c, "/api/ask", {"question": "Qui s'occupe de l'action 38?"})
    assert r.status_code == 200, r.text
    log = eventually(c, lambda log: log["status"] == "ok" and log["pending"] == 0)
    assert (log["status"], log["detail"]) == ("ok", None)
    questions, _ = logged(service.log_url)
    assert r.json()["answer_id"] in questions and lost not in questions


def test_a_corrupted_log_database_is_reported_and_the_answers_go_on(built: Any, tmp_path: Path) -> None:
    data = fresh_data(built, tmp_path)
    (data / "questions.sqlite3").write_bytes(b"ceci n'est pas une base SQLite " * 512)
    server = Uvicorn(
        {"PLAN_ASSISTANT_DATA_DIR": str(data), "PLAN_ASSISTANT_RATE_LIMIT": "0"}, log_level="warning"
    )
    server.start(ready="/readyz")
    try:
        with httpx.Client(base_url=server.url, timeout=60) as c:
            ready = c.get("/readyz")
            assert ready.status_code == 200 and ready.json()["status"] == "ok", ready.text
            log = ready.json()["log"]
            assert log["status"] == "en_panne" and log["written"] is None
            assert log["detail"] == (
                "la base du journal ne s'ouvre pas (DatabaseError) : les réponses ne sont pas journalisées"
            )
            r = post(c, "/api/ask", {"question": "Qui s'occupe de l'action 37?"})
            assert r.status_code == 200 and r.json()["answer_id"] is None and r.json()["found"] is True
    finally:
        logs = server.stop()
    assert logs.count("journal des questions indisponible (DatabaseError)") == 1, logs
