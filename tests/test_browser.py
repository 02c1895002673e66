"""End to end in a real browser: Debian's Chromium driven by Playwright, the real service on
127.0.0.1, a host page on another origin that embeds the widget with one script tag, axe-core
for accessibility. Screenshots are saved in test-artifacts/."""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .conftest import CITY, ROOT
from .servers import free_port, uvicorn_server

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = ROOT / "build" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
HOST_PORT = free_port()
HOST = f"http://127.0.0.1:{HOST_PORT}"

HOSTILE_CSS = "* { font-size: 30px !important; color: red !important; } button { display: none !important; }"


def host_page(api: str, extra: str = "") -> str:
    return f"""<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Site d'un partenaire</title>
<style>{HOSTILE_CSS}</style></head><body><main><h1>Un site hôte</h1><p>Contenu du partenaire.</p>
<div id="chat"></div></main>
<script src="{api}/widget.js" data-title="Assistant des plans d'action" data-lang="fr" {extra} defer></script>
</body></html>"""


class HostSite:
    """A page of another origin (another port) that embeds the widget."""

    def __init__(self, pages: dict[str, str], port: int = HOST_PORT):
        self.pages = pages
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                body = site.pages.get(self.path.split("?")[0], "").encode()
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> HostSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists() or not AXE.exists():
        pytest.fail("Chromium ou axe-core manquant : lancez « make browser-deps » (make test le fait)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def api(built) -> Iterator[str]:  # type: ignore[no-untyped-def]
    env = {
        "PLAN_ASSISTANT_DATA_DIR": str(built.location.root.parent),
        "PLAN_ASSISTANT_ALLOWED_ORIGINS": HOST,
        "PLAN_ASSISTANT_RATE_LIMIT": "1000/minute",
    }
    with uvicorn_server(env) as server:
        yield server.url


def shadow_focus(page) -> str | None:  # type: ignore[no-untyped-def]
    return page.evaluate(
        "() => { const h = document.querySelector('plan-assistant-chat');"
        " return h && h.shadowRoot && h.shadowRoot.activeElement ? h.shadowRoot.activeElement.id"
        " : null; }"
    )


def ask(page, question: str) -> str:  # type: ignore[no-untyped-def]
    """Type a question in the panel, send it with Enter, wait for the answer; the answer's text."""
    bots = page.locator(".pa-msg.pa-bot, .pa-msg.pa-err")
    before = bots.count()
    box = page.locator("#pa-input")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(
        "n => { const r = document.querySelector('plan-assistant-chat').shadowRoot;"
        " const done = r.querySelectorAll('.pa-msg.pa-bot, .pa-msg.pa-err').length > n;"
        " return done && r.querySelector('#pa-log').getAttribute('aria-busy') !== 'true'; }",
        arg=before,
        timeout=30000,
    )
    return str(bots.nth(before).inner_text())


def axe_violations(page, origin: str | None = None) -> list[dict]:  # type: ignore[no-untyped-def]
    """Serious and critical axe-core violations (contexts bypass the pages' CSP only to inject axe;
    the XSS checks below then prove escaping, not just the CSP). With ``origin``, axe is injected as a
    script of that origin (answered by the test, not the service), so the page's CSP stays on."""
    if origin is None:
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    else:
        url = f"{origin}/__axe-core.js"
        body = AXE.read_text(encoding="utf-8")
        page.route(url, lambda route: route.fulfill(body=body, content_type="text/javascript"))
        page.add_script_tag(url=url)
    result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result
        if v["impact"] in ("serious", "critical")
    ]


def test_widget_on_another_site_with_the_keyboard(browser, api) -> None:  # type: ignore[no-untyped-def]
    with HostSite({"/": host_page(api)}):
        ctx = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
        page = ctx.new_page()
        page.goto(HOST + "/")
        page.wait_for_selector("#pa-launcher")
        # Keyboard only: Tab to the launcher, Enter opens, focus goes into the panel.
        for _ in range(10):
            page.keyboard.press("Tab")
            if shadow_focus(page) == "pa-launcher":
                break
        assert shadow_focus(page) == "pa-launcher"
        assert page.locator("#pa-launcher").get_attribute("aria-expanded") == "false"
        page.keyboard.press("Enter")
        page.wait_for_selector("#pa-panel", state="visible")
        assert page.locator("#pa-launcher").get_attribute("aria-expanded") == "true"
        assert shadow_focus(page) == "pa-input"
        assert page.locator("#pa-panel").get_attribute("role") == "dialog"
        # The host page's hostile CSS does not reach the widget.
        assert page.locator("#pa-send").is_visible()

        answer = ask(page, "Qui s'occupe de l'action 37?")
        assert "Police" in answer and "Transport et mobilité intelligente" in answer
        link = page.locator(".pa-msg.pa-bot a.pa-cite-link").first
        assert "Action 37" in link.inner_text()
        href = link.get_attribute("href")
        assert href == f"{api}/plans/{CITY}#action-37"
        page.wait_for_function(
            "() => document.querySelector('plan-assistant-chat').shadowRoot"
            ".querySelector('#pa-live').textContent.startsWith('Réponse reçue.')"
        )
        # A follow-up uses the history the widget keeps.
        assert "en cours (EC)" in ask(page, "C'est pour quand?")

        # A topical answer: the first sentence stands out, the actions are compact items with a
        # timeline badge and a link to the viewer, the sources are collapsed behind a button.
        ask(page, "La Ville m'aide-t-elle à trouver un logement?")
        bot = page.locator(".pa-msg.pa-bot").last
        lead = bot.locator(".pa-lead").inner_text()
        assert lead.startswith("Oui : l'action 28 (Ville de Québec) vise à maintenir et bonifier")
        page.screenshot(path=str(ARTIFACTS / "widget-1280x800.png"))
        first = bot.locator(".pa-item").first
        assert first.locator(".pa-badge").inner_text() == "En cours"
        assert first.locator("a.pa-item-link").get_attribute("href") == f"{api}/plans/{CITY}#action-28"
        assert "Maintenir et bonifier les services d'aide à la recherche de logements" in first.inner_text()
        # The new answer is shown from its first line (or, when it is short, the end of the log).
        assert page.evaluate(
            "() => { const r = document.querySelector('plan-assistant-chat').shadowRoot;"
            " const log = r.querySelector('#pa-log'); const m = [...r.querySelectorAll('.pa-msg.pa-bot')].pop();"
            " const top = m.offsetTop >= log.scrollTop - 1 && m.offsetTop <= log.scrollTop + 16;"
            " return top || log.scrollTop >= log.scrollHeight - log.clientHeight - 1; }"
        )
        sources = bot.locator("button.pa-disclosure").last
        assert sources.get_attribute("aria-expanded") == "false"
        assert bot.locator("ol.pa-cites").is_hidden()
        sources.focus()
        page.keyboard.press("Enter")
        assert sources.get_attribute("aria-expanded") == "true" and bot.locator("ol.pa-cites").is_visible()
        # The live region says the first sentence once (not the streamed pieces).
        page.wait_for_function(
            "lead => document.querySelector('plan-assistant-chat').shadowRoot"
            ".querySelector('#pa-live').textContent === 'Réponse reçue. ' + lead",
            arg=lead.replace(" [1]", ""),
        )
        assert axe_violations(page) == []

        # Questions the plans do not answer cite nothing and link to the City's site and 311.
        ask(page, "C'est quand la collecte des vidanges dans ma rue?")
        bot = page.locator(".pa-msg.pa-bot").last
        assert bot.locator("a.pa-link[href='tel:311']").count() == 1
        assert bot.locator("a.pa-link[href='https://www.ville.quebec.qc.ca']").count() == 1
        assert bot.locator(".pa-item").count() == 0

        # A question with HTML and a script is shown as text and runs nothing.
        xss = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> action 37'
        ask(page, xss)
        assert page.evaluate("() => window.__xss") is None
        assert xss in page.locator(".pa-msg.pa-user").last.inner_text()

        # Escape closes and gives the focus back to the launcher.
        page.keyboard.press("Escape")
        page.wait_for_selector("#pa-panel", state="hidden")
        assert shadow_focus(page) == "pa-launcher"

        # The citation lands on the exact action, highlighted.
        page.goto(href)
        target = page.evaluate("() => document.querySelector(':target').id")
        assert target == "action-37"
        # A calm marker: a left bar and a light background, with padding.
        style = page.evaluate(
            "() => { const s = getComputedStyle(document.querySelector(':target'));"
            " return [s.backgroundColor, s.borderLeftWidth, s.borderLeftColor, s.paddingTop]; }"
        )
        assert style == ["rgb(238, 244, 251)", "4px", "rgb(11, 79, 138)", "8px"]
        page.screenshot(path=str(ARTIFACTS / "viewer-1280x800.png"))
        assert "Poursuivre le déploiement de la tarification sociale" in page.locator(":target").inner_text()
        assert axe_violations(page) == []
        ctx.close()


def test_demo_page_panel_open_is_accessible_and_fits_a_phone(browser, api) -> None:  # type: ignore[no-untyped-def]
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = ctx.new_page()
    page.goto(api + "/demo")
    assert '<script src="' in page.locator("pre code").inner_text()  # the snippet to copy
    page.locator("#pa-launcher").click()
    page.wait_for_selector("#pa-panel", state="visible")
    ask(page, "Quelles actions concernent la Police?")
    assert axe_violations(page) == []
    ctx.close()

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, bypass_csp=True
    )
    page = phone.new_page()
    page.goto(api + "/demo")
    page.locator("#pa-launcher").click()
    answer = ask(page, "La Ville m'aide-t-elle à trouver un logement?")
    assert "28" in answer
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    box = page.locator("#pa-panel").bounding_box()
    assert box is not None and box["width"] <= 390
    # On a phone, the first sentence and the first action are on screen without scrolling.
    lead = page.locator(".pa-msg.pa-bot .pa-lead").last.bounding_box()
    item = page.locator(".pa-msg.pa-bot .pa-item").first.bounding_box()
    assert lead is not None and item is not None and item["y"] < 844
    page.screenshot(path=str(ARTIFACTS / "widget-390x844.png"))
    assert axe_violations(page) == []
    phone.close()


def test_inline_mode_and_service_down(browser, api) -> None:  # type: ignore[no-untyped-def]
    down = f"http://127.0.0.1:{free_port()}"
    pages = {
        "/inline": host_page(api, 'data-mode="inline" data-target="#chat"'),
        "/down": host_page(api, f'data-mode="inline" data-target="#chat" data-api="{down}"'),
    }
    with HostSite(pages):
        ctx = browser.new_context(bypass_csp=True)
        page = ctx.new_page()
        page.goto(HOST + "/inline")
        page.wait_for_selector("#pa-panel", state="visible")
        assert page.locator("#pa-launcher").count() == 0
        assert page.locator("#pa-panel").get_attribute("role") == "region"
        assert "Police" in ask(page, "Qui s'occupe de l'action 42?")
        page.goto(HOST + "/down")
        page.wait_for_selector("#pa-panel", state="visible")
        err = ask(page, "Qui s'occupe de l'action 42?")
        assert "Le service ne répond pas pour le moment. Réessayez dans quelques instants." in err
        assert page.locator("#pa-input").is_enabled()
        ctx.close()


def test_refused_origin_cannot_use_the_api(browser, api) -> None:  # type: ignore[no-untyped-def]
    """A site outside the allowlist gets a refusal, not answers."""
    other_port = free_port()
    with HostSite({"/": host_page(api, 'data-mode="inline" data-target="#chat"')}, port=other_port):
        ctx = browser.new_context(bypass_csp=True)
        page = ctx.new_page()
        page.goto(f"http://127.0.0.1:{other_port}/")
        page.wait_for_selector("#pa-panel", state="visible")
        err = ask(page, "Qui s'occupe de l'action 42?")
        assert "Police" not in err
        ctx.close()


# Survives the parser's clean-up of extraction noise (it is not a well-formed tag), so it reaches
# every page and answer as text: it must stay text.
PAYLOAD = "<img/src=x onerror=window.pwned=1> <svg/onload=window.pwned=2>"


@pytest.fixture
def hostile_corpus(tmp_path: Path) -> Path:
    """A copy of the corpus where a plan's own text carries HTML and a script."""
    dst = tmp_path / "plans"
    shutil.copytree(ROOT / "corpus" / "plans", dst)
    src = dst / CITY / "plan-action-developpement-social-2025-2030.txt"
    text = src.read_text(encoding="utf-8")
    src.write_text(
        text.replace(
            "28. Maintenir et bonifier les services d'aide à la recherche de logements",
            f"28. Maintenir et bonifier les services d'aide à la recherche de logements {PAYLOAD}",
        ),
        encoding="utf-8",
    )
    return dst


def test_stored_xss_in_a_plan_is_inert(browser, hostile_corpus: Path, tmp_path: Path, e5) -> None:  # type: ignore[no-untyped-def]
    env = {
        "PLAN_ASSISTANT_DATA_DIR": str(tmp_path / "data"),
        "PLAN_ASSISTANT_CORPUS_DIR": str(hostile_corpus),
        "PLAN_ASSISTANT_RATE_LIMIT": "0",
    }
    with uvicorn_server(env) as server:
        ctx = browser.new_context(bypass_csp=True)
        page = ctx.new_page()
        page.goto(f"{server.url}/plans/{CITY}#action-28")
        assert PAYLOAD in page.locator("#action-28").inner_text()
        assert page.evaluate("() => window.pwned") is None
        page.goto(f"{server.url}/demo")
        page.locator("#pa-launcher").click()
        answer = ask(page, "l'action 28")
        assert PAYLOAD in answer
        assert page.evaluate("() => window.pwned") is None
        with contextlib.suppress(Exception):
            page.locator(".pa-msg.pa-bot a.pa-cite-link").first.click()
        assert page.evaluate("() => window.pwned") is None
        ctx.close()


def watch(page) -> dict[str, list]:  # type: ignore[no-untyped-def]
    """What a page does that a test must see: console errors, uncaught errors, CSP violations (the
    ``securitypolicyviolation`` events, recorded from before the page's first script) and every
    request it makes."""
    seen: dict[str, list] = {"errors": [], "requests": []}
    page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("request", lambda r: seen["requests"].append((r.method, r.url)))
    page.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation', e => window.__csp.push("
        "e.effectiveDirective + ' ' + e.blockedURI), true);"
    )
    return seen


def test_api_docs_work_under_the_csp(browser, api) -> None:  # type: ignore[no-untyped-def]
    """/docs: Swagger UI from the service's own files, under the site's strict CSP (no bypass), shows
    and runs the operations; nothing is blocked and no request leaves 127.0.0.1."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    seen = watch(page)
    response = page.goto(api + "/docs")
    assert response is not None and response.status == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "style-src 'self';" in csp and "unsafe-" not in csp
    assert page.title() == "Documentation de l'API — plan-assistant"
    assert page.evaluate("() => document.documentElement.lang") == "fr"
    assert page.locator("a.skip[href='#contenu']").count() == 1 and page.locator("main#contenu").count() == 1
    ask_op = page.locator(".opblock.opblock-post").filter(has=page.locator("[data-path='/api/ask']"))
    ask_op.wait_for(state="visible", timeout=15000)
    assert page.locator(".swagger-ui .info .title").inner_text().startswith("plan-assistant")
    assert ask_op.locator(".opblock-summary-method").inner_text() == "POST"
    assert page.locator(".opblock-summary-path[data-path='/api/search']").is_visible()
    assert page.locator("a[href='/docs']").count() >= 1  # the site menu
    assert axe_violations(page, origin=api) == []

    # Try it out: the operation runs from the page (connect-src 'self') and its answer is shown.
    ask_op.locator(".opblock-summary-control").click()
    ask_op.get_by_role("button", name="Try it out").click()
    ask_op.locator("textarea.body-param__text").fill('{"question": "Qui s\'occupe de l\'action 37?"}')
    ask_op.get_by_role("button", name="Execute").click()
    result = ask_op.locator(".live-responses-table tr.response").first
    result.wait_for(timeout=30000)
    assert result.locator(".response-col_status").inner_text().strip() == "200"
    assert "Police" in result.locator(".response-col_description").inner_text()
    page.screenshot(path=str(ARTIFACTS / "docs-1280x900.png"))
    assert axe_violations(page, origin=api) == []

    assert seen["errors"] == []
    assert page.evaluate("() => window.__csp") == []
    urls = [u for _m, u in seen["requests"]]
    assert f"{api}/vendor/swagger-ui/swagger-ui-bundle.js" in urls and f"{api}/openapi.json" in urls
    assert ("POST", f"{api}/api/ask") in seen["requests"]
    assert [u for u in urls if urlsplit(u).hostname != "127.0.0.1"] == []
    ctx.close()


class _Tags(HTMLParser):
    """The tags of a page (name, attributes) and the text inside each <script> and <style>."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.inline: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in = tag if tag in ("script", "style") else None

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in and data.strip():
            self.inline.append(f"<{self._in}>{data.strip()[:80]}")


def test_docs_page_is_local_and_redoc_is_gone() -> None:
    """In process: /docs loads only the service's own scripts and styles, with no inline script or
    style; /redoc is a 404 in the API's error shape, and no page links to it."""
    from fastapi.testclient import TestClient

    from api.app import create_app

    client = TestClient(create_app(), base_url="http://127.0.0.1")  # no lifespan: no index needed
    r = client.get("/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "unsafe-" not in r.headers["content-security-policy"]
    page = _Tags()
    page.feed(r.text)
    assert page.inline == []
    assert not [a for _t, a in page.tags if "style" in a or any(k.startswith("on") for k in a)]
    urls = [a.get("src") or a.get("href") or "" for t, a in page.tags if t in ("script", "link", "img")]
    scripts = [a["src"] for t, a in page.tags if t == "script"]
    assert scripts == ["/vendor/swagger-ui/swagger-ui-bundle.js", "/static/docs.js"]
    assert all(u.startswith("/") and not u.startswith("//") for u in urls), urls
    for url in urls:
        asset = client.get(url)
        assert asset.status_code == 200, url
    init = client.get("/static/docs.js").text
    assert "SwaggerUIBundle(" in init and "://" not in init
    assert 'data-openapi-url="/openapi.json"' in r.text
    assert client.get("/openapi.json").json()["info"]["title"] == "plan-assistant"

    gone = client.get("/redoc")
    assert gone.status_code == 404 and gone.headers["content-type"].startswith("application/json")
    err = gone.json()["error"]
    assert (err["code"], err["status"]) == ("introuvable", 404) and err["message"] and err["message_en"]
    site = [*(ROOT / "api" / "templates").glob("*.html"), *(ROOT / "api" / "static").glob("*.*")]
    assert [p.name for p in site if "redoc" in p.read_text(encoding="utf-8").lower()] == []
    assert 'href="/docs"' in (ROOT / "api" / "templates" / "base.html").read_text(encoding="utf-8")


ASK_PATHS = ("/api/ask", "/api/ask/stream")
# A long conversation: lists (many references each), unit questions and follow-ups that need the history.
CONVERSATION = [
    "Donne-moi toutes les actions qui concernent Loisirs, sports et vie communautaire",
    "Qui s'occupe de l'action 37?",
    "Et c'est pour quand?",
    "Donne-moi toutes les actions qui concernent Culture et patrimoine",
    "Qui s'occupe de l'action 28?",
    "Et c'est pour quand?",
    "Donne-moi toutes les actions qui concernent Planification de l'aménagement et de l'environnement",
    "Qui s'occupe de l'action 9?",
    "Et c'est pour quand?",
    "Quelles actions concernent la Police?",
    "Donne-moi toutes les actions qui concernent Loisirs, sports et vie communautaire",
    "Qui s'occupe de l'action 42?",
    "Et c'est pour quand?",
    "Donne-moi toutes les actions qui concernent Développement économique et grands projets",
    "Qui s'occupe de l'action 12?",
    "Et c'est pour quand?",
    "La Ville m'aide-t-elle à trouver un logement?",
    "Donne-moi toutes les actions qui concernent Culture et patrimoine",
    "Qui s'occupe de l'action 37?",
    "Et c'est pour quand?",
]


def test_long_widget_conversation_stays_light(browser, api) -> None:  # type: ignore[no-untyped-def]
    """20 turns in the widget of /demo: each request carries the question and at most the widget's
    cap of previous turns, as questions (and the last turn's references, the only ones the service
    reads), never an answer's text; it stays small, and every turn is answered."""
    source = (ROOT / "api" / "static" / "widget.js").read_text(encoding="utf-8")
    match = re.search(r"const MAX_TURNS = (\d+);", source)
    assert match is not None
    cap = int(match.group(1))
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    sent: list[str] = []
    statuses: list[int] = []

    def is_ask(r) -> bool:  # type: ignore[no-untyped-def]
        return bool(r.method == "POST" and urlsplit(r.url).path in ASK_PATHS)

    page.on("request", lambda r: sent.append(r.post_data or "") if is_ask(r) else None)
    page.on("response", lambda r: statuses.append(r.status) if is_ask(r.request) else None)
    page.goto(api + "/demo")
    page.locator("#pa-launcher").click()
    page.wait_for_selector("#pa-panel", state="visible")
    leads: list[str] = []
    sizes: list[int] = []
    answer = ""
    for turn, question in enumerate(CONVERSATION, 1):
        before = len(sent)
        answer = ask(page, question)
        assert len(sent) > before, f"tour {turn} : aucune requête"
        for raw in sent[before:]:
            sizes.append(len(raw.encode("utf-8")))
            body = json.loads(raw)
            assert body["question"] == question
            history = body["history"]
            assert len(history) == min(turn - 1, cap) <= cap
            assert [h["question"] for h in history] == CONVERSATION[turn - 1 - len(history) : turn - 1]
            assert all(set(h) == {"question"} for h in history[:-1]), history
            assert all(set(h) == {"question", "refs", "related"} for h in history[-1:]), history
            assert [lead for lead in leads if lead in raw] == []  # no previous answer's text
        if turn == 2:  # after the first list: its dozens of references, for the follow-ups
            assert len(json.loads(sent[-1])["history"][-1]["refs"]) >= 40
        lead = page.locator(".pa-msg.pa-bot").last.locator(".pa-lead").inner_text()
        lead = " ".join(re.sub(r"\[\d+\]", " ", lead).split())
        if len(lead) >= 25:
            leads.append(lead[:40])
    assert max(sizes) < 8 * 1024, sizes
    assert page.locator(".pa-msg.pa-bot").count() == len(CONVERSATION)
    assert page.locator(".pa-msg.pa-err").count() == 0
    assert statuses and set(statuses) == {200}  # no 413, no 429
    assert "en cours (EC)" in answer  # the 20th answer, a follow-up read with the history
    ctx.close()
