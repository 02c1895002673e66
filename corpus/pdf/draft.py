"""Writes an imported plan's folder: the converted text and a drafted manifest to check."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from corpus.pdf.extract import PdfError, read_pdf
from corpus.pdf.layout import Layout, lay_out

_PERIOD = re.compile(r"\b(20\d\d)\s*[-–]\s*(20\d\d)\b")
_ADOPTED = re.compile(r"adopt[ée]+\s.{0,60}?\ble\s+(\d{1,2})(?:er)?\s+([a-zéû]+)\s+(\d{4})", re.I)
_MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


def _adopted(text: str) -> dt.date | None:
    """« Adopté par le conseil de quartier le 14 mai 2024 » → 2024-05-14."""
    m = _ADOPTED.search(text)
    if not m or m.group(2).lower() not in _MONTHS:
        return None
    try:
        return dt.date(int(m.group(3)), _MONTHS.index(m.group(2).lower()) + 1, int(m.group(1)))
    except ValueError:
        return None


@dataclass
class Imported:
    folder: Path
    source: Path  # the converted text
    manifest: Path
    layout: Layout

    def report_lines(self, pdf_name: str) -> list[str]:
        """Each line left out, as « FILE.pdf:page:line: message »."""
        return [f"{pdf_name}:{u.page}:{u.line}: {u.message}" for u in self.layout.unplaced]


def _manifest_text(plan_id: str, pdf: Path, source: str, layout: Layout) -> str:
    title = layout.title or plan_id
    data: dict[str, object] = {
        "id": plan_id,
        "title": title,
        "organisation": "À compléter",
    }
    m = _PERIOD.search(title)
    if m and int(m.group(1)) <= int(m.group(2)):
        data["period"] = f"{m.group(1)}-{m.group(2)}"
    adopted = _adopted(layout.text)
    if adopted:
        data["adopted"] = adopted
    data |= {"source": source, "parser": layout.parser, "language": "fr"}
    head = (
        f"# Ébauche rédigée par « plan-assistant corpus import » à partir de {pdf.name}.\n"
        "# À vérifier avant de publier le plan :\n"
        "# - title : le plus gros texte de la page 1 ; organisation : l'auteur du plan (à remplir) ;\n"
        "# - le texte converti (" + source + ") : titres, actions numérotées, échéanciers, unités ;\n"
        "# - aliases (les noms que les gens donnent au plan), adopted, url ;\n"
        "# puis lancez « plan-assistant corpus validate ».\n"
    )
    return head + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110)


def import_pdf(pdf: Path, plan_id: str, plans_dir: Path, replace: bool = False) -> Imported:
    """Convert ``pdf`` into ``plans_dir/plan_id/`` (text + manifest); raises :class:`PdfError`."""
    from corpus.manifest import Manifest

    try:
        Manifest.model_validate(
            {"id": plan_id, "title": "x", "organisation": "x", "source": "x", "parser": "generique"}
        )
    except ValueError:
        raise PdfError(
            f"identifiant « {plan_id} » refusé : des mots en minuscules reliés par des traits d'union "
            "sont attendus (ex. limoilou-2025-2027)."
        ) from None
    folder = plans_dir / plan_id
    if folder.exists() and not replace:
        raise PdfError(
            f"le dossier {folder} existe déjà ; ajoutez --remplacer pour l'écraser, ou choisissez un "
            "autre --id."
        )
    pages = read_pdf(pdf)
    layout = lay_out(pages)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    source = folder / f"{pdf.stem}.txt"
    source.write_text(layout.text, encoding="utf-8")
    manifest = folder / "manifest.yaml"
    manifest.write_text(_manifest_text(plan_id, pdf, source.name, layout), encoding="utf-8")
    return Imported(folder=folder, source=source, manifest=manifest, layout=layout)
