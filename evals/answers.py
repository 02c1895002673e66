"""``plan-assistant eval answers``: the assistant's answers on both question sets, judged strictly.

An answer is **strictly right** when its coverage is the expected one (``complete``, ``partial``,
``none``), it cites nothing when the plans do not answer, its first cited action is an expected one
(the clearly best one where the question names it, ``first``), and at most one cited action is
outside the expected set. Reported per category and for each set (``evals/questions.yaml``, used to
tune; ``evals/heldout.yaml``, never used to tune):

- strict accuracy, irrelevant citations per answer, false confidence (a question the plans do not
  answer, or answer only in part, answered as ``complete``), covered questions refused (``none``);
- conversations: strict accuracy per turn, each turn asked with the assistant's own previous answers;
- exact look-ups (units and timeline of a numbered action, complete lists): all must be right;
- latency p50 / p95 / p99, in process, without the answer cache, and the share of questions
  embedded (the others were settled by their keywords, or were exact look-ups).
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.answer import Answer, Turn
from assistant.coverage import asserts
from assistant.service import Assistant
from corpus import Corpus
from evals.dataset import CATEGORIES, SETS, Expectation, Question, load_questions
from evals.relevance import calibration_of
from evals.retrieval import normalise_expected
from evals.stats import mean, ms, percentile

_BY_NUMBER = re.compile(r"\baction\s+\d|\d\.\d\.\d")
#: The categories of questions about a subject, where the best action must come first.
TOPICAL = ("topic", "neighbourhood")


@dataclass
class AnswerResult:
    id: str
    category: str
    turn: int  # 1 for a single question; the turn of a conversation otherwise
    question: str
    coverage: str
    expected_coverage: str
    cited: list[str]
    strict: bool = False
    first_ok: bool | None = None
    irrelevant: int = 0
    unit_precision: float | None = None
    unit_recall: float | None = None
    timeline_ok: bool | None = None
    reverse_exact: bool | None = None
    exact_lookup: bool | None = None  # for look-ups that must be exactly right
    seconds: float = 0.0
    embedded: bool = False  # the question was embedded (not settled by its keywords alone)
    sure: bool = True  # the answer asserts (False: it says what is closest)
    confidence: float | None = None  # the judge's probability for its first action
    confidently_wrong: bool = False  # asserted (assistant.coverage.asserts) while wrong
    intent: str = ""
    notes: list[str] = field(default_factory=list)


def _units_in(text: str, known: Sequence[str]) -> set[str]:
    found = set()
    for u in sorted(known, key=len, reverse=True):
        if u in text:
            found.add(u)
            text = text.replace(u, " ")
    return found


def _normalised(corpus: Corpus, refs: Sequence[str]) -> list[str]:
    out: list[str] = []
    for r in refs:
        for n in sorted(normalise_expected(corpus, [r])):
            if n not in out:
                out.append(n)
    return out


def score(
    q: Question, step: Expectation, turn: int, a: Answer, corpus: Corpus, known_units: Sequence[str]
) -> AnswerResult:
    cited = _normalised(corpus, [c.ref for c in a.citations])
    r = AnswerResult(
        q.id, q.category, turn, step.question, a.coverage, str(step.coverage), cited, intent=a.intent
    )
    expected = normalise_expected(corpus, step.expected)
    first = normalise_expected(corpus, step.first) or expected
    kinds = {c.ref: c.kind for c in a.citations}
    cited_kinds = {n: kinds.get(n, "action") for n in cited}
    r.sure, r.confidence = a.sure, a.confidence
    asserted = asserts(a.coverage, a.sure)
    if step.coverage == "none":
        r.irrelevant = len(cited)
        r.strict = a.coverage == "none" and not cited
        r.confidently_wrong = asserted
        return r
    expects_actions = any(
        (found := corpus.resolve(e)) is not None and found[1].kind.value == "action" for e in expected
    )
    judged = [n for n in cited if cited_kinds[n] == "action"] if expects_actions else cited
    r.irrelevant = sum(1 for n in judged if n not in expected)
    if expected:
        r.first_ok = bool(judged) and judged[0] in first
    else:
        r.first_ok = True
    r.strict = a.coverage == step.coverage and bool(r.first_ok) and r.irrelevant <= 1
    r.confidently_wrong = asserted and not r.first_ok
    by_number = bool(_BY_NUMBER.search(step.question.lower()))
    if q.category == "unit" or (step.units and q.category != "reverse"):
        # Units named in the answer's body: its first sentence may name a unit to correct the question.
        named = _units_in(a.answer.removeprefix(a.lead), known_units)
        if step.units_scope == "organisation":
            ok = not named and "toute l'organisation municipale" in a.answer.lower()
            r.unit_precision = r.unit_recall = 1.0 if ok else 0.0
        else:
            want = set(step.units)
            r.unit_precision = len(named & want) / len(named) if named else 0.0
            r.unit_recall = len(named & want) / len(want) if want else 1.0
        if by_number:
            r.exact_lookup = r.unit_precision == 1.0 and r.unit_recall == 1.0 and bool(set(cited) & expected)
    if step.horizon and step.expected:
        found = corpus.resolve(step.expected[0])
        if found is not None:
            plan, _node = found
            label = plan.horizons[step.horizon].label
            text = a.answer.lower()
            r.timeline_ok = bool(set(cited) & expected) and label in text
            if by_number:
                r.exact_lookup = r.timeline_ok
    if step.complete:
        got = {n for n in cited if cited_kinds[n] == "action"}
        r.reverse_exact = got == expected
        r.exact_lookup = r.reverse_exact
    return r


def _block(rs: list[AnswerResult]) -> dict[str, Any]:
    def vals(attr: str) -> list[float]:
        return [float(getattr(r, attr)) for r in rs if getattr(r, attr) is not None]

    secs = [r.seconds for r in rs]
    unanswered = [r for r in rs if r.expected_coverage in ("none", "partial")]
    covered = [r for r in rs if r.expected_coverage in ("complete", "partial")]
    topical = [r for r in rs if r.category in TOPICAL and r.first_ok is not None]
    return {
        "n": len(rs),
        "strict": mean([float(r.strict) for r in rs]),
        "first_action": mean(vals("first_ok")),
        "best_first_topical": mean([float(bool(r.first_ok)) for r in topical]),
        "best_first_topical_n": len(topical),
        "confidently_wrong": mean([float(r.confidently_wrong) for r in rs]),
        "hedged": mean([float(not r.sure) for r in rs]),
        "irrelevant_per_answer": mean([float(r.irrelevant) for r in rs]),
        "false_confidence": mean([float(r.coverage == "complete") for r in unanswered]),
        "false_confidence_n": len(unanswered),
        "refused": mean([float(r.coverage == "none") for r in covered]),
        "refused_n": len(covered),
        "coverage_right": mean([float(r.coverage == r.expected_coverage) for r in rs]),
        "unit_precision": mean(vals("unit_precision")),
        "unit_recall": mean(vals("unit_recall")),
        "timeline_accuracy": mean(vals("timeline_ok")),
        "reverse_exact": mean(vals("reverse_exact")),
        "exact_lookups": mean(vals("exact_lookup")),
        "exact_lookups_n": len(vals("exact_lookup")),
        "p50_ms": ms(percentile(secs, 50)),
        "p95_ms": ms(percentile(secs, 95)),
        "p99_ms": ms(percentile(secs, 99)),
        "embedded": mean([float(r.embedded) for r in rs]),
    }


def summarise(results: list[AnswerResult]) -> dict[str, Any]:
    cats = {c: _block([r for r in results if r.category == c]) for c in CATEGORIES}
    pairs = [
        (r.confidence, bool(r.first_ok))
        for r in results
        if r.confidence is not None and r.first_ok is not None
    ]
    turns = sorted({r.turn for r in results if r.category == "follow_up"})
    conv = [r for r in results if r.category == "follow_up"]
    return {
        "categories": {c: b for c, b in cats.items() if b["n"]},
        "overall": _block(results),
        "follow_up_turns": {str(t): _block([r for r in conv if r.turn == t]) for t in turns},
        # Is the first action right as often as the judge said it would be?
        "calibration": calibration_of(pairs),
        "failures": [
            {
                "id": r.id,
                "turn": r.turn,
                "question": r.question,
                "coverage": r.coverage,
                "expected_coverage": r.expected_coverage,
                "cited": r.cited[:6],
            }
            for r in results
            if not r.strict
        ],
    }


def evaluate(
    assistant: Assistant, questions: Sequence[Question] | None = None
) -> tuple[list[AnswerResult], dict[str, Any]]:
    questions = questions or load_questions()
    corpus = assistant.corpus
    known_units = sorted({u for p in corpus for u in p.units()})
    results = []
    for q in questions:
        history = [Turn(question=t.question, refs=t.refs) for t in q.history]
        for turn, step in enumerate(q.steps, start=1):
            assistant.clear_caches()
            embedded = assistant.index.embedder.queries_embedded
            t = time.perf_counter()
            a = assistant.ask(step.question, history=history)
            dt = time.perf_counter() - t
            r = score(q, step, turn, a, corpus, known_units)
            r.seconds = dt
            r.embedded = assistant.index.embedder.queries_embedded > embedded
            r.notes = a.notes
            results.append(r)
            history = [*history, a.as_turn()]
    return results, summarise(results)


def run(assistant: Assistant, output: Path) -> dict[str, Any]:
    from evals.report import write_answers_report

    assistant.index.ensure()
    results, summary = evaluate(assistant)
    for key, path, _name in SETS[1:]:
        _, held = evaluate(assistant, load_questions(path))
        held.pop("failures")  # a held-out set is read by its aggregates only, never question by question
        summary[key] = held

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
