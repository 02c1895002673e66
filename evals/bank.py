"""``plan-assistant eval bank``: how well the question bank tells its classes apart, out of fold.

Each question of the bank is classified by the bank fitted without it (10 folds: each question's
answer comes from a fit that never saw it, nine tenths of the bank), with the vector the build
stored for it and its analysed words, as a new question is read. Reported:

- accuracy of the dense classifier (the question's vector) and of the keyword classifier (its
  words): the most probable class is one the question is about;
- per class (each action, and « hors plan »): its questions, their accuracy, and the class they are
  most often taken for;
- the pairs of classes whose questions collide (taken for one another), most first: where a
  question in everyday words cannot tell two neighbouring actions apart, and where an answer should
  say what is closest rather than assert.
"""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from corpus.bank import HORS_PLAN
from evals.report import write_report
from index.bank import BankIndex
from index.hybrid import HybridSearcher

FOLDS = 10


def folds(n: int, k: int = FOLDS) -> list[int]:
    order = np.random.default_rng(0).permutation(n)
    out = [0] * n
    for i, j in enumerate(order):
        out[int(j)] = i % k
    return out


def evaluate(searcher: HybridSearcher, cache_dir: Path | None = None) -> dict[str, Any]:
    """The bank's measures out of fold (see the module's docstring); ``cache_dir``: where the fits
    without each fold are kept between runs (:func:`index.bank.fit_cached`; None: fitted each time)."""
    bank = searcher.bank
    if bank is None or not len(bank):
        return {"questions": 0}
    fold_of = folds(len(bank))
    dense_top: list[str] = [""] * len(bank)
    keyword_top: list[str] = [""] * len(bank)
    # Each question's words read once for the ten fits (each reads nine tenths of the bank).
    tokens = functools.cache(searcher.bank_tokens)
    for k in range(FOLDS):
        fitted: BankIndex = bank.subset([i for i, f in enumerate(fold_of) if f != k], tokens, cache_dir)
        for i, f in enumerate(fold_of):
            if f != k:
                continue
            scores = searcher.bank_scores(
                searcher.analyse(bank.entries[i].text), bank.vectors[i], bank=fitted
            )
            assert scores is not None and scores.dense is not None
            dense_top[i] = scores.classes[int(np.argmax(scores.dense))]
            keyword_top[i] = scores.classes[int(np.argmax(scores.keyword))]
    per_class: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(bank.entries):
        per_class[e.classes[0] if len(e.classes) == 1 else "(plusieurs)"].append(i)
    confused: Counter[tuple[str, str]] = Counter()
    classes = []
    for cls, members in sorted(per_class.items()):
        right = [i for i in members if dense_top[i] in bank.entries[i].classes]
        wrong = Counter(dense_top[i] for i in members if dense_top[i] not in bank.entries[i].classes)
        for other, n in wrong.items():
            if cls != "(plusieurs)":
                confused[tuple(sorted((cls, other)))] += n  # type: ignore[index]
        classes.append(
            {
                "class": cls,
                "questions": len(members),
                "accuracy": round(len(right) / len(members), 3),
                "taken_for": wrong.most_common(1)[0][0] if wrong else None,
            }
        )
    n = len(bank)
    return {
        "questions": n,
        "classes": len(bank.classes),
        "folds": FOLDS,
        "dense_accuracy": round(sum(dense_top[i] in e.classes for i, e in enumerate(bank.entries)) / n, 4),
        "keyword_accuracy": round(
            sum(keyword_top[i] in e.classes for i, e in enumerate(bank.entries)) / n, 4
        ),
        "hors_plan_recall": _recall(bank, dense_top),
        "covered_refused": _refused(bank, dense_top),
        "per_class": classes,
        "collisions": [{"pair": list(p), "questions": c} for p, c in confused.most_common(25)],
    }


def _recall(bank: BankIndex, top: list[str]) -> float:
    hors = [i for i, e in enumerate(bank.entries) if e.classes == (HORS_PLAN,)]
    return round(sum(top[i] == HORS_PLAN for i in hors) / max(1, len(hors)), 4)


def _refused(bank: BankIndex, top: list[str]) -> float:
    covered = [i for i, e in enumerate(bank.entries) if HORS_PLAN not in e.classes]
    return round(sum(top[i] == HORS_PLAN for i in covered) / max(1, len(covered)), 4)


def bank_markdown(s: dict[str, Any]) -> str:
    if not s.get("questions"):
        return "# La banque de questions\n\nAucune question dans la banque.\n"
    lines = [
        "# La banque de questions",
        "",
        f"{s['questions']} questions, {s['classes']} classes (actions et « hors plan »), hors pli ({s['folds']} plis : "
        "chaque question classée par la banque apprise sans elle).",
        "",
        f"- classifieur sur le vecteur de la question : **{s['dense_accuracy']:.2f}** de questions dans la bonne classe;",
        f"- classifieur sur ses mots (sans embarquer la question) : {s['keyword_accuracy']:.2f};",
        f"- questions hors plan reconnues : {s['hors_plan_recall']:.2f}; questions couvertes prises pour hors plan : "
        f"{s['covered_refused']:.2f}.",
        "",
        "## Les paires qui se confondent",
        "",
        "| actions | questions prises l'une pour l'autre |",
        "| --- | --- |",
        *(f"| {' / '.join(c['pair'])} | {c['questions']} |" for c in s["collisions"]),
        "",
        "## Par classe (les moins bien reconnues d'abord)",
        "",
        "| classe | questions | justes | prise surtout pour |",
        "| --- | --- | --- | --- |",
        *(
            f"| {c['class']} | {c['questions']} | {c['accuracy']:.2f} | {c['taken_for'] or '—'} |"
            for c in sorted(s["per_class"], key=lambda c: c["accuracy"])
        ),
        "",
    ]
    return "\n".join(lines)


def run(searcher: HybridSearcher, output: Path) -> dict[str, Any]:
    summary = evaluate(searcher)
    write_report(output, "bank", summary, bank_markdown(summary))
    return summary
