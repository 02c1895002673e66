"""``plan-assistant eval relevance [--train]``: the relevance judge learned on the tuning set and on
the question bank.

Every question is read and searched **by the assistant itself** (:meth:`Assistant.read`, then the
candidates its judgement weighs, :meth:`AnswerContext.candidates`): the pairs are labelled on the
path the service runs. Two sources of labelled questions:

- the tuning set (``evals/questions.yaml``): each candidate is relevant when listed in ``expected``;
- the question bank (:mod:`corpus.bank`, thousands of questions): a candidate is relevant when the
  question is about it (an objective's question, about any of its actions). The bank's own signals
  for a bank question come from the bank fitted **without that question's fold**, so that the judge
  learns how much the bank says of a question it has never seen.

Two logistic models are fitted (standardised signals, L2): one on the candidates, one on the
questions (covered or not). Every bar is chosen on predictions made out of fold (5 folds by
question), and the choice is **replayed through the assistant's own decision**
(:func:`assistant.coverage.decide_coverage`), not a copy of it: what is cited, the coverage, and
whether the answer asserts (``sure``) or says what is closest. The tuning set and the bank weigh
equally in the choice. The held-out sets are never used here.

The same is done for the keyword-only judgement (no dense signal). Its gate's bars are then chosen,
out of fold too, so that answering the questions it settles without embedding them keeps the strict
accuracy, confident errors, false confidence and refusals of the full judgement, with as many
questions settled as possible."""

from __future__ import annotations

import itertools
import math
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answer import Turn
from assistant.coverage import asserts, decide_coverage
from assistant.intents.context import AnswerContext
from assistant.reading import Intent, Reading
from assistant.relevance import (
    FEATURES,
    LEXICAL_FEATURES,
    LEXICAL_QUESTION_FEATURES,
    MODEL_FILE,
    PLAIN_FEATURES,
    PLAIN_QUESTION_FEATURES,
    QUESTION_FEATURES,
    Judged,
    Judgement,
    LexicalGate,
    Logistic,
    RelevanceModel,
    gate_settles,
    question_features,
)
from assistant.service import Assistant
from corpus.bank import HORS_PLAN
from evals.dataset import load_questions
from evals.retrieval import normalise_expected
from index.bank import BankIndex

JUDGED_INTENTS = (Intent.TOPIC, Intent.UNITS, Intent.HORIZON)
FOLDS = 5
L2 = 1.0
Fitted = tuple[np.ndarray, float, np.ndarray, np.ndarray]
#: The signals of the two judgements: (candidate, question).
FULL = (FEATURES, QUESTION_FEATURES)
LEXICAL = (LEXICAL_FEATURES, LEXICAL_QUESTION_FEATURES)
PLAIN = (PLAIN_FEATURES, PLAIN_QUESTION_FEATURES)
Names = tuple[tuple[str, ...], tuple[str, ...]]
#: Questions the keyword-only judgement may answer worse than the full one, out of fold (a share).
MAX_LOSSES = 0.025
#: What an asserted wrong answer costs, against a right one, when the bars are chosen: an answer is
#: asserted only when it is right at least twice as often as it is wrong.
CONFIDENTLY_WRONG_COST = 2.0
SOURCES = ("tuning", "bank")


@dataclass
class Item:
    """A labelled question: what a good answer cites, what it puts first, its coverage."""

    id: str
    source: str  # tuning or bank
    question: str
    history: list[Turn]
    expected: frozenset[str]
    first: frozenset[str]
    coverage: str


@dataclass
class Case:
    """One question as the assistant judges it: its candidates (signals, relevant?, acceptable
    first?), its reading and its coverage."""

    id: str
    source: str
    coverage: str
    reading: Reading
    judged: list[Judged] = field(default_factory=list)
    relevant: list[bool] = field(default_factory=list)
    first: list[bool] = field(default_factory=list)
    x: list[list[float]] = field(default_factory=list)
    bank: Any = None  # the bank's scores of this question (for its question signals)


def tuning_items(assistant: Assistant) -> list[Item]:
    corpus = assistant.corpus
    items = []
    for q in load_questions():
        expected = frozenset(normalise_expected(corpus, q.expected))
        first = frozenset(normalise_expected(corpus, q.first)) or expected
        history = [Turn(question=h.question, refs=h.refs) for h in q.history]
        items.append(Item(q.id, "tuning", q.question, history, expected, first, str(q.coverage)))
    return items


def bank_items(bank: BankIndex) -> list[Item]:
    """The bank's questions as labelled questions: relevant, the actions each is about (and the
    nodes that answer it); first, any of those actions."""
    items = []
    for i, e in enumerate(bank.entries):
        if e.coverage == "none":
            items.append(Item(f"bank-{i}", "bank", e.text, [], frozenset(), frozenset(), "none"))
            continue
        actions = frozenset(c for c in e.classes if c != HORS_PLAN)
        items.append(Item(f"bank-{i}", "bank", e.text, [], actions | set(e.refs), actions, e.coverage))
    return items


def folds(n: int) -> list[int]:
    """The fold of each of ``n`` questions (a fixed shuffle)."""
    order = np.random.default_rng(0).permutation(n)
    out = [0] * n
    for k, i in enumerate(order):
        out[int(i)] = k % FOLDS
    return out


@dataclass
class Reads:
    """The labelled questions as the assistant reads them, each read once: the judgements trained
    on them (full, keyword-only, without the bank) each search them their own way. With the bank
    fitted without each fold, fitted when first needed and shared by those judgements (a fit takes
    seconds, and the same questions give the same fit); ``cache_dir``: where those fits are kept
    between runs (:func:`index.bank.fit_cached`; None: fitted each time)."""

    snap: Any
    read: list[tuple[Item, Reading, AnswerContext]]
    fold_of: list[int]
    cache_dir: Path | None = None
    fitted: dict[int, BankIndex] = field(default_factory=dict)
    #: The bank questions' words, read once for all the fits (each fit reads four fifths of them).
    tokens: dict[str, list[str]] = field(default_factory=dict)

    def bank_tokens(self, text: str) -> list[str]:
        """The searcher's :meth:`~index.hybrid.HybridSearcher.bank_tokens`, remembered."""
        if text not in self.tokens:
            self.tokens[text] = self.snap.searcher.bank_tokens(text)
        return self.tokens[text]

    def bank_without(self, item: Item) -> BankIndex | None:
        """The bank fitted without the fold of a bank question (None for a tuning question)."""
        bank = self.snap.searcher.bank
        if item.source != "bank" or bank is None:
            return None
        k = self.fold_of[int(item.id.removeprefix("bank-"))]
        if k not in self.fitted:
            keep = [j for j, f in enumerate(self.fold_of) if f != k]
            self.fitted[k] = bank.subset(keep, self.bank_tokens, self.cache_dir)
        return self.fitted[k]


def read_all(assistant: Assistant, with_bank: bool = True, cache_dir: Path | None = None) -> Reads:
    """The labelled questions (the bank's too, ``with_bank``) that the assistant answers by
    judging retrieval, read by the assistant; ``cache_dir``: see :class:`Reads`."""
    snap = assistant.index.snapshot()
    bank = snap.searcher.bank
    items = tuning_items(assistant)
    fold_of: list[int] = []
    if with_bank and bank is not None:
        bank_part = bank_items(bank)
        fold_of = folds(len(bank_part))
        items += bank_part
    read = [(item, *assistant.read(item.question, item.history, snap=snap)) for item in items]
    kept = [
        (item, r, ctx)
        for item, r, ctx in read
        if r is not None and r.intent in JUDGED_INTENTS and not r.targets
    ]
    return Reads(snap, kept, fold_of, cache_dir)


def cases(
    assistant: Assistant,
    names: Names = FULL,
    with_bank: bool = True,
    use_bank: bool = True,
    reads: Reads | None = None,
) -> list[Case]:
    """The labelled questions that the assistant answers by judging retrieval, each with its
    candidates as the assistant's judgement sees them (``names``: the full judgement's signals, or
    the keyword-only judgement's, :data:`LEXICAL`). A bank question is judged with the bank fitted
    without its fold; ``use_bank=False``: searched and judged without the bank (the judgement of a
    plan that has none). ``reads``: the questions already read (:func:`read_all`; else read here)."""
    if reads is None:
        reads = read_all(assistant, with_bank)
    embed = names == FULL
    if embed:  # the questions embedded by batches first (each is then read from the cache)
        searcher = reads.snap.searcher
        searcher.embedder.prime(
            [searcher.dense_query(r.search_query, searcher.analyse(r.search_query)) for _, r, _ in reads.read]
        )
    out: list[Case] = []
    for item, r, ctx in reads.read:
        # Without the bank, the search reads no bank: no fit of it is needed.
        own_bank = reads.bank_without(item) if use_bank else None
        judgement = ctx.candidates(r, embed=embed, bank=own_bank, use_bank=use_bank)
        case = Case(
            item.id, item.source, item.coverage, r, judged=judgement.judged, bank=judgement.result.bank
        )
        for j in judgement.judged:
            case.relevant.append(j.hit.ref in item.expected)
            case.first.append(j.hit.ref in item.first)
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


def _rejudged(case: Case, probs: np.ndarray) -> list[Judged]:
    """The case's candidates with these probabilities, best first (as the judge sorts them)."""
    judged = [Judged(j.hit, j.features, float(p)) for j, p in zip(case.judged, probs, strict=True)]
    judged.sort(key=lambda j: -j.p)
    return judged


def _question_rows(data: list[Case], probs: list[np.ndarray], names: tuple[str, ...]) -> np.ndarray:
    rows = []
    for case, p in zip(data, probs, strict=True):
        qf = question_features(case.reading, _rejudged(case, p), case.bank)
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
    fold_of = folds(len(data))
    cand: list[np.ndarray] = [np.zeros(0)] * len(data)
    covered = np.zeros(len(data))
    for k in range(FOLDS):
        train = [c for i, c in enumerate(data) if fold_of[i] != k]
        candidate, question = _fit_all(train, names)
        for i, c in enumerate(data):
            if fold_of[i] == k:
                cand[i] = predict(candidate, np.array(c.x)) if c.x else np.zeros(0)
                covered[i] = predict(question, _question_rows([c], [cand[i]], names[1]))[0]
    return cand, covered


@dataclass
class Outcome:
    """What the bars give on one question, through the assistant's own decision: strictly right?,
    irrelevant citations, confidently wrong (asserted, and wrong: :func:`~assistant.coverage.asserts`), false confidence (a
    question the plans do not answer, or answer only in part, answered complete), a covered question
    refused, and the probability of its first action (for calibration)."""

    ok: bool
    irrelevant: int
    confidently_wrong: bool
    false_confidence: bool
    refused: bool
    first_p: float | None = None
    first_ok: bool | None = None


def model_with(bars: dict[str, float]) -> RelevanceModel:
    """A model that only carries bars: what :func:`decide_coverage` reads."""
    m = RelevanceModel.untrained()
    for k, v in bars.items():
        setattr(m, k, v)
    return m


@dataclass
class Replay:
    """A question's candidates with their out-of-fold probabilities, best first, ready to be decided
    again under other bars."""

    case: Case
    judged: list[Judged]
    covered: float
    relevant: frozenset[str]
    first: frozenset[str]


def replays(data: list[Case], cand: list[np.ndarray], covered: np.ndarray) -> list[Replay]:
    return [
        Replay(
            c,
            _rejudged(c, p),
            float(v),
            frozenset(j.hit.ref for j, ok in zip(c.judged, c.relevant, strict=True) if ok),
            frozenset(j.hit.ref for j, ok in zip(c.judged, c.first, strict=True) if ok),
        )
        for c, p, v in zip(data, cand, covered, strict=True)
    ]


def outcome(r: Replay, model: RelevanceModel) -> Outcome:
    """The assistant's decision on one question, replayed with these probabilities and bars."""
    c = r.case
    decision = decide_coverage(c.reading, Judgement(None, r.judged, {}, r.covered), model)  # type: ignore[arg-type]
    cited = [x.hit.ref for x in decision.primary + decision.related] if decision.coverage != "none" else []
    wrong = sum(1 for ref in cited if ref not in r.relevant)
    first_ok = bool(cited) and cited[0] in r.first
    first_p = decision.primary[0].p if decision.coverage != "none" and decision.primary else None
    asserted = asserts(decision.coverage, decision.sure)
    if c.coverage == "none":
        return Outcome(
            decision.coverage == "none",
            wrong,
            asserted,
            decision.coverage == "complete",
            False,
            first_p,
            False,
        )
    right_coverage = decision.coverage == c.coverage
    return Outcome(
        right_coverage and first_ok and wrong <= 1,
        wrong,
        asserted and not first_ok,
        c.coverage == "partial" and decision.coverage == "complete",
        decision.coverage == "none",
        first_p,
        first_ok,
    )


def outcomes(replayed: list[Replay], bars: dict[str, float]) -> list[Outcome]:
    model = model_with(bars)
    return [outcome(r, model) for r in replayed]


#: The fields of an outcome that the measures count.
COUNTED = ("ok", "irrelevant", "confidently_wrong", "false_confidence", "refused")


@dataclass
class Counts:
    """The counted fields of the outcomes of many questions, an array each (one entry a question):
    the grids measure thousands of bars, each summed in numpy rather than question by question."""

    ok: np.ndarray
    irrelevant: np.ndarray
    confidently_wrong: np.ndarray
    false_confidence: np.ndarray
    refused: np.ndarray

    @classmethod
    def of(cls, results: Sequence[Outcome]) -> Counts:
        return cls(*(np.array([getattr(o, f) for o in results], dtype=np.int64) for f in COUNTED))

    def where(self, mask: np.ndarray, other: Counts) -> Counts:
        """``other``'s outcome for the questions in ``mask``, this one's for the others."""
        return Counts(*(np.where(mask, getattr(other, f), getattr(self, f)) for f in COUNTED))


@dataclass
class Groups:
    """Which questions each measure counts (boolean masks): all, or one source's (the sources that
    have questions, in :data:`SOURCES`' order); those not answered complete; those covered."""

    parts: list[tuple[str, np.ndarray]]
    unanswered: np.ndarray
    covered: np.ndarray

    @classmethod
    def of(cls, data: list[Case]) -> Groups:
        parts = [("", np.ones(len(data), dtype=bool))]
        for source in SOURCES:
            mine = np.array([c.source == source for c in data], dtype=bool)
            if mine.any():
                parts.append((f"{source}_", mine))
        return cls(
            parts,
            np.array([c.coverage != "complete" for c in data], dtype=bool),
            np.array([c.coverage != "none" for c in data], dtype=bool),
        )


def summarise(data: list[Case], results: Sequence[Outcome]) -> dict[str, float]:
    """The measures of these answers, for all questions and for each source."""
    return summary(Groups.of(data), Counts.of(results))


def summary(groups: Groups, counts: Counts) -> dict[str, float]:
    """:func:`summarise`, on the questions' groups and counts made once."""
    out: dict[str, float] = {}
    for prefix, mine in groups.parts:
        for k, v in _measures(mine, groups, counts).items():
            out[f"{prefix}{k}"] = v
    return out


def _measures(mine: np.ndarray, groups: Groups, counts: Counts) -> dict[str, float]:
    # Integer sums, then Python's division: the figures the sums over the outcomes gave, exactly.
    def total(values: np.ndarray, where: np.ndarray) -> int:
        return int(values[where].sum())

    n = int(mine.sum())
    unanswered = mine & groups.unanswered
    covered = mine & groups.covered
    return {
        "strict": total(counts.ok, mine) / max(1, n),
        "irrelevant": total(counts.irrelevant, mine) / max(1, n),
        "confidently_wrong": total(counts.confidently_wrong, mine) / max(1, n),
        "false_confidence": total(counts.false_confidence, unanswered) / max(1, int(unanswered.sum())),
        "refused": total(counts.refused, covered) / max(1, int(covered.sum())),
        "questions": n,
    }


def score(m: dict[str, float]) -> float:
    """What the bars are chosen for: the tuning set and the bank weigh equally."""

    def one(prefix: str) -> float:
        if f"{prefix}strict" not in m:
            return 0.0
        return (
            m[f"{prefix}strict"]
            - CONFIDENTLY_WRONG_COST * m[f"{prefix}confidently_wrong"]
            - 0.5 * m[f"{prefix}false_confidence"]
            - 0.25 * m[f"{prefix}refused"]
            - 0.1 * m[f"{prefix}irrelevant"]
        )

    parts = [one(f"{s}_") for s in SOURCES if f"{s}_strict" in m]
    return sum(parts) / len(parts) if parts else one("")


def strictness(data: list[Case], replayed: list[Replay], bars: dict[str, float]) -> dict[str, float]:
    """The measures that the bars give on these questions."""
    return summarise(data, outcomes(replayed, bars))


class Replayer:
    """The questions decided again under many bars, each decision made once per question and per
    what the bars can change in it.

    :func:`~assistant.coverage.decide_coverage` reads the bars only by comparing them: ``covered``
    with the question's covered probability; ``cite``, ``related`` and ``sure`` with its
    candidates' probabilities; ``sure_gap`` with the difference of two of them (or one, when there
    is no second); ``ratio`` times one of them with the others. So two bars that fall between the
    same two of a question's values decide it the same: the key of a decision is where each bar
    falls among them (``ratio`` as it is), and a grid's thousands of bars make a few decisions per
    question, each made by the assistant's own rule."""

    def __init__(self, data: list[Case], replayed: list[Replay]):
        self.replayed = replayed
        self.groups = Groups.of(data)
        self.values = [sorted(j.p for j in r.judged) for r in replayed]
        self.gaps = [sorted({a - b for a in ps for b in [*ps, 0.0]}) for ps in self.values]
        self.made: list[dict[tuple[float, ...], Outcome]] = [{} for _ in replayed]

    def key(self, i: int, bars: dict[str, float]) -> tuple[float, ...]:
        """What of ``bars`` the decision on question ``i`` depends on."""
        r, ps = self.replayed[i], self.values[i]
        if not r.judged or r.covered < bars["covered"]:
            return ()  # not covered: nothing is cited, whatever the other bars
        return (
            bisect_left(ps, bars["cite"]),
            bisect_left(ps, bars["related"]),
            bisect_left(ps, bars["sure"]),
            bisect_left(self.gaps[i], bars["sure_gap"]),
            bars["ratio"],
        )

    def outcomes(self, bars: dict[str, float]) -> list[Outcome]:
        """:func:`outcomes` under these bars."""
        model = model_with(bars)
        out = []
        for i, r in enumerate(self.replayed):
            key = self.key(i, bars)
            made = self.made[i].get(key)
            if made is None:
                made = self.made[i][key] = outcome(r, model)
            out.append(made)
        return out

    def measures(self, bars: dict[str, float]) -> dict[str, float]:
        """:func:`strictness` under these bars."""
        return summary(self.groups, Counts.of(self.outcomes(bars)))


def choose_bars(data: list[Case], replayed: list[Replay]) -> tuple[dict[str, float], dict[str, float]]:
    """The bars that score best out of fold (:func:`score`): first what is cited and when the plans
    are said not to answer, then when an answer asserts."""
    replayer = Replayer(data, replayed)
    grid = {
        "covered": [0.3, 0.4, 0.5, 0.6, 0.7],
        "cite": [0.2, 0.3, 0.4, 0.5, 0.6],
        "related": [0.4, 0.5, 0.6, 0.7, 1.01],
        "ratio": [0.3, 0.5, 0.7, 0.85],
    }
    best: tuple[float, dict[str, float], dict[str, float]] | None = None
    for values in itertools.product(*grid.values()):
        bars = {**dict(zip(grid, values, strict=True)), "sure": 0.0, "sure_gap": 0.0}
        if bars["related"] < bars["cite"]:
            continue
        m = replayer.measures(bars)
        if best is None or score(m) > best[0]:
            best = (score(m), bars, m)
    assert best is not None
    base = best[1]
    for sure, gap in itertools.product(
        [0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9], [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]
    ):
        bars = {**base, "sure": sure, "sure_gap": gap}
        m = replayer.measures(bars)
        if score(m) > best[0]:
            best = (score(m), bars, m)
    return best[1], best[2]


def calibration(results: Sequence[Outcome], bins: int = 5) -> dict[str, Any]:
    """How often the first action is right against the probability the judge gave it: per bin, and
    the expected calibration error (the mean gap, weighted by the bins' sizes)."""
    pairs = [(o.first_p, o.first_ok) for o in results if o.first_p is not None and o.first_ok is not None]
    return calibration_of(pairs, bins)


def calibration_of(pairs: Sequence[tuple[float, bool]], bins: int = 5) -> dict[str, Any]:
    rows = []
    ece = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        mine = [(p, ok) for p, ok in pairs if lo <= p < hi or (b == bins - 1 and p == 1.0)]
        if not mine:
            continue
        said = sum(p for p, _ in mine) / len(mine)
        right = sum(ok for _, ok in mine) / len(mine)
        ece += len(mine) / len(pairs) * abs(said - right)
        rows.append(
            {
                "bin": f"{lo:.1f}–{hi:.1f}",
                "n": len(mine),
                "predicted": round(said, 3),
                "right": round(right, 3),
            }
        )
    return {"bins": rows, "ece": round(ece, 4) if pairs else math.nan, "n": len(pairs)}


def choose_gate(
    full: list[Case],
    replayed: list[Replay],
    lexical: list[Replay],
    lcand: list[np.ndarray],
    lcovered: np.ndarray,
    bars: dict[str, float],
) -> tuple[dict[str, float], dict[str, float]]:
    """The gate's bars that settle the most questions on their keywords alone while the answers,
    out of fold, keep the full judgement's strict accuracy, confident errors, false confidence,
    refusals and (within a hundredth per answer) irrelevant citations, and no more than
    :data:`MAX_LOSSES` of the questions get a worse answer (gains elsewhere do not buy losses). Out
    of reach (the gate off) when none does."""
    mine = outcomes(replayed, bars)
    keyword = outcomes(lexical, bars)
    groups = Groups.of(full)
    counted, keyword_counted = Counts.of(mine), Counts.of(keyword)
    reference = summary(groups, counted)
    # Whether each question's keyword-only answer is worse does not depend on the gate: once.
    lost = np.array([worse(f, k) for f, k in zip(mine, keyword, strict=True)], dtype=bool)
    tops = best_two(lcand)
    grid = {
        "best": [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 1.01],
        "gap": [0.0, 0.1, 0.2, 0.3, 0.4, 0.6, 0.8],
        "covered": [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 1.01],
        "none": [-1.0, 0.02, 0.05, 0.1, 0.2],
    }
    off = {"best": 1.01, "gap": 0.0, "covered": 1.01, "none": -1.0}
    chosen: tuple[dict[str, float], dict[str, float]] = (off, {**reference, "settled": 0, "worse": 0})
    for values in itertools.product(*grid.values()):
        g = dict(zip(grid, values, strict=True))
        m = _gated(groups, counted, keyword_counted, lost, settles(g, lcand, lcovered, tops))
        kept = (
            m["strict"] >= reference["strict"]
            and m["confidently_wrong"] <= reference["confidently_wrong"]
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
    lost = np.array([worse(f, k) for f, k in zip(full, keywords, strict=True)], dtype=bool)
    return _gated(Groups.of(data), Counts.of(full), Counts.of(keywords), lost, settled)


def _gated(
    groups: Groups, full: Counts, keywords: Counts, lost: np.ndarray, settled: np.ndarray
) -> dict[str, float]:
    """:func:`gated`, on counts made once; ``lost``: whether each question's keyword-only answer
    is :func:`worse`."""
    chosen = full.where(settled, keywords)
    losses = int(np.count_nonzero(lost & settled))
    return {**summary(groups, chosen), "settled": int(settled.sum()), "worse": losses}


def best_two(lcand: list[np.ndarray]) -> list[tuple[float, float]]:
    """Each question's two best candidates' probabilities (0 when absent)."""
    tops = ([*sorted(map(float, p), reverse=True)[:2], 0.0, 0.0] for p in lcand)
    return [(t[0], t[1]) for t in tops]


def settles(
    gate: dict[str, float],
    lcand: list[np.ndarray],
    lcovered: np.ndarray,
    tops: list[tuple[float, float]] | None = None,
) -> np.ndarray:
    """Which questions the gate's bars settle on their keywords alone (the assistant's rule);
    ``tops``: :func:`best_two` of ``lcand``, when already made."""
    if tops is None:
        tops = best_two(lcand)
    covered = lcovered.tolist()  # Python floats, as float() of each gave
    return np.array(
        [gate_settles(gate, v, best, second) for v, (best, second) in zip(covered, tops, strict=True)],
        dtype=bool,
    )


def worse(full: Outcome, keywords: Outcome) -> bool:
    """The keyword-only answer is worse than the full one: no longer strictly right, asserted and
    wrong, falsely confident, refusing, or citing more that is irrelevant."""
    return (
        (full.ok and not keywords.ok)
        or (keywords.confidently_wrong and not full.confidently_wrong)
        or (keywords.false_confidence and not full.false_confidence)
        or (keywords.refused and not full.refused)
        or keywords.irrelevant > full.irrelevant
    )


def plain_cases(assistant: Assistant, reads: Reads | None = None) -> list[Case]:
    """The labelled questions as a plan without a bank is judged: searched without the bank, its
    signals left out."""
    keep = [FEATURES.index(f) for f in PLAIN_FEATURES]
    return [
        replace(c, x=[[row[i] for i in keep] for row in c.x])
        for c in cases(assistant, use_bank=False, reads=reads)
    ]


def plain_model(plain: list[Case]) -> tuple[RelevanceModel, dict[str, float]]:
    """The judgement without the bank (for a plan that has no bank yet), its bars chosen as the full
    judgement's are, fitted on every case (:func:`plain_cases`), and its figures out of fold."""
    cand, covered = out_of_fold(plain, PLAIN)
    bars, measured = choose_bars(plain, replays(plain, cand, covered))
    candidate, question = _fit_all(plain, PLAIN)
    model = replace(
        model_with(bars),
        candidate=as_logistic(PLAIN_FEATURES, candidate),
        question=as_logistic(PLAIN_QUESTION_FEATURES, question),
    )
    return model, measured


def _aligned(full: list[Case], lexical: list[Case]) -> None:
    if [c.id for c in full] != [c.id for c in lexical]:
        raise RuntimeError("les deux judgements n'ont pas lu les mêmes questions")


def train(assistant: Assistant, output: Path = MODEL_FILE, cache_dir: Path | None = None) -> dict[str, Any]:
    """The judge learned (see the module's docstring), saved in ``output``; ``cache_dir``: where the
    bank's fits without each fold are kept between runs (None: fitted each time)."""
    reads = read_all(assistant, cache_dir=cache_dir)
    data = cases(assistant, reads=reads)
    cand, covered = out_of_fold(data)
    replayed = replays(data, cand, covered)
    bars, measured = choose_bars(data, replayed)
    candidate, question = _fit_all(data, FULL)
    lexical = cases(assistant, LEXICAL, reads=reads)
    _aligned(data, lexical)
    lcand, lcovered = out_of_fold(lexical, LEXICAL)
    gate_bars, gated_m = choose_gate(data, replayed, replays(lexical, lcand, lcovered), lcand, lcovered, bars)
    lcandidate, lquestion = _fit_all(lexical, LEXICAL)
    gate = LexicalGate(
        as_logistic(LEXICAL_FEATURES, lcandidate),
        as_logistic(LEXICAL_QUESTION_FEATURES, lquestion),
        **gate_bars,
    )
    plain, plain_m = plain_model(plain_cases(assistant, reads))
    model = RelevanceModel(
        as_logistic(FEATURES, candidate),
        as_logistic(QUESTION_FEATURES, question),
        **bars,
        lexical=gate,
        plain=plain,
    )
    info = {
        "questions": len(data),
        "questions_by_source": {s: sum(1 for c in data if c.source == s) for s in SOURCES},
        "pairs": sum(len(c.x) for c in data),
        "out_of_fold": {k: round(v, 4) for k, v in measured.items()},
        "keywords_alone_out_of_fold": {k: round(v, 4) for k, v in gated_m.items()},
        "without_bank_out_of_fold": {k: round(v, 4) for k, v in plain_m.items()},
        "without_bank_bars": plain.bars(),
        "calibration_out_of_fold": calibration(outcomes(replayed, bars)),
    }
    model.save(output, info)
    return {"model": str(output), **info, "bars": bars, "gate": gate_bars}


def measure(assistant: Assistant, model: RelevanceModel) -> dict[str, Any]:
    """The bars of ``model``, and its gate's, replayed out of fold on the tuning set and the bank."""
    reads = read_all(assistant)
    data = cases(assistant, reads=reads)
    cand, covered = out_of_fold(data)
    bars = model.bars()
    results = outcomes(replays(data, cand, covered), bars)
    result: dict[str, Any] = {
        "bars": bars,
        "out_of_fold": summarise(data, results),
        "calibration_out_of_fold": calibration(results),
    }
    if model.plain is not None:
        plain = plain_cases(assistant, reads)
        pcand, pcovered = out_of_fold(plain, PLAIN)
        result["without_bank_out_of_fold"] = summarise(
            plain, outcomes(replays(plain, pcand, pcovered), model.plain.bars())
        )
    if model.lexical is not None:
        lexical = cases(assistant, LEXICAL, reads=reads)
        _aligned(data, lexical)
        lcand, lcovered = out_of_fold(lexical, LEXICAL)
        result["gate"] = model.lexical.bars()
        result["keywords_alone_out_of_fold"] = gated(
            data,
            results,
            outcomes(replays(lexical, lcand, lcovered), bars),
            settles(model.lexical.bars(), lcand, lcovered),
        )
    return result
