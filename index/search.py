"""Hybrid retrieval: dense vectors (Chroma) and French BM25 fused by reciprocal rank fusion.

The question is analysed once: French analysis for BM25, typo correction against the
corpus's vocabulary, expansion with the plans' own words through the lexicon. Exact
references in the question (« l'action 37 », « 2.1.4 ») come first; a plan named in the
question (« Saint-Sacrement ») has its documents raised.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from corpus.text import fold, mentions, most_specific
from index.analysis import analyze, learn_accents, stopwords
from index.bm25 import BM25
from index.config import RetrievalConfig
from index.documents import IndexDocument, unit_flag
from index.embeddings import EmbeddingModel
from index.fusion import reciprocal_rank_fusion
from index.lexicon import Lexicon
from index.store import VectorStore

Method = Literal["hybrid", "dense", "bm25"]
FILTER_KEYS = ("plan", "kind", "unit", "horizon")
_REF = re.compile(
    r"\b(?:action|actions|item|objectif|l'action|no|n°|#)\s*(?:n[o°º]\.?\s*|#\s*|num[ée]ro\s*)?"
    r"(\d{1,3}(?:\.\d{1,3}){0,3})\b",
    re.I,
)
_DOTTED = re.compile(r"(?<![\d.])(\d{1,2}\.\d{1,2}\.\d{1,2}(?:\.\d{1,2})?)(?![\d.])")


@dataclass
class Hit:
    plan_id: str
    kind: str
    number: str
    ref: str
    node_id: str
    title: str
    text: str
    url: str
    horizon: str
    units: list[str]
    score: float
    doc_id: str
    ranks: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "plan_id": self.plan_id,
            "kind": self.kind,
            "number": self.number,
            "ref": self.ref,
            "node_id": self.node_id,
            "title": self.title,
            "score": round(self.score, 6),
            "text": self.text,
            "url": self.url,
            "horizon": self.horizon or None,
            "units": self.units,
        }


class KeywordIndex:
    """BM25 over some of the searcher's documents (their positions), on the full text and on the node's
    own words, with the pairs of words that single out a node (« tarification sociale »)."""

    def __init__(self, positions: list[int], full: list[list[str]], core: list[list[str]]):
        self.positions = positions
        self.full = BM25(full)
        self.core = BM25(core)
        pairs = [set(itertools.pairwise(toks)) for toks in core]
        df: dict[tuple[str, str], int] = {}
        for ps in pairs:
            for p in ps:
                df[p] = df.get(p, 0) + 1
        # Only pairs found in a few nodes count, not « conseil de quartier ».
        self.rare_pairs = {positions[j]: {p for p in ps if df[p] <= 3} for j, ps in enumerate(pairs)}

    def scores(self, weights: dict[str, float], core_weight: float) -> dict[int, float]:
        local = self.full.scores(weights)
        if core_weight:
            for j, v in self.core.scores(weights).items():
                local[j] = local.get(j, 0.0) + core_weight * v
        return {self.positions[j]: v for j, v in local.items()}


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    analysis: QueryAnalysis
    dense_top: float  # best cosine similarity among the dense candidates
    bm25_top: float  # best BM25 score (full text + core text)


@dataclass(frozen=True)
class QueryAnalysis:
    words: list[str]
    corrections: dict[str, str]
    expansions: list[str]
    concepts: list[str]
    plan_terms: list[str]  # the plans' words for the concepts found (for the dense query)
    references: list[str]
    named_plans: list[str]
    all_named: list[str] = field(default_factory=list)  # every plan the question names


def check_filters(filters: dict[str, Any] | None) -> dict[str, str]:
    """Validate search filters; errors name the bad key or value."""
    if not filters:
        return {}
    out = {}
    for key, value in filters.items():
        if key not in FILTER_KEYS:
            raise ValueError(f"filtre inconnu « {key} » ; filtres possibles : {', '.join(FILTER_KEYS)}")
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise ValueError(f"le filtre « {key} » attend un texte, reçu {type(value).__name__}")
        out[key] = value
    if "horizon" in out:
        out["horizon"] = out["horizon"].upper()
    return out


class HybridSearcher:
    def __init__(
        self,
        docs: Sequence[IndexDocument],
        store: VectorStore,
        embedder: EmbeddingModel,
        lexicon: Lexicon,
        config: RetrievalConfig | None = None,
        plan_aliases: Mapping[str, Sequence[str]] | None = None,
        build_id: str = "",
        default_plans: Collection[str] | None = None,
    ):
        self.docs = list(docs)
        self.by_id = {d.id: i for i, d in enumerate(self.docs)}
        self.store = store
        self.embedder = embedder
        self.lexicon = lexicon
        self.config = config or RetrievalConfig()
        self.build_id = build_id
        # None: every plan is in the default scope.
        self.default_plans = None if default_plans is None else frozenset(default_plans)
        learn_accents([d.text for d in self.docs])
        # The node's own words (without the shared context) weigh more: a second BM25 over them.
        core = [analyze(d.dense_text) for d in self.docs]
        # The full text, plus everyday words for the concepts the node speaks of (the lexicon used on
        # the document side too: « appart » finds the housing actions even without expansion).
        full = [
            analyze(d.text) + self.lexicon.document_expansion(c) for d, c in zip(self.docs, core, strict=True)
        ]
        self.keywords = KeywordIndex(list(range(len(self.docs))), full, core)
        self.bm25 = self.keywords.full
        # Keyword statistics of the default scope kept apart: plans searched only when named must not
        # shift the weights of words for the others (a word common in 100 plans is not rare in 2).
        self.keywords_default: KeywordIndex | None = None
        if self.default_plans is not None:
            positions = [i for i, d in enumerate(self.docs) if d.metadata["plan_id"] in self.default_plans]
            self.keywords_default = KeywordIndex(
                positions, [full[i] for i in positions], [core[i] for i in positions]
            )
        self.aliases = {pid: list(names) for pid, names in (plan_aliases or {}).items()}
        # Documents by reference (« PLAN:37 »): a number in a question designates what it designates in
        # the plan (the action 1, not the orientation or the axe numbered 1).
        self.refs: dict[str, list[int]] = {}
        for i, d in enumerate(self.docs):
            self.refs.setdefault(str(d.metadata["ref"]), []).append(i)
        self.plan_ids = sorted({str(d.metadata["plan_id"]) for d in self.docs})

    # ------------------------------------------------------------------ analysis
    def analyse(self, query: str) -> QueryAnalysis:
        words = analyze(query)
        full = analyze(query, keep_stopwords=True)
        corrections: dict[str, str] = {}
        for w in dict.fromkeys(words):
            if w not in self.bm25.df and w not in self.lexicon.vocabulary:
                fixed = self.bm25.correct(w, self.lexicon.vocabulary)
                if fixed:
                    corrections[w] = fixed
        full_fixed = [corrections.get(w, w) for w in full]
        matches = self.lexicon.match(full_fixed)
        expansions = self.lexicon.expand(full_fixed, matches)
        q = fold(query)
        refs = [m.group(1) for m in _REF.finditer(q)] + [m.group(1) for m in _DOTTED.finditer(q)]
        named = self.named_plans(q)
        every = self.all_named(q)
        terms = list(
            dict.fromkeys(t for m in matches for t in m.concept.plan_terms[: self.config.dense_terms])
        )
        return QueryAnalysis(
            words,
            corrections,
            expansions,
            [m.concept.id for m in matches],
            terms,
            list(dict.fromkeys(refs)),
            named,
            every,
        )

    def all_named(self, folded_query: str) -> list[str]:
        return list(mentions(folded_query, self.aliases))

    def named_plans(self, folded_query: str) -> list[str]:
        """Plans the question names. When several are named (« le conseil de quartier parle-tu à
        la Ville »), the one named by the longest, most specific alias wins."""
        return most_specific(mentions(folded_query, self.aliases))

    # ------------------------------------------------------------------ filters
    def _allowed(self, f: dict[str, Any]) -> set[int] | None:
        if not f:
            return None
        keep = set()
        flag = unit_flag(f["unit"]) if "unit" in f else None
        for i, d in enumerate(self.docs):
            md = d.metadata
            if "plan" in f and md["plan_id"] != f["plan"]:
                continue
            if "plans" in f and md["plan_id"] not in f["plans"]:
                continue
            if "kind" in f and md["kind"] != f["kind"]:
                continue
            if "horizon" in f and md["horizon"] != f["horizon"]:
                continue
            if flag and not md.get(flag):
                continue
            keep.add(i)
        return keep

    @staticmethod
    def _where(f: dict[str, Any]) -> dict[str, Any] | None:
        clauses: list[dict[str, Any]] = []
        if "plan" in f:
            clauses.append({"plan_id": f["plan"]})
        if "plans" in f:
            clauses.append({"plan_id": {"$in": list(f["plans"])}})
        if "kind" in f:
            clauses.append({"kind": f["kind"]})
        if "horizon" in f:
            clauses.append({"horizon": f["horizon"]})
        if "unit" in f:
            clauses.append({unit_flag(f["unit"]): True})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    # ------------------------------------------------------------------ rankings
    def dense_query(self, query: str, qa: QueryAnalysis) -> str:
        """The question, followed by the plans' words for the concepts it names (in brackets).

        Embedding time grows with length (about 0.8 ms per token here): a long, rambling question is
        embedded by its content words only, at most ``dense_max_words`` of them."""
        if len(query) > self.config.dense_max_chars:
            stop = stopwords()
            kept = [w for w in re.findall(r"[^\W\d_][\w'’-]*", query) if fold(w) not in stop]
            query = " ".join(kept[: self.config.dense_max_words])
        if qa.plan_terms:
            return f"{query} ({', '.join(qa.plan_terms)})"
        return query

    def dense_ranking(self, query: str, n: int, f: dict[str, Any]) -> list[tuple[int, float]]:
        vec = self.embedder.embed_query(query)
        found = self.store.query(vec, k=n, where=self._where(f))
        return [(self.by_id[i], sim) for i, sim in found if i in self.by_id]

    def bm25_ranking(
        self, qa: QueryAnalysis, n: int, allowed: set[int] | None, keywords: KeywordIndex | None = None
    ) -> list[tuple[int, float]]:
        c = self.config
        weights: dict[str, float] = {}
        for w in qa.words:
            if w in qa.corrections:
                weights[qa.corrections[w]] = max(weights.get(qa.corrections[w], 0), c.fuzzy_weight)
            else:
                weights[w] = weights.get(w, 0) + 1.0
        for w in qa.expansions:
            weights.setdefault(w, c.expansion_weight)
        scores = (keywords or self.keywords).scores(weights, c.core_weight)
        ranked = sorted((i for i in scores if allowed is None or i in allowed), key=lambda i: -scores[i])
        return [(i, scores[i]) for i in ranked[:n]]

    def search(
        self, query: str, k: int = 5, filters: dict[str, Any] | None = None, method: Method = "hybrid"
    ) -> list[Hit]:
        return self.search_details(query, k=k, filters=filters, method=method).hits

    def search_details(
        self, query: str, k: int = 5, filters: dict[str, Any] | None = None, method: Method = "hybrid"
    ) -> SearchResult:
        """Ranked hits, with what the ranking saw: the analysed question and the best raw dense
        similarity and BM25 score (the assistant decides from them whether the plans cover it)."""
        if k <= 0:
            raise ValueError(f"k doit être supérieur à 0, reçu {k}")
        f: dict[str, Any] = dict(check_filters(filters))
        qa = self.analyse(query)
        keywords = self.keywords
        if self.default_plans is not None and "plan" not in f:
            # Plans outside the default scope are searched when the question names them.
            f["plans"] = sorted(self.default_plans | set(qa.all_named))
            if set(f["plans"]) == self.default_plans and self.keywords_default is not None:
                keywords = self.keywords_default
        allowed = self._allowed(f)
        c = self.config
        n = max(c.candidates, k)
        ranks: dict[str, list[int]] = {}
        dense_top = bm25_top = 0.0
        if method in ("hybrid", "dense"):
            dense = self.dense_ranking(self.dense_query(query, qa), n, f)
            ranks["dense"] = [i for i, _ in dense]
            dense_top = max((s for _, s in dense), default=0.0)
        if method in ("hybrid", "bm25"):
            lexical = self.bm25_ranking(qa, n, allowed, keywords)
            ranks["bm25"] = [i for i, _ in lexical]
            bm25_top = max((s for _, s in lexical), default=0.0)
        weights = {"dense": c.dense_weight, "bm25": c.bm25_weight}
        fused = dict(reciprocal_rank_fusion([(r, weights[m]) for m, r in ranks.items()], k=c.rrf_k))
        if method == "hybrid":
            pairs = set(itertools.pairwise(qa.words))
            if pairs and c.phrase_boost:
                for i in fused:
                    # The question's words in the node's own order (« tarification sociale »).
                    fused[i] *= 1 + c.phrase_boost * len(pairs & keywords.rare_pairs.get(i, set()))
            if len(qa.named_plans) == 1:
                for i in fused:
                    if self.docs[i].metadata["plan_id"] == qa.named_plans[0]:
                        fused[i] *= c.named_plan_boost
            # An exact reference in the question comes first.
            top = max(fused.values(), default=1.0)
            for number in qa.references:
                for pid in qa.named_plans or self.plan_ids:
                    for i in self.refs.get(f"{pid}:{number}", []):
                        if allowed is None or i in allowed:
                            fused[i] = top * 2 + fused.get(i, 0.0)
        order = sorted(fused, key=lambda i: -fused[i])
        hits: list[Hit] = []
        seen_refs: set[str] = set()
        for i in order:
            d = self.docs[i]
            if d.ref in seen_refs:
                continue  # one hit per node (its best chunk)
            seen_refs.add(d.ref)
            md = d.metadata
            hits.append(
                Hit(
                    plan_id=md["plan_id"],
                    kind=md["kind"],
                    number=md["number"],
                    ref=md["ref"],
                    node_id=md["node_id"],
                    title=md["title"],
                    text=d.text,
                    url=md["url"],
                    horizon=md["horizon"],
                    units=[u for u in md["units"].split("; ") if u],
                    score=fused[i],
                    doc_id=d.id,
                    ranks={m: r.index(i) + 1 for m, r in ranks.items() if i in r},
                )
            )
            if len(hits) >= k:
                break
        return SearchResult(hits, qa, dense_top, bm25_top)
