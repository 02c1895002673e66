"""Plan facts are data: the timelines a plan defines (its codes and their words) live in its legend
and in the language's words (assistant/timelines.yaml), never in the Python of the layers that read,
search and answer — so a plan with other timelines needs no code change (issue 21)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.timelines import Timelines, label_words, ongoing, phrase
from corpus import load_corpus
from corpus.model import HorizonDef, Plan

ROOT = Path(__file__).resolve().parent.parent
#: The Québec plan's timeline codes and words: plan data, not code.
TIMELINE_WORDS = re.compile(
    r"(?<![A-Za-z])(?:EC|CT|MT)(?![A-Za-z])"
    r"|(?i:court[\s-]terme|moyen[\s-]terme|short[\s-]term|medium[\s-]term)"
)


#: Parsers written for one plan's layout (the kit, the generic parser and the PDF import are scanned).
PLAN_PARSERS = {"quebec_action_plan.py", "neighbourhood_table.py"}


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def _strings(path: Path) -> Iterator[tuple[int, str]]:
    """The string constants of a module that are not docstrings (what the code matches or says)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            yield node.lineno, node.value


def test_no_timeline_code_or_word_is_written_in_the_answering_code() -> None:
    found = [
        f"{p.relative_to(ROOT)}:{line}: {value!r}"
        for folder in ("assistant", "index", "api", "corpus")
        for p in sorted((ROOT / folder).rglob("*.py"))
        if p.name not in PLAN_PARSERS
        for line, value in _strings(p)
        if TIMELINE_WORDS.search(value)
    ]
    assert found == []


def test_the_scan_finds_a_timeline_code_in_a_string(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text('"""Docstrings may say « CT »."""\nX = {"CT": "à court terme"}\n', encoding="utf-8")
    assert [v for _, v in _strings(module) if TIMELINE_WORDS.search(v)] == ["CT", "à court terme"]


def _plan_with(horizons: dict[str, HorizonDef]) -> Plan:
    base = next(iter(load_corpus()))
    return base.model_copy(update={"horizons": horizons})


def test_a_plan_with_other_timelines_is_read_and_said_from_its_legend() -> None:
    plan = _plan_with(
        {
            "A1": HorizonDef(code="A1", label="2025", description="Actions de 2025"),
            "A2": HorizonDef(code="A2", label="2026-2027", description="Actions de 2026 et 2027"),
            "CO": HorizonDef(code="CO", label="en continu", description="Actions menées sans fin prévue"),
        }
    )
    timelines = Timelines([plan])
    assert timelines.asked(
        "Quelles actions sont prévues en 2026-2027?", "quelles actions sont prevues en 2026-2027?"
    ) == ["A2"]
    assert timelines.asked("Lesquelles sont en continu?", "lesquelles sont en continu?") == ["CO"]
    assert timelines.asked("Les actions A1?", "les actions a1?") == ["A1"]
    assert timelines.named("C'est quoi « en continu »?", "c'est quoi « en continu »?") == "CO"
    # Said with the language's words where it has them, else as the plan prints its label.
    assert phrase(plan, "CO", "fr") == "en continu" and phrase(plan, "CO", "en") == "on an ongoing basis"
    assert phrase(plan, "A2", "fr") == "2026-2027"
    assert ongoing(plan, "CO") and not ongoing(plan, "A1")


def test_the_city_plan_s_timelines_come_from_its_legend() -> None:
    city = next(p for p in load_corpus() if p.horizons)
    timelines = Timelines([city])
    assert list(timelines.by_code) == list(city.horizons)
    assert timelines.asked("c'est tu déjà commencé?", "c'est tu deja commence?") == [
        c for c in city.horizons if ongoing(city, c)
    ]
    # The span the legend prints is a way to ask for the timeline too (« de 3 à 5 ans »).
    (mid,) = [c for c, h in city.horizons.items() if h.span and "5" in h.span]
    assert timelines.asked("les actions de 3 à 5 ans", "les actions de 3 a 5 ans") == [mid]


def test_a_bad_entry_of_the_language_words_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import assistant.timelines as timelines

    bad = tmp_path / "timelines.yaml"
    bad.write_text("court terme:\n  noms: [bientot]\n", encoding="utf-8")
    monkeypatch.setattr(timelines, "WORDS_FILE", bad)
    label_words.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"timelines\.yaml.*court terme.*noms"):
            label_words()
    finally:
        label_words.cache_clear()
