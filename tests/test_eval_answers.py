"""The answer evaluation on the fixed question set (real model, real store). Floors are the levels
reached when this was written (evals/reports/answers.md), minus a small margin."""

from __future__ import annotations

from assistant.service import Assistant
from evals.answers import evaluate


def test_answers_hold_their_level(built) -> None:  # type: ignore[no-untyped-def]
    results, summary = evaluate(Assistant(built))
    overall = summary["overall"]
    # Exact look-ups (an action by number: units, timeline; complete reverse lists) are all right.
    assert overall["exact_lookups"] == 1.0 and overall["exact_lookups_n"] >= 40
    assert summary["categories"]["unit"]["unit_precision"] == 1.0
    assert summary["categories"]["unit"]["unit_recall"] == 1.0
    assert summary["categories"]["reverse"]["reverse_exact"] == 1.0
    # Reached: timeline 0.96, topical citation 0.90, out-of-scope 1.00 / 1.00.
    assert summary["categories"]["horizon"]["timeline_accuracy"] >= 0.92
    assert summary["topical"]["citation_hit"] >= 0.87
    assert summary["out_of_scope"]["precision"] >= 0.95
    assert summary["out_of_scope"]["recall"] >= 0.95
    # Never a made-up action: no answer cites anything that is not in the plans, and every
    # « not covered » answer cites nothing.
    assert all(r.cited == [] for r in results if not r.found)
