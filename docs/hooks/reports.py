"""MkDocs hook: the measurement pages read the evaluation reports (evals/reports/) at build time, so
re-running an evaluation updates the documentation; no figure of a report is copied by hand.

- ``<!-- rapport : answers.md -->`` alone on a line is replaced by that report, its headings one level
  down (the page keeps its own title);
- ``<!-- synthèse des réponses -->`` by the table of the headline figures of the three question sets,
  read from answers.json;
- the reports' charts (evals/reports/*.png) are published under mesures/rapports/.

A marker that names a missing report fails the build."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

REPORTS = Path(__file__).resolve().parents[2] / "evals" / "reports"
CHARTS = "mesures/rapports"
INCLUDE = re.compile(r"^<!-- rapport : (\S+) -->$", re.M)
SUMMARY = re.compile(r"^<!-- synthèse des réponses -->$", re.M)

# The headline figures of `plan-assistant eval answers`, per question set: (label, key, format, target).
ROWS = [
    ("exactitude stricte", "strict", "{:.2f}", "0,90"),
    ("meilleure action en tête (questions thématiques)", "best_first_topical", "{:.2f}", "0,90"),
    ("affirmée mais fausse", "confidently_wrong", "{:.2f}", "≤ 0,02"),
    (
        "fausse assurance (non ou partiellement couvert, répondu « complet »)",
        "false_confidence",
        "{:.2f}",
        "≤ 0,03",
    ),
    ("questions couvertes refusées", "refused", "{:.2f}", "≤ 0,03"),
    ("réponses prudentes (ce qui s'en approche)", "hedged", "{:.2f}", ""),
    ("citations hors sujet par réponse", "irrelevant_per_answer", "{:.2f}", ""),
    ("réponse en processus sans cache, p50 (ms)", "p50_ms", "{:.1f}", "5"),
    ("réponse en processus sans cache, p95 (ms)", "p95_ms", "{:.0f}", "100"),
    ("questions embarquées par e5", "embedded", "{:.0%}", ""),
]
SETS = [("réglage", None), ("réservé", "heldout"), ("résidents", "residents")]


def report(name: str) -> Path:
    path = REPORTS / name
    if not path.is_file():
        raise PluginError(f"rapport introuvable : evals/reports/{name} (lancez l'évaluation qui l'écrit)")
    return path


def demoted(markdown: str) -> str:
    """A report's headings one level down, code blocks left alone."""
    out, fenced = [], False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        out.append("#" + line if not fenced and re.match(r"#{1,5} ", line) else line)
    return "\n".join(out)


def french(text: str) -> str:
    return text.replace(".", ",").replace("%", " %")


def summary_table() -> str:
    data = json.loads(report("answers.json").read_text(encoding="utf-8"))
    sets = [(label, data if key is None else data[key]) for label, key in SETS]
    head = "| mesure | " + " | ".join(label for label, _ in sets) + " | cible (jeux réservés) |"
    lines = [head, "| --- " * (len(sets) + 2) + "|"]
    for label, key, fmt, target in ROWS:
        cells = [french(fmt.format(s["overall"][key])) for _, s in sets]
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {target} |")
    exact = [
        f"{round(s['overall']['exact_lookups'] * s['overall']['exact_lookups_n'])} / {s['overall']['exact_lookups_n']}"
        for _, s in sets
    ]
    lines.append(
        "| recherches exactes justes (unités, échéancier, listes complètes) | "
        + " | ".join(exact)
        + " | 100 % |"
    )
    ece = [french(f"{s['calibration']['ece']:.2f}") for _, s in sets]
    lines.append(
        "| calibration : écart moyen entre probabilité annoncée et premières actions justes | "
        + " | ".join(ece)
        + " | |"
    )
    counts = [str(s["overall"]["n"]) for _, s in sets]
    lines.append("| réponses jugées | " + " | ".join(counts) + " | |")
    return "\n".join(lines)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    markdown = INCLUDE.sub(lambda m: demoted(report(m.group(1)).read_text(encoding="utf-8")), markdown)
    return SUMMARY.sub(lambda m: summary_table(), markdown)


def on_files(files: Files, config: Any) -> Files:
    for chart in sorted(REPORTS.glob("*.png")):
        files.append(File.generated(config, f"{CHARTS}/{chart.name}", abs_src_path=str(chart)))
    return files
