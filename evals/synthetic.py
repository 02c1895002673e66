"""Synthetic plans for scale tests: the City's plan reworded, reshuffled, renumbered and given
other units, written as Markdown for the generic parser. They are outside the default scope
(searched only when a question names them), like the many neighbourhood plans a city would add."""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

from corpus import Corpus, Kind, load_corpus
from corpus.loader import DEFAULT_CORPUS_DIR
from corpus.model import Action, Objectif

SYNONYMS = [
    ("Soutenir", "Appuyer"),
    ("soutenir", "appuyer"),
    ("Favoriser", "Encourager"),
    ("favoriser", "encourager"),
    ("Développer", "Bâtir"),
    ("développer", "bâtir"),
    ("Poursuivre", "Continuer"),
    ("Assurer", "Garantir"),
    ("citoyennes et des citoyens", "résidentes et des résidents"),
    ("citoyennes et citoyens", "résidents"),
    ("la Ville", "l'arrondissement"),
    ("organismes", "groupes"),
    ("projets", "initiatives"),
    ("offre", "gamme"),
    ("accessibles", "ouvertes à tous"),
    ("population", "communauté"),
]
QUARTIERS = [
    "Limoilou",
    "Vanier",
    "Saint-Roch",
    "Saint-Sauveur",
    "Montcalm",
    "Sillery",
    "Charlesbourg",
    "Beauport",
    "Cap-Rouge",
    "Lebourgneuf",
    "Duberger",
    "Neufchâtel",
    "Lairet",
    "Maizerets",
    "Vieux-Moulin",
]
UNITS = [
    "Bureau d'arrondissement",
    "Service des parcs locaux",
    "Comité de citoyens",
    "Table de quartier",
    "Service des sports de quartier",
    "Bibliothèque de quartier",
    "Maison des jeunes",
    "Centre communautaire",
    "Service d'urbanisme local",
    "Patrouille de quartier",
]


def reword(text: str, rng: random.Random) -> str:
    for a, b in SYNONYMS:
        if rng.random() < 0.8:
            text = re.sub(rf"\b{re.escape(a)}\b", b, text)
    return text


def synthetic_markdown(base: Corpus, index: int, seed: int = 0) -> str:
    rng = random.Random(seed * 1000 + index)
    city = next(p for p in base if p.of_kind(Kind.ORIENTATION))
    quartier = QUARTIERS[index % len(QUARTIERS)]
    lines = [
        f"# Plan d'action synthétique {index} — {quartier}",
        "",
        f"Plan généré pour les essais de charge à partir du plan de la Ville ({quartier}).",
        "",
        "EC = en cours",
        "CT = court terme (2 ans et moins)",
        "MT = moyen terme (de 3 à 5 ans)",
        "",
    ]
    number = 0
    objectives = city.objectives()
    rng.shuffle(objectives)
    for k, obj in enumerate(objectives, start=1):
        assert isinstance(obj, Objectif)
        lines += [f"## Objectif {k} : {reword(obj.title, rng)}", ""]
        units = rng.sample(UNITS, 3)
        lines += [f"Unités concernées : {'; '.join(units)}", ""]
        actions = [a for a in city.children(obj.id) if isinstance(a, Action)]
        rng.shuffle(actions)
        for a in actions:
            number += 1
            lines.append(f"{number}. {reword(a.text, rng)} ({a.horizon})")
        lines.append("")
    return "\n".join(lines)


def write_synthetic_corpus(dest: Path, total_plans: int, seed: int = 0) -> Path:
    """A corpus folder with the real plans and ``total_plans - 2`` synthetic ones."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(DEFAULT_CORPUS_DIR, dest)
    base = load_corpus(DEFAULT_CORPUS_DIR)
    for i in range(1, max(0, total_plans - len(base)) + 1):
        folder = dest / f"synthetique-{i:03d}"
        folder.mkdir()
        (folder / "plan.md").write_text(synthetic_markdown(base, i, seed), encoding="utf-8")
        (folder / "manifest.yaml").write_text(
            f"id: synthetique-{i:03d}\ntitle: Plan d'action synthétique {i}\norganisation: Conseil synthétique {i}\n"
            f"period: 2025-2027\nsource: plan.md\nparser: generique\norder: 50\ndefault_scope: false\n"
            f"aliases: [plan synthétique {i}]\n",
            encoding="utf-8",
        )
    return dest
