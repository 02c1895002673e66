"""`plan-assistant corpus import FILE.pdf`: a plan imported from a PDF (rendered here with reportlab
from the shipped plans' source texts) has the structure its text parser gives; what cannot be
placed is reported at its page and line; bad files are refused in French. Real pdfplumber on real
PDFs."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pdfplumber
import pytest
from typer.testing import CliRunner

from api.cli import app
from corpus import Kind, Objectif, Plan
from corpus.loader import load_plan_checked

from . import pdfs


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), prog_name="plan-assistant")
    return result.exit_code, result.output


def imported(folder: Path, plan_id: str) -> Plan:
    plan, problems = load_plan_checked(folder / plan_id / "manifest.yaml")
    assert plan is not None and not problems, problems
    return plan


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pdf")


@pytest.fixture(scope="module")
def city_import(out: Path) -> tuple[Plan, str]:
    pdf = pdfs.city_pdf(out / "plan-developpement-social.pdf")
    code, text = run("corpus", "import", str(pdf), "--id", "ville-essai", "--dossier", str(out / "plans"))
    assert code == 0, text
    return imported(out / "plans", "ville-essai"), text


@pytest.fixture(scope="module")
def ss_import(out: Path) -> Plan:
    pdf = pdfs.neighbourhood_pdf(out / "saint-sacrement.pdf")
    code, text = run("corpus", "import", str(pdf), "--id", "quartier-essai", "--dossier", str(out / "plans"))
    assert code == 0, text
    assert "ligne(s) du PDF" not in text  # every line placed
    return imported(out / "plans", "quartier-essai")


def units_by_action(plan: Plan) -> dict[str, tuple[object, ...]]:
    out = {}
    for a in plan.actions():
        o = plan.node(a.parent_id or "")
        assert isinstance(o, Objectif), a
        out[a.number or ""] = (o.title, o.units, o.units_scope)
    return out


def test_city_plan_has_the_structure_of_its_text(city_import: tuple[Plan, str]) -> None:
    plan, _ = city_import
    text = pdfs.load(pdfs.CITY)
    assert plan.meta.parser == "generique"
    assert plan.title == "Plan d'action en développement social 2025-2030"
    assert [(a.number, a.title) for a in plan.actions()] == [(a.number, a.title) for a in text.actions()]
    assert len(plan.actions()) == 57
    assert Counter(a.horizon for a in plan.actions()) == {"EC": 28, "CT": 15, "MT": 14}
    assert [a.horizon for a in plan.actions()] == [a.horizon for a in text.actions()]
    assert {c: h.words for c, h in plan.horizons.items()} == {c: h.words for c, h in text.horizons.items()}
    assert units_by_action(plan) == units_by_action(text)
    for kind in (Kind.ORIENTATION, Kind.AXE, Kind.OBJECTIF):
        assert [n.title for n in plan.of_kind(kind)] == [n.title for n in text.of_kind(kind)], kind


def test_city_import_says_what_to_do_next(city_import: tuple[Plan, str], out: Path) -> None:
    _, text = city_import
    assert "Lancez maintenant « plan-assistant corpus validate" in text
    manifest = (out / "plans" / "ville-essai" / "manifest.yaml").read_text(encoding="utf-8")
    assert manifest.startswith("# Ébauche rédigée par « plan-assistant corpus import »")
    assert "parser: generique" in manifest and "language: fr" in manifest
    assert "period: 2025-2030" in manifest
    code, text = run("corpus", "validate", str(out / "plans" / "ville-essai"))
    assert code == 0 and "✓ ville-essai : 3 orientations · 7 axes · 14 objectifs · 57 actions" in text, text


def test_neighbourhood_plan_keeps_results_with_their_actions(ss_import: Plan) -> None:
    text = pdfs.load(pdfs.SS)
    assert ss_import.meta.parser == "conseil-de-quartier-tableau"
    assert str(ss_import.meta.adopted) == "2024-05-14"
    assert [(a.number, a.title) for a in ss_import.actions()] == [(a.number, a.title) for a in text.actions()]
    assert len(ss_import.actions()) == 18

    def results(plan: Plan) -> list[tuple[object, ...]]:
        return [
            (n.number, n.title, n.parent_id, getattr(n, "misnumbered", None))
            for n in plan.of_kind(Kind.INDICATEUR)
        ]

    assert results(ss_import) == results(text)
    assert len(results(ss_import)) >= 25
    # A result the page break cut in two is whole again, under its action.
    cut = ss_import.resolve("1.2.2.2")
    assert cut is not None and cut.parent_id == "action-1-2-2"
    assert cut.title.endswith("organismes issus des communautés culturelles présentes dans le quartier.")


def test_unplaced_lines_reported_with_page_and_line(tmp_path: Path) -> None:
    pdf = pdfs.small_plan_pdf(tmp_path / "limoilou.pdf")
    code, text = run("corpus", "import", str(pdf), "--id", "limoilou-essai", "--dossier", str(tmp_path))
    assert code == 0, text
    reported = re.findall(r"^(.*limoilou\.pdf):(\d+):(\d+): (.+)$", text, re.M)
    with pdfplumber.open(pdf) as doc:
        lines = [ln["text"] for ln in doc.pages[0].extract_text_lines()]

    def line_of(start: str) -> str:
        return str(next(i for i, t in enumerate(lines, start=1) if t.startswith(start)))

    assert [(p, n, m.split(" :")[0]) for _, p, n, m in reported] == [
        (
            "1",
            line_of("Planter des arbres"),
            "rangée sans numéro d'action, et aucune action au-dessus à compléter",
        ),
        ("1", line_of("2. Installer des bancs"), "plusieurs cases cochées (CT, LT)"),
    ]
    assert "2 ligne(s) du PDF n'ont pas pu être placées" in text
    plan = imported(tmp_path, "limoilou-essai")
    # The document's own codes, from its column headers and its legend (not EC / CT / MT).
    assert {c: h.words for c, h in plan.horizons.items()} == {
        "CT": "court terme (2 ans et moins)",
        "LT": "long terme (plus de 5 ans)",
    }
    assert [(a.number, a.horizon) for a in plan.actions()] == [("1", "LT"), ("2", None), ("3", "LT")]
    three = plan.resolve("3")
    assert three is not None
    # Its fields: the responsible unit becomes the action's own unit, the partners stay in its text.
    assert three.title == "Créer un comité de ruelle dans chaque secteur"
    assert plan.units_for(three) == ("Service des loisirs",)
    assert three.text.endswith("Partenaires : Conseil de quartier de Limoilou")
    objective = plan.objectives()[0]
    assert objective.units == ("Gestion du territoire", "Loisirs, sports et vie communautaire")


def test_an_existing_folder_is_kept_unless_replaced(tmp_path: Path) -> None:
    pdf = pdfs.small_plan_pdf(tmp_path / "limoilou.pdf")
    args = ["corpus", "import", str(pdf), "--id", "limoilou-essai", "--dossier", str(tmp_path / "plans")]
    assert run(*args)[0] == 0
    (tmp_path / "plans" / "limoilou-essai" / "notes.txt").write_text("à garder", encoding="utf-8")
    code, text = run(*args)
    assert code == 2 and "existe déjà ; ajoutez --remplacer" in text, text
    assert (tmp_path / "plans" / "limoilou-essai" / "notes.txt").exists()
    code, text = run(*args, "--remplacer")
    assert code == 0, text
    assert not (tmp_path / "plans" / "limoilou-essai" / "notes.txt").exists()


def text_file(path: Path) -> Path:
    path.write_text("Plan d'action\n1. Agir\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (text_file, "ce n'est pas un PDF"),
        (pdfs.encrypted_pdf, "le PDF est chiffré"),
        (pdfs.scanned_pdf, "aucun texte dans le PDF : c'est sans doute un document numérisé"),
        (lambda p: p, "fichier illisible"),
    ],
    ids=["pas-un-pdf", "chiffre", "numerise", "absent"],
)
def test_bad_files_are_refused_in_french(tmp_path: Path, make, expected: str) -> None:  # type: ignore[no-untyped-def]
    pdf = make(tmp_path / "plan.pdf")
    code, text = run("corpus", "import", str(pdf), "--id", "essai", "--dossier", str(tmp_path / "plans"))
    assert code == 2, text
    assert text.startswith(f"Erreur : {pdf} : {expected}"), text
    assert "Traceback" not in text
    assert not (tmp_path / "plans" / "essai").exists()


def test_a_bad_id_is_refused(tmp_path: Path) -> None:
    pdf = pdfs.small_plan_pdf(tmp_path / "limoilou.pdf")
    code, text = run("corpus", "import", str(pdf), "--id", "Limoilou 2025", "--dossier", str(tmp_path))
    assert code == 2 and "identifiant « Limoilou 2025 » refusé" in text, text


# -- plans of other shapes: timelines as years or « en continu », a responsible unit per action ----


def horizons_of(plan: Plan) -> dict[str, str]:
    return {c: h.words for c, h in plan.horizons.items()}


def test_fields_give_each_action_its_timeline_and_responsible_unit(tmp_path: Path) -> None:
    """Shape A: numbered actions under sections, each followed by « Échéance : 2026 » (a year, a
    span of years or « en continu »), « Responsable : … » and « Partenaires : … »."""
    pdf = pdfs.road_safety_pdf(tmp_path / "securite-routiere.pdf")
    code, text = run("corpus", "import", str(pdf), "--id", "securite-essai", "--dossier", str(tmp_path))
    assert code == 0 and "ligne(s) du PDF" not in text, text
    plan = imported(tmp_path, "securite-essai")
    assert plan.title == pdfs.ROAD_SAFETY_TITLE and plan.meta.period == "2025-2027"
    assert str(plan.meta.adopted) == "2025-02-18"
    expected = [
        (n, t, when, who, partners)
        for _, actions in pdfs.ROAD_SAFETY
        for n, t, when, who, partners in actions
    ]
    assert [(a.number, a.title) for a in plan.actions()] == [(n, t) for n, t, *_ in expected]
    # Its timelines are the plan's codes: a year or a span of years is its own code, and the words
    # « en continu » get a code of their own, defined by a legend the parser reads.
    assert horizons_of(plan) == {
        "2025": "2025",
        "2025-2026": "2025-2026",
        "2026": "2026",
        "2026-2027": "2026-2027",
        "2027": "2027",
        "CONT": "en continu",
    }
    assert [plan.horizon_words(a.horizon) for a in plan.actions()] == [when for _, _, when, _, _ in expected]
    assert [plan.units_for(a) for a in plan.actions()] == [(who,) for _, _, _, who, _ in expected]
    assert [a.text.split("\n\n")[1:] for a in plan.actions()] == [
        [f"Partenaires : {p}"] for *_, p in expected
    ]
    assert "Service de l'ingénierie" in plan.units()
    assert [n.title for n in plan.of_kind(Kind.AXE)] == [s.split(" – ", 1)[1] for s, _ in pdfs.ROAD_SAFETY]
    code, text = run("corpus", "validate", str(tmp_path / "securite-essai"))
    assert code == 0 and "✓ securite-essai : 4 axes · 12 actions" in text, text


def test_nested_lists_with_timelines_in_brackets_and_a_legend(tmp_path: Path) -> None:
    """Shape B: « 1. » and « 1.1 » headings over « 1.1.1 … [2026-2027] » actions, a legend of the
    yearly timelines (« 2025 : première année … », « En continu : … »), « Responsable(s) : A; B »."""
    pdf = pdfs.healthy_pdf(tmp_path / "saines-habitudes.pdf")
    code, text = run("corpus", "import", str(pdf), "--id", "saines-essai", "--dossier", str(tmp_path))
    assert code == 0 and "ligne(s) du PDF" not in text, text
    plan = imported(tmp_path, "saines-essai")
    assert plan.title == pdfs.HEALTHY_TITLE and plan.meta.period == "2025-2028"
    expected = [a for _, _, objectives in pdfs.HEALTHY for _, _, actions in objectives for a in actions]
    assert [(a.number, a.title) for a in plan.actions()] == [(n, t) for n, t, _, _ in expected]
    # The legend the document prints gives the words of each timeline.
    assert horizons_of(plan) == {
        "2025": "2025 (première année de mise en œuvre)",
        "2026-2027": "2026-2027 (deuxième et troisième années)",
        "2028": "2028 (dernière année du plan)",
        "CONT": "en continu (tout au long du plan)",
    }
    assert [plan.horizons[a.horizon or ""].label for a in plan.actions()] == [w for _, _, w, _ in expected]
    assert [plan.units_for(a) for a in plan.actions()] == [tuple(u.split("; ")) for *_, u in expected]
    two = plan.resolve("1.1.2")
    assert two is not None and plan.units_for(two) == (
        "Division de la culture et des bibliothèques",
        "Division des loisirs, des sports et de la vie communautaire",
    )
    # Each orientation and objective heading holds its actions.
    assert plan.breadcrumb(two)[-2:] == [
        "1. Bouger plus, tous les jours",
        "1.1 Rendre l'activité physique accessible aux familles",
    ]
    code, text = run("corpus", "validate", str(tmp_path / "saines-essai"))
    assert code == 0 and "✓ saines-essai : 12 actions" in text, text


def test_a_timeline_column_of_years_and_a_responsible_column(tmp_path: Path) -> None:
    pdf = pdfs.timeline_column_pdf(tmp_path / "bibliotheques.pdf")
    code, text = run("corpus", "import", str(pdf), "--id", "bibliotheques-essai", "--dossier", str(tmp_path))
    assert code == 0 and "ligne(s) du PDF" not in text, text
    plan = imported(tmp_path, "bibliotheques-essai")
    assert horizons_of(plan) == {"2026": "2026", "2026-2027": "2026-2027", "CONT": "en continu"}
    assert [(a.number, a.horizon, plan.units_for(a)) for a in plan.actions()] == [
        ("1", "2026", ("Division de la culture",)),
        ("2", "CONT", ("Division de la culture",)),
        ("3", "2026-2027", ("Division des bâtiments", "Division de la culture")),
    ]
    assert plan.resolve("1") is not None and plan.resolve("1").title == (  # type: ignore[union-attr]
        "Ouvrir une halte-garderie dans la bibliothèque du quartier"
    )


def test_the_generic_parser_reads_the_fields_of_a_plan_written_by_hand(tmp_path: Path) -> None:
    """What the import writes is the Markdown anyone may write: a legend of years and words, and
    fields under each item, their timeline by code or by label, in brackets or not."""
    from .test_corpus_generic import write_plan

    text = """# Plan d'action 2026-2027

2026 = 2026
CONT = en continu (tout au long du plan)

1. Ouvrir une halte-garderie
   Échéance : 2026
   Responsables : Division de la culture; Division des bâtiments
   Partenaires : Maison de la famille
2. Animer l'heure du conte [CONT]
   Porteur : Division de la culture
3. Rénover la salle d'étude
   Échéancier : En continu
   Résultats attendus : une salle ouverte le soir
"""
    manifest = "id: essai\ntitle: Essai\norganisation: Essai\nsource: plan.md\nparser: generique\n"
    plan = imported(write_plan(tmp_path / "essai", text, manifest).parent, "essai")
    assert [(a.number, a.title, a.horizon, plan.units_for(a)) for a in plan.actions()] == [
        ("1", "Ouvrir une halte-garderie", "2026", ("Division de la culture", "Division des bâtiments")),
        ("2", "Animer l'heure du conte", "CONT", ("Division de la culture",)),
        ("3", "Rénover la salle d'étude", "CONT", ()),
    ]
    assert [a.text.split("\n\n")[1:] for a in plan.actions()] == [
        ["Partenaires : Maison de la famille"],
        [],
        ["Résultats attendus : une salle ouverte le soir"],
    ]
    assert plan.units() == ["Division de la culture", "Division des bâtiments"]
