"""The question sets: well formed, and every reference and unit exists in the parsed corpus."""

from __future__ import annotations

from collections import Counter

import pytest
import yaml

from corpus import Corpus, Objectif
from corpus.model import UnitsScope
from evals.dataset import CATEGORIES, HELDOUT_FILE, QUESTIONS_FILE, load_questions

SETS = pytest.mark.parametrize("path", [QUESTIONS_FILE, HELDOUT_FILE], ids=["tuning", "heldout"])


def load(path=QUESTIONS_FILE) -> list[dict]:  # type: ignore[no-untyped-def]
    return yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]


def test_set_is_large_and_covers_every_category() -> None:
    qs = load()
    assert len(qs) >= 150
    counts = Counter(q["category"] for q in qs)
    assert set(CATEGORIES) - {"partial", "follow_up"} <= set(counts) <= set(CATEGORIES)
    assert min(counts.values()) >= 12
    assert len({q["id"] for q in qs}) == len(qs)
    assert sum(q.get("lang") == "en" for q in qs) >= 5
    assert sum(bool(q.get("history")) for q in qs) >= 10


def test_heldout_set_covers_every_category() -> None:
    qs = load_questions(HELDOUT_FILE)
    counts = Counter(q.category for q in qs)
    assert set(counts) == set(CATEGORIES)
    assert len({q.id for q in qs}) == len(qs)
    unanswered = [s for q in qs for s in q.steps if s.coverage != "complete"]
    assert len(unanswered) >= 40
    conversations = [q for q in qs if q.turns]
    assert len(conversations) >= 10 and all(2 <= len(q.steps) <= 3 for q in conversations)


@SETS
def test_every_reference_exists(corpus: Corpus, path) -> None:  # type: ignore[no-untyped-def]
    missing = []
    for q in load_questions(path):
        refs = [r for s in q.steps for r in [*s.expected, *s.first]]
        refs += [r for turn in q.history for r in turn.refs]
        missing += [(q.id, r) for r in refs if corpus.resolve(r) is None]
    assert missing == []


@SETS
def test_units_and_timelines_agree_with_the_plan(corpus: Corpus, path) -> None:  # type: ignore[no-untyped-def]
    all_units = {u for plan in corpus for u in plan.units()}
    for q in load_questions(path):
        for s in q.steps:
            assert set(s.units) <= all_units, q.id
            if q.category == "horizon" and s.horizon:
                plan, node = corpus.resolve(s.expected[0])  # type: ignore[misc]
                assert getattr(node, "horizon", None) == s.horizon, q.id
            if q.category == "unit" and s.expected:
                plan, node = corpus.resolve(s.expected[0])  # type: ignore[misc]
                obj = node if isinstance(node, Objectif) else plan.objective_of(node)
                assert obj is not None, q.id
                if s.units_scope == "organisation":
                    assert obj.units_scope == UnitsScope.ORGANISATION, q.id
                else:
                    assert tuple(s.units) == obj.units, q.id


@SETS
def test_out_of_scope_questions_expect_nothing(path) -> None:  # type: ignore[no-untyped-def]
    for q in load_questions(path):
        if q.category == "out_of_scope":
            assert q.expected == [] and q.coverage == "none", q.id
