"""`plan-assistant corpus validate`: one test per kind of malformed input. Each test breaks a
copy of a real plan in a temporary folder and checks the exact ``file:line: message``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app

from .conftest import CITY, SS

CITY_FILE = "plan-action-developpement-social-2025-2030.txt"
SS_FILE = "plan-action-conseil-quartier-saint-sacrement-2024-2026.txt"
runner = CliRunner()


def run_validate(path: Path) -> tuple[int, list[str]]:
    result = runner.invoke(app, ["corpus", "validate", str(path)])
    return result.exit_code, [line for line in result.output.splitlines() if line.strip()]


def edit_line(path: Path, line: int, old: str, new: str) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    assert old in lines[line - 1], lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new)
    path.write_text("\n".join(lines), encoding="utf-8")


def expect(corpus_copy: Path, plan: str, line: int | None, message: str) -> None:
    code, out = run_validate(corpus_copy)
    assert code == 1
    source = corpus_copy / plan / (CITY_FILE if plan == CITY else SS_FILE)
    where = f"{source}:{line}" if line else str(source)
    assert f"{where}: {message}" in out, out


def test_shipped_corpus_is_valid() -> None:
    code, out = run_validate(Path("corpus/plans"))
    assert code == 0, out
    assert out == [
        f"✓ {CITY} : 3 orientations · 7 axes · 14 objectifs · 57 actions",
        f"✓ {SS} : 3 thèmes · 10 objectifs · 18 actions · 27 résultats/indicateurs",
        f"✓ banque de questions : 2891 questions (1963 sur {CITY}, 560 sur {SS}, 466 hors plan ou partielles)",
        f"✓ lexique : 90 concepts (85 sur {CITY}, 51 sur {SS}; 46 partagés)",
    ]


def test_action_row_without_check_mark(corpus_copy: Path) -> None:
    edit_line(corpus_copy / CITY / CITY_FILE, 558, "\t✓\t\t", "\t\t\t")
    expect(corpus_copy, CITY, 558, "action 37 : aucun ✓ dans les colonnes d'échéancier (EC / CT / MT)")


def test_action_row_with_two_check_marks(corpus_copy: Path) -> None:
    edit_line(corpus_copy / CITY / CITY_FILE, 462, "\t✓\t\t", "\t✓\t✓\t")
    expect(
        corpus_copy, CITY, 462, "action 28 : 2 ✓ dans les colonnes d'échéancier (EC, CT); un seul est attendu"
    )


def test_duplicate_action_number(corpus_copy: Path) -> None:
    edit_line(corpus_copy / CITY / CITY_FILE, 462, "28. Maintenir", "27. Maintenir")
    code, out = run_validate(corpus_copy)
    src = corpus_copy / CITY / CITY_FILE
    assert code == 1
    assert f"{src}:462: l'action 27 est numérotée deux fois (d'abord à la ligne 461)" in out
    assert f"{src}:461: l'action 28 manque (la numérotation saute de 27 à 29)" in out


def test_missing_action_number(corpus_copy: Path) -> None:
    edit_line(corpus_copy / CITY / CITY_FILE, 462, "28. Maintenir", "Maintenir")
    _code, out = run_validate(corpus_copy)
    src = corpus_copy / CITY / CITY_FILE
    assert (
        f"{src}:462: ligne du tableau d'actions qui n'est pas une action : « Maintenir et bonifier les services "
        f"d'aide à la recherche de… »" in out
    )
    assert f"{src}:461: l'action 28 manque (la numérotation saute de 27 à 29)" in out


def test_objective_without_actions(corpus_copy: Path) -> None:
    src = corpus_copy / CITY / CITY_FILE
    lines = src.read_text(encoding="utf-8").split("\n")
    lines[457:463] = [""] * 6  # the actions table of objective 2.1.2 (lines 458-463)
    src.write_text("\n".join(lines), encoding="utf-8")
    code, out = run_validate(corpus_copy)
    assert code == 1
    assert (
        f"{src}:432: l'objectif 2.1.2 (« Faciliter l'accès au logement pour toutes et pour… ») "
        "n'a aucune action" in out
    )


def test_line_that_looks_like_an_action_is_reported_not_dropped(corpus_copy: Path) -> None:
    src = corpus_copy / CITY / CITY_FILE
    lines = src.read_text(encoding="utf-8").split("\n")
    lines.insert(464, "58. Une action écrite hors du tableau\t✓\t\t")
    src.write_text("\n".join(lines), encoding="utf-8")
    expect(
        corpus_copy,
        CITY,
        465,
        "cette ligne ressemble à une action mais n'est dans aucun tableau d'actions "
        "(un tableau commence par une ligne « Actions<TAB>Échéancier »)",
    )


def test_neighbourhood_action_out_of_its_objective(corpus_copy: Path) -> None:
    edit_line(corpus_copy / SS / SS_FILE, 52, "3.5.1 Revoir", "3.4.2 Revoir")
    expect(corpus_copy, SS, 52, "l'action 3.4.2 n'est pas numérotée sous l'objectif 3.5")


def test_empty_file(corpus_copy: Path) -> None:
    (corpus_copy / SS / SS_FILE).write_text("\n  \n", encoding="utf-8")
    expect(corpus_copy, SS, None, "le fichier est vide")


def test_unreadable_file(corpus_copy: Path) -> None:
    (corpus_copy / SS / SS_FILE).write_bytes("Thème 1\nObjectifs\n".encode() + b"caf\xe9\n")
    expect(corpus_copy, SS, 3, "le fichier n'est pas en UTF-8 valide (octet 0xe9) : enregistrez-le en UTF-8")


def test_missing_source_file(corpus_copy: Path) -> None:
    (corpus_copy / SS / SS_FILE).unlink()
    code, out = run_validate(corpus_copy)
    assert code == 1
    assert any(line.startswith(f"{corpus_copy / SS / SS_FILE}: fichier illisible") for line in out), out


def test_manifest_with_unknown_parser(corpus_copy: Path) -> None:
    m = corpus_copy / SS / "manifest.yaml"
    m.write_text(
        m.read_text(encoding="utf-8").replace("parser: conseil-de-quartier-tableau", "parser: pdf-magique"),
        encoding="utf-8",
    )
    code, out = run_validate(corpus_copy)
    assert code == 1
    assert (
        f"{m}:8: parser : analyseur inconnu 'pdf-magique' ; analyseurs connus : conseil-de-quartier-tableau, "
        "generique, ville-de-quebec-plan-action" in out
    )


def test_manifest_missing_field_and_bad_id(corpus_copy: Path) -> None:
    m = corpus_copy / SS / "manifest.yaml"
    text = m.read_text(encoding="utf-8").replace("organisation: Conseil de quartier Saint-Sacrement\n", "")
    m.write_text(text.replace("id: saint-sacrement-2024-2026", "id: Saint Sacrement"), encoding="utf-8")
    code, out = run_validate(corpus_copy)
    assert code == 1
    assert (
        f"{m}:2: id : des mots en minuscules reliés par des traits d'union sont attendus "
        "(ex. saint-sacrement-2024-2026), reçu 'Saint Sacrement'" in out
    )
    assert f"{m}:2: organisation : champ obligatoire" in out


def test_manifest_erratum_that_does_not_match(corpus_copy: Path) -> None:
    m = corpus_copy / CITY / "manifest.yaml"
    m.write_text(m.read_text(encoding="utf-8").replace("line: 39", "line: 40"), encoding="utf-8")
    code, out = run_validate(corpus_copy)
    assert code == 1
    assert f"{m}: errata[0] : « Déoulant » ne figure pas à la ligne 40 de {CITY_FILE}" in out


def test_debris_is_reported_when_not_excluded(corpus_copy: Path) -> None:
    m = corpus_copy / CITY / "manifest.yaml"
    text = m.read_text(encoding="utf-8")
    m.write_text(text[: text.index("exclude:")], encoding="utf-8")
    code, out = run_validate(corpus_copy)
    assert code == 1
    src = corpus_copy / CITY / CITY_FILE
    assert (
        f"{src}:896: texte qui ne semble pas faire partie du plan : « Br Promo Andro » (débris de "
        "numérisation? excluez ces lignes dans le manifeste)" in out
    )
    assert (
        f"{src}:900: texte qui ne semble pas faire partie du plan : « — CHOCOLATERIE — CHOCOLATS FAVORIS — "
        "GLACER » (débris de numérisation? excluez ces lignes dans le manifeste)" in out
    )


def test_nonexistent_path() -> None:
    code, out = run_validate(Path("/nonexistent/plans"))
    assert code == 1
    assert out == ["/nonexistent/plans: fichier ou dossier introuvable", "1 problème(s) trouvé(s)."]


@pytest.mark.parametrize("args", [["corpus", "validate"], ["--help"]])
def test_console_script_is_installed(args: list[str]) -> None:
    exe = Path(sys.executable).parent / "plan-assistant"
    result = subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
