"""Report files: JSON (everything), Markdown (the tables) and a PNG chart comparing methods."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

METHOD_NAMES = {"dense": "vectoriel seul", "bm25": "BM25 seul", "hybrid": "hybride", "naive": "base naïve"}


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


def retrieval_markdown(summary: dict[str, Any]) -> str:
    methods = [m for m in ("naive", "dense", "bm25", "hybrid") if m in summary["overall"]]
    lines = ["# Évaluation de la recherche", ""]
    idx = summary.get("index", {})
    lines.append(
        f"Modèle : `{idx.get('model')}` · {idx.get('documents')} documents indexés"
        + (f" · construction de l'index : {idx['build_seconds']} s" if idx.get("build_seconds") else "")
        + (f" · base naïve : {idx['naive_chunks']} morceaux" if idx.get("naive_chunks") else "")
    )
    lines.append("")
    head = "| catégorie | n | " + " | ".join(f"{METHOD_NAMES[m]} hit@1 / hit@5 / MRR" for m in methods) + " |"
    lines += [head, "|" + " --- |" * (2 + len(methods))]
    rows = [
        *summary["categories"].items(),
        ("**cible** (topic, unit, horizon, neighbourhood)", summary["target"]),
        ("**ensemble**", summary["overall"]),
    ]
    for name, block in rows:
        cells = [
            f"{_fmt(block[m]['hit@1'])} / {_fmt(block[m]['hit@5'])} / {_fmt(block[m]['mrr'])}"
            for m in methods
        ]
        lines.append(f"| {name} | {block['n']} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Latence par question (en processus, ms) :",
        "",
        "| méthode | p50 | p95 |",
        "| --- | --- | --- |",
    ]
    for m in methods:
        o = summary["overall"][m]
        lines.append(f"| {METHOD_NAMES[m]} | {_fmt(o['p50_ms'])} | {_fmt(o['p95_ms'])} |")
    held = summary.get("heldout")
    if held:
        h = held["target"]
        scores = " · ".join(f"{METHOD_NAMES[m]} {_fmt(h[m]['hit@5'])} / {_fmt(h[m]['mrr'])}" for m in methods)
        lines += [
            "",
            f"Jeu réservé (`evals/heldout.yaml`, {h['n']} questions cibles écrites à part, jamais utilisées "
            f"pour régler) — hit@5 / MRR : {scores}.",
        ]
    t = summary["target"]
    if "naive" in t:
        gain = 100 * (t["hybrid"]["hit@5"] - t["naive"]["hit@5"])
        lines += [
            "",
            f"Sur les catégories cibles, l'hybride fait {gain:+.0f} points de hit@5 par rapport à la base naïve.",
        ]
    return "\n".join(lines) + "\n"


def grouped_bars(
    path: Path, groups: list[str], series: list[tuple[str, list[float]]], title: str, ylabel: str = ""
) -> None:
    """One PNG chart: for each group, one bar per series (values from 0 to 1)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(11, 5), dpi=110)
    width = 0.8 / len(series)
    for j, (label, values) in enumerate(series):
        ax.bar([i + j * width for i in range(len(groups))], values, width, label=label)
    ax.set_xticks([i + width * (len(series) - 1) / 2 for i in range(len(groups))], groups, rotation=20)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=len(series), fontsize=8, frameon=False)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write_report(output: Path, name: str, summary: dict[str, Any], markdown: str) -> Path:
    """``NAME.json`` (everything) and ``NAME.md`` (the tables) in ``output``; the chart's path back."""
    output.mkdir(parents=True, exist_ok=True)
    (output / f"{name}.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    (output / f"{name}.md").write_text(markdown, encoding="utf-8")
    return output / f"{name}.png"


def write_retrieval_report(summary: dict[str, Any], output: Path, metric: str = "hit@5") -> None:
    chart = write_report(output, "retrieval", summary, retrieval_markdown(summary))
    methods = [m for m in ("naive", "dense", "bm25", "hybrid") if m in summary["overall"]]
    blocks = [*summary["categories"].values(), summary["target"], summary["overall"]]
    grouped_bars(
        chart,
        [*summary["categories"], "cible", "ensemble"],
        [(METHOD_NAMES[m], [b[m][metric] for b in blocks]) for m in methods],
        f"Recherche : {metric} par catégorie et par méthode",
        metric,
    )


ANSWER_ROWS = [
    ("strict", "exactitude stricte"),
    ("first_action", "première action juste"),
    ("confidently_wrong", "affirmée mais fausse (complète, ou partielle et sûre; première action fausse)"),
    ("hedged", "réponses prudentes (ce qui s'en approche)"),
    ("irrelevant_per_answer", "citations hors sujet par réponse"),
    ("false_confidence", "fausse assurance (non/partiel répondu complet)"),
    ("refused", "questions couvertes refusées"),
    ("coverage_right", "couverture juste"),
    ("unit_recall", "unités : rappel"),
    ("unit_precision", "unités : précision"),
    ("timeline_accuracy", "échéancier juste"),
    ("reverse_exact", "listes exactes"),
    ("exact_lookups", "recherches exactes justes"),
    ("p50_ms", "latence p50 (ms)"),
    ("p95_ms", "latence p95 (ms)"),
]


def _answers_table(title: str, block: dict[str, Any]) -> list[str]:
    cats = block["categories"]
    lines = [
        f"## {title}",
        "",
        "| mesure | " + " | ".join(cats) + " | ensemble |",
        "|" + " --- |" * (len(cats) + 2),
    ]
    for key, label in ANSWER_ROWS:
        cells = [_fmt(b[key]) for b in cats.values()]
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {_fmt(block['overall'][key])} |")
    lines.append("| n | " + " | ".join(str(b["n"]) for b in cats.values()) + f" | {block['overall']['n']} |")
    turns = block.get("follow_up_turns") or {}
    if turns:
        lines += [
            "",
            "Conversations, exactitude stricte par tour : "
            + ", ".join(f"tour {t} : {_fmt(b['strict'])} (n = {b['n']})" for t, b in turns.items())
            + ".",
        ]
    ov = block["overall"]
    cal = block.get("calibration") or {}
    lines += [
        "",
        f"- Meilleure action en tête (questions thématiques : topic, neighbourhood) : {_fmt(ov.get('best_first_topical'))} "
        f"(n = {ov.get('best_first_topical_n')}); réponses affirmées mais fausses : {_fmt(ov.get('confidently_wrong'))}; "
        f"réponses prudentes : {_fmt(ov.get('hedged'))}.",
        "- Calibration (probabilité donnée par le juge à la première action, contre la part de premières actions "
        f"justes) : écart moyen {_fmt(cal.get('ece'))} sur {cal.get('n')} réponses"
        + (
            " — "
            + "; ".join(
                f"{b['bin']} : {b['predicted']:.2f} annoncé, {b['right']:.2f} juste (n = {b['n']})"
                for b in cal.get("bins", [])
            )
            if cal.get("bins")
            else ""
        )
        + ".",
        f"- Exactitude stricte {_fmt(ov['strict'])}; fausse assurance {_fmt(ov['false_confidence'])} "
        f"(sur {ov['false_confidence_n']} questions non ou partiellement couvertes); couvertes refusées "
        f"{_fmt(ov['refused'])} (sur {ov['refused_n']}); citations hors sujet {_fmt(ov['irrelevant_per_answer'])} "
        f"par réponse; recherches exactes {_fmt(ov['exact_lookups'])} sur {ov['exact_lookups_n']}.",
        f"- Latence en processus, sans cache : p50 {ov['p50_ms']} ms, p95 {ov['p95_ms']} ms, p99 {ov['p99_ms']} ms; "
        f"questions embarquées par e5 : {_fmt(ov.get('embedded'))} (les autres tranchées par leurs mots-clés, "
        "ou recherches exactes).",
        "",
    ]
    return lines


def answers_markdown(summary: dict[str, Any]) -> str:
    from evals.dataset import SETS

    lines = ["# Évaluation des réponses", ""]
    for key, _path, name in SETS:
        block = summary if key == "tuning" else summary.get(key)
        if block:
            lines += _answers_table(name[:1].upper() + name[1:], block)
    if summary.get("cached_ms_per_question") is not None:
        lines.append(f"Question répétée (cache) : {summary['cached_ms_per_question']} ms.")
    return "\n".join(lines) + "\n"


def write_answers_report(summary: dict[str, Any], output: Path) -> None:
    chart = write_report(output, "answers", summary, answers_markdown(summary))
    cats = summary["categories"]
    held = (summary.get("heldout") or {}).get("categories", {})
    grouped_bars(
        chart,
        list(cats),
        [
            ("réglage : exactitude stricte", [cats[c]["strict"] or 0 for c in cats]),
            ("réservé : exactitude stricte", [(held.get(c) or {}).get("strict") or 0 for c in cats]),
            (
                "résidents : exactitude stricte",
                [
                    ((summary.get("residents") or {}).get("categories", {}).get(c) or {}).get("strict") or 0
                    for c in cats
                ],
            ),
        ],
        "Réponses : exactitude stricte par catégorie",
    )
