"""Searching the real index (bundled model, real Chroma): facts from the plans."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from api.cli import app

from .conftest import CITY, SS

runner = CliRunner()


def refs(hits) -> list[str]:  # type: ignore[no-untyped-def]
    return [h.ref.split(":", 1)[1] for h in hits]


def test_everyday_question_finds_action_28(built) -> None:  # type: ignore[no-untyped-def]
    hits = built.searcher().search("Est-ce que la Ville m'aide à trouver un appartement?", k=5)
    assert "28" in refs(hits)[:3]
    top = next(h for h in hits if h.number == "28")
    assert (top.plan_id, top.kind, top.horizon) == (CITY, "action", "EC")
    assert top.text.startswith(
        "Action 28 : Maintenir et bonifier les services d'aide à la recherche de logements"
    )
    assert top.score > 0


def test_exact_reference_comes_first(built) -> None:  # type: ignore[no-untyped-def]
    assert refs(built.searcher().search("Qui s'occupe de l'action 37?", k=3))[0] == "37"
    assert built.searcher().search("c'est quoi le 2.1.4 du conseil de quartier", k=3)[0].ref == f"{SS}:2.1.4"


def test_missing_accents_typos_and_upper_case(built) -> None:  # type: ignore[no-untyped-def]
    s = built.searcher()
    assert "37" in refs(s.search("TARIFICATION SOCIALE DU TRANSPORT EN COMMUN", k=5))
    assert "23" in refs(s.search("securite alimentaire dans les deserts alimentaires", k=5))
    assert "23" in refs(s.search("securiter alimentair", k=5))


def test_filters(built) -> None:  # type: ignore[no-untyped-def]
    s = built.searcher()
    police = s.search("sécurité", k=20, filters={"unit": "Police"})
    assert police and all("Police" in h.units for h in police)
    assert {h.number for h in police if h.kind == "action"} <= {"36", "37", "41", "42"}
    mt = s.search("logement", k=10, filters={"horizon": "MT", "kind": "action"})
    assert mt and all(h.horizon == "MT" and h.kind == "action" for h in mt)
    assert refs(mt)[0] == "29"
    ss = s.search("sécurité", k=5, filters={"plan": SS})
    assert ss and all(h.plan_id == SS for h in ss)
    with pytest.raises(ValueError, match="filtre inconnu « colour »"):
        s.search("x", filters={"colour": "bleu"})
    with pytest.raises(ValueError, match="k doit être supérieur à 0, reçu 0"):
        s.search("x", k=0)


def test_search_cli_json(built, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from api import settings as settings_module

    monkeypatch.setenv("PLAN_ASSISTANT_DATA_DIR", str(built.location.root.parent))
    settings_module.get_settings.cache_clear()
    try:
        result = runner.invoke(
            app, ["search", "tarification sociale", "--json", "-k", "2", "--unit", "Police"]
        )
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert data[0]["number"] == "37" and data[0]["plan_id"] == CITY and data[0]["horizon"] == "EC"
        assert set(data[0]) >= {"plan_id", "kind", "number", "score", "text"}
        result = runner.invoke(app, ["search", "logement", "--horizon", "MT", "-k", "1"])
        assert result.stdout.startswith("1. Action 29 — Favoriser le développement de logements")
        result = runner.invoke(app, ["search", "  "])
        assert result.exit_code == 1 and "Erreur : la question est vide" in result.output
    finally:
        settings_module.get_settings.cache_clear()
