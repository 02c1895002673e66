"""The staff dashboard in a real browser (Debian's Chromium, Playwright), under the pages' real
CSP: a staff member logs in with the keyboard only, sees the redacted questions and the reason of
a « not helpful » vote, reaches the CSV export with the keyboard and downloads it, logs out; axe
finds no serious or critical violation on the login page nor on the dashboard.

The service runs in this process (uvicorn in a thread, no lifespan: no index is needed), with a
question log in tmp_path filled with answers of the last hours."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import uvicorn

from assistant.questionlog import Feedback, QuestionLog

from .conftest import CITY, SS
from .servers import free_port
from .test_browser import ARTIFACTS, axe_violations, browser  # noqa: F401 (browser: a fixture)
from .test_dashboard import PASSWORD, entry, make_app, settings_for
from .test_question_log import QUEBEC

pytestmark = pytest.mark.browser

HOUSING = "Le conseil de quartier aide-t-il pour le logement près de [adresse]?"
COMMENT = "Il manque le montant; appelez-moi au [téléphone]"


@pytest.fixture
def service(tmp_path: Path) -> Iterator[str]:
    log = QuestionLog(f"sqlite:///{tmp_path / 'questions.sqlite3'}", zone=QUEBEC)
    now = datetime.now(UTC)
    e = [
        entry("Qui s'occupe de l'action 37?", now - timedelta(days=1), "complete", (f"{CITY}:37",)),
        entry("Qui s'occupe de l'action 37?", now, "complete", (f"{CITY}:37",)),
        entry(HOUSING, now, "partial", (f"{SS}:1.1.2",)),
        entry("Où est la piscine la plus proche?", now, "none", ()),
    ]
    log.write_entries(e)
    log.write_feedback(Feedback(e[2].answer_id, False, reason="incomplet", comment=COMMENT))
    log.write_feedback(Feedback(e[1].answer_id, True))
    port = free_port()
    app = make_app(settings_for(tmp_path, allowed_hosts=["127.0.0.1"]), log)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("le service du test n'a pas démarré")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        log.close()


def focused(page) -> str:  # type: ignore[no-untyped-def]
    """The focused element, as « tag#id » or « tag[href] »."""
    return str(
        page.evaluate(
            "() => { const e = document.activeElement; if (!e) return '';"
            " return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')"
            " + (e.getAttribute('href') ? '[' + e.getAttribute('href') + ']' : '')"
            " + (e.tagName === 'BUTTON' ? ':' + e.textContent.trim() : ''); }"
        )
    )


def tab_to(page, wanted, limit: int = 60, key: str = "Tab") -> str:  # type: ignore[no-untyped-def]
    """Press Tab (or ``key``) until the focused element satisfies ``wanted``; what is focused."""
    for _ in range(limit):
        page.keyboard.press(key)
        now = focused(page)
        if wanted(now):
            return now
    pytest.fail(f"non atteint au clavier (dernier élément : {focused(page)})")


def test_staff_logs_in_with_the_keyboard_and_exports(browser, service: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True, locale="fr-CA")
    page = ctx.new_page()
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda m: (
            csp_errors.append(m.text) if m.type == "error" and "Content Security Policy" in m.text else None
        ),
    )
    page.goto(service + "/admin")
    assert page.locator("h1").inner_text() == "Tableau de bord"
    assert axe_violations(page, service) == []

    # Keyboard only: Tab to the password field, type, Enter.
    tab_to(page, lambda f: f == "input#mot-de-passe")
    page.keyboard.type("pas le bon")
    page.keyboard.press("Enter")
    page.wait_for_selector("#erreur-connexion")
    assert page.locator("#erreur-connexion").inner_text() == "Mot de passe incorrect."
    assert page.locator("#mot-de-passe").get_attribute("aria-invalid") == "true"
    tab_to(page, lambda f: f == "input#mot-de-passe")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_selector("#kpi-reponses")
    assert page.url == service + "/admin"
    page.screenshot(path=str(ARTIFACTS / "dashboard-1280x900.png"), full_page=True)

    assert page.locator("#kpi-reponses").inner_text() == "4"
    assert page.locator("#kpi-retroaction").inner_text().startswith("50 %")
    assert page.locator("#kpi-utiles").inner_text().startswith("50 %")
    negative = page.locator("#table-inutiles").locator("xpath=..")
    assert HOUSING in negative.inner_text() and "incomplet" in negative.inner_text()
    assert COMMENT in negative.inner_text()
    asked = page.locator("#table-posees").locator("xpath=..").inner_text()
    assert "Qui s'occupe de l'action 37?\t2" in asked
    gaps = page.locator("#table-lacunes").locator("xpath=..").inner_text()
    assert "Où est la piscine la plus proche?\t1" in gaps
    assert page.locator("svg#graphique-jours").get_attribute("role") == "img"
    assert axe_violations(page, service) == []

    # The CSV export, reached and followed with the keyboard.
    link = tab_to(page, lambda f: f.startswith("a[/admin/export.csv"))
    assert "du=" in link and "au=" in link
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    download = info.value
    assert download.suggested_filename.startswith(
        "journal-questions-"
    ) and download.suggested_filename.endswith(".csv")
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("heure_locale;reponse;conversation;question")
    assert HOUSING in text and COMMENT in text and "inutile;incomplet" in text

    # Log out with the keyboard: back to the login form.
    tab_to(page, lambda f: f == "button:Se déconnecter", key="Shift+Tab")  # before the link
    page.keyboard.press("Enter")
    page.wait_for_selector("#mot-de-passe")
    assert page.goto(service + "/admin").status == 200 and page.locator("#kpi-reponses").count() == 0
    assert csp_errors == []
    ctx.close()
