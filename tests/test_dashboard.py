"""The staff dashboard (/admin) in process: login, sessions, CSRF, attempts, what it shows from a
real question log (SQLite in tmp_path), the filters, the CSV export; the clustering of questions
(a fake embedder, and once the real e5); ``plan-assistant log report`` and ``dashboard
hash-password``."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
import typer
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError
from typer.testing import CliRunner

from api.app import create_app
from api.dashboard.auth import DashboardAuth
from api.dashboard.export import safe
from api.settings import Settings
from api.state import ServiceState
from assistant.questionlog import Feedback, LogEntry, QuestionLog
from assistant.questionlog.clusters import CachedEmbed, cluster_questions
from assistant.questionlog.report import Period, build_dashboard, percent, write_report

from .conftest import CITY, SS
from .fakes import HashingEmbeddings
from .test_question_log import QUEBEC
from .test_question_log import entry as log_entry

PASSWORD = "tableau-de-bord-ÉtÉ-2025"
SECRET = "k9Vq2x-LmN4pR7sT0wYz8aBcDeFgHiJkLmNoPq"
HASH = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
DAY1 = datetime(2025, 6, 10, 9, 40, tzinfo=UTC)
DAY2 = datetime(2025, 6, 11, 16, 5, tzinfo=UTC)
DAY3 = datetime(2025, 6, 12, 23, 59, tzinfo=UTC)
ALL = {"du": "2025-06-01", "au": "2025-06-30"}

Q37 = "Qui s'occupe de l'action 37?"
QPOOL = "Où est la piscine près de [adresse]?"
QHOUSING = "Le conseil de quartier aide-t-il pour le logement?"
XSS = "<script>alert(1)</script> et la collecte?"
FORMULA = '=HYPERLINK("http://x";"clic") horaire?'


def entry(
    question: str, hour: datetime, coverage: str, refs: tuple[str, ...], plans: tuple[str, ...] | None = None
) -> LogEntry:
    return log_entry(question, hour=hour, coverage=coverage, refs=refs, plans=plans)


def fill(log: QuestionLog) -> dict[str, LogEntry]:
    """9 answers on 3 days: action 37 asked 4 times (CITY), 2 pool questions the plans do not
    cover, a housing question (SS) voted « not helpful » with a reason and a comment, a hostile
    text, a formula."""
    e = {
        "a1": entry(Q37, DAY1, "complete", (f"{CITY}:37",)),
        "a2": entry(Q37, DAY1, "complete", (f"{CITY}:37",)),
        "a3": entry(Q37, DAY2, "complete", (f"{CITY}:37", f"{CITY}:41")),
        "a4": entry("qui s'occupe de l'action 37 ?", DAY3, "complete", (f"{CITY}:37",)),
        "p1": entry(QPOOL, DAY2, "none", ()),
        "p2": entry(QPOOL, DAY3, "none", ()),
        "h1": entry(QHOUSING, DAY2, "partial", (f"{SS}:1.1.2",)),
        "x1": entry(XSS, DAY3, "none", (), plans=(SS,)),
        "f1": entry(FORMULA, DAY3, "partial", (f"{CITY}:28",)),
    }
    log.write_entries(e.values())
    log.write_feedback(Feedback(e["a1"].answer_id, True, hour=DAY1))
    log.write_feedback(
        Feedback(
            e["h1"].answer_id,
            False,
            reason="incomplet",
            comment="Il manque le montant; écrivez-moi à [courriel]",
            hour=DAY2,
        )
    )
    log.write_feedback(Feedback(e["p1"].answer_id, False, reason="autre", hour=DAY2))
    return e


def settings_for(tmp: Path, **extra: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": tmp,
        "allowed_hosts": ["testserver"],
        "dashboard_password_hash": HASH,
        "dashboard_secret": SECRET,
        **extra,
    }
    return Settings(**values)  # type: ignore[arg-type]


def make_app(settings: Settings, log: QuestionLog | None) -> FastAPI:
    """The real application without its lifespan (no index): the service state with a fake
    embedder, and the question log the lifespan would open."""
    app = create_app(settings)
    service = ServiceState(settings)
    service.embedder = HashingEmbeddings()
    app.state.service = service
    app.state.question_log = log
    return app


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QuestionLog]:
    folder = tmp_path_factory.mktemp("log")
    store = QuestionLog(f"sqlite:///{folder / 'questions.sqlite3'}", zone=QUEBEC)
    store.entries_written = fill(store)  # type: ignore[attr-defined]
    yield store
    store.close()


@pytest.fixture
def app(tmp_path: Path, log: QuestionLog) -> FastAPI:
    return make_app(settings_for(tmp_path, dashboard_attempts="3/minute"), log)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with_client = TestClient(app)
    yield with_client
    with_client.close()


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, html
    return m.group(1)


def login(client: TestClient, password: str = PASSWORD) -> TestClient:
    page = client.get("/admin")
    r = client.post(
        "/admin/login", data={"csrf": csrf_of(page.text), "password": password}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == "/admin", r.text
    return client


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "svg"):
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "svg"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def text_of(html: str) -> str:
    """The page's text as read (tags out, entities decoded, spaces collapsed)."""
    p = _Text()
    p.feed(html)
    return " ".join(" ".join(p.parts).split())


def kpi(html: str, name: str) -> str:
    m = re.search(rf'id="kpi-{name}">([^<]*)', html)
    assert m, name
    return m.group(1).strip()


def cookie_header(r: object, name: str) -> str:
    headers = r.headers.get_list("set-cookie")  # type: ignore[attr-defined]
    found = [h for h in headers if h.startswith(f"{name}=")]
    assert found, headers
    return str(found[0])


# ------------------------------------------------------------------ methods


def test_wrong_methods_say_what_is_allowed_and_head_reads_as_get(client: TestClient) -> None:
    r = client.delete("/admin/login")  # two routes at this address: GET (the form) and POST
    assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD, POST"
    assert r.json()["error"]["code"] == "methode_non_permise"
    r = client.post("/admin/export.csv")
    assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD"
    page, head = client.get("/admin/login"), client.head("/admin/login")
    assert head.status_code == page.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == page.headers["content-type"]
    assert head.headers["cache-control"] == "no-store"


# ------------------------------------------------------------------ off, settings


def test_off_unless_hash_and_secret_are_set(tmp_path: Path, log: QuestionLog) -> None:
    app = make_app(Settings(data_dir=tmp_path, allowed_hosts=["testserver"]), log)
    c = TestClient(app)
    for method, path in (("GET", "/admin"), ("POST", "/admin/login"), ("GET", "/admin/export.csv")):
        r = c.request(method, path)
        assert r.status_code == 404, path
        assert r.headers["content-type"].startswith("text/html")
        assert r.headers["cache-control"] == "no-store"
        assert "Cette adresse n'existe pas." in text_of(r.text)
    assert not any(p.startswith("/admin") for p in c.get("/openapi.json").json()["paths"])


def test_settings_name_the_bad_values(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"argon2.*'not-a-hash'"):
        Settings(dashboard_password_hash="not-a-hash", dashboard_secret=SECRET)
    with pytest.raises(ValidationError, match=r"au moins 32 caractères.*reçu 9"):
        Settings(dashboard_password_hash=HASH, dashboard_secret="court-123")
    with pytest.raises(ValidationError, match="DASHBOARD_SECRET est vide"):
        Settings(dashboard_password_hash=HASH)
    with pytest.raises(ValidationError, match="limite d'essais est obligatoire"):
        Settings(dashboard_attempts="0")
    with pytest.raises(ValidationError, match=r"30/minute.*'beaucoup'"):
        Settings(dashboard_attempts="beaucoup")
    s = settings_for(tmp_path)
    assert s.dashboard_enabled and HASH not in repr(s) and SECRET not in repr(s)
    assert not Settings(dashboard_secret=SECRET).dashboard_enabled


# ------------------------------------------------------------------ login, cookies, attempts


def test_wrong_password_is_401_then_attempts_are_limited(client: TestClient) -> None:
    page = client.get("/admin")
    assert page.status_code == 200 and "Mot de passe" in text_of(page.text)
    token = csrf_of(page.text)
    for _ in range(3):
        r = client.post("/admin/login", data={"csrf": token, "password": "pas-le-bon"})
        assert r.status_code == 401
        assert "Mot de passe incorrect." in text_of(r.text)
        assert 'aria-invalid="true"' in r.text and "pa_session" not in r.headers.get("set-cookie", "")
    # Past the limit (3/minute here): 429 for this address, even with the right password.
    r = client.post("/admin/login", data={"csrf": token, "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert "Trop d'essais" in text_of(r.text)
    assert "pa_session" not in r.headers.get("set-cookie", "")


def test_right_password_gives_a_strict_http_only_cookie(client: TestClient) -> None:
    page = client.get("/admin")
    login_cookie = cookie_header(page, "pa_login").lower()
    assert "httponly" in login_cookie and "samesite=strict" in login_cookie and "path=/admin" in login_cookie
    r = client.post(
        "/admin/login", data={"csrf": csrf_of(page.text), "password": PASSWORD}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["cache-control"] == "no-store"
    session = cookie_header(r, "pa_session").lower()
    assert "httponly" in session and "samesite=strict" in session and "path=/admin" in session
    assert "max-age=3600" in session and "secure" not in session  # plain http here
    r = client.get("/admin")
    assert r.status_code == 200 and "<h1>Tableau de bord</h1>" in r.text


def test_cookie_is_secure_over_https(tmp_path: Path, log: QuestionLog) -> None:
    c = TestClient(make_app(settings_for(tmp_path), log), base_url="https://testserver")
    page = c.get("/admin")
    assert "; secure" in cookie_header(page, "pa_login").lower()
    r = c.post(
        "/admin/login", data={"csrf": csrf_of(page.text), "password": PASSWORD}, follow_redirects=False
    )
    assert r.status_code == 303 and "; secure" in cookie_header(r, "pa_session").lower()
    assert c.get("/admin").status_code == 200 and "<h1>Tableau de bord</h1>" in c.get("/admin").text


def _login_via(c: TestClient, headers: dict[str, str]) -> object:
    """Log in sending the login cookie by hand (a Secure cookie is not sent back over plain http)."""
    page = c.get("/admin", headers=headers)
    nonce = cookie_header(page, "pa_login").split(";", 1)[0]
    return c.post(
        "/admin/login",
        data={"csrf": csrf_of(page.text), "password": PASSWORD},
        headers={**headers, "Cookie": nonce},
        follow_redirects=False,
    )


def test_cookie_is_secure_behind_a_trusted_proxy(tmp_path: Path, log: QuestionLog) -> None:
    proto = {"X-Forwarded-Proto": "https"}
    r = _login_via(TestClient(make_app(settings_for(tmp_path, trusted_proxies=["*"]), log)), proto)
    assert r.status_code == 303  # type: ignore[attr-defined]
    assert "; secure" in cookie_header(r, "pa_session").lower()
    # Without a trusted proxy, the header is not believed: plain http, no Secure.
    r = _login_via(TestClient(make_app(settings_for(tmp_path), log)), proto)
    assert r.status_code == 303  # type: ignore[attr-defined]
    assert "secure" not in cookie_header(r, "pa_session").lower()


def test_every_post_needs_its_csrf_token(client: TestClient) -> None:
    client.get("/admin")  # the login nonce cookie
    r = client.post("/admin/login", data={"password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 403 and "pa_session" not in r.headers.get("set-cookie", "")
    r = client.post("/admin/login", data={"csrf": "x" * 43, "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 403
    # A JSON body (not a form) is not a login either.
    r = client.post("/admin/login", json={"password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 403
    login(client)
    page = client.get("/admin")
    r = client.post("/admin/logout", data={}, follow_redirects=False)
    assert r.status_code == 403 and "jeton anti-falsification" in text_of(r.text)
    # The login form's token is not the session's.
    r = client.post("/admin/logout", data={"csrf": "x" + csrf_of(page.text)}, follow_redirects=False)
    assert r.status_code == 403
    assert client.get("/admin").status_code == 200  # still logged in


def test_logout_invalidates_the_session(client: TestClient) -> None:
    login(client)
    page = client.get("/admin")
    stolen = client.cookies.get("pa_session")
    r = client.post("/admin/logout", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/admin"
    assert cookie_header(r, "pa_session").lower().count("max-age=0") == 1
    assert 'action="/admin/login"' in client.get("/admin").text
    # The old cookie, replayed, is refused: the session was revoked, not only forgotten.
    client.cookies.set("pa_session", stolen or "", path="/admin")
    assert 'action="/admin/login"' in client.get("/admin").text
    r = client.get("/admin/export.csv", params=ALL, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/admin"


def test_sessions_are_signed_and_expire(tmp_path: Path) -> None:
    auth = DashboardAuth(settings_for(tmp_path, dashboard_session_minutes=30))
    token, session = auth.new_session(now=1_000_000)
    assert auth._parse(token, now=1_000_000 + 29 * 60) == session
    assert auth._parse(token, now=1_000_000 + 30 * 60) is None  # expired
    sid, issued, sig = token.split(".")
    assert auth._parse(f"{sid}.{int(issued) + 3600}.{sig}", now=1_000_000) is None  # lengthened
    assert auth._parse(f"{sid}x.{issued}.{sig}", now=1_000_000) is None
    # Another secret, or another password, closes every session.
    other = DashboardAuth(settings_for(tmp_path, dashboard_secret=SECRET[::-1]))
    assert other._parse(token, now=1_000_000) is None
    rehashed = DashboardAuth(settings_for(tmp_path, dashboard_password_hash=PasswordHasher().hash("autre")))
    assert rehashed._parse(token, now=1_000_000) is None


# ------------------------------------------------------------------ what the dashboard shows


def test_dashboard_shows_the_log(client: TestClient) -> None:
    login(client)
    r = client.get("/admin", params=ALL)
    assert r.status_code == 200
    assert r.headers["cache-control"] == "no-store"
    assert "default-src 'self'" in r.headers["content-security-policy"]
    html, text = r.text, text_of(r.text)
    for heading in (
        "Tableau de bord",
        "Questions par jour",
        "Couverture",
        "Questions les plus posées",
        "Là où les plans ne répondent pas",
        "Réponses jugées inutiles",
        "Actions les plus citées",
        "Taux de rétroaction",
        "Réponses utiles",
    ):
        assert heading in text, heading
    # 9 answers, 3 votes (33,3 %), 1 helpful of 3 (33,3 %), 2 not helpful.
    assert kpi(html, "reponses") == "9"
    assert kpi(html, "retroaction") == "33,3 %"
    assert kpi(html, "utiles") == "33,3 %"
    assert kpi(html, "inutiles") == "2"
    assert "(1 sur 3 avis)" in text
    # Per day: 2, 3, 4 (and in the chart's table); coverage of the 12th: 1 complete, 1 partial, 2 none.
    assert "2025-06-10 2 2025-06-11 3 2025-06-12 4" in text
    assert "2025-06-12 1 1 2 4" in text
    assert 'role="img" aria-labelledby="graphique-jours-title graphique-jours-desc"' in html
    assert html.count('<rect class="bar"') == 3
    # The most asked: action 37, 4 times (two spellings, grouped), with the redacted pool question.
    asked = text.split("Questions les plus posées", 1)[1].split("Là où les plans", 1)[0]
    assert f"{Q37} 4 qui s'occupe de l'action 37 ? (1)" in asked
    assert f"{QPOOL} 2" in asked
    # Gaps: coverage none or partial, voted « Non », or corrected (here: p1, p2, h1, x1, f1).
    gaps = text.split("Là où les plans ne répondent pas Réponses de couverture", 1)[1]
    gaps = gaps.split("Réponses jugées inutiles", 1)[0]
    assert f"{QPOOL} 2" in gaps and Q37 not in gaps and XSS in gaps and QHOUSING in gaps
    assert 'href="/admin/lacunes?du=2025-06-01&amp;au=2025-06-30"' in html
    # Negative feedback: the question, its reason and comment, its action linked to the viewer; the
    # hour in the log's zone, Québec's here (16 h UTC in June is 12 h, heure avancée de l'Est).
    negative = text.split("Réponses jugées inutiles", 2)[2].split("Actions les plus citées", 1)[0]
    assert "Heure locale" in negative
    assert (
        f"2025-06-11 12 h {QHOUSING} partielle incomplet Il manque le montant; écrivez-moi à [courriel]"
        in (negative)
    )
    assert f"2025-06-11 12 h {QPOOL} aucune autre —" in negative
    assert f'href="/plans/{SS}#action-1-1-2">Action 1.1.2' in html
    # Top cited: action 37 by 4 answers, then 28, 41 and 1.1.2 once.
    cited = text.split("Actions les plus citées", 1)[1]
    assert "Action 37 : Poursuivre le déploiement de la tarification sociale" in cited
    assert re.search(r"Action 37 : .*? Plan d'action en développement social 2025-2030 4 ", cited)
    assert f'href="/plans/{CITY}#action-37"' in html
    # The hostile text is shown as text, never as markup.
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # The export link carries the filters.
    assert 'href="/admin/export.csv?du=2025-06-01&amp;au=2025-06-30"' in html


def test_filters_change_the_numbers(client: TestClient) -> None:
    login(client)
    r = client.get("/admin", params={**ALL, "plan": SS})
    text = text_of(r.text)
    # SS: the housing question and the hostile text (2 answers, 1 vote, not helpful).
    assert (
        kpi(r.text, "reponses") == "2" and kpi(r.text, "inutiles") == "1" and kpi(r.text, "utiles") == "0 %"
    )
    assert QHOUSING in text and Q37 not in text
    assert '<option value="saint-sacrement-2024-2026" selected>' in r.text
    assert "plan « Plan d'action 2024-2026 du Conseil de quartier Saint-Sacrement »" in text
    r = client.get("/admin", params={"du": "2025-06-11", "au": "2025-06-11"})
    assert kpi(r.text, "reponses") == "3" and kpi(r.text, "retroaction") == "66,7 %"
    assert "2025-06-10" not in text_of(r.text).split("Questions par jour", 1)[1]
    r = client.get("/admin", params={"du": "2025-06-12", "plan": CITY})
    assert kpi(r.text, "reponses") == "2"  # the 12th, city plan: a4 and f1
    r = client.get("/admin", params={"du": "2025-07-01", "au": "2025-07-31"})
    assert kpi(r.text, "reponses") == "0" and kpi(r.text, "retroaction") == "—"
    assert "Aucune question pour ces filtres." in text_of(r.text)


def test_answers_given_are_listed_with_their_votes(client: TestClient) -> None:
    login(client)
    r = client.get("/admin/reponses", params=ALL)
    assert r.status_code == 200
    rows = re.findall(r"<tr>(.*?)</tr>", r.text, re.S)
    housing = next(text_of(row) for row in rows if QHOUSING in text_of(row))
    assert "partielle" in housing.lower() and "inutile" in housing
    first37 = [text_of(row) for row in rows if Q37 in text_of(row)]
    assert len(first37) == 3 and any(" utile" in f" {t}" for t in first37)
    r = client.get("/admin/reponses", params={**ALL, "couverture": "none"})
    assert QPOOL in text_of(r.text) and Q37 not in text_of(r.text)


def test_bad_filters_are_said_in_the_form(client: TestClient) -> None:
    login(client)
    r = client.get("/admin", params={"du": "10/06/2025", "plan": "inconnu"})
    assert r.status_code == 400
    text = text_of(r.text)
    assert "Date invalide : « 10/06/2025 »" in text and "Plan inconnu : « inconnu »" in text
    assert (
        'id="du" name="du" value="10/06/2025" aria-describedby="periode-aide du-erreur" aria-invalid="true"'
        in (r.text)
    )
    r = client.get("/admin", params={"du": "2025-06-30", "au": "2025-06-01"})
    assert r.status_code == 400 and "La date de fin précède la date de début." in text_of(r.text)


@pytest.mark.parametrize("path", ["/admin", "/admin/export.csv", "/admin/reponses"])
@pytest.mark.parametrize(
    ("params", "field"),
    [({"au": "9999-12-31"}, "au"), ({"du": "0001-01-01", "au": "2025-06-30"}, "du")],
)
def test_dates_past_the_calendar_are_refused_not_crashed(
    client: TestClient, path: str, params: dict[str, str], field: str
) -> None:
    login(client)
    r = client.get(path, params=params)
    assert r.status_code == 400
    day = params[field]
    assert f"Date hors des limites : {day} (entre 2000-01-01 et 2999-12-31)" in text_of(r.text)


def test_default_period_is_the_last_30_days(client: TestClient) -> None:
    login(client)
    r = client.get("/admin")
    today = datetime.now(QUEBEC).date()  # the log's day (Québec's), not UTC's (they differ every evening)
    assert f'value="{today.isoformat()}"' in r.text
    assert kpi(r.text, "reponses") == "0"  # the log's entries are from June 2025


def test_dashboard_without_a_question_log(tmp_path: Path) -> None:
    c = TestClient(make_app(settings_for(tmp_path), None))
    login(c)
    r = c.get("/admin")
    assert r.status_code == 200 and "Le journal des questions est désactivé" in text_of(r.text)
    assert c.get("/admin/export.csv").status_code == 404


# ------------------------------------------------------------------ CSV export


def test_csv_export(client: TestClient, log: QuestionLog) -> None:
    login(client)
    r = client.get("/admin/export.csv", params=ALL)
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert (
        r.headers["content-disposition"]
        == 'attachment; filename="journal-questions-2025-06-01-2025-06-30.csv"'
    )
    assert r.headers["cache-control"] == "no-store"
    assert r.content.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["heure_locale", "reponse", "conversation", "question"] and len(rows) == 10
    assert rows[0][-3:] == ["reponse_donnee", "tour", "heure_utc"]
    by_question = {row[3]: row for row in rows[1:]}
    housing = by_question[QHOUSING]
    ids = log.entries_written  # type: ignore[attr-defined]
    # The log's time first, Québec's here (16 h UTC in June: 12 h, UTC−4), the same hour in UTC last.
    assert housing[:2] == ["2025-06-11 12:00", ids["h1"].answer_id]
    assert housing[-1] == "2025-06-11T16:00Z"
    assert housing[4:-1] == [
        "fr",
        "lookup",
        "partielle",
        f"{SS}:1.1.2",
        SS,
        "42",
        "build-1",
        "https://www.ville.quebec.qc.ca",
        "inutile",
        "incomplet",
        "Il manque le montant; écrivez-moi à [courriel]",
        "",  # logged without its lead
        "7",  # the seventh turn of its conversation (every entry of these tests shares one id)
    ]
    assert by_question[Q37][12] in ("utile", "")
    # A formula typed by a citizen stays text in a spreadsheet.
    assert "'" + FORMULA in by_question and FORMULA not in by_question
    assert [row[0] for row in rows[1:]] == sorted(row[0] for row in rows[1:])  # oldest first
    # Filtered: one plan, one day.
    r = client.get("/admin/export.csv", params={"du": "2025-06-11", "au": "2025-06-11", "plan": SS})
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    assert [row[3] for row in rows[1:]] == [QHOUSING]
    assert (
        'filename="journal-questions-saint-sacrement-2024-2026-2025-06-11-2025-06-11.csv"'
        in (r.headers["content-disposition"])
    )


def test_csv_cells_never_run_as_formulas() -> None:
    assert [safe(v) for v in ("=1+1", "+33", "-2", "@SUM(A1)", "\tx", "ok", None, 42)] == [
        "'=1+1",
        "'+33",
        "'-2",
        "'@SUM(A1)",
        "'\tx",
        "ok",
        "",
        "42",
    ]


# ------------------------------------------------------------------ clusters


class CountingEmbed:
    """Vectors from a fixed table (a text not in it: a direction of its own), counting the texts
    embedded."""

    def __init__(self, table: dict[str, list[float]], dim: int = 16):
        self.table = {t: [*v, *[0.0] * (dim - len(v))] for t, v in table.items()}
        self.dim = dim
        self.seen: list[str] = []

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.seen += texts
        for t in texts:
            if t not in self.table:
                v = [0.0] * self.dim
                v[len(self.table) % self.dim] = 1.0
                self.table[t] = v
        return np.array([self.table[t] for t in texts])


def test_clusters_count_group_and_pick_the_medoid() -> None:
    embed = CountingEmbed(
        {
            "horaire de la piscine": [1.0, 0.05, 0, 0],
            "à quelle heure ouvre la piscine": [1.0, 0.12, 0, 0],
            "piscine ouverte le dimanche?": [1.0, -0.1, 0.05, 0],
            "logement abordable": [0, 0, 1.0, 0],
            "action 37": [0, 0, 0, 1.0],
            "action 38": [0, 0, 0, 1.0],
        }
    )
    questions = [
        "horaire de la piscine",
        "logement abordable",
        "à quelle heure ouvre la piscine",
        "horaire  de la piscine ",  # the same text, spaced otherwise
        "action 37",
        "piscine ouverte le dimanche?",
        "action 38",
        "action 37",
        "",
    ]
    result = cluster_questions(questions, embed, lexical_weight=0.0)
    assert sorted(embed.seen) == sorted(set(embed.seen)) and len(embed.seen) == 6  # each text once
    assert (result.total, result.distinct, result.omitted) == (8, 6, 0)
    top = result.clusters[0]
    assert (top.representative, top.count) == ("horaire de la piscine", 4)
    assert top.questions == (
        ("horaire de la piscine", 2),
        ("piscine ouverte le dimanche?", 1),
        ("à quelle heure ouvre la piscine", 1),
    )
    # Same vector, different numbers: never grouped.
    assert [(c.representative, c.count) for c in result.clusters[1:]] == [
        ("action 37", 2),
        ("action 38", 1),
        ("logement abordable", 1),
    ]
    # The order of the questions does not matter.
    again = cluster_questions(list(reversed(questions)), embed, lexical_weight=0.0)
    assert again.clusters == result.clusters


def test_clusters_keep_the_most_asked_and_cache_vectors() -> None:
    embed = CountingEmbed({})
    questions = ["a"] * 3 + ["b"] * 2 + ["c", "d"]
    result = cluster_questions(questions, embed, max_texts=2)
    assert (result.distinct, result.omitted) == (4, 2)
    assert {c.representative for c in result.clusters} == {"a", "b"}
    assert cluster_questions([], embed).clusters == ()
    cached = CachedEmbed(embed)
    embed.seen.clear()
    cached(["x", "y"])
    out = cached(["y", "x", "z", "x"])
    assert embed.seen == ["x", "y", "z"] and out.shape == (4, 16) and cached.embedded == 3
    assert np.array_equal(out[1], out[3])


# The measured check of assistant/questionlog/clusters.py: 49 questions in 17 topics.
LABELLED = [
    [
        "horaire de la piscine",
        "à quelle heure ouvre la piscine",
        "La piscine est ouverte quand?",
        "heures d'ouverture de la piscine municipale",
        "piscine ouverte le dimanche?",
    ],
    [
        "logement abordable",
        "Que fait la Ville pour le logement abordable?",
        "aide pour trouver un logement à prix abordable",
        "logements sociaux disponibles",
        "je cherche un appartement pas cher",
    ],
    ["Qui s'occupe de l'action 37?", "qui est responsable de l'action 37", "action 37 responsable"],
    ["Qui s'occupe de l'action 38?", "responsable de l'action 38"],
    [
        "collecte des vidanges dans ma rue",
        "quand passe le camion à ordures",
        "horaire de collecte des ordures",
    ],
    ["sécurité des piétons", "traverses piétonnes dangereuses", "sécurité des piétons près des écoles"],
    ["aide alimentaire pour les familles", "banque alimentaire", "où trouver de l'aide pour se nourrir"],
    ["déneigement de ma rue", "quand la rue sera déneigée", "déneigement des trottoirs"],
    ["parcs pour enfants", "nouveaux modules de jeux dans les parcs", "aire de jeux pour les enfants"],
    ["transport en commun", "autobus le soir", "horaire des autobus"],
    ["itinérance", "aide aux personnes itinérantes", "refuge pour sans-abri"],
    ["aînés isolés", "services pour les personnes âgées seules", "briser l'isolement des aînés"],
    ["budget de la ville pour la culture", "combien coûte le plan"],
    ["bibliothèque heures", "heures d'ouverture de la bibliothèque"],
    ["permis de construction", "comment obtenir un permis pour rénover"],
    ["immigrants accueil", "intégration des personnes immigrantes", "services pour les nouveaux arrivants"],
]


@pytest.mark.slow
def test_clusters_with_the_real_model(e5) -> None:  # type: ignore[no-untyped-def]
    result = cluster_questions(
        ["horaire de la piscine"] * 3 + ["à quelle heure ouvre la piscine"] * 2 + ["logement abordable"], e5
    )
    assert [(c.representative, c.count) for c in result.clusters] == [
        ("horaire de la piscine", 5),
        ("logement abordable", 1),
    ]
    texts = [q for group in LABELLED for q in group]
    topic = {q: i for i, group in enumerate(LABELLED) for q in group}
    found = {q: i for i, c in enumerate(cluster_questions(texts, e5).clusters) for q, _ in c.questions}
    pairs = [(a, b) for i, a in enumerate(texts) for b in texts[i + 1 :]]
    together = [(a, b) for a, b in pairs if found[a] == found[b]]
    same = [(a, b) for a, b in pairs if topic[a] == topic[b]]
    precision = sum(topic[a] == topic[b] for a, b in together) / len(together)
    recall = sum(found[a] == found[b] for a, b in same) / len(same)
    # Measured: 1.0 / 0.59 (0.975 / 0.72 before issue 20: the recall of that setting came with lumping
    # topics that share their key word, 45 mixed groups on evals/gap_clusters_dev.yaml against 8).
    assert precision >= 0.95 and recall >= 0.55, (precision, recall)
    assert found["Qui s'occupe de l'action 37?"] != found["Qui s'occupe de l'action 38?"]


# ------------------------------------------------------------------ report, commands


def test_build_dashboard_and_write_report(log: QuestionLog, tmp_path: Path) -> None:
    data = build_dashboard(log, HashingEmbeddings(), Period(date(2025, 6, 1), date(2025, 6, 30), log.zone))
    assert (data.answers, data.entries, data.rates.feedback, data.rates.helpful) == (9, 9, 3, 1)
    assert [d.answers for d in data.per_day] == [2, 3, 4]
    assert data.coverage_totals == {"complete": 4, "partial": 2, "none": 3}
    assert (data.asked.clusters[0].representative, data.asked.clusters[0].count) == (Q37, 4)
    assert (data.top_refs[0].ref, data.top_refs[0].count) == (f"{CITY}:37", 4)
    assert percent(1 / 3) == "33,3 %" and percent(0.5) == "50 %" and percent(None) == "—"
    written = write_report(data, tmp_path / "rapport")
    assert [p.name for p in written] == ["report.md", "questions-par-jour.png", "couverture.png"]
    for png in written[1:]:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
    md = written[0].read_text(encoding="utf-8")
    assert "| réponses | 9 |" in md and "| taux de rétroaction | 33,3 % |" in md
    assert "| 2025-06-12 | 1 | 1 | 2 | 4 |" in md
    assert "| Qui s'occupe de l'action 37? | 4 | qui s'occupe de l'action 37 ? (1) |" in md
    assert "| incomplet | Il manque le montant; écrivez-moi à \\[courriel\\] |" in md
    assert f"| {CITY}:37 | 4 |" in md
    assert "\\<script\\>alert(1)\\</script\\>" in md  # escaped in Markdown


@pytest.mark.slow
def test_log_report_command(log: QuestionLog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.questionlog.cli import register

    root = typer.Typer()
    register(root)
    monkeypatch.setenv("PLAN_ASSISTANT_DATA_DIR", str(tmp_path))
    out = tmp_path / "rapport"
    args = ["log", "report", "--url", log.url, "--since", "2025-06-11", "--until", "2025-06-12"]
    r = CliRunner().invoke(root, [*args, "--plan", CITY, "--output", str(out)])
    assert r.exit_code == 0, r.output
    assert "3 réponse(s)" in r.output  # the city plan: a3 on the 11th; a4 and f1 on the 12th
    md = (out / "report.md").read_text(encoding="utf-8")
    # In the organisation's time zone (corpus/plans/organisation.yaml), the one the log counts in.
    assert "Période : du 2025-06-11 au 2025-06-12 (jours et heures du fuseau America/Montreal) ; plan" in md
    assert "| 2025-06-11 | 1 |" in md and "| 2025-06-12 | 2 |" in md
    assert (out / "questions-par-jour.png").exists() and (out / "couverture.png").exists()
    r = CliRunner().invoke(root, ["log", "report", "--url", log.url, "--since", "12/06/2025"])
    assert r.exit_code == 1 and "AAAA-MM-JJ" in r.output


def test_hash_password_command() -> None:
    from api.dashboard.cli import register

    root = typer.Typer()
    register(root)
    root.command("noop")(lambda: None)  # a group, so the sub-command is named
    r = CliRunner().invoke(root, ["dashboard", "hash-password", "--stdin"], input="un-mot-de-passe-long\n")
    assert r.exit_code == 0, r.output
    hashed = r.stdout.strip().splitlines()[0]
    assert hashed.startswith("$argon2id$") and PasswordHasher().verify(hashed, "un-mot-de-passe-long")
    r = CliRunner().invoke(root, ["dashboard", "hash-password", "--stdin"], input="court\n")
    assert r.exit_code == 1 and "trop court" in r.output
