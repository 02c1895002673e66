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
    assert "Responsable : Service des loisirs" in three.title and "Partenaires : Conseil" in three.title
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
