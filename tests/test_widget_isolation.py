"""The host page's CSS does not reach the widget (issue 20): in a real Chromium, the widget (launcher
opened with one real answer shown, and inline) is rendered on a plain host page and on host pages with
hostile styles; its screenshots, sizes and text styles are those of the plain page, and axe finds
nothing serious. At 1280×800 and 390×844, one browser context per viewport.

The answer is asked once of the real service; the other pages get the same bytes of
``/api/ask/stream`` (the widget still reads and renders them with its own code)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from PIL import Image

from .test_browser import (  # noqa: F401  (api, browser: fixtures)
    ARTIFACTS,
    HOST,
    HostSite,
    api,
    ask,
    axe_violations,
    browser,
)

pytestmark = pytest.mark.browser

QUESTION = "La Ville m'aide-t-elle à trouver un logement?"
LEAD = "Oui : l'action 28 (Ville de Québec) vise à maintenir et bonifier"
VIEWPORTS = {"1280x800": (1280, 800), "390x844": (390, 844)}
MODES = ("launcher", "inline")
MAX_DIFFERING = 0.005  # share of the pixels of a screenshot that may differ from the plain page's
TOLERANCE = 24  # a pixel differs when one of its channels differs by more than this (of 255)

NORMALIZE = """
html{line-height:1.15;-webkit-text-size-adjust:100%}body{margin:0}main{display:block}
h1{font-size:2em;margin:.67em 0}a{background-color:transparent}b,strong{font-weight:bolder}
button,input,optgroup,select,textarea{font-family:inherit;font-size:100%;line-height:1.15;margin:0}
button,input{overflow:visible}button,select{text-transform:none}
button,[type=button],[type=reset],[type=submit]{-webkit-appearance:button}textarea{overflow:auto}
[hidden]{display:none}
*,*::before,*::after{box-sizing:border-box}*{margin:0;padding:0;border:0 solid}
ul,ol{list-style:none}img,svg,video{display:block;max-width:100%;height:auto}
:root{font-size:14px;line-height:1.6}
"""

# The host pages: a style sheet and what the page shows besides the widget.
HOSTILE: dict[str, tuple[str, str]] = {
    "root-62.5%": ("html{font-size:62.5%}body{font-size:1.6rem}", ""),
    "inherited-text": (
        '*{font-family:"Comic Sans MS",cursive;line-height:3;letter-spacing:4px;word-spacing:12px;'
        "text-transform:uppercase;font-style:italic;text-indent:24px;text-align:right;color:#5c0000}",
        "",
    ),
    "font-size-40px-important": ("*{font-size:40px!important}", ""),
    "content-box": ("*,*::before,*::after{box-sizing:content-box}", ""),
    "normalize": (NORMALIZE, ""),
    # A fixed header (under the full-screen panel on a phone) and an element at the highest z-index
    # that is never where the widget is (bottom left on a wide screen, far down the page on a phone).
    "z-layers": (
        "body{min-height:1800px}"
        ".site-header{position:fixed;top:0;left:0;right:0;height:64px;margin:0;z-index:10000;"
        "background:#1d2b3a;color:#fff}"
        ".top{position:fixed;left:0;bottom:0;width:220px;height:56px;margin:0;z-index:2147483647;"
        "background:#222;color:#fff}"
        "@media (max-width:600px){.top{position:absolute;top:1500px;bottom:auto}}",
        '<header class="site-header"><p>Ville — en-tête fixe</p></header>'
        '<aside class="top" aria-label="Retour en haut"><p>Haut de page</p></aside>',
    ),
}


def page_html(api_url: str, css: str, body: str, mode: str) -> str:
    """A host page; the inline widget's container is placed the same way on every page (absolute,
    in px, on white: the panel's rounded corners show it), so that only the widget can differ."""
    extra = 'data-mode="inline" data-target="#chat"' if mode == "inline" else 'data-mode="launcher"'
    return f"""<!doctype html><html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Site d'un partenaire</title>
<style>#chat{{position:absolute;top:96px;left:16px;width:min(600px,calc(100vw - 32px));margin:0;padding:0;
border:0;background:#fff}}</style><style>{css}</style></head><body>{body}
<main><h1>Un site hôte</h1><p>Contenu du partenaire.</p><div id="chat"></div></main>
<script src="{api_url}/widget.js" data-title="Assistant des plans d'action" data-lang="fr" {extra} defer></script>
</body></html>"""


class Replay:
    """``/api/ask/stream`` asked once of the real service, then answered with the same bytes."""

    def __init__(self) -> None:
        self.body: bytes | None = None
        self.headers: dict[str, str] = {}

    def __call__(self, route: Any) -> None:
        if route.request.method != "POST":
            route.continue_()  # the CORS preflight, to the service
            return
        if self.body is None:
            real = route.fetch()
            assert real.status == 200, real.status
            self.body = real.body()
            self.headers = {
                k: v for k, v in real.headers.items() if k.startswith(("content-type", "access-control"))
            }
        route.fulfill(status=200, headers=self.headers, body=self.body)


REPLAY = Replay()

# What must not change: boxes (x, y, width, height) and the text styles of the answer and the input.
FACTS_JS = """() => {
  const r = document.querySelector('plan-assistant-chat').shadowRoot;
  const round = (v) => Math.round(v * 100) / 100;
  const box = (sel) => { const e = r.querySelector(sel); if (!e || !e.getClientRects().length) return null;
    const b = e.getBoundingClientRect(); return [b.x, b.y, b.width, b.height].map(round); };
  const text = (sel) => { const s = getComputedStyle(r.querySelector(sel));
    return [s.fontSize, s.fontFamily, s.fontStyle, s.fontWeight, s.lineHeight, s.letterSpacing, s.wordSpacing,
      s.textTransform, s.textIndent, s.textAlign, s.color]; };
  return {panel: box('#pa-panel'), launcher: box('#pa-launcher'), input: box('#pa-input'),
    send: box('#pa-send'), title: box('#pa-title'), lead: box('.pa-msg.pa-bot .pa-lead'),
    item: box('.pa-msg.pa-bot .pa-item'),
    lead_text: text('.pa-msg.pa-bot .pa-lead'), item_text: text('.pa-msg.pa-bot .pa-item-text'),
    input_text: text('#pa-input'), who_text: text('.pa-msg.pa-bot .pa-who')};
}"""


@dataclass
class Rendered:
    facts: dict[str, Any]
    shots: dict[str, bytes] = field(default_factory=dict)
    violations: list[dict] = field(default_factory=list)


def render(ctx: Any, url: str, mode: str) -> Rendered:
    """Open the host page, show the widget with the answer; its facts, screenshots, axe's findings."""
    page = ctx.new_page()
    try:
        page.goto(url)
        if mode == "launcher":
            page.locator("#pa-launcher").press("Enter")  # the keyboard: no pointer left hovering
        page.wait_for_selector("#pa-panel", state="visible")
        page.locator("#pa-privacy").wait_for(state="visible")
        answer = ask(page, QUESTION)
        assert LEAD.lower() in answer.lower(), answer  # lower: a page's text-transform must not count here
        rendered = Rendered(page.evaluate(FACTS_JS))
        opts = {"animations": "disabled", "caret": "hide"}
        rendered.shots["panel"] = page.locator("#pa-panel").screenshot(**opts)
        if rendered.facts["launcher"]:
            rendered.shots["launcher"] = page.locator("#pa-launcher").screenshot(**opts)
        rendered.violations = axe_violations(page)
        return rendered
    finally:
        page.close()


def differing(a: bytes, b: bytes) -> float:
    """The share of pixels that differ between two screenshots (1.0 when their sizes differ)."""
    if not a or not b:
        return 1.0
    x = np.asarray(Image.open(io.BytesIO(a)).convert("RGB"), dtype=np.int16)
    y = np.asarray(Image.open(io.BytesIO(b)).convert("RGB"), dtype=np.int16)
    if x.shape != y.shape:
        return 1.0
    return float((np.abs(x - y).max(axis=2) > TOLERANCE).mean())


@dataclass
class Viewport:
    name: str
    ctx: Any
    api: str
    plain: dict[str, Rendered]


@pytest.fixture(scope="module")
def host_site(api: str) -> Iterator[None]:  # noqa: F811
    pages = {
        f"/{name}/{mode}": page_html(api, css, body, mode)
        for name, (css, body) in {"plain": ("", ""), **HOSTILE}.items()
        for mode in MODES
    }
    with HostSite(pages):
        yield


@pytest.fixture(scope="module", params=list(VIEWPORTS), ids=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest, browser: Any, api: str, host_site: None) -> Iterator[Viewport]:  # noqa: F811
    """One browser context per viewport, and the widget rendered on the plain page (the reference)."""
    name: str = request.param
    width, height = VIEWPORTS[name]
    ctx = browser.new_context(viewport={"width": width, "height": height})
    ctx.route(f"{api}/api/ask/stream", REPLAY)
    try:
        plain = {mode: render(ctx, f"{HOST}/plain/{mode}", mode) for mode in MODES}
        for mode, r in plain.items():
            for part, png in r.shots.items():
                (ARTIFACTS / f"isolation-{name}-{mode}-{part}.png").write_bytes(png)
        yield Viewport(name, ctx, api, plain)
    finally:
        ctx.close()


def test_plain_page_widget_sizes(viewport: Viewport) -> None:
    """The reference itself: sizes in px, as the widget's style sheet sets them; axe finds nothing."""
    width, height = VIEWPORTS[viewport.name]
    launcher, inline = viewport.plain["launcher"].facts, viewport.plain["inline"].facts
    if width > 600:  # the panel as tall as the screen allows, up to 720 px (issue 20: an answer fits)
        tall = min(720, height - 104)
        assert launcher["panel"] == [width - 16 - 416, height - 88 - tall, 416, tall]
        assert inline["panel"] == [16, 96, 600, 576]
    else:  # a phone: the opened panel takes the whole screen, the launcher under it is hidden
        assert launcher["panel"] == [0, 0, width, height] and launcher["launcher"] is None
        assert inline["panel"] == [16, 96, width - 32, 576]
    for facts in (launcher, inline):
        assert facts["lead_text"][0] == "17px" and facts["item_text"][0] == "16px"
        assert facts["input_text"][0] == "16px" and facts["who_text"][0] == "14px"
        assert facts["lead_text"][5:8] == ["normal", "0px", "none"]  # letter-spacing, word-spacing, case
        assert facts["input"][3] >= 44  # the target size of the question box
    for mode, r in viewport.plain.items():
        assert r.violations == [], mode


@pytest.mark.parametrize("hostile", list(HOSTILE))
def test_host_page_css_does_not_reach_the_widget(viewport: Viewport, hostile: str) -> None:
    problems: list[str] = []
    for mode in MODES:
        got = render(viewport.ctx, f"{HOST}/{hostile}/{mode}", mode)
        want = viewport.plain[mode]
        changed = {k: (want.facts[k], v) for k, v in got.facts.items() if v != want.facts[k]}
        if changed:
            problems.append(f"{mode}: {changed}")
        for part, png in want.shots.items():
            share = differing(png, got.shots.get(part, b""))
            if share >= MAX_DIFFERING:
                name = f"isolation-{viewport.name}-{hostile}-{mode}-{part}.png"
                (ARTIFACTS / name).write_bytes(got.shots.get(part, b""))
                problems.append(f"{mode} {part}: {share:.2%} of the pixels differ (see {name})")
        if got.violations:
            problems.append(f"{mode} axe: {got.violations}")
    assert not problems, "\n".join(problems)
