"""A staff member's journey through « Là où les plans ne répondent pas », in Debian's Chromium,
against the real service (real model, real index, real question log and its writer thread):
citizens ask real questions, in the widget on another site and through the API (snow removal and
a stadium the plans do not cover, amounts they do not give), one answer is voted « Non »; the staff
member signs in with the keyboard, finds the group of snow questions with the answers as given (the
real first sentence of the refusal), opens a conversation, filters by coverage and period, marks
the group reviewed with a note; the mark is there after a reload and the group leaves the « non
revus » view. Screenshots at 1280×900 and 390×844 in test-artifacts/; axe finds nothing serious;
at 390 px the page never scrolls sideways."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from .servers import staff_service_env, uvicorn_server
from .test_browser import (  # noqa: F401  (browser: a fixture)
    ARTIFACTS,
    HOST,
    HostSite,
    ask,
    axe_violations,
    browser,
    host_page,
)
from .test_dashboard_browser import focused, tab_to
from .test_question_log import QUEBEC

pytestmark = pytest.mark.browser

STAFF_PASSWORD = "le-mot-de-passe-du-personnel-2026"
SNOW = "Quand est-ce que ma rue sera déneigée?"
SNOW_TRUCK = "Quand va passer la déneigeuse dans ma rue?"
STADIUM = "La Ville va-t-elle construire un nouveau stade?"
COST = "Combien coûte l'action 37?"
SIDEWALKS = "Le déneigement des trottoirs, c'est quand?"
UNITS = "Qui s'occupe de l'action 37?"
# The first sentences as the service gives them (the plans' own words, and the refusal's).
NOT_COVERED = (
    "Les plans que je connais (« Plan d'action en développement social 2025-2030 » et « Plan d'action "
    "2024-2026 du Conseil de quartier Saint-Sacrement ») ne traitent pas de cette question."
)
NO_AMOUNT = "Le plan ne donne aucun montant pour l'action 37 : il ne chiffre pas ses actions."
NOTE = "Hors plan : le déneigement relève des Travaux publics. Rappeler au 418 555-0199."


def no_sideways_scroll(page) -> None:  # type: ignore[no-untyped-def]
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"la page défile de côté : {width}"


def group_of(page, question: str):  # type: ignore[no-untyped-def]
    """The gap group (article) that holds ``question``."""
    return page.locator("article.gap").filter(has=page.locator("p.gap-q strong", has_text=question))


def test_staff_find_a_gap_with_its_answers_and_mark_it_reviewed(browser, built, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    env = staff_service_env(built, tmp_path, STAFF_PASSWORD, HOST)
    with (
        uvicorn_server(env) as server,
        HostSite({"/": host_page(server.url, 'data-mode="inline" data-target="#chat"')}),
    ):
        # Citizens. One in the widget, two turns of one conversation.
        citizen = browser.new_context(bypass_csp=True)
        widget = citizen.new_page()
        widget.goto(HOST + "/")
        widget.wait_for_selector("#pa-panel", state="visible")
        assert "ne traitent pas de cette question" in ask(widget, SNOW)
        assert "ne traitent pas de cette question" in ask(widget, SNOW_TRUCK)
        citizen.close()
        # Others through the API: the same snow question, amounts the plans do not give, a stadium
        # (answered with an action on infrastructures: voted « Non »), and a question they answer.
        api = httpx.Client(base_url=server.url, timeout=60)
        answers = {}
        for i, question in enumerate((SNOW, COST, SIDEWALKS, STADIUM, UNITS)):
            r = api.post("/api/ask", json={"question": question, "conversation_id": f"conversation-api-{i}"})
            r.raise_for_status()
            answers[question] = r.json()
        assert answers[SNOW]["coverage"] == "none" and answers[COST]["coverage"] == "partial"
        assert answers[COST]["lead"] == NO_AMOUNT or answers[COST]["answer"].startswith(NO_AMOUNT)
        stadium_lead = answers[STADIUM]["answer"].splitlines()[0]
        vote = {
            "answer_id": answers[STADIUM]["answer_id"],
            "helpful": False,
            "reason": "mauvaise_action",
            "comment": "Je parlais d'un stade; appelez-moi au 418 555-0199",
        }
        assert api.post("/api/feedback", json=vote).status_code == 202
        api.close()

        # The staff member signs in with the keyboard.
        ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-CA")
        page = ctx.new_page()
        csp_errors: list[str] = []
        page.on(
            "console",
            lambda m: (
                csp_errors.append(m.text)
                if m.type == "error" and "Content Security Policy" in m.text
                else None
            ),
        )
        page.goto(server.url + "/admin")
        tab_to(page, lambda f: f == "input#mot-de-passe")
        page.keyboard.type(STAFF_PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_selector("#kpi-reponses")
        # To the gaps, by the dashboard's navigation, with the keyboard.
        tab_to(page, lambda f: f == "a[/admin/lacunes]")
        page.keyboard.press("Enter")
        page.wait_for_selector("h1:has-text('Là où les plans ne répondent pas')")
        # The log is written by a background thread (its name model loads at the first text that
        # needs it): the staff member reloads until the vote is in.
        deadline = time.monotonic() + 120
        while not group_of(page, STADIUM).count() or "avis : Non" not in group_of(page, STADIUM).inner_text():
            assert time.monotonic() < deadline, "les réponses n'ont pas atteint le journal"
            page.wait_for_timeout(500)
            page.reload()
        assert axe_violations(page, server.url) == []

        # The group of snow questions, with the answers as given: the refusal's own first sentence.
        snow = group_of(page, SNOW)
        assert snow.count() == 1
        text = snow.inner_text()
        assert "Non revu" in text and "aucune couverture" in text
        question = snow.locator("li.gap-question").filter(has=page.locator("strong", has_text=SNOW))
        assert "2 fois" in question.locator("p.gap-q").inner_text()
        assert question.locator("blockquote.lead").first.inner_text() == NOT_COVERED
        assert "couverture aucune" in question.locator(".given-head").first.inner_text()
        # The stadium: answered with an action, voted « Non »; its lead and what it cited beside it.
        stadium = group_of(page, STADIUM).inner_text()
        assert stadium_lead in stadium and "avis : Non, inutile (pas la bonne action)" in stadium
        assert "Commentaire du citoyen : Je parlais d'un stade; appelez-moi au [téléphone]" in stadium
        assert "555-0199" not in page.content()
        cost = group_of(page, COST).inner_text()
        assert NO_AMOUNT in cost and "couverture partielle" in cost
        assert group_of(page, UNITS).count() == 0  # answered: not a gap
        page.screenshot(path=str(ARTIFACTS / "lacunes-1280x900.png"), full_page=True)

        # A conversation: the widget's two turns, in order, with their answers.
        snow_truck = group_of(page, SNOW_TRUCK)
        snow_truck.locator("li.gap-question", has=page.locator("strong", has_text=SNOW_TRUCK)).get_by_role(
            "link", name=f"Voir la conversation de « {SNOW_TRUCK} »"
        ).first.click()
        page.wait_for_selector("ol.turns")
        turns = page.locator("li.turn")
        assert turns.count() == 2
        assert SNOW in turns.nth(0).locator(".turn-q").inner_text()
        assert SNOW_TRUCK in turns.nth(1).locator(".turn-q").inner_text()
        assert turns.nth(0).locator("blockquote.lead").inner_text() == NOT_COVERED
        assert turns.nth(1).get_attribute("aria-current") == "true"
        assert "2 tour(s)" in page.locator(".admin-scope").inner_text()
        assert axe_violations(page, server.url) == []
        page.go_back()
        page.wait_for_selector("article.gap")

        # Filters: partial coverage, today (Québec), in the address so the view can be shared.
        today = datetime.now(QUEBEC).date().isoformat()
        page.locator("#couverture").select_option("partial")
        page.locator("#du").fill(today)
        page.locator("#au").fill(today)
        page.get_by_role("button", name="Filtrer").click()
        page.wait_for_selector("#resume-lacunes")
        query = parse_qs(urlsplit(page.url).query)
        assert query["couverture"] == ["partial"] and query["du"] == [today] and query["au"] == [today]
        shown = {t.strip() for t in page.locator("p.gap-q strong").all_inner_texts()}
        assert COST in shown and SIDEWALKS in shown and SNOW not in shown and STADIUM not in shown
        # Another period (yesterday): nothing yet.
        yesterday = datetime.fromordinal(datetime.now(QUEBEC).toordinal() - 1).date().isoformat()
        page.goto(f"{server.url}/admin/lacunes?du={yesterday}&au={yesterday}")
        assert "Aucune lacune pour ces filtres." in page.locator("main").inner_text()
        page.goto(f"{server.url}/admin/lacunes?du={today}&au={today}")

        # The group marked reviewed, with a note, with the keyboard.
        snow = group_of(page, SNOW)
        summary = snow.locator("details.review-form > summary", has_text="Marquer ce groupe comme revu")
        summary.focus()
        page.keyboard.press("Enter")
        form = snow.locator("details.review-form[open]").last
        form.locator("textarea").focus()
        page.keyboard.type(NOTE)
        page.keyboard.press("Tab")
        assert focused(page).startswith("input#g-")
        page.keyboard.type("M. Tremblay")
        page.keyboard.press("Enter")
        page.wait_for_selector("p.admin-notice[role='status']")
        assert page.locator("p.admin-notice[role='status']").inner_text() == "Revue enregistrée."
        assert "fait=revue" in page.url and "#groupe-" in page.url
        page.reload()
        snow = group_of(page, SNOW)
        status = snow.locator(".gap-status").inner_text()
        assert status.startswith("Revu par M. Tremblay, le " + today)
        marks = snow.locator("ul.reviews").first.inner_text()
        assert "Hors plan : le déneigement relève des Travaux publics. Rappeler au [téléphone]." in marks
        assert "is-reviewed" in (snow.get_attribute("class") or "")
        assert axe_violations(page, server.url) == []

        # « Non revus »: the group is gone, the stadium is still there.
        page.locator("#revue").select_option("non")
        page.get_by_role("button", name="Filtrer").click()
        page.wait_for_selector("#resume-lacunes")
        assert group_of(page, SNOW).count() == 0 and group_of(page, STADIUM).count() == 1
        assert "groupe(s) écarté(s) par le filtre de revue" in page.locator("#resume-lacunes").inner_text()

        # Per objective: action 37's objective, with the questions asked about it.
        page.goto(f"{server.url}/admin/objectifs?du={today}&au={today}")
        objectives = page.locator("main").inner_text()
        assert "Objectif 2.2.2" in objectives and COST in objectives and UNITS in objectives
        assert axe_violations(page, server.url) == []
        assert csp_errors == []
        ctx.close()

        # On a phone: the same pages fit 390 px (no sideways scroll), axe still clean.
        phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-CA", is_mobile=True)
        page = phone.new_page()
        page.goto(server.url + "/admin")
        page.locator("#mot-de-passe").fill(STAFF_PASSWORD)
        page.locator("#mot-de-passe").press("Enter")
        page.wait_for_selector("#kpi-reponses")
        for path in (
            f"/admin?du={today}&au={today}",
            f"/admin/lacunes?du={today}&au={today}",
            f"/admin/objectifs?du={today}&au={today}",
            f"/admin/reponses?du={today}&au={today}",
            "/admin/conversation?reponse=" + answers[SNOW]["answer_id"],
        ):
            page.goto(server.url + path)
            page.wait_for_selector("h1")
            no_sideways_scroll(page)
            assert axe_violations(page, server.url) == [], path
            if path.startswith("/admin/lacunes"):
                page.screenshot(path=str(ARTIFACTS / "lacunes-390x844.png"), full_page=True)
        phone.close()
