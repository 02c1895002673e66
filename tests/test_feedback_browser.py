"""The loop, end to end in Chromium: a citizen votes on an answer in the widget with the keyboard
only (« Non », a reason, a comment, « Envoyer l'avis »); a staff member logs in to the dashboard
and sees that question, redacted, with the reason, and exports it; the database holds the
redacted text only. The privacy notice links to the City's policy; axe finds nothing serious."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from .conftest import CITY
from .servers import staff_service_env, uvicorn_server
from .test_browser import HOST, HostSite, ask, axe_violations, browser, host_page  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

POLICY = "https://www.ville.quebec.qc.ca/apropos/confidentialite/"
STAFF_PASSWORD = "le-mot-de-passe-du-personnel-2026"
QUESTION = "Je m'appelle Ginette Laflamme. La ville aide-t-elle à trouver un logement?"
REDACTED = "Je m'appelle [nom]. La ville aide-t-elle à trouver un logement?"


def focused(page) -> str:  # type: ignore[no-untyped-def]
    """The text (or value) of the element focused in the widget."""
    return str(
        page.evaluate(
            "() => { const a = document.querySelector('plan-assistant-chat').shadowRoot.activeElement;"
            " return a ? (a.value && a.type === 'radio' ? 'radio:' + a.value : a.textContent.trim()) : ''; }"
        )
    )


def test_a_vote_with_the_keyboard_reaches_the_log(browser, built, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    env = staff_service_env(built, tmp_path, STAFF_PASSWORD, HOST)
    env["PLAN_ASSISTANT_PRIVACY_POLICY_URL"] = POLICY
    with (
        uvicorn_server(env) as server,
        HostSite({"/": host_page(server.url, 'data-mode="inline" data-target="#chat"')}),
    ):
        ctx = browser.new_context(bypass_csp=True)
        page = ctx.new_page()
        page.goto(HOST + "/")
        page.wait_for_selector("#pa-panel", state="visible")
        notice = page.locator("#pa-privacy")
        notice.wait_for(state="visible")
        assert notice.inner_text().startswith("Vos questions sont conservées 90 jours")
        assert notice.locator("a").get_attribute("href") == POLICY

        answer = ask(page, QUESTION)
        assert "28" in answer
        assert page.locator(".pa-fb-q").last.inner_text() == "Cette réponse vous a-t-elle aidé?"
        assert axe_violations(page, origin=server.url) == []

        # Keyboard only: from the question box back to « Non ».
        page.locator("#pa-input").focus()
        for _ in range(40):
            page.keyboard.press("Shift+Tab")
            if focused(page) == "Non":
                break
        assert focused(page) == "Non"
        page.keyboard.press("Enter")
        assert focused(page) == "radio:mauvaise_action"  # the reasons' group, announced with its legend
        page.keyboard.press("ArrowDown")  # « Pas clair » chosen
        page.keyboard.press("Tab")
        page.keyboard.type("La 28 ne dit pas où; appelez-moi au 418 555-0199")
        assert axe_violations(page, origin=server.url) == []
        page.keyboard.press("Tab")
        assert focused(page) == "Envoyer l'avis"
        page.keyboard.press("Enter")
        page.locator(".pa-fb-done").wait_for(state="visible")
        assert focused(page) == "Merci pour votre avis."
        page.wait_for_function(
            "() => document.querySelector('plan-assistant-chat').shadowRoot.querySelector('#pa-live')"
            ".textContent === 'Merci pour votre avis.'"
        )
        assert page.locator(".pa-fb-no").count() == 0  # one vote per answer
        ctx.close()

        # The staff member: logs in, sees the question (redacted) and the reason, exports it.
        staff_ctx = browser.new_context(accept_downloads=True)
        staff = staff_ctx.new_page()
        staff.goto(server.url + "/admin")
        staff.locator("#mot-de-passe").fill(STAFF_PASSWORD)
        staff.locator("#mot-de-passe").press("Enter")
        staff.wait_for_selector("#kpi-reponses")
        # The log is written by a background thread, which loads the name model at the first text
        # that needs it (seconds on a busy machine): the staff member reloads until the vote is in.
        deadline = time.monotonic() + 120
        while not staff.locator("#table-inutiles").count():
            assert time.monotonic() < deadline, "le vote n'a pas atteint le journal"
            staff.wait_for_timeout(500)
            staff.reload()
            staff.wait_for_selector("#kpi-reponses")
        negative = staff.locator("#table-inutiles").locator("xpath=..").inner_text()
        assert REDACTED in negative and "pas clair" in negative
        assert "La 28 ne dit pas où; appelez-moi au [téléphone]" in negative
        assert "Ginette" not in staff.content() and "Laflamme" not in staff.content()
        with staff.expect_download() as info:
            staff.locator("a[href^='/admin/export.csv']").first.click()
        exported = Path(info.value.path()).read_text(encoding="utf-8-sig")
        assert REDACTED in exported and ";inutile;pas clair;" in exported and "Ginette" not in exported
        staff_ctx.close()
    # The server stopped: its queue is written.
    data = Path(env["PLAN_ASSISTANT_DATA_DIR"])
    with sqlite3.connect(f"file:{data / 'questions.sqlite3'}?mode=ro", uri=True) as db:
        question, helpful, reason, comment, ref = db.execute(
            "SELECT a.question, f.helpful, f.reason, f.comment, r.ref FROM answers a "
            "JOIN feedback f ON f.answer_id = a.answer_id "
            "JOIN answer_refs r ON r.answer_id = a.answer_id AND r.rank = 0"
        ).fetchone()
    assert question == REDACTED
    assert (helpful, reason) == (0, "pas_clair")
    assert comment == "La 28 ne dit pas où; appelez-moi au [téléphone]"
    assert ref == f"{CITY}:28"
