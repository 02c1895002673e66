"""The loop that lets the City see what citizens ask: every answer has an id, a vote on it is kept
with the question, redacted, in the private log; nothing that identifies a citizen reaches the
database or the server's log. Real uvicorn on 127.0.0.1, the real index, a real SQLite file."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from .conftest import CITY, ROOT
from .servers import Uvicorn

pytestmark = pytest.mark.slow

NAME_QUESTION = (
    "Bonjour, je m'appelle Ginette Laflamme, j'habite au 1234, rue des Érables, G1R 2B5, "
    "mon numéro est le 418 555-0199 : la Ville m'aide-t-elle à trouver un logement?"
)
SECRETS = ("Ginette", "Laflamme", "1234, rue des Érables", "G1R 2B5", "555-0199")


def database(data: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{data / 'questions.sqlite3'}?mode=ro", uri=True)


def raw_bytes(data: Path) -> bytes:
    """Everything SQLite wrote: the database, its write-ahead log and shared memory."""
    return b"".join(p.read_bytes() for p in sorted(data.glob("questions.sqlite3*")))


def fresh_data(built, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """A copy of the built index's data folder, without the question log that other tests' servers
    on the shared folder write there."""
    folder = tmp_path / "data"
    shutil.copytree(built.location.root.parent, folder, ignore=shutil.ignore_patterns("questions.sqlite3*"))
    return folder


@pytest.fixture
def data(built, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    return fresh_data(built, tmp_path)


@pytest.fixture
def served(data: Path) -> Iterator[tuple[Uvicorn, httpx.Client]]:
    server = Uvicorn({"PLAN_ASSISTANT_DATA_DIR": str(data), "PLAN_ASSISTANT_RATE_LIMIT": "0"})
    server.start(ready="/readyz")
    try:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            yield server, client
    finally:
        server.stop()


def test_an_answer_and_its_vote_are_logged_redacted(served, data: Path) -> None:  # type: ignore[no-untyped-def]
    server, c = served
    conversation = "c0ffee00-1234-4abc-8def-0123456789ab"
    r = c.post(
        "/api/ask",
        json={"question": NAME_QUESTION, "conversation_id": conversation},
        headers={"Origin": "http://127.0.0.1:9"},  # not allowed for CORS, still what the log records
    )
    assert r.status_code in (200, 403), r.text
    r = c.post("/api/ask", json={"question": NAME_QUESTION, "conversation_id": conversation})
    a = r.json()
    assert r.status_code == 200 and len(a["answer_id"]) == 32
    assert a["citations"][0]["ref"] == f"{CITY}:28"  # the housing search help
    assert c.post("/api/feedback", json={"answer_id": a["answer_id"], "helpful": False, "reason": "incomplet",
                                         "comment": "Rappelez-moi au 418-555-0199 svp"}).status_code == 202  # fmt: skip
    # The stream's last event carries an id too; the second vote on one answer is ignored.
    with c.stream("POST", "/api/ask/stream", json={"question": "Qui s'occupe de l'action 37?"}) as s:
        done = [json.loads(line[5:]) for line in s.iter_lines() if line.startswith("data:")][-1]
    assert len(done["answer_id"]) == 32 and done["answer_id"] != a["answer_id"]
    assert c.post("/api/feedback", json={"answer_id": done["answer_id"], "helpful": True}).status_code == 202
    assert c.post("/api/feedback", json={"answer_id": done["answer_id"], "helpful": False}).status_code == 202
    logs = server.stop()  # SIGTERM: the queue is written before the process ends

    with database(data) as db:
        rows = db.execute(
            "SELECT answer_id, conversation_id, question, language, intent, coverage FROM answers"
        ).fetchall()
        by_id = {row[0]: row for row in rows}
        logged = by_id[a["answer_id"]]
        assert logged[1] == conversation
        assert "[nom]" in logged[2] and "[adresse]" in logged[2] and "[téléphone]" in logged[2]
        assert logged[2].endswith("la Ville m'aide-t-elle à trouver un logement?")
        assert logged[5] == "complete"
        refs = db.execute("SELECT ref FROM answer_refs WHERE answer_id = ? ORDER BY rank", (a["answer_id"],))
        assert refs.fetchone()[0] == f"{CITY}:28"
        votes = dict(
            (row[0], row[1:])
            for row in db.execute("SELECT answer_id, helpful, reason, comment FROM feedback").fetchall()
        )
        assert votes[a["answer_id"]] == (0, "incomplet", "Rappelez-moi au [téléphone] svp")
        assert votes[done["answer_id"]][0] == 1  # the first vote stands
        columns = {row[1] for row in db.execute("PRAGMA table_info(answers)")}
        assert not columns & {"ip", "client", "user_agent", "cookie"}
    blob = raw_bytes(data)
    for secret in SECRETS:
        assert secret.encode() not in blob, secret
        assert secret not in logs, secret
    assert "127.0.0.1:" not in "\n".join(line for line in logs.splitlines() if "POST /api" in line)


def test_the_labelled_personal_information_never_reaches_the_database(served, data: Path) -> None:  # type: ignore[no-untyped-def]
    """Every sentence of the labelled set with personal information, asked through the API: none of
    its values is in the database's files afterwards."""
    server, c = served
    items = yaml.safe_load((ROOT / "evals" / "privacy.yaml").read_text(encoding="utf-8"))["items"]
    personal = [i for i in items if i["pii"]]
    assert len(personal) >= 100
    for item in personal:
        r = c.post("/api/ask", json={"question": item["text"][:1000]})
        assert r.status_code == 200, r.text
    server.stop()
    blob = raw_bytes(data)
    with database(data) as db:
        assert db.execute("SELECT count(*) FROM answers").fetchone()[0] == len(personal)
    leaked = [p["value"] for i in personal for p in i["pii"] if stored(p["value"], i["text"], blob)]
    assert leaked == []


def stored(value: str, text: str, blob: bytes) -> bool:
    """Whether ``value``, as it stands in ``text``, is in the database's bytes. A value that stands
    apart from letters and digits in its text (« au 1500, est-ce ») would be stored so; it is looked
    for so, and not inside the random hexadecimal ids and the build's timestamp (« …a1500f… »)."""
    alnum = r"[0-9A-Za-zÀ-ÿ]"
    apart = re.search(rf"(?<!{alnum}){re.escape(value)}(?!{alnum})", text) is not None
    if not apart:
        return value.encode() in blob
    pattern = rf"(?<!{alnum}){re.escape(value)}(?!{alnum})".encode()
    return re.search(pattern, blob) is not None


def test_with_the_log_off_nothing_is_kept(built, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = fresh_data(built, tmp_path)
    server = Uvicorn({"PLAN_ASSISTANT_DATA_DIR": str(data), "PLAN_ASSISTANT_LOG_ENABLED": "false"})
    server.start(ready="/readyz")
    try:
        with httpx.Client(base_url=server.url, timeout=60) as c:
            a = c.post("/api/ask", json={"question": NAME_QUESTION}).json()
            assert a["answer_id"] is None and a["found"] is True
            r = c.post("/api/feedback", json={"answer_id": "0" * 32, "helpful": True})
            assert r.status_code == 404 and r.json()["error"]["code"] == "avis_desactives"
            notice = c.get("/api/privacy").json()
            assert notice["logging"] is False and notice["notice"] == "Vos questions ne sont pas conservées."
    finally:
        server.stop()
    assert not list(data.glob("questions.sqlite3*"))


def test_privacy_notice_and_bad_votes(served) -> None:  # type: ignore[no-untyped-def]
    _, c = served
    notice = c.get("/api/privacy").json()
    assert notice["logging"] is True and notice["retention_days"] == 90
    assert notice["notice"].startswith("Vos questions sont conservées 90 jours")
    for body, field in (
        ({"answer_id": "pas-un-identifiant", "helpful": True}, "answer_id"),
        ({"answer_id": "0" * 32, "helpful": False, "reason": "fâché"}, "reason"),
        ({"answer_id": "0" * 32, "helpful": False, "comment": "x" * 501}, "comment"),
        ({"answer_id": "0" * 32}, "helpful"),
    ):
        r = c.post("/api/feedback", json=body)
        assert r.status_code == 422, r.text
        assert r.json()["error"]["field"] == field, r.text
    r = c.post("/api/ask", json={"question": "Qui s'occupe de l'action 37?", "conversation_id": "x y"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "conversation_id"
