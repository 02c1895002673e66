"""The fixed question set: well formed, and every reference and unit exists in the parsed corpus."""

from __future__ import annotations

from collections import Counter

import yaml

from corpus import Corpus, Objectif
from corpus.model import UnitsScope
from evals.dataset import CATEGORIES
from evals.dataset import QUESTIONS_FILE as QUESTIONS


def load() -> list[dict]:
    return yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))["questions"]


def test_set_is_large_and_covers_every_category() -> None:
    qs = load()
    assert len(qs) >= 150
    counts = Counter(q["category"] for q in qs)
    assert set(counts) == set(CATEGORIES)
    assert min(counts.values()) >= 12
    assert len({q["id"] for q in qs}) == len(qs)
    assert sum(q.get("lang") == "en" for q in qs) >= 5
    assert sum(bool(q.get("history")) for q in qs) >= 10


def test_every_reference_exists(corpus: Corpus) -> None:
    missing = []
    for q in load():
        refs = list(q.get("expected", []))
        refs += [r for turn in q.get("history", []) for r in turn.get("refs", [])]
        missing += [(q["id"], r) for r in refs if corpus.resolve(r) is None]
    assert missing == []


def test_units_and_timelines_agree_with_the_plan(corpus: Corpus) -> None:
    all_units = {u for plan in corpus for u in plan.units()}
    for q in load():
        assert set(q.get("units", [])) <= all_units, q["id"]
        if q["category"] == "horizon" and q.get("horizon"):
            plan, node = corpus.resolve(q["expected"][0])  # type: ignore[misc]
            assert getattr(node, "horizon", None) == q["horizon"], q["id"]
        if q["category"] == "unit" and q.get("expected"):
            plan, node = corpus.resolve(q["expected"][0])  # type: ignore[misc]
            obj = node if isinstance(node, Objectif) else plan.objective_of(node)
            assert obj is not None, q["id"]
            if q.get("units_scope") == "organisation":
                assert obj.units_scope == UnitsScope.ORGANISATION, q["id"]
            else:
                assert tuple(q["units"]) == obj.units, q["id"]


def test_out_of_scope_questions_expect_nothing() -> None:
    for q in load():
        if q["category"] == "out_of_scope":
            assert q["expected"] == [] and q.get("found") is False, q["id"]
