"""The widget on a phone and on a desktop (issue 20), in a real Chromium against the real service: on a
phone the opened panel is a modal dialog (named, focus kept inside with Tab and Shift+Tab, the host page
inert and restored exactly, Escape and the close button give the focus back to the launcher); a typical
answer's first sentence and first action are on screen without scrolling at 390×844 and 1280×800; a
long list shows its first actions and « Voir les N autres actions », and the live region says the first
sentence and the count, never the list; the feedback follows the answer; the composer's hint and privacy
notice are disclosures. Errors explain themselves: a site that is not allowed, too many questions, a
service unavailable, a question too long. axe finds nothing serious in any state; screenshots are saved
in test-artifacts/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.settings import ENV_PREFIX, Settings

from .conftest import CITY, ROOT
from .servers import Uvicorn, free_port
from .test_browser import (  # noqa: F401  (api, browser: fixtures)
    ARTIFACTS,
    HOST,
    HostSite,
    api,
    ask,
    axe_violations,
    browser,
    shadow_focus,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
TYPICAL = "La Ville m'aide-t-elle à trouver un logement?"
TYPICAL_LEAD = "Oui : l'action 28 (Ville de Québec)"
LONG = "Quelles sont les actions à court terme?"
SHOWN = 5  # the widget's LIST


def page_html(script: str) -> str:
    """A host page with links before and after the widget, and an element the page made inert itself."""
    return f"""<!doctype html><html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Site de la Ville</title></head>
<body><header><a id="page-top" href="#haut">Accueil de la Ville</a></header>
<main><h1>Un site hôte</h1><p>Contenu du partenaire. <a id="page-link" href="#suite">Lire la suite</a></p></main>
<aside id="page-inert" inert><a href="#x">Un lien que la page a rendu inerte</a></aside>
<footer><a id="page-bottom" href="#bas">Plan du site</a></footer>
{script}
</body></html>"""


def widget_tag(api_url: str, extra: str = "") -> str:
    return f'<script src="{api_url}/widget.js" data-lang="fr" {extra} defer></script>'


@pytest.fixture(scope="module")
def site(api: str) -> Iterator[HostSite]:  # noqa: F811
    """The host pages on HOST, the origin the service allows."""
    with HostSite({"/": page_html(widget_tag(api))}) as s:
        yield s


@pytest.fixture
def host(site: HostSite) -> str:
    return HOST


SHADOW = "document.querySelector('plan-assistant-chat').shadowRoot"


def shadow(page: Any, expr: str) -> Any:
    return page.evaluate(f"() => {{ const r = {SHADOW}; return {expr}; }}")


def focus_in_panel(page: Any) -> str | None:
    """The id (or class) of the widget's focused element when the focus is inside the open panel."""
    return shadow(
        page,
        "document.activeElement === r.host && r.activeElement && r.querySelector('#pa-panel')"
        ".contains(r.activeElement) ? (r.activeElement.id || r.activeElement.className) : null",
    )


def page_inert(page: Any) -> dict[str, bool]:
    return dict(
        page.evaluate(
            "() => Object.fromEntries([...document.body.children]"
            ".filter(e => !['SCRIPT', 'PLAN-ASSISTANT-CHAT'].includes(e.tagName))"
            ".map(e => [e.id || e.tagName.toLowerCase(), e.hasAttribute('inert')]))"
        )
    )


def box(page: Any, selector: str) -> dict[str, float]:
    b = page.locator(selector).bounding_box()
    assert b is not None, selector
    return dict(b)


def on_screen(page: Any, selector: str, viewport: dict[str, int]) -> bool:
    """Entirely inside the viewport and inside the conversation's visible area (not scrolled away)."""
    b, log = box(page, selector), box(page, "#pa-log")
    top, bottom = max(0.0, log["y"]), min(float(viewport["height"]), log["y"] + log["height"])
    return bool(top - 1 <= b["y"] and b["y"] + b["height"] <= bottom + 1)


def live_text(page: Any) -> str:
    page.wait_for_function(
        f"() => {SHADOW}.querySelector('#pa-live').textContent.startsWith('Réponse reçue.')"
    )
    return str(shadow(page, "r.querySelector('#pa-live').textContent"))


def test_phone_dialog_keeps_the_focus_and_the_page_inert(browser, api, host) -> None:  # noqa: F811
    ctx = browser.new_context(viewport=PHONE, device_scale_factor=2)
    page = ctx.new_page()
    page.goto(host + "/")
    page.wait_for_selector("#pa-launcher")
    before = page_inert(page)
    assert before["page-inert"] is True and not before["main"]
    assert axe_violations(page) == []  # closed

    page.locator("#pa-launcher").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#pa-panel", state="visible")
    dialog = page.get_by_role("dialog", name="Assistant des plans d'action")
    assert dialog.count() == 1 and dialog.get_attribute("aria-modal") == "true"
    assert shadow_focus(page) == "pa-input"
    page.wait_for_function(f"() => {SHADOW}.querySelector('#pa-panel').getAnimations().length === 0")
    panel = {k: round(v) for k, v in box(page, "#pa-panel").items()}
    assert panel == {"x": 0, "y": 0, "width": PHONE["width"], "height": PHONE["height"]}
    # Everything else on the page is inert; what the page had made inert itself stays so.
    inert = page_inert(page)
    assert all(inert.values()), inert
    assert page.evaluate(
        "() => { const a = document.querySelector('#page-link'); a.focus(); return document.activeElement !== a; }"
    )
    page.screenshot(path=str(ARTIFACTS / "dialog-390x844-open.png"))
    assert axe_violations(page) == []  # open

    # Tab and Shift+Tab go round the dialog's controls, never to the page behind.
    page.locator("#pa-input").focus()
    seen = []
    for key in ["Tab"] * 14 + ["Shift+Tab"] * 14:
        page.keyboard.press(key)
        where = focus_in_panel(page)
        assert where is not None, f"{key}: the focus left the dialog"
        seen.append(where)
    assert {"pa-restart", "pa-close", "pa-send", "pa-input", "pa-log"} <= set(seen)
    # It goes round: from « Envoyer » (the last) Tab goes to the first control, and back.
    page.locator("#pa-send").focus()
    page.keyboard.press("Tab")
    assert shadow_focus(page) == "pa-restart"
    page.keyboard.press("Shift+Tab")
    assert shadow_focus(page) == "pa-send"

    # Escape closes and gives the focus back to the launcher; the page is as it was.
    page.keyboard.press("Escape")
    page.wait_for_selector("#pa-panel", state="hidden")
    assert shadow_focus(page) == "pa-launcher"
    assert page_inert(page) == before
    # The close button does the same.
    page.keyboard.press("Enter")
    page.wait_for_selector("#pa-panel", state="visible")
    assert page_inert(page)["main"] is True
    page.locator("#pa-close").click()
    page.wait_for_selector("#pa-panel", state="hidden")
    assert shadow_focus(page) == "pa-launcher"
    assert page_inert(page) == before
    # On a wide screen the panel is not modal: the page stays usable.
    page.set_viewport_size(DESKTOP)
    page.keyboard.press("Enter")
    page.wait_for_selector("#pa-panel", state="visible")
    assert page.locator("#pa-panel").get_attribute("aria-modal") == "false" and page_inert(page) == before
    # A phone turned while the panel is open: modal again.
    page.set_viewport_size(PHONE)
    page.wait_for_function(f"() => {SHADOW}.querySelector('#pa-panel').getAttribute('aria-modal') === 'true'")
    assert page_inert(page)["main"] is True
    page.keyboard.press("Escape")
    assert page_inert(page) == before
    ctx.close()


def short_term_actions(city: Any) -> list[Any]:
    return [a for a in city.actions() if a.horizon == "CT"]


def test_a_long_list_shows_its_first_actions(browser, api, host, city) -> None:  # noqa: F811
    expected = short_term_actions(city)
    assert len(expected) == 15  # the city plan's short-term actions
    tenth = expected[9].title
    sixth = f"{CITY}:{expected[SHOWN].number}"
    ctx = browser.new_context(viewport=PHONE, device_scale_factor=2)
    page = ctx.new_page()
    page.goto(host + "/")
    page.locator("#pa-launcher").click()
    # The privacy notice is shown on first use, behind a disclosure button that says so.
    privacy_btn = page.locator("button[aria-controls='pa-privacy']")
    page.locator("#pa-privacy").wait_for(state="visible")
    assert privacy_btn.get_attribute("aria-expanded") == "true"
    assert page.locator("#pa-hint").is_hidden()

    ask(page, LONG)
    bot = page.locator(".pa-msg.pa-bot").last
    lead = bot.locator(".pa-lead").inner_text()
    assert lead == f"Actions à court terme (CT : 2 ans et moins) : {len(expected)} actions."
    items = bot.locator(".pa-item")
    assert items.count() == len(expected)
    visible = [i for i in range(items.count()) if items.nth(i).is_visible()]
    assert visible == list(range(SHOWN))
    assert [items.nth(i).get_attribute("data-ref") for i in visible] == [
        f"{CITY}:{a.number}" for a in expected[:SHOWN]
    ]
    more = bot.locator("button.pa-more")
    assert more.inner_text() == f"Voir les {len(expected) - SHOWN} autres actions"
    assert tenth in str(items.nth(9).text_content()) and items.nth(9).is_hidden()
    # The live region: the first sentence and the count, not the list.
    live = live_text(page)
    assert (
        lead in live
        and f"{len(expected)} actions" in live
        and f"Les {SHOWN} premières sont affichées." in live
    )
    assert tenth not in live and expected[0].title not in live
    # After the first question, the privacy notice folds behind its button.
    assert privacy_btn.get_attribute("aria-expanded") == "false" and page.locator("#pa-privacy").is_hidden()

    # The feedback follows the answer: near the button (the sources between), next in Tab order.
    more.scroll_into_view_if_needed()
    feedback = bot.locator(".pa-fb-yes")
    assert (
        box(page, ".pa-msg.pa-bot >> .pa-fb-yes")["y"] - box(page, ".pa-msg.pa-bot >> button.pa-more")["y"]
        < 200
    )
    assert on_screen(page, ".pa-msg.pa-bot >> .pa-fb-yes", PHONE)
    more.focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert shadow(page, "r.activeElement.textContent") == "Oui"
    assert feedback.is_visible()
    page.screenshot(path=str(ARTIFACTS / "dialog-390x844-long-list.png"))
    assert axe_violations(page) == []  # a list with « Voir les 10 autres actions »

    # The button shows the others and moves the focus to the first of them.
    more.focus()
    page.keyboard.press("Enter")
    assert more.count() == 0
    assert all(items.nth(i).is_visible() for i in range(items.count()))
    # The focus is on what was revealed first: the sixth action, or the objective that introduces it.
    focused = shadow(
        page,
        "(a => [a.tagName, (a.matches('li') ? a : a.nextElementSibling.querySelector('li')).dataset.ref])"
        "(r.activeElement)",
    )
    assert focused in (["LI", sixth], ["P", sixth]), focused
    page.screenshot(path=str(ARTIFACTS / "dialog-390x844-long-list-expanded.png"))
    assert axe_violations(page) == []  # the whole list

    # The composer's disclosures, with the keyboard.
    help_btn = page.locator("button[aria-controls='pa-hint']")
    help_btn.focus()
    page.keyboard.press("Enter")
    assert help_btn.get_attribute("aria-expanded") == "true"
    assert page.locator("#pa-hint").inner_text() == "Entrée pour envoyer, Maj+Entrée pour changer de ligne."
    privacy_btn.focus()
    page.keyboard.press("Enter")
    assert page.locator("#pa-privacy").inner_text().startswith("Vos questions")
    page.screenshot(path=str(ARTIFACTS / "dialog-390x844-disclosures.png"))
    assert axe_violations(page) == []  # the hint and the notice open
    ctx.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390x844", "1280x800"])
def test_a_typical_answer_fits_without_scrolling(browser, api, host, viewport) -> None:  # noqa: F811
    name = f"{viewport['width']}x{viewport['height']}"
    ctx = browser.new_context(viewport=viewport)
    page = ctx.new_page()
    page.goto(host + "/")
    page.locator("#pa-launcher").click()
    page.wait_for_selector("#pa-panel", state="visible")
    page.locator("#pa-privacy").wait_for(state="visible")
    ask(page, TYPICAL)
    bot = ".pa-msg.pa-bot"
    assert page.locator(f"{bot} .pa-lead").inner_text().startswith(TYPICAL_LEAD)
    assert page.locator(f"{bot} .pa-item").first.get_attribute("data-ref") == f"{CITY}:28"
    # The first sentence and the first action are on screen, the composer compact.
    assert on_screen(page, f"{bot} .pa-lead", viewport)
    assert on_screen(page, f"{bot} .pa-item", viewport)
    assert box(page, "#pa-form")["height"] < 120
    assert "Entrée pour envoyer" in str(
        page.evaluate(f"() => {SHADOW}.querySelector('#pa-hint').textContent")
    )  # still the box's description
    live = live_text(page)
    assert live.startswith("Réponse reçue. " + TYPICAL_LEAD) and "actions" not in live  # one action: no count
    # The feedback comes right after the answer in Tab order (after its sources).
    page.locator(f"{bot} button.pa-disclosure").last.focus()
    page.keyboard.press("Tab")
    assert shadow(page, "r.activeElement.textContent") == "Oui"
    page.screenshot(path=str(ARTIFACTS / f"dialog-{name}-typical.png"))
    assert axe_violations(page) == []
    if viewport is DESKTOP:
        panel = box(page, "#pa-panel")
        assert panel["height"] == min(720, DESKTOP["height"] - 104) and panel["width"] == 416
        assert on_screen(page, f"{bot} .pa-fb-yes", viewport)  # even the feedback, on a desktop
        # Taller still, and wider, on demand.
        expand = page.get_by_role("button", name="Agrandir le panneau")
        assert expand.get_attribute("aria-pressed") == "false"
        expand.click()
        assert expand.get_attribute("aria-pressed") == "true"
        wide = box(page, "#pa-panel")
        assert wide["width"] == 760 and wide["height"] == DESKTOP["height"] - 104
        page.screenshot(path=str(ARTIFACTS / "dialog-1280x800-expanded.png"))
        assert axe_violations(page) == []
        expand.click()
        assert box(page, "#pa-panel") == panel
    else:
        assert page.locator("#pa-expand").is_hidden()  # the panel already takes the whole screen
    ctx.close()


def test_a_site_that_is_not_allowed_is_told_so(browser, api) -> None:  # noqa: F811
    """A page on an origin outside PLAN_ASSISTANT_ALLOWED_ORIGINS (the api fixture allows HOST only): the
    preflight passes, the request gets the 403 with CORS headers, the widget says so and the console
    names the setting to change, with the origin to add."""
    setting = f"{ENV_PREFIX}ALLOWED_ORIGINS"
    assert "allowed_origins" in Settings.model_fields and setting == "PLAN_ASSISTANT_ALLOWED_ORIGINS"
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    with HostSite({"/": page_html(widget_tag(api))}, port=port):
        ctx = browser.new_context(viewport=PHONE)
        page = ctx.new_page()
        console: list[str] = []
        page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
        asked: list[tuple[int, str | None]] = []
        page.on(
            "response",
            lambda r: (
                asked.append((r.status, r.headers.get("access-control-allow-origin")))
                if r.url.endswith("/api/ask/stream")
                else None
            ),
        )
        failed: list[str] = []
        page.on("requestfailed", lambda r: failed.append(r.url))
        page.goto(origin + "/")
        page.locator("#pa-launcher").click()
        # Said at once (the privacy notice's request was refused too), before any question.
        page.locator(".pa-msg.pa-err").first.wait_for()
        message = "Ce site n'est pas autorisé à utiliser l'assistant."
        assert message in page.locator(".pa-msg.pa-err").first.inner_text()
        err = ask(page, TYPICAL)
        assert message in err and "ne répond pas" not in err and "Oui" not in err
        assert asked == [(403, origin)] and failed == []
        hints = [c for c in console if c.startswith("plan-assistant")]
        assert len(hints) == 1, console
        assert setting in hints[0] and f"{setting}={origin}" in hints[0]
        assert page.locator("#pa-input").input_value() == TYPICAL  # kept, to send again once allowed
        page.screenshot(path=str(ARTIFACTS / "dialog-390x844-origin-refused.png"))
        assert axe_violations(page) == []
        ctx.close()


@pytest.fixture(scope="module")
def troubled(tmp_path_factory) -> Iterator[str]:
    """The real service with its index store down (a Chroma server address where none listens) and a
    limit of 2 questions a minute: questions get a 503, then a 429."""
    data: Path = tmp_path_factory.mktemp("troubled")
    env = {
        "PLAN_ASSISTANT_DATA_DIR": str(data),
        "CHROMA_HOST": "127.0.0.1",
        "CHROMA_PORT": str(free_port()),
        "PLAN_ASSISTANT_ALLOWED_ORIGINS": HOST,
        "PLAN_ASSISTANT_RATE_LIMIT": "2/minute",
    }
    server = Uvicorn(env)
    server.start(ready="/healthz")
    try:
        yield server.url
    finally:
        server.stop()


def test_busy_unavailable_and_too_long_are_explained(browser, site: HostSite, troubled: str) -> None:  # noqa: F811
    site.pages["/troubled"] = page_html(widget_tag(troubled, 'data-mode="inline" data-target="main"'))
    ctx = browser.new_context(viewport=DESKTOP)
    page = ctx.new_page()
    page.goto(HOST + "/troubled")
    page.wait_for_selector("#pa-panel", state="visible")
    # Too long for the service (its body limit): not counted, said plainly.
    err = ask(page, "logement " * 8000)
    assert "Votre question est trop longue. Raccourcissez-la, puis réessayez." in err
    # The index unavailable: a 503, with its Retry-After.
    for _ in range(2):
        err = ask(page, TYPICAL)
        assert "L'assistant est momentanément indisponible. Réessayez dans 5 secondes." in err
    # Then the limit: a 429 and the seconds to wait.
    err = ask(page, TYPICAL)
    wait = re.search(r"Trop de questions en peu de temps\. Réessayez dans (\d+) secondes\.", err)
    assert wait is not None and 1 <= int(wait.group(1)) <= 60, err
    page.wait_for_function(
        f"() => {SHADOW}.querySelector('#pa-live').textContent.startsWith('Erreur\u00a0: Trop de questions')"
    )
    page.screenshot(path=str(ARTIFACTS / "dialog-1280x800-errors.png"))
    assert axe_violations(page) == []
    ctx.close()


def test_one_breakpoint_and_the_setting_as_declared() -> None:
    """The panel covers the screen (CSS) exactly when it is modal (script): one media query. The
    console names the allowed origins' setting as the service reads it (api/settings.py)."""
    source = (ROOT / "api" / "static" / "widget.js").read_text(encoding="utf-8")
    small = re.search(r"const SMALL = '([^']+)';", source)
    assert small is not None and "@media ${SMALL}{" in source and "matchMedia(SMALL)" in source
    setting = re.search(r"const ORIGINS_SETTING = '([^']+)';", source)
    assert "allowed_origins" in Settings.model_fields
    assert setting is not None and setting.group(1) == f"{ENV_PREFIX}{'allowed_origins'.upper()}"
