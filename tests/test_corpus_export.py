"""Golden exports (checked by hand against the source text) and the CLI views."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from corpus import Plan
from corpus.render import export_json

from .conftest import CITY, SS

GOLDEN = Path(__file__).parent / "golden"
runner = CliRunner()


@pytest.mark.parametrize("plan_id", [CITY, SS])
def test_export_matches_golden_file(plan_id: str, corpus) -> None:  # type: ignore[no-untyped-def]
    """To update after a deliberate parser change: ``plan-assistant corpus export PLAN -o tests/golden/PLAN.json``,
    then read the diff line by line against the source text."""
    expected = (GOLDEN / f"{plan_id}.json").read_text(encoding="utf-8")
    assert export_json(corpus.plan(plan_id)) == expected


def test_export_round_trips(city: Plan) -> None:
    data = json.loads(export_json(city))
    data.pop("format_version")
    assert Plan.model_validate(data) == city


def test_cli_export_to_stdout() -> None:
    result = runner.invoke(app, ["corpus", "export", SS, "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["meta"]["adopted"] == "2024-05-14"
    assert [n["number"] for n in data["nodes"] if n["kind"] == "theme"] == ["1", "2", "3"]


def test_cli_export_rejects_unknown_format() -> None:
    result = runner.invoke(app, ["corpus", "export", SS, "--format", "xml"])
    assert result.exit_code == 1
    assert "Erreur : format « xml » non pris en charge ; formats : json" in result.output


def test_cli_show_action_with_context() -> None:
    result = runner.invoke(app, ["corpus", "show", CITY, "--action", "37"])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "Action 37 — Poursuivre le déploiement de la tarification sociale avec le programme ÉquiMobilité",
        "Plan : Plan d'action en développement social 2025-2030 (Ville de Québec)",
        "Dans : Orientation 2 — Milieux de vie complets › Axe d'intervention 2 — Accès universel et équitable aux "
        "services et aux équipements › Objectif 2.2.2 — Favoriser un accès équitable à la mobilité pour l'ensemble des "
        "citoyennes et des citoyens",
        "Échéancier : EC — en cours",
        "Unités administratives concernées (listées pour l'objectif) : Loisirs, sports et vie communautaire; "
        "Planification de l'aménagement et de l'environnement; Police; Transport et mobilité intelligente",
        "Source : plan-action-developpement-social-2025-2030.txt, lignes 558-558",
    ]


def test_cli_show_whole_organisation_and_footnote() -> None:
    out = runner.invoke(app, ["corpus", "show", CITY, "-a", "52"]).stdout
    assert (
        "Unités administratives concernées (listées pour l'objectif) : aucune unité nommée : Toute l'organisation "
        "municipale, tant les unités administratives que les instances politiques" in out
    )
    out = runner.invoke(app, ["corpus", "show", CITY, "-a", "23"]).stdout
    assert "Note 1 : Un désert alimentaire désigne une zone géographique" in out


def test_cli_show_neighbourhood_action_with_indicators() -> None:
    out = runner.invoke(app, ["corpus", "show", SS, "-a", "2.1.1"]).stdout
    assert "Résultat/indicateur 2.1.1.2 : Collaboration pour la mise en place d'une station vélo." in out


def test_cli_show_whole_plan() -> None:
    out = runner.invoke(app, ["corpus", "show", CITY]).stdout
    assert "3 orientations · 7 axes · 14 objectifs · 57 actions" in out
    assert (
        "  37. Poursuivre le déploiement de la tarification sociale avec le programme ÉquiMobilité "
        "[EC : en cours]" in out.replace("      ", "  ")
    )


def test_cli_show_errors_are_clear() -> None:
    result = runner.invoke(app, ["corpus", "show", "plan-inconnu"])
    assert result.exit_code == 1
    assert "Erreur : plan inconnu « plan-inconnu ». Plans disponibles : " in result.output
    result = runner.invoke(app, ["corpus", "show", CITY, "-a", "58"])
    assert result.exit_code == 1
    assert f"Erreur : « 58 » n'existe pas dans {CITY} (actions : 1 à 57)." in result.output
