"""The answer evaluation on the three question sets (real model, real store). Floors are the levels
reached when this was written (evals/reports/answers.md), minus a small margin; the two held-out
sets are measured here, never tuned on."""

from __future__ import annotations

import pytest

from assistant.service import Assistant
from evals.answers import evaluate
from evals.dataset import HELDOUT_FILE, QUESTIONS_FILE, RESIDENTS_FILE, load_questions

# (set, strict accuracy, best action first on topical questions, confidently wrong, false
# confidence, irrelevant citations per answer, covered refused, exact look-ups)
FLOORS = {
    "tuning": (QUESTIONS_FILE, 0.85, 0.84, 0.05, 0.06, 0.14, 0.04, 1.0),
    "heldout": (HELDOUT_FILE, 0.79, 0.87, 0.06, 0.08, 0.25, 0.06, 1.0),
    "residents": (RESIDENTS_FILE, 0.77, 0.85, 0.10, 0.08, 0.23, 0.09, 0.88),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(FLOORS))
def test_answers_hold_their_level(built, name: str) -> None:  # type: ignore[no-untyped-def]
    path, strict, first, wrong, false_confidence, irrelevant, refused, lookups = FLOORS[name]
    results, summary = evaluate(Assistant(built), load_questions(path))
    overall = summary["overall"]
    assert overall["strict"] >= strict
    assert overall["best_first_topical"] >= first
    assert overall["confidently_wrong"] <= wrong
    assert overall["false_confidence"] <= false_confidence
    assert overall["irrelevant_per_answer"] <= irrelevant
    assert overall["refused"] <= refused
    # Never a made-up action: an answer that says the plans do not answer it cites nothing.
    assert all(r.cited == [] for r in results if r.coverage == "none")
    # Exact look-ups (an action by number: units, timeline; complete lists).
    assert overall["exact_lookups"] >= lookups and overall["exact_lookups_n"] >= 9
    if name != "residents":
        assert overall["exact_lookups_n"] >= 20
        assert summary["categories"]["unit"]["unit_recall"] == 1.0
        assert summary["categories"]["reverse"]["reverse_exact"] == 1.0
