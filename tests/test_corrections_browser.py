"""Staff correct the assistant, end to end in Chromium: a citizen's question is answered in the
widget; a staff member finds it among the answers given, says which action answers it, and the
citizen's next ask (the same question, and a near paraphrase) cites that action first, in the real
service with the real model and index. axe finds nothing serious on the new pages."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from .conftest import CITY
from .servers import staff_service_env, uvicorn_server
from .test_browser import HOST, HostSite, ask, axe_violations, browser, host_page  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

STAFF_PASSWORD = "le-mot-de-passe-du-personnel-2026"
QUESTION = "Est-ce que la Ville fait quelque chose pour les jeunes qui décrochent de l'école?"
PARAPHRASE = "est ce que la ville fait quelque chose pour les jeunes qui decrochent de l ecole"


def first_cited(answer: dict) -> str:  # type: ignore[type-arg]
    return str(answer["citations"][0]["ref"]) if answer["citations"] else ""


def test_a_staff_correction_answers_the_next_ask(browser, built, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    env = staff_service_env(built, tmp_path, STAFF_PASSWORD, HOST)
    with (
        uvicorn_server(env) as server,
        HostSite({"/": host_page(server.url, 'data-mode="inline" data-target="#chat"')}),
    ):
        before = httpx.post(server.url + "/api/ask", json={"question": QUESTION}, timeout=30).json()
        # Staff decide that another action than the one the assistant put first answers this
        # question: action 6 (autonomy, training, employability), or action 5 when 6 came first.
        number = "5" if first_cited(before) == f"{CITY}:6" else "6"
        decided = f"{CITY}:{number}"
        assert first_cited(before) != decided

        ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-CA")
        page = ctx.new_page()
        page.goto(server.url + "/admin")
        page.locator("#mot-de-passe").fill(STAFF_PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_selector("#kpi-reponses")
        page.get_by_role("link", name="Réponses données").click()
        page.wait_for_selector("#table-reponses")
        assert axe_violations(page, server.url) == []
        row = page.locator("tr", has_text=QUESTION).first
        row.get_by_role("link", name="Corriger").click()
        page.wait_for_selector("#question")
        assert page.locator("#question").inner_text() == QUESTION
        assert axe_violations(page, server.url) == []
        # Submitting without an author is refused, with the choice kept.
        page.locator("#action1").select_option(decided)
        page.locator("#auteur").evaluate("e => e.removeAttribute('required')")
        page.get_by_role("button", name="Enregistrer la correction").click()
        page.wait_for_selector("#erreur")
        assert "nom ou vos initiales" in page.locator("#erreur").inner_text()
        assert page.locator("#action1").input_value() == decided
        page.locator("#auteur").fill("M. Tremblay")
        page.locator("#note").fill(f"Le décrochage relève de l'action {number}.")
        page.get_by_role("button", name="Enregistrer la correction").click()
        page.wait_for_selector("#table-corrections")
        assert "Correction enregistrée" in page.locator("main").inner_text()
        assert QUESTION in page.locator("#table-corrections").locator("xpath=..").inner_text()
        assert axe_violations(page, server.url) == []

        # The citizen's next ask, in the widget: the decided action first.
        host = browser.new_context(bypass_csp=True).new_page()
        host.goto(HOST + "/")
        host.wait_for_selector("#pa-panel", state="visible")
        answer = ask(host, QUESTION)
        assert answer.removeprefix("Assistant").lstrip().startswith(f"Oui : l'action {number} ")
        after = httpx.post(server.url + "/api/ask", json={"question": PARAPHRASE}, timeout=30).json()
        assert first_cited(after) == decided and after["coverage"] == "complete" and after["sure"]
        assert any("réponse fixée par le personnel" in n for n in after["notes"])

        # Retired, the correction stops applying.
        page.get_by_role("button", name=f"Retirer la correction de « {QUESTION} »").click()
        page.wait_for_selector("text=Correction retirée")
        again = httpx.post(server.url + "/api/ask", json={"question": QUESTION}, timeout=30).json()
        assert first_cited(again) == first_cited(before)
