"""Issue 21, done when: a PDF goes from `plan-assistant corpus import` to a cited answer in the
widget, with no Python edit, for each plan shape. The four-plan corpus (tests/four_plans.py: the
shipped City and Saint-Sacrement plans, the road safety and healthy living plans imported from their
PDFs with the real command) is served by the real service on 127.0.0.1 on its own index; in
Chromium, the widget of /demo answers one everyday question per plan by citing that plan's action
first (the item's link and plan, the first source's label), and a follow-up in the widget names the
imported action's « Responsable » as the PDF gives it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import CITY, SS
from .four_plans import HEALTHY, ROAD
from .servers import uvicorn_server
from .test_browser import ask, browser  # noqa: F401  (browser: a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: Each plan's organisation and title, as the widget names them (the imported plans': their completed
#: manifest's organisation, the title drafted from the PDF's first page).
PLANS = {
    CITY: ("Ville de Québec", "Plan d'action en développement social 2025-2030"),
    SS: (
        "Conseil de quartier Saint-Sacrement",
        "Plan d'action 2024-2026 du Conseil de quartier Saint-Sacrement",
    ),
    ROAD: ("Arrondissement des Rivières", "Plan d'action en sécurité routière 2025-2027"),
    HEALTHY: ("Arrondissement de Charlesbourg", "Plan d'action pour les saines habitudes de vie 2025-2028"),
}
SPEED = "Est-ce que la limite de vitesse va baisser dans les rues résidentielles?"


@pytest.fixture(scope="module")
def service(four_plans: Path, four_index) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The real service (``plan-assistant serve``) on the four plans' corpus and index: it finds the
    index built and serves it as it is (no rebuild)."""
    env = {
        "PLAN_ASSISTANT_CORPUS_DIR": str(four_plans),
        "PLAN_ASSISTANT_DATA_DIR": str(four_index.location.root.parent),
        "PLAN_ASSISTANT_RATE_LIMIT": "0",
    }
    with uvicorn_server(env) as server:
        yield server.url


@contextlib.contextmanager
def widget(browser, url: str) -> Iterator[Any]:  # type: ignore[no-untyped-def]  # noqa: F811
    """The widget of /demo, open, in a new browser context (closed afterwards)."""
    with contextlib.closing(browser.new_context(viewport={"width": 1280, "height": 900})) as ctx:
        page = ctx.new_page()
        page.goto(url + "/demo")
        page.locator("#pa-launcher").click()
        page.wait_for_selector("#pa-panel", state="visible")
        yield page


def first_cited(page, url: str, plan: str, number: str) -> None:  # type: ignore[no-untyped-def]
    """The last answer shows ``plan``'s action ``number`` first: its item (link to the viewer, the
    plan's organisation) and its first source (« Action N — the plan's title »)."""
    org, title = PLANS[plan]
    ref, href = f"{plan}:{number}", f"{url}/plans/{plan}#action-{number.replace('.', '-')}"
    bot = page.locator(".pa-msg.pa-bot").last
    item = bot.locator(".pa-item").first
    assert item.is_visible() and item.get_attribute("data-ref") == ref, bot.inner_text()
    link = item.locator("a.pa-item-link")
    assert link.inner_text().startswith(f"Action {number}") and link.get_attribute("href") == href
    assert item.locator(".pa-item-plan").inner_text() == org
    source = bot.locator("a.pa-cite-link").first
    assert source.get_attribute("data-ref") == ref and source.get_attribute("href") == href
    assert source.inner_text().startswith(f"Action {number} — {title}"), source.inner_text()


@pytest.mark.parametrize(
    ("question", "plan", "number"),
    [
        ("La Ville m'aide-t-elle à trouver un logement?", CITY, "28"),
        ("Y'a tu moyen d'avoir une patinoire couverte dans le quartier?", SS, "1.1.3"),
        (SPEED, ROAD, "4"),
        ("Y a-tu des cours de natation gratuits pour les enfants?", HEALTHY, "1.1.1"),
    ],
    ids=[
        "ville-logement",
        "saint-sacrement-patinoire",
        "securite-routiere-vitesse",
        "saines-habitudes-natation",
    ],
)
def test_each_plan_in_the_widget(browser, service: str, question: str, plan: str, number: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """An everyday question, typed in the widget, is answered by the plan that covers it, whatever
    the plan's shape (the City's table, the neighbourhood's columns, the imported PDFs)."""
    with widget(browser, service) as page:
        ask(page, question)
        first_cited(page, service, plan, number)


def test_follow_up_names_the_imported_responsible_unit(browser, service: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """« Et qui s'en occupe? » after the road safety answer: the widget sends the previous turn, and
    the answer names the unit that action 4's « Responsable » field gives in the PDF."""
    with widget(browser, service) as page:
        ask(page, SPEED)
        first_cited(page, service, ROAD, "4")
        answer = ask(page, "Et qui s'en occupe?")
        lead = page.locator(".pa-msg.pa-bot").last.locator(".pa-lead").inner_text()
        assert "action 4" in lead and "Service du transport et de la mobilité intelligente" in lead, answer
        source = page.locator(".pa-msg.pa-bot").last.locator("a.pa-cite-link").first
        assert source.get_attribute("data-ref") == f"{ROAD}:4", answer
        assert source.inner_text().startswith(f"Action 4 — {PLANS[ROAD][1]}")
