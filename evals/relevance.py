"""``plan-assistant eval relevance [--train]``: the relevance judge learned on the tuning set.

Each question of ``evals/questions.yaml`` that the assistant answers by judging retrieval is read
and searched as the assistant does. Each candidate becomes a labelled pair (question, candidate,
relevant? = listed in ``expected``), each question a labelled case (covered? = its coverage is not
``none``). Two logistic models are fitted (standardised signals, L2): one on the pairs, one on the
questions. The bars (covered, cite, related, ratio) are chosen on predictions made out of fold
(5 folds by question), so that they are not fitted to the very cases they judge. The held-out set
is never used here.

The same is done for the keyword-only judgement (candidates of the question's keywords, no dense
signal). Its gate's bars are then chosen, out of fold too, so that answering the questions it
settles without embedding them keeps the strict accuracy, false confidence and refusals of the full
judgement, with as many questions settled as possible."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answer import Turn
from assistant.coverage import MAX_PRIMARY, MAX_RELATED
from assistant.normalize import strip_instructions
from assistant.reading import Intent, ReadingContext, read_question
from assistant.relevance import (
    FEATURES,
    LEXICAL_FEATURES,
    LEXICAL_QUESTION_FEATURES,
    MODEL_FILE,
    QUESTION_FEATURES,
    LexicalGate,
    Logistic,
    RelevanceJudge,
    RelevanceModel,
    gate_settles,
    question_features,
)
from evals.dataset import Question, load_questions
from evals.retrieval import normalise_expected
from index.service import IndexService

JUDGED_INTENTS = (Intent.TOPIC, Intent.UNITS, Intent.HORIZON)
FOLDS = 5
L2 = 1.0
Fitted = tuple[np.ndarray, float, np.ndarray, np.ndarray]
#: The signals of the two judgements: (candidate, question).
FULL = (FEATURES, QUESTION_FEATURES)
LEXICAL = (LEXICAL_FEATURES, LEXICAL_QUESTION_FEATURES)
Names = tuple[tuple[str, ...], tuple[str, ...]]
#: Questions the keyword-only judgement may answer worse than the full one, out of fold (a share).
MAX_LOSSES = 0.025


@dataclass
class Case:
    """One question: its candidates (signals, relevant?, acceptable first?) and its coverage."""

    id: str
    coverage: str
    kinds: list[str] = field(default_factory=list)
    relevant: list[bool] = field(default_factory=list)
    first: list[bool] = field(default_factory=list)
    x: list[list[float]] = field(default_factory=list)
    reading: Any = None  # the reading, to compute the question's signals from candidate probabilities
    judged: Any = None


def cases(service: IndexService, questions: Sequence[Question], names: Names = FULL) -> list[Case]:
    """The questions that the assistant answers by judging retrieval, with labelled candidates
    (``names``: of the full judgement, or of the keyword-only one, :data:`LEXICAL`)."""
    snap = service.snapshot()
    ctx = ReadingContext.build(snap.corpus, snap.searcher.analyser)
    untrained = RelevanceModel.untrained()
    judge = RelevanceJudge(untrained)
    embed = names == FULL
    out: list[Case] = []
    for q in questions:
        history = [Turn(question=h.question, refs=h.refs) for h in q.history]
        text, _ = strip_instructions(q.question)
        r = read_question(text, ctx, history)
        if r.intent not in JUDGED_INTENTS or r.targets:
            continue
        judgement = judge.judge_with(
            r,
            snap.searcher,
            snap.corpus,
            {"plan": None},
            untrained.candidate,
            untrained.question,
            embed=embed,
        )
        expected = normalise_expected(snap.corpus, q.expected)
        first = normalise_expected(snap.corpus, q.first) or expected
        case = Case(q.id, str(q.coverage), reading=r, judged=judgement.judged)
        for j in judgement.judged:
            case.kinds.append(j.hit.kind)
            case.relevant.append(j.hit.ref in expected)
            case.first.append(j.hit.ref in first)
            case.x.append([j.features[f] for f in names[0]])
        out.append(case)
    return out


def fit(x: np.ndarray, y: np.ndarray, l2: float = L2, steps: int = 4000) -> Fitted:
    """Logistic regression on standardised signals by gradient descent: (weights, bias, mean, scale)."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    w = np.zeros(z.shape[1])
    b = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(z @ w + b)))
        w -= 0.5 * (z.T @ (p - y) / len(y) + l2 * w / len(y))
        b -= 0.5 * float((p - y).mean())
    return w, b, mean, scale


def predict(model: Fitted, x: np.ndarray) -> np.ndarray:
    w, b, mean, scale = model
    return 1.0 / (1.0 + np.exp(-(((x - mean) / scale) @ w + b)))


def as_logistic(names: tuple[str, ...], model: Fitted) -> Logistic:
    w, b, mean, scale = model
    return Logistic(
        names,
        dict(zip(names, map(float, w), strict=True)),
        float(b),
        dict(zip(names, map(float, mean), strict=True)),
        dict(zip(names, map(float, scale), strict=True)),
    )


def _question_rows(data: list[Case], probs: list[np.ndarray], names: tuple[str, ...]) -> np.ndarray:
    rows = []
    for case, p in zip(data, probs, strict=True):
        for j, pj in zip(case.judged, p, strict=True):
            j.p = float(pj)
        judged = sorted(case.judged, key=lambda j: -j.p)
        qf = question_features(case.reading, judged)
        rows.append([qf[f] for f in names])
    return np.array(rows)


def _fit_all(train: list[Case], names: Names) -> tuple[Fitted, Fitted]:
    x = np.array([v for c in train for v in c.x])
    y = np.array([v for c in train for v in c.relevant], dtype=float)
    candidate = fit(x, y)
    probs = [predict(candidate, np.array(c.x)) if c.x else np.zeros(0) for c in train]
    question = fit(
        _question_rows(train, probs, names[1]), np.array([c.coverage != "none" for c in train], dtype=float)
    )
    return candidate, question


def out_of_fold(data: list[Case], names: Names = FULL) -> tuple[list[np.ndarray], np.ndarray]:
    """Each candidate's and each question's probability from models that did not see the question."""
    order = list(np.random.default_rng(0).permutation(len(data)))
    cand: list[np.ndarray] = [np.zeros(0)] * len(data)
    covered = np.zeros(len(data))
    for k in range(FOLDS):
        held = set(order[k::FOLDS])
        train = [c for i, c in enumerate(data) if i not in held]
        candidate, question = _fit_all(train, names)
        for i in held:
            c = data[i]
            cand[i] = predict(candidate, np.array(c.x)) if c.x else np.zeros(0)
            covered[i] = predict(question, _question_rows([c], [cand[i]], names[1]))[0]
    return cand, covered


@dataclass
class Outcome:
    """What the bars give on one question: a strictly right answer?, irrelevant citations, false
    confidence (a question the plans do not answer got citations), a covered question refused."""

    ok: bool
    irrelevant: int
    false_confidence: bool
    refused: bool


def outcome(c: Case, probs: np.ndarray, cov: float, bars: dict[str, float]) -> Outcome:
    """The assistant's choice of citations, replayed on one question."""
    order = sorted(range(len(probs)), key=lambda i: -probs[i])
    cited: list[int] = []
    if order and cov >= bars["covered"]:
        best = probs[order[0]]
        chosen = [i for i in order if probs[i] >= bars["cite"] and probs[i] >= bars["ratio"] * best] or order[
            :1
        ]
        if c.kinds[chosen[0]] == "section":
            primary = chosen[:1]
        else:
            primary = [i for i in chosen if c.kinds[i] == "action"][:MAX_PRIMARY]
        related = [
            i for i in order if i not in primary and c.kinds[i] == "action" and probs[i] >= bars["related"]
        ]
        cited = primary + related[:MAX_RELATED]
    wrong = sum(1 for i in cited if not c.relevant[i])
    if c.coverage == "none":
        return Outcome(not cited, wrong, bool(cited), False)
    return Outcome(bool(cited) and c.first[cited[0]] and wrong <= 1, wrong, False, not cited)


def summarise(data: list[Case], outcomes: Sequence[Outcome]) -> dict[str, float]:
    n = len(data)
    n_none = sum(1 for c in data if c.coverage == "none")
    return {
        "strict": sum(o.ok for o in outcomes) / n,
        "irrelevant": sum(o.irrelevant for o in outcomes) / n,
        "false_confidence": sum(o.false_confidence for o in outcomes) / max(1, n_none),
        "refused": sum(o.refused for o in outcomes) / max(1, n - n_none),
        "questions": n,
    }


def strictness(
    data: list[Case], cand: list[np.ndarray], covered: np.ndarray, bars: dict[str, float]
) -> dict[str, float]:
    """The strict accuracy, irrelevant citations, false confidence and refusals that the bars give
    on these questions."""
    return summarise(data, outcomes(data, cand, covered, bars))


def outcomes(
    data: list[Case], cand: list[np.ndarray], covered: np.ndarray, bars: dict[str, float]
) -> list[Outcome]:
    return [outcome(c, p, v, bars) for c, p, v in zip(data, cand, covered, strict=True)]


def choose_bars(
    data: list[Case], cand: list[np.ndarray], covered: np.ndarray
) -> tuple[dict[str, float], dict[str, float]]:
    """The bars that give the best strict accuracy out of fold; false confidence and refusals of
    covered questions weigh extra."""
    grid = {
        "covered": [0.3, 0.4, 0.5, 0.6, 0.7],
        "cite": [0.2, 0.3, 0.4, 0.5, 0.6],
        "related": [0.4, 0.5, 0.6, 0.7, 1.01],
        "ratio": [0.3, 0.5, 0.7, 0.85],
    }
    best: tuple[float, dict[str, float], dict[str, float]] | None = None
    for values in itertools.product(*grid.values()):
        bars = dict(zip(grid, values, strict=True))
        if bars["related"] < bars["cite"]:
            continue
        m = strictness(data, cand, covered, bars)
        score = m["strict"] - 0.5 * m["false_confidence"] - 0.25 * m["refused"] - 0.1 * m["irrelevant"]
        if best is None or score > best[0]:
            best = (score, bars, m)
    assert best is not None
    return best[1], best[2]


def choose_gate(
    full: list[Case],
    cand: list[np.ndarray],
    covered: np.ndarray,
    lexical: list[Case],
    lcand: list[np.ndarray],
    lcovered: np.ndarray,
    bars: dict[str, float],
) -> tuple[dict[str, float], dict[str, float]]:
    """The gate's bars that settle the most questions on their keywords alone while the answers,
    out of fold, keep the full judgement's strict accuracy, false confidence, refusals and (within
    a hundredth per answer) irrelevant citations, and no more than :data:`MAX_LOSSES` of the
    questions get a worse answer (gains elsewhere do not buy losses). Out of reach (the gate off)
    when none does."""
    mine = outcomes(full, cand, covered, bars)
    keyword = outcomes(lexical, lcand, lcovered, bars)
    reference = summarise(full, mine)
    grid = {
        "best": [0.5, 0.6, 0.7, 0.8, 0.9, 1.01],
        "gap": [0.0, 0.1, 0.2, 0.3, 0.4],
        "covered": [0.5, 0.6, 0.7, 0.8, 0.9, 1.01],
        "none": [-1.0, 0.02, 0.05, 0.1, 0.2],
    }
    off = {"best": 1.01, "gap": 0.0, "covered": 1.01, "none": -1.0}
    chosen: tuple[dict[str, float], dict[str, float]] = (off, {**reference, "settled": 0, "worse": 0})
    for values in itertools.product(*grid.values()):
        g = dict(zip(grid, values, strict=True))
        m = gated(full, mine, keyword, settles(g, lcand, lcovered))
        kept = (
            m["strict"] >= reference["strict"]
            and m["false_confidence"] <= reference["false_confidence"]
            and m["refused"] <= reference["refused"]
            and m["irrelevant"] <= reference["irrelevant"] + 0.01
            and m["worse"] <= MAX_LOSSES * len(full)
        )
        if kept and (m["settled"], m["strict"]) > (chosen[1]["settled"], chosen[1]["strict"]):
            chosen = (g, m)
    return chosen[0], {**chosen[1], "reference_strict": reference["strict"]}


def gated(
    data: list[Case], full: Sequence[Outcome], keywords: Sequence[Outcome], settled: np.ndarray
) -> dict[str, float]:
    """The measures of the answers when the settled questions are answered by their keywords alone
    and the others by the full judgement; with how many were settled and how many answered worse."""
    chosen = [k if s else f for f, k, s in zip(full, keywords, settled, strict=True)]
    losses = sum(worse(f, k) for f, k, s in zip(full, keywords, settled, strict=True) if s)
    return {**summarise(data, chosen), "settled": int(settled.sum()), "worse": losses}


def settles(gate: dict[str, float], lcand: list[np.ndarray], lcovered: np.ndarray) -> np.ndarray:
    """Which questions the gate's bars settle on their keywords alone (the assistant's rule)."""
    tops = [[*sorted(map(float, p), reverse=True)[:2], 0.0, 0.0] for p in lcand]
    return np.array([gate_settles(gate, float(v), t[0], t[1]) for v, t in zip(lcovered, tops, strict=True)])


def worse(full: Outcome, keywords: Outcome) -> bool:
    """The keyword-only answer is worse than the full one: no longer strictly right, falsely
    confident, refusing, or citing more that is irrelevant."""
    return (
        (full.ok and not keywords.ok)
        or (keywords.false_confidence and not full.false_confidence)
        or (keywords.refused and not full.refused)
        or keywords.irrelevant > full.irrelevant
    )


def train(service: IndexService, output: Path = MODEL_FILE) -> dict[str, Any]:
    questions = load_questions()
    data = cases(service, questions)
    cand, covered = out_of_fold(data)
    bars, measured = choose_bars(data, cand, covered)
    candidate, question = _fit_all(data, FULL)
    lexical = cases(service, questions, LEXICAL)
    lcand, lcovered = out_of_fold(lexical, LEXICAL)
    gate_bars, gated = choose_gate(data, cand, covered, lexical, lcand, lcovered, bars)
    lcandidate, lquestion = _fit_all(lexical, LEXICAL)
    gate = LexicalGate(
        as_logistic(LEXICAL_FEATURES, lcandidate),
        as_logistic(LEXICAL_QUESTION_FEATURES, lquestion),
        **gate_bars,
    )
    model = RelevanceModel(
        as_logistic(FEATURES, candidate), as_logistic(QUESTION_FEATURES, question), **bars, lexical=gate
    )
    info = {
        "questions": len(data),
        "pairs": sum(len(c.x) for c in data),
        "out_of_fold": {k: round(v, 4) for k, v in measured.items()},
        "keywords_alone_out_of_fold": {k: round(v, 4) for k, v in gated.items()},
    }
    model.save(output, info)
    return {"model": str(output), **info, "bars": bars, "gate": gate_bars}


def measure(service: IndexService, model: RelevanceModel) -> dict[str, Any]:
    """The bars of ``model``, and its gate's, replayed out of fold on the tuning set."""
    questions = load_questions()
    data = cases(service, questions)
    cand, covered = out_of_fold(data)
    bars = {"covered": model.covered, "cite": model.cite, "related": model.related, "ratio": model.ratio}
    result: dict[str, Any] = {"bars": bars, "out_of_fold": strictness(data, cand, covered, bars)}
    if model.lexical is not None:
        lexical = cases(service, questions, LEXICAL)
        lcand, lcovered = out_of_fold(lexical, LEXICAL)
        result["gate"] = model.lexical.bars()
        result["keywords_alone_out_of_fold"] = gated(
            data,
            outcomes(data, cand, covered, bars),
            outcomes(lexical, lcand, lcovered, bars),
            settles(model.lexical.bars(), lcand, lcovered),
        )
    return result
