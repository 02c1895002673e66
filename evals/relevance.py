"""``plan-assistant eval relevance [--train]``: the relevance judge learned on the tuning set.

Each question of ``evals/questions.yaml`` that the assistant answers by judging retrieval is read
and searched as the assistant does. Each candidate becomes a labelled pair (question, candidate,
relevant? = listed in ``expected``), each question a labelled case (covered? = its coverage is not
``none``). Two logistic models are fitted (standardised signals, L2): one on the pairs, one on the
questions. The bars (covered, cite, related, ratio) are chosen on predictions made out of fold
(5 folds by question), so that they are not fitted to the very cases they judge. The held-out set
is never used here."""

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
    MODEL_FILE,
    QUESTION_FEATURES,
    Logistic,
    RelevanceJudge,
    RelevanceModel,
    question_features,
)
from evals.dataset import Question, load_questions
from evals.retrieval import normalise_expected
from index.service import IndexService

JUDGED_INTENTS = (Intent.TOPIC, Intent.UNITS, Intent.HORIZON)
FOLDS = 5
L2 = 1.0
Fitted = tuple[np.ndarray, float, np.ndarray, np.ndarray]


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


def cases(service: IndexService, questions: Sequence[Question]) -> list[Case]:
    """The questions that the assistant answers by judging retrieval, with labelled candidates."""
    snap = service.snapshot()
    ctx = ReadingContext.build(snap.corpus, snap.searcher.analyser)
    judge = RelevanceJudge(RelevanceModel.untrained())
    out: list[Case] = []
    for q in questions:
        history = [Turn(question=h.question, refs=h.refs) for h in q.history]
        text, _ = strip_instructions(q.question)
        r = read_question(text, ctx, history)
        if r.intent not in JUDGED_INTENTS or r.targets:
            continue
        judgement = judge.judge(r, snap.searcher, snap.corpus, {"plan": None})
        expected = normalise_expected(snap.corpus, q.expected)
        first = normalise_expected(snap.corpus, q.first) or expected
        case = Case(q.id, str(q.coverage), reading=r, judged=judgement.judged)
        for j in judgement.judged:
            case.kinds.append(j.hit.kind)
            case.relevant.append(j.hit.ref in expected)
            case.first.append(j.hit.ref in first)
            case.x.append([j.features[f] for f in FEATURES])
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


def _question_rows(data: list[Case], probs: list[np.ndarray]) -> np.ndarray:
    rows = []
    for case, p in zip(data, probs, strict=True):
        for j, pj in zip(case.judged, p, strict=True):
            j.p = float(pj)
        judged = sorted(case.judged, key=lambda j: -j.p)
        qf = question_features(case.reading, judged)
        rows.append([qf[f] for f in QUESTION_FEATURES])
    return np.array(rows)


def _fit_all(train: list[Case]) -> tuple[Fitted, Fitted]:
    x = np.array([v for c in train for v in c.x])
    y = np.array([v for c in train for v in c.relevant], dtype=float)
    candidate = fit(x, y)
    probs = [predict(candidate, np.array(c.x)) if c.x else np.zeros(0) for c in train]
    question = fit(_question_rows(train, probs), np.array([c.coverage != "none" for c in train], dtype=float))
    return candidate, question


def out_of_fold(data: list[Case]) -> tuple[list[np.ndarray], np.ndarray]:
    """Each candidate's and each question's probability from models that did not see the question."""
    order = list(np.random.default_rng(0).permutation(len(data)))
    cand: list[np.ndarray] = [np.zeros(0)] * len(data)
    covered = np.zeros(len(data))
    for k in range(FOLDS):
        held = set(order[k::FOLDS])
        train = [c for i, c in enumerate(data) if i not in held]
        candidate, question = _fit_all(train)
        for i in held:
            c = data[i]
            cand[i] = predict(candidate, np.array(c.x)) if c.x else np.zeros(0)
            covered[i] = predict(question, _question_rows([c], [cand[i]]))[0]
    return cand, covered


def strictness(
    data: list[Case], cand: list[np.ndarray], covered: np.ndarray, bars: dict[str, float]
) -> dict[str, float]:
    """The strict accuracy, irrelevant citations, false confidence and refusals that the bars give
    on these questions (the assistant's choice of citations, replayed)."""
    ok = irrelevant = false_conf = refused = n_covered = n_none = 0
    for c, probs, cov in zip(data, cand, covered, strict=True):
        order = sorted(range(len(probs)), key=lambda i: -probs[i])
        cited: list[int] = []
        if order and cov >= bars["covered"]:
            best = probs[order[0]]
            chosen = [
                i for i in order if probs[i] >= bars["cite"] and probs[i] >= bars["ratio"] * best
            ] or order[:1]
            if c.kinds[chosen[0]] == "section":
                primary = chosen[:1]
            else:
                primary = [i for i in chosen if c.kinds[i] == "action"][:MAX_PRIMARY]
            related = [
                i
                for i in order
                if i not in primary and c.kinds[i] == "action" and probs[i] >= bars["related"]
            ]
            cited = primary + related[:MAX_RELATED]
        wrong = sum(1 for i in cited if not c.relevant[i])
        irrelevant += wrong
        if c.coverage == "none":
            n_none += 1
            ok += not cited
            false_conf += bool(cited)
        else:
            n_covered += 1
            refused += not cited
            ok += bool(cited) and c.first[cited[0]] and wrong <= 1
    n = len(data)
    return {
        "strict": ok / n,
        "irrelevant": irrelevant / n,
        "false_confidence": false_conf / max(1, n_none),
        "refused": refused / max(1, n_covered),
        "questions": n,
    }


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


def train(service: IndexService, output: Path = MODEL_FILE) -> dict[str, Any]:
    data = cases(service, load_questions())
    cand, covered = out_of_fold(data)
    bars, measured = choose_bars(data, cand, covered)
    candidate, question = _fit_all(data)
    model = RelevanceModel(as_logistic(FEATURES, candidate), as_logistic(QUESTION_FEATURES, question), **bars)
    info = {
        "questions": len(data),
        "pairs": sum(len(c.x) for c in data),
        "out_of_fold": {k: round(v, 4) for k, v in measured.items()},
    }
    model.save(output, info)
    return {"model": str(output), **info, "bars": bars}


def measure(service: IndexService, model: RelevanceModel) -> dict[str, Any]:
    """The bars of ``model``, replayed out of fold on the tuning set."""
    data = cases(service, load_questions())
    cand, covered = out_of_fold(data)
    bars = {"covered": model.covered, "cite": model.cite, "related": model.related, "ratio": model.ratio}
    return {"bars": bars, "out_of_fold": strictness(data, cand, covered, bars)}
