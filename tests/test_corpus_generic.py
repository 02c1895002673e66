"""The generic parser reads a third plan that the test writes, end to end through a manifest."""

from __future__ import annotations

from pathlib import Path

from corpus import Kind, load_corpus, validate
from corpus.model import Objectif

PLAN = """# Plan d'action du conseil de quartier de Limoilou 2025-2027

Le conseil veut un quartier plus vert et plus sûr.

EC = en cours
CT = court terme (2 ans et moins)

## Objectif 1 : Verdir les ruelles

Unités concernées : Gestion du territoire; Loisirs, sports et vie communautaire

1. Planter des arbres dans les ruelles du Vieux-Limoilou (CT)
2. Soutenir les ruelles vertes citoyennes
   avec un fonds dédié (EC)

## Objectif 2 : Sécuriser les abords des écoles

3) Installer des dos d'âne près des écoles primaires [CT]

Annexe
------

Liste des partenaires : Vivre en ville, la Société de développement commercial.
"""

MANIFEST = """id: limoilou-2025-2027
title: Plan d'action 2025-2027 du conseil de quartier de Limoilou
organisation: Conseil de quartier de Limoilou
period: 2025-2027
source: plan.md
parser: generique
"""


def write_plan(folder: Path, text: str = PLAN, manifest: str = MANIFEST) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "plan.md").write_text(text, encoding="utf-8")
    (folder / "manifest.yaml").write_text(manifest, encoding="utf-8")
    return folder


def test_markdown_plan(tmp_path: Path) -> None:
    write_plan(tmp_path / "limoilou")
    assert validate(tmp_path) == []
    plan = load_corpus(tmp_path).plan("limoilou-2025-2027")
    assert [(a.number, a.title, a.horizon) for a in plan.actions()] == [
        ("1", "Planter des arbres dans les ruelles du Vieux-Limoilou", "CT"),
        ("2", "Soutenir les ruelles vertes citoyennes avec un fonds dédié", "EC"),
        ("3", "Installer des dos d'âne près des écoles primaires", "CT"),
    ]
    obj = plan.node("objectif-1")
    assert isinstance(obj, Objectif)
    assert obj.title == "Verdir les ruelles"
    assert obj.units == ("Gestion du territoire", "Loisirs, sports et vie communautaire")
    assert plan.units_for(plan.action("2")) == obj.units  # type: ignore[arg-type]
    assert plan.action("3").parent_id == "objectif-2"  # type: ignore[union-attr]
    assert plan.horizon_words("CT") == "court terme (2 ans et moins)"
    annexe = plan.node("annexe")
    assert annexe.kind == Kind.SECTION and annexe.text.startswith("Liste des partenaires")
    assert (
        plan.node("plan-d-action-du-conseil-de-quartier-de-limoilou-2025-2027").text
        == "Le conseil veut un quartier plus vert et plus sûr."
    )


def test_plain_text_plan_with_underlined_headings(tmp_path: Path) -> None:
    text = "Priorités du quartier\n=====================\n\nAction 1 : Ouvrir une halte-garderie\nAction 2 : Créer un jardin communautaire\n"
    write_plan(tmp_path / "p", text, MANIFEST.replace("plan.md", "plan.md"))
    plan = load_corpus(tmp_path).plan("limoilou-2025-2027")
    assert [(a.number, a.title) for a in plan.actions()] == [
        ("1", "Ouvrir une halte-garderie"),
        ("2", "Créer un jardin communautaire"),
    ]
    assert plan.action("1").parent_id == "priorites-du-quartier"  # type: ignore[union-attr]


def test_generic_problems(tmp_path: Path) -> None:
    text = "# Plan\n\n## Objectif 1 : Vide\n\n## Objectif 2 : Plein\n\n1. Une action\n1. Encore la une\n4. Une autre (LT)\n"
    write_plan(tmp_path / "p", text)
    messages = [(p.line, p.message) for p in validate(tmp_path)]
    assert (3, "l'objectif 1 (« Vide ») n'a aucune action") in messages
    assert (8, "l'action 1 est numérotée deux fois (d'abord à la ligne 7)") in messages
    assert (7, "l'action 2 manque (la numérotation saute de 1 à 4)") in messages
    assert (7, "l'action 3 manque (la numérotation saute de 1 à 4)") in messages
