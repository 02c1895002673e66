"""Is this action an answer to this question, and do the plans answer the question at all? Each
candidate that retrieval brings is judged on its own, not only ranked; then the question as a
whole. Two small logistic models over signals computed here (no model to download), learned on the
tuning set by ``plan-assistant eval relevance --train`` and read from ``relevance.json``.

The signals of a candidate (:data:`FEATURES`):

- ``dense``: cosine similarity of the question to the action (its text and its objective's title),
  and ``dense_gap``, how far it is below the best action's;
- ``objective``: similarity of the question to the action's objective (title, visées, units);
- ``core`` / ``full``: BM25 of the action's own words, and of its text with context, relative to the
  best candidate's (``core_abs``: its own words' score, damped);
- ``cover_own`` / ``cover_full``: how much of the question's subject (its content words, weighted by
  rarity) the action's own words (its text, notes and results, with the lexicon's everyday words for
  them), or its text with context, contain;
- ``concepts``: the share of the lexicon's concepts the question names that the action speaks of;
- ``rank``, ``fused``: its place and score in the hybrid ranking, relative to the first;
- ``plan_named`` / ``plan_other``: the question names this action's plan / another plan;
- ``section``: the candidate is prose (a section, a role, a timeline, a principle), not an action.

The signals of the question (:data:`QUESTION_FEATURES`): the best candidate's probability, dense
similarity, subject coverage and own-words BM25; whether it names a municipal service the plans do
not cover (``out_of_scope.yaml``); the share of its words the plans and the lexicon do not know; how
many lexicon concepts and subject words it has.

Embedding the question is three quarters of what a new question costs. So the judge first reads
the candidates of the question's keywords alone with a second pair of models learned without the
dense signals (:class:`LexicalGate`); when they settle the question (a clear best answer, or
clearly nothing), the question is not embedded. The gate's bars are chosen on the tuning set so
that the answers stay those of the full judgement (``plan-assistant eval relevance --train``).

The bank's signals speak against a plan that has no bank yet (a plan just added): a question that
names such a plan, or whose first candidates in the search are from one, is judged by a third pair
of models learned without them, with its own bars (:attr:`RelevanceModel.plain`).
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.normalize import ENGLISH_FUNCTION_WORDS
from assistant.reading import Reading
from corpus import Corpus, Kind
from corpus.bank import HORS_PLAN
from corpus.model import PROSE, Action, Node, Plan
from index.analysis import analyze
from index.bank import BankIndex, BankScores
from index.hybrid import Hit, HybridSearcher, SearchResult
from index.query import QueryAnalysis

MODEL_FILE = Path(__file__).with_name("relevance.json")
FEATURES: tuple[str, ...] = (
    "dense",
    "dense_gap",
    "objective",
    "core",
    "full",
    "core_abs",
    "cover_own",
    "cover_full",
    "concepts",
    "rank",
    "fused",
    "plan_named",
    "plan_other",
    "section",
    "bank_dense",
    "bank_kw",
    "bank_near",
    "bank_near_gap",
    "bank_rank",
)
#: The signals that need the question embedded.
DENSE_FEATURES = frozenset(
    {
        "dense",
        "dense_gap",
        "objective",
        "best_dense",
        "bank_dense",
        "bank_near",
        "bank_near_gap",
        "bank_hors",
        "bank_near_plan",
        "bank_near_hors",
    }
)
QUESTION_FEATURES: tuple[str, ...] = (
    "best_p",
    "best_dense",
    "best_cover",
    "best_core",
    "out_topic",
    "unknown",
    "concepts_n",
    "subject_n",
    "bank_hors",
    "bank_hors_kw",
    "bank_near_plan",
    "bank_near_hors",
)
LEXICAL_FEATURES = tuple(f for f in FEATURES if f not in DENSE_FEATURES)
LEXICAL_QUESTION_FEATURES = tuple(f for f in QUESTION_FEATURES if f not in DENSE_FEATURES)
#: The signals of a judgement without the question bank: for a plan that has no bank yet.
PLAIN_FEATURES = tuple(f for f in FEATURES if not f.startswith("bank_"))
PLAIN_QUESTION_FEATURES = tuple(f for f in QUESTION_FEATURES if not f.startswith("bank_"))
#: A question is judged without the bank when one of its first candidates in the search is from a
#: plan the bank has no question about (or it names such a plan).
BANKLESS_FIRST = 3


@dataclass
class Logistic:
    """A logistic model on standardised signals."""

    names: tuple[str, ...]
    weights: dict[str, float]
    bias: float
    mean: dict[str, float] = field(default_factory=dict)
    scale: dict[str, float] = field(default_factory=dict)

    @classmethod
    def zero(cls, names: tuple[str, ...]) -> Logistic:
        return cls(names, {n: 0.0 for n in names}, 0.0)

    @classmethod
    def from_dict(cls, names: tuple[str, ...], data: dict[str, object], where: str) -> Logistic:
        weights = dict(data["weights"])  # type: ignore[call-overload]
        missing = [n for n in names if n not in weights]
        if missing:
            raise ValueError(
                f"{where} : poids manquants pour {missing}; relancez « plan-assistant eval relevance --train »"
            )
        return cls(
            names,
            weights,
            float(data["bias"]),  # type: ignore[arg-type]
            dict(data.get("mean", {})),  # type: ignore[call-overload]
            dict(data.get("scale", {})),  # type: ignore[call-overload]
        )

    def as_dict(self) -> dict[str, object]:
        r = {n: round(v, 6) for n, v in self.weights.items()}
        return {
            "weights": r,
            "bias": round(self.bias, 6),
            "mean": {n: round(v, 6) for n, v in self.mean.items()},
            "scale": {n: round(v, 6) for n, v in self.scale.items()},
        }

    def probability(self, x: dict[str, float]) -> float:
        z = self.bias + sum(
            self.weights[n] * (x[n] - self.mean.get(n, 0.0)) / (self.scale.get(n, 1.0) or 1.0)
            for n in self.names
        )
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def gate_settles(bars: dict[str, float], covered: float, best: float, second: float) -> bool:
    """The gate's rule (:class:`LexicalGate`), on a keyword-only judgement's covered probability and
    its two best candidates' probabilities (0 when absent)."""
    if covered <= bars["none"]:
        return True
    return covered >= bars["covered"] and best >= bars["best"] and best - second >= bars["gap"]


@dataclass
class LexicalGate:
    """Models of the keyword-only judgement (no dense signal) and the bars at which it settles a
    question without embedding it: a best candidate at ``best`` or above, ``gap`` above the second,
    and a covered probability at ``covered`` or above; or a covered probability at ``none`` or
    below (the plans do not answer it). Bars out of reach turn the gate off."""

    candidate: Logistic
    question: Logistic
    best: float = 1.01
    gap: float = 0.0
    covered: float = 1.01
    none: float = -1.0

    def settles(self, j: Judgement) -> bool:
        second = j.judged[1].p if len(j.judged) > 1 else 0.0
        return gate_settles(self.bars(), j.covered, j.best, second)

    def bars(self) -> dict[str, float]:
        return {"best": self.best, "gap": self.gap, "covered": self.covered, "none": self.none}

    @classmethod
    def from_dict(cls, data: dict[str, object], where: str) -> LexicalGate:
        bars = dict(data["bars"])  # type: ignore[call-overload]
        return cls(
            Logistic.from_dict(LEXICAL_FEATURES, data["candidate"], f"{where} (lexical.candidate)"),  # type: ignore[arg-type]
            Logistic.from_dict(LEXICAL_QUESTION_FEATURES, data["question"], f"{where} (lexical.question)"),  # type: ignore[arg-type]
            **{k: float(v) for k, v in bars.items()},
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "candidate": self.candidate.as_dict(),
            "question": self.question.as_dict(),
            "bars": self.bars(),
        }


@dataclass
class RelevanceModel:
    candidate: Logistic
    question: Logistic
    #: Below ``covered``, the plans do not answer the question (nothing is cited).
    covered: float = 0.5
    #: A candidate is cited at ``cite`` or above (the best one always, when the question is covered);
    #: between ``related`` and ``cite``, it may be shown under « Voir aussi ».
    cite: float = 0.5
    related: float = 0.35
    #: Primary citations stay within this ratio of the best candidate's probability.
    ratio: float = 0.5
    #: An answer asserts its best action only at ``sure`` or above, ``sure_gap`` above the next one
    #: (:func:`assistant.coverage.is_sure`); below, it says what is closest.
    sure: float = 0.0
    sure_gap: float = 0.0
    #: The keyword-only judgement tried first (None: every question is embedded).
    lexical: LexicalGate | None = None
    #: The judgement without the bank's signals, with its own bars, for a question about a plan
    #: that has no bank yet (None: every question judged with the bank).
    plain: RelevanceModel | None = None

    @classmethod
    def untrained(cls) -> RelevanceModel:
        return cls(Logistic.zero(FEATURES), Logistic.zero(QUESTION_FEATURES))

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> RelevanceModel:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls.from_dict(data, str(path))

    @classmethod
    def from_dict(
        cls, data: dict[str, Any], where: str, names: tuple[tuple[str, ...], tuple[str, ...]] | None = None
    ) -> RelevanceModel:
        candidate, question = names or (FEATURES, QUESTION_FEATURES)
        bars = data["bars"]
        return cls(
            Logistic.from_dict(candidate, data["candidate"], f"{where} (candidate)"),
            Logistic.from_dict(question, data["question"], f"{where} (question)"),
            covered=bars["covered"],
            cite=bars["cite"],
            related=bars["related"],
            ratio=bars["ratio"],
            sure=bars.get("sure", 0.0),
            sure_gap=bars.get("sure_gap", 0.0),
            lexical=LexicalGate.from_dict(data["lexical"], where) if "lexical" in data else None,
            plain=(
                cls.from_dict(data["plain"], f"{where} (plain)", (PLAIN_FEATURES, PLAIN_QUESTION_FEATURES))
                if "plain" in data
                else None
            ),
        )

    def bars(self) -> dict[str, float]:
        return {
            "covered": self.covered,
            "cite": self.cite,
            "related": self.related,
            "ratio": self.ratio,
            "sure": self.sure,
            "sure_gap": self.sure_gap,
        }

    def as_dict(self) -> dict[str, object]:
        return {
            "candidate": self.candidate.as_dict(),
            "question": self.question.as_dict(),
            "bars": self.bars(),
            **({"lexical": self.lexical.as_dict()} if self.lexical is not None else {}),
            **({"plain": self.plain.as_dict()} if self.plain is not None else {}),
        }

    def of(self, j: Judgement) -> RelevanceModel:
        """The model (and bars) that judged ``j``: the plain one when it was judged without the bank."""
        return self.plain if j.bankless and self.plain is not None else self

    def save(self, path: Path = MODEL_FILE, info: dict[str, object] | None = None) -> None:
        data = {**self.as_dict(), **({"trained": info} if info else {})}
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _coverage(
    words: Sequence[str],
    present: frozenset[str],
    idf: dict[str, float],
    meanings: dict[str, list[frozenset[str]]] | None = None,
) -> float:
    """The share of the subject's words (weighted by rarity) that a candidate contains, in the same
    words or, for a word that named a lexicon concept (« homelessness »), in the plans' words for it."""
    if not words:
        return 0.0
    meanings = meanings or {}

    def covered(w: str) -> bool:
        return w in present or any(m & present for m in meanings.get(w, ()))

    total = sum(idf.get(w, 4.0) for w in words)
    return sum(idf.get(w, 4.0) for w in words if covered(w)) / total if total else 0.0


def own_words(plan: Plan, node: Node, searcher: HybridSearcher) -> frozenset[str]:
    """A node's own words: its text (with the stem it continues), notes and results/indicators,
    and the lexicon's everyday words for the concepts they speak of."""
    parts = [node.title, node.text, *(f.text for f in getattr(node, "footnotes", ()))]
    if isinstance(node, Action) and node.continues:
        first = plan.action(node.continues)
        if first is not None:
            parts.append(first.text.split(":", 1)[0])
    parts += [f"{c.title} {c.text}" for c in plan.children(node.id) if c.kind == Kind.INDICATEUR]
    tokens = analyze(" ".join(parts), accents=searcher.analyser.accents)
    return frozenset(tokens + searcher.lexicon.document_expansion(tokens))


def features(
    r: Reading,
    result: SearchResult,
    searcher: HybridSearcher,
    hits: Sequence[Hit],
    own: dict[str, frozenset[str]],
) -> list[dict[str, float]]:
    """The signals of each candidate (see the module's docstring)."""
    qa = result.analysis
    sims = result.similarities
    idf = searcher.keywords.full.idf
    subject = [qa.corrections.get(w, w) for w in r.subject] or [qa.corrections.get(w, w) for w in qa.words]
    concepts = [set(c.expansion) for c in searcher.lexicon.concepts if c.id in qa.concepts]
    meanings: dict[str, list[frozenset[str]]] = {}
    for c in searcher.lexicon.concepts:
        for w in qa.concept_words.get(c.id, ()):
            meanings.setdefault(w, []).append(frozenset(c.expansion))
    positions = [searcher.by_id[h.doc_id] for h in hits]
    actions = [i for i, d in enumerate(searcher.docs) if d.metadata["kind"] == "action"]
    best_dense = float(max(sims[actions])) if sims is not None and actions else 0.0
    top_core = max((h.signals.get("core", 0.0) for h in hits), default=0.0) or 1.0
    top_full = max((h.signals.get("bm25", 0.0) for h in hits), default=0.0) or 1.0
    top_score = hits[0].score if hits else 1.0
    named = set(r.plans)
    bank = result.bank
    bank_order = {ref: i for i, (ref, _) in enumerate(bank.ranked(len(bank.classes)))} if bank else {}
    best_near = float(bank.near.max()) if bank is not None and bank.near is not None else 0.0
    out = []
    for rank, (h, i) in enumerate(zip(hits, positions, strict=True)):
        words = own.get(h.ref, searcher.core_words[i])
        dense = h.signals.get("dense", 0.0)
        objective = dense
        if sims is not None:
            obj = searcher.objective_position(i)
            objective = float(sims[obj]) if obj is not None else dense
        out.append(
            {
                "dense": dense,
                "dense_gap": dense - best_dense,
                "objective": objective,
                "core": h.signals.get("core", 0.0) / top_core,
                "full": h.signals.get("bm25", 0.0) / top_full,
                "core_abs": math.log1p(h.signals.get("core", 0.0)),
                "cover_own": _coverage(subject, words, idf, meanings),
                "cover_full": _coverage(subject, searcher.full_words[i], idf, meanings),
                "concepts": (sum(1 for c in concepts if c & words) / len(concepts)) if concepts else 0.0,
                "rank": 1.0 / (1 + rank),
                "fused": h.score / top_score if top_score else 0.0,
                "plan_named": 1.0 if h.plan_id in named else 0.0,
                "plan_other": 1.0 if named and h.plan_id not in named else 0.0,
                "section": 1.0 if h.kind in PROSE else 0.0,
                "bank_dense": bank.dense_p(h.ref) if bank is not None else 0.0,
                "bank_kw": bank.keyword_p(h.ref) if bank is not None else 0.0,
                "bank_near": bank.near_sim(h.ref) if bank is not None else 0.0,
                "bank_near_gap": (bank.near_sim(h.ref) - best_near) if bank is not None else 0.0,
                "bank_rank": 1.0 / (1 + bank_order[h.ref]) if h.ref in bank_order else 0.0,
            }
        )
    return out


def question_features(
    r: Reading, judged: Sequence[Judged], bank: BankScores | None = None
) -> dict[str, float]:
    """The signals of the question as a whole (see the module's docstring)."""
    qa = r.analysis
    content = [w for w in qa.words if not w.isdigit() and w not in ENGLISH_FUNCTION_WORDS]
    unknown = [w for w in qa.unknown if w not in ENGLISH_FUNCTION_WORDS]
    return {
        "best_p": max((j.p for j in judged), default=0.0),
        "best_dense": max((j.features["dense"] for j in judged), default=0.0),
        "best_cover": max((j.features["cover_own"] for j in judged), default=0.0),
        "best_core": max((j.features["core_abs"] for j in judged), default=0.0),
        "out_topic": 1.0 if r.out_topic is not None else 0.0,
        "unknown": len(unknown) / len(content) if content else 1.0,
        "concepts_n": float(min(len(qa.concepts), 4)),
        "subject_n": float(min(len(r.subject), 8)),
        "bank_hors": bank.hors_plan("dense") if bank is not None else 0.0,
        "bank_hors_kw": bank.hors_plan("keyword") if bank is not None else 0.0,
        "bank_near_plan": bank.near_plan if bank is not None else 0.0,
        "bank_near_hors": bank.near_sim(HORS_PLAN) if bank is not None else 0.0,
    }


@dataclass
class Judged:
    """A candidate with its signals and the probability that it answers the question."""

    hit: Hit
    features: dict[str, float]
    p: float = 0.0


@dataclass
class Candidates:
    """What one way of searching found for a question: the search's result and the candidates the
    judge weighs (actions, and prose sections with a text)."""

    result: SearchResult
    hits: list[Hit]
    embedded: bool = True  # the question's meaning was searched (else its keywords alone)
    bankless: bool = False  # searched as if there were no question bank


#: The question's candidates for a way of searching: ``(embed, use_bank) → candidates``.
Retrieve = Callable[[bool, bool], Candidates]


@dataclass
class Judgement:
    """The candidates of one question, judged, best first, and whether the plans answer it."""

    result: SearchResult
    judged: list[Judged]
    question: dict[str, float]
    covered: float  # probability that the plans address the question
    embedded: bool = True  # False: judged on the question's keywords alone (the gate settled it)
    bankless: bool = False  # True: judged without the question bank (RelevanceModel.plain)

    @property
    def best(self) -> float:
        return self.judged[0].p if self.judged else 0.0


class RelevanceJudge:
    """Searches the candidates of a reading and judges each, and the question, against the plans."""

    def __init__(self, model: RelevanceModel, candidates: int = 12, lexical_first: bool = True):
        self.model = model
        self.size = candidates  # candidates judged per question
        #: False: the keyword-only judgement is never tried (every question embedded).
        self.lexical_first = lexical_first
        self._own: dict[str, dict[str, frozenset[str]]] = {}
        self._lock = threading.Lock()

    def own_words_of(self, corpus: Corpus, searcher: HybridSearcher) -> dict[str, frozenset[str]]:
        """Every node's own words (:func:`own_words`), by reference, computed once per build."""
        with self._lock:
            words = self._own.get(searcher.build_id)
        if words is None:
            words = {p.ref(n): own_words(p, n, searcher) for p in corpus for n in p.nodes}
            with self._lock:
                self._own = {searcher.build_id: words}  # the current build only
        return words

    def judge(
        self,
        r: Reading,
        searcher: HybridSearcher,
        corpus: Corpus,
        filters: dict[str, str | None] | None = None,
        retrieve: Retrieve | None = None,
    ) -> Judgement:
        """The judgement of the question's keywords alone when the gate says it settles the
        question, else the full judgement (the question embedded). ``retrieve``: the question's
        candidates per way of searching (:class:`assistant.pipeline.Retrieval`, each search made
        once); by default searched here."""
        if retrieve is None:

            def retrieve(embed: bool, use_bank: bool) -> Candidates:
                return self.retrieve(r, searcher, corpus, filters, embed=embed, use_bank=use_bank)

        gate = self.model.lexical
        has_bankless = _has_bankless_plan(corpus, searcher.bank)
        if gate is not None and self.lexical_first:
            lexical = self.score(r, retrieve(False, True), searcher, corpus, gate.candidate, gate.question)
            # « Nothing » on keywords was learned where every plan has a bank: a plan without one may
            # answer in other words, so the question is then embedded.
            unsure_nothing = lexical.covered <= gate.none and has_bankless
            if gate.settles(lexical) and not unsure_nothing and not bankless(r, lexical, searcher.bank):
                return lexical
        full = self.score(
            r, retrieve(True, True), searcher, corpus, self.model.candidate, self.model.question
        )
        plain = self.model.plain
        if plain is not None and bankless(r, full, searcher.bank):
            # Searched and judged as if there were no bank: its ranking would favour the other plans.
            return self.score(r, retrieve(True, False), searcher, corpus, plain.candidate, plain.question)
        if plain is not None and has_bankless:
            # A plan without a bank may answer better than the banked plans: judged like with like
            # (every plan without the bank's signals, which that plan cannot have), its action comes
            # first, and the judgement is sure of it or the banked plans do not answer at all.
            alone = self.score(r, retrieve(True, False), searcher, corpus, plain.candidate, plain.question)
            top = alone.judged[0] if alone.judged else None
            second = alone.judged[1].p if len(alone.judged) > 1 else 0.0
            # The bank's own « hors plan » class still speaks: a question it puts outside every plan
            # (the weather) is not given to the plan without a bank.
            outside = full.question.get("bank_hors", 0.0) >= 0.5
            if (
                top is not None
                and not outside
                and top.hit.plan_id not in _banked(searcher.bank)
                and alone.covered >= plain.covered
                and (
                    full.covered < self.model.covered  # the banked plans do not answer it
                    or (top.p >= max(plain.sure, plain.cite) and top.p - second >= plain.sure_gap)
                )
            ):
                return alone
        return full

    def candidates(
        self,
        r: Reading,
        searcher: HybridSearcher,
        corpus: Corpus,
        filters: dict[str, str | None] | None,
        embed: bool = True,
        bank: BankIndex | None = None,
        use_bank: bool = True,
    ) -> Judgement:
        """Every candidate of the question with its signals, as the judgement sees them, weighed by
        no model (what the judge is trained on); ``bank``: another fit of the question bank;
        ``use_bank=False``: as a question about a plan without a bank is judged."""
        zero = RelevanceModel.untrained()
        found = self.retrieve(r, searcher, corpus, filters, embed, bank, use_bank)
        return self.score(r, found, searcher, corpus, zero.candidate, zero.question)

    def retrieve(
        self,
        r: Reading,
        searcher: HybridSearcher,
        corpus: Corpus,
        filters: dict[str, str | None] | None,
        embed: bool = True,
        bank: BankIndex | None = None,
        use_bank: bool = True,
        analysis: QueryAnalysis | None = None,
    ) -> Candidates:
        """The question's candidates in one way of searching: with its meaning (``embed``) or its
        keywords alone, with the question bank (``bank``: another fit of it than the index's, when
        training out of fold) or as if there were none. ``analysis``: of ``r.search_query``, when
        already made (else made here)."""
        query = r.search_query
        if analysis is None:
            analysis = r.analysis if query == r.question else searcher.analyse(query)
        result = searcher.search_details(
            query,
            k=self.size + 8,
            filters=filters,
            analysis=analysis,
            embed=embed,
            bank=bank,
            use_bank=use_bank,
        )
        # Actions, and prose sections that have a text (a heading alone answers nothing).
        hits = [
            h
            for h in result.hits
            if h.kind == "action" or (h.kind in PROSE and corpus.plan(h.plan_id).node(h.node_id).text.strip())
        ][: self.size]
        return Candidates(result, hits, embedded=embed, bankless=not use_bank)

    def score(
        self,
        r: Reading,
        found: Candidates,
        searcher: HybridSearcher,
        corpus: Corpus,
        candidate: Logistic,
        question: Logistic,
    ) -> Judgement:
        """The candidates' signals weighed by these models, best first, and the question's."""
        signals = features(r, found.result, searcher, found.hits, self.own_words_of(corpus, searcher))
        judged = [Judged(h, f, candidate.probability(f)) for h, f in zip(found.hits, signals, strict=True)]
        judged.sort(key=lambda j: -j.p)
        q = question_features(r, judged, found.result.bank)
        return Judgement(
            found.result, judged, q, question.probability(q), embedded=found.embedded, bankless=found.bankless
        )


def _banked(bank: BankIndex | None) -> frozenset[str]:
    return bank.plans if bank is not None else frozenset()


def _has_bankless_plan(corpus: Corpus, bank: BankIndex | None) -> bool:
    """Some plan of the corpus has no question in the bank (a plan just added)."""
    banked = _banked(bank)
    return any(p.id not in banked for p in corpus)


def bankless(r: Reading, j: Judgement, bank: BankIndex | None) -> bool:
    """The question is about a plan the bank has no question about: it names one, or one of its
    first candidates in the search is from one (the bank's signals would speak against it)."""
    banked = bank.plans if bank is not None else frozenset()
    first = [h.plan_id for h in j.result.hits if h.kind == "action" or h.kind in PROSE][:BANKLESS_FIRST]
    return any(p not in banked for p in [*r.plans, *first])
