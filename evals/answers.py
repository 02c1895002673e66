"""``plan-assistant eval answers``: the assistant's answers on the fixed question set.

Per category: citation hit rate (an expected node is cited) and precision (cited actions that
are expected), unit-list precision and recall (unit names in the answer), timeline accuracy,
completeness of reverse look-ups, out-of-scope precision and recall, and latency."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.answer import Answer, Turn
from assistant.service import Assistant
from corpus import Corpus
from evals.dataset import CATEGORIES, HELDOUT_FILE, Question, load_questions
from evals.retrieval import normalise_expected
from evals.stats import mean, ms, percentile

_ACTION_NUMBER = re.compile(r"\baction\s+\d")


@dataclass
class AnswerResult:
    id: str
    category: str
    found: bool
    expected_found: bool
    cited: list[str]
    hit: bool | None = None
    precision: float | None = None
    unit_precision: float | None = None
    unit_recall: float | None = None
    timeline_ok: bool | None = None
    reverse_recall: float | None = None
    reverse_exact: bool | None = None
    exact_lookup: bool | None = None  # for look-ups that must be exactly right
    seconds: float = 0.0
    intent: str = ""
    notes: list[str] = field(default_factory=list)


def _units_in(text: str, known: Sequence[str]) -> set[str]:
    found = set()
    for u in sorted(known, key=len, reverse=True):
        if u in text:
            found.add(u)
            text = text.replace(u, " ")
    return found


def score(q: Question, a: Answer, corpus: Corpus, known_units: Sequence[str]) -> AnswerResult:
    expected = normalise_expected(corpus, q.expected)
    cited = [c.ref for c in a.citations]
    r = AnswerResult(q.id, q.category, a.found, q.found, cited, intent=a.intent)
    if not q.found or not expected:
        return r
    cited_set = set(cited)
    r.hit = bool(cited_set & expected)
    resolved = {e: corpus.resolve(e) for e in expected}
    expected_actions = {
        e for e, found in resolved.items() if found is not None and found[1].kind.value == "action"
    }
    cited_actions = [c.ref for c in a.citations if c.kind == "action"]
    if expected_actions and cited_actions:
        r.precision = sum(1 for c in cited_actions if c in expected) / len(cited_actions)
    elif cited:
        r.precision = sum(1 for c in cited if c in expected) / len(cited)
    by_number = bool(_ACTION_NUMBER.search(q.question.lower()) or re.search(r"\d\.\d\.\d", q.question))
    if q.category == "unit" or (q.units and q.category != "reverse"):
        named = _units_in(a.answer, known_units)
        if q.units_scope == "organisation":
            ok = not named and "toute l'organisation municipale" in a.answer.lower()
            r.unit_precision = r.unit_recall = 1.0 if ok else 0.0
        else:
            want = set(q.units)
            r.unit_precision = len(named & want) / len(named) if named else 0.0
            r.unit_recall = len(named & want) / len(want) if want else 1.0
        if by_number:
            r.exact_lookup = r.unit_precision == 1.0 and r.unit_recall == 1.0 and bool(r.hit)
    if q.horizon:
        first = q.expected[0]
        plan_node = corpus.resolve(first)
        if plan_node is not None:
            plan, _node = plan_node
            label = plan.horizons[q.horizon].label
            others = [plan.horizons[h].label for h in plan.horizons if h != q.horizon]
            text = a.answer.lower()
            r.timeline_ok = (
                bool(r.hit)
                and label in text
                and not any(o in text.split("\n")[0] and o not in label for o in others if o != "en cours")
            )
            if by_number:
                r.exact_lookup = r.timeline_ok
    if q.complete:
        want = expected
        got = {c for c in cited_actions}
        r.reverse_recall = len(got & want) / len(want)
        r.reverse_exact = got == want
        r.exact_lookup = r.reverse_exact
    return r


def summarise(results: list[AnswerResult]) -> dict[str, Any]:
    def block(rs: list[AnswerResult]) -> dict[str, Any]:
        def vals(attr: str) -> list[float]:
            return [float(getattr(r, attr)) for r in rs if getattr(r, attr) is not None]

        secs = [r.seconds for r in rs]
        return {
            "n": len(rs),
            "citation_hit": mean(vals("hit")),
            "citation_precision": mean(vals("precision")),
            "unit_precision": mean(vals("unit_precision")),
            "unit_recall": mean(vals("unit_recall")),
            "timeline_accuracy": mean(vals("timeline_ok")),
            "reverse_recall": mean(vals("reverse_recall")),
            "reverse_exact": mean(vals("reverse_exact")),
            "exact_lookups": mean(vals("exact_lookup")),
            "exact_lookups_n": len(vals("exact_lookup")),
            "p50_ms": ms(percentile(secs, 50)),
            "p95_ms": ms(percentile(secs, 95)),
        }

    cats = {c: block([r for r in results if r.category == c]) for c in CATEGORIES}
    cats = {c: b for c, b in cats.items() if b["n"]}
    predicted_out = [r for r in results if not r.found]
    truly_out = [r for r in results if not r.expected_found]
    tp = sum(1 for r in predicted_out if not r.expected_found)
    oos = {
        "precision": round(tp / len(predicted_out), 4) if predicted_out else None,
        "recall": round(tp / len(truly_out), 4) if truly_out else None,
        "predicted": len(predicted_out),
        "actual": len(truly_out),
        "false_out": [r.id for r in predicted_out if r.expected_found],
        "missed_out": [r.id for r in truly_out if r.found],
    }
    topical = block([r for r in results if r.category in ("topic", "neighbourhood") and r.expected_found])
    return {"categories": cats, "overall": block(results), "topical": topical, "out_of_scope": oos}


def evaluate(
    assistant: Assistant, questions: Sequence[Question] | None = None
) -> tuple[list[AnswerResult], dict]:
    questions = questions or load_questions()
    corpus = assistant.corpus
    known_units = sorted({u for p in corpus for u in p.units()})
    results = []
    for q in questions:
        history = [Turn(question=t.question, refs=t.refs) for t in q.history]
        assistant.clear_caches()
        t = time.perf_counter()
        a = assistant.ask(q.question, history=history)
        dt = time.perf_counter() - t
        r = score(q, a, corpus, known_units)
        r.seconds = dt
        r.notes = a.notes
        results.append(r)
    return results, summarise(results)


def run(assistant: Assistant, output: Path) -> dict[str, Any]:
    from evals.report import write_answers_report

    assistant.index.ensure()
    results, summary = evaluate(assistant)
    _, held = evaluate(assistant, load_questions(HELDOUT_FILE))
    summary["heldout"] = held

    # Repeated questions (the cache): the set asked once to fill the cache, then timed a second time.
    def ask_all() -> None:
        for q in load_questions():
            assistant.ask(q.question, history=[Turn(question=x.question, refs=x.refs) for x in q.history])

    ask_all()
    t = time.perf_counter()
    ask_all()
    summary["cached_ms_per_question"] = round(1000 * (time.perf_counter() - t) / len(load_questions()), 3)
    summary["questions"] = [r.__dict__ for r in results]
    write_answers_report(summary, output)
    return summary
