"""Hybrid retrieval: dense vectors (Chroma) and French BM25 fused by reciprocal rank fusion.

The question is analysed once: French analysis for BM25, typo correction against the
corpus's vocabulary, expansion with the plans' own words through the lexicon. Exact
references in the question (« l'action 37 », « 2.1.4 ») come first; a plan named in the
question (« Saint-Sacrement ») has its documents raised.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from corpus.text import fold
from index.analysis import stopwords
from index.bank import BankIndex, BankScores, bank_index
from index.bm25 import BM25
from index.config import RetrievalConfig
from index.documents import QUESTION_KIND, IndexDocument, unit_flag
from index.embeddings import EmbeddingModel
from index.fusion import reciprocal_rank_fusion
from index.lexicon import Lexicon
from index.query import QueryAnalyser, QueryAnalysis, keyword_tokens
from index.store import VectorStore

Method = Literal["hybrid", "dense", "bm25"]
FILTER_KEYS = ("plan", "kind", "unit", "horizon")


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
    #: What the ranking saw of this node: ``dense`` (cosine of the question to the node's vector),
    #: ``bm25`` (full text with context) and ``core`` (the node's own words) scores.
    signals: dict[str, float] = field(default_factory=dict)

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


def question_tokens(qa: QueryAnalysis) -> list[str]:
    """What the bank's keyword classifier reads of a question: its analysed words (and the corpus
    words its typos were taken for), the plans' words the lexicon adds, and its pairs of words."""
    return [
        *qa.words,
        *(qa.corrections[w] for w in qa.words if w in qa.corrections),
        *(f"~{w}" for w in qa.expansions),
        *(f"#{c}" for c in qa.concepts),
        *(f"{a}_{b}" for a, b in itertools.pairwise(qa.words)),
    ]


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
        full, core = self.parts(weights)
        out = dict(full)
        if core_weight:
            for i, v in core.items():
                out[i] = out.get(i, 0.0) + core_weight * v
        return out

    def parts(self, weights: dict[str, float]) -> tuple[dict[int, float], dict[int, float]]:
        """BM25 scores on the full text and on the node's own words, by document position."""
        full = {self.positions[j]: v for j, v in self.full.scores(weights).items()}
        core = {self.positions[j]: v for j, v in self.core.scores(weights).items()}
        return full, core


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    analysis: QueryAnalysis
    dense_top: float  # best cosine similarity among the dense candidates
    bm25_top: float  # best BM25 score (full text + core text)
    #: Cosine similarity of the question to every document (by position in ``searcher.docs``), when
    #: the dense side ran: what a relevance judge compares candidates with.
    similarities: np.ndarray | None = None
    #: What the question bank says of the question (None: the index has no bank).
    bank: BankScores | None = None
    #: The question's vector, when it was embedded.
    vector: np.ndarray | None = None


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
        dense_in_memory: bool = False,
        cache_size: int = 4096,
        questions: Sequence[IndexDocument] = (),
        cache_dir: Path | None = None,
    ):
        self.docs = list(docs)
        self.by_id = {d.id: i for i, d in enumerate(self.docs)}
        self.store = store
        self.embedder = embedder
        self.config = config or RetrievalConfig()
        self.build_id = build_id
        # True: the dense ranking is an exact product with the vectors read from the store at load
        # (0.1 ms where a Chroma query takes 5); False: the store is asked (a shared server).
        self.dense_in_memory = dense_in_memory
        # None: every plan is in the default scope.
        self.default_plans = None if default_plans is None else frozenset(default_plans)
        # The lexicon, analysed with the accents of its words and of these documents.
        self.lexicon = lexicon.for_texts(d.text for d in self.docs)
        # The full text, plus everyday words for the concepts the node speaks of (« appart » finds the
        # housing actions even without expansion); and the node's own words (without the shared
        # context), which weigh more: a second BM25 over them.
        full, core = keyword_tokens(self.docs, self.lexicon)
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
        self.analyser = QueryAnalyser(
            self.bm25, self.lexicon, plan_aliases, self.config.dense_terms, cache_size=cache_size
        )
        # Documents by reference (« PLAN:37 »): a number in a question designates what it designates in
        # the plan (the action 1, not the orientation or the axe numbered 1).
        self.refs: dict[str, list[int]] = {}
        for i, d in enumerate(self.docs):
            self.refs.setdefault(str(d.metadata["ref"]), []).append(i)
        self.plan_ids = sorted({str(d.metadata["plan_id"]) for d in self.docs})
        # The documents' vectors, read once from the store: the similarity of a question to every
        # node (one matrix product) is what relevance is judged on, beyond the dense ranking.
        questions = list(questions)
        wanted = [d.id for d in self.docs] + [d.id for d in questions]
        stored = store.embeddings_for(wanted) if wanted else {}
        dim = len(next(iter(stored.values()))) if stored else 0
        self.vectors = np.zeros((len(self.docs), dim), dtype=np.float32)
        for i, d in enumerate(self.docs):
            if d.id in stored:
                self.vectors[i] = stored[d.id]
        # The question bank: which action a question is about, learned from the questions people ask.
        bank_vectors = np.zeros((len(questions), dim), dtype=np.float32)
        for i, d in enumerate(questions):
            if d.id in stored:
                bank_vectors[i] = stored[d.id]
        self.bank: BankIndex | None = (
            bank_index(
                questions, bank_vectors, self.bank_tokens, key=self._vocabulary_key(), cache_dir=cache_dir
            )
            if questions
            else None
        )
        # Each node's objective document (an action's context, for relevance).
        objectives = {
            (d.metadata["plan_id"], d.metadata["objective"]): i
            for i, d in enumerate(self.docs)
            if d.metadata["kind"] == "objectif" and d.metadata.get("objective")
        }
        self._objective_of = [
            objectives.get((d.metadata["plan_id"], d.metadata.get("objective", ""))) for d in self.docs
        ]
        # Words of each node (own words; with context and everyday words), for coverage of a question.
        self.core_words = [frozenset(toks) for toks in core]
        self.full_words = [frozenset(toks) for toks in full]

    def hit(
        self,
        i: int,
        score: float = 1.0,
        ranks: dict[str, int] | None = None,
        signals: dict[str, float] | None = None,
    ) -> Hit:
        """The document at position ``i`` as a search hit."""
        d = self.docs[i]
        md = d.metadata
        return Hit(
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
            score=score,
            doc_id=d.id,
            ranks=ranks or {},
            signals=signals or {},
        )

    def hit_of(self, ref: str) -> Hit | None:
        """A node of the plans, by its reference, as a search hit (its first document); None when
        this index does not hold it."""
        found = self.refs.get(ref)
        return self.hit(found[0]) if found else None

    def bank_tokens(self, text: str) -> list[str]:
        """The words the bank's keyword classifier reads in a bank question (read as a question is)."""
        return question_tokens(self.analyser.analyse(text, remember=False))

    def _vocabulary_key(self) -> str:
        """What reading a question's words depends on: the documents' words and the lexicon."""
        h = hashlib.sha256()
        for d in self.docs:
            h.update(d.id.encode())
        h.update(self.lexicon.fingerprint.encode())
        return h.hexdigest()

    def bank_scores(
        self, qa: QueryAnalysis, vector: np.ndarray | None, bank: BankIndex | None = None
    ) -> BankScores | None:
        """What the bank (by default, this index's) says of an analysed question, with its vector
        when it was embedded."""
        bank = bank or self.bank
        if bank is None:
            return None
        return bank.scores(question_tokens(qa), vector)

    def objective_position(self, position: int) -> int | None:
        """The position of the document of a node's objective (None for nodes outside an objective)."""
        return self._objective_of[position]

    # ------------------------------------------------------------------ analysis
    def analyse(self, query: str) -> QueryAnalysis:
        return self.analyser.analyse(query)

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
    def _where(f: dict[str, Any]) -> dict[str, Any]:
        """The store's filter: the bank's questions are never search results."""
        clauses: list[dict[str, Any]] = [{"kind": {"$ne": QUESTION_KIND}}]
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

    def dense_ranking(
        self, sims: np.ndarray, query: str, n: int, f: dict[str, Any], allowed: set[int] | None
    ) -> list[tuple[int, float]]:
        """The ``n`` documents nearest to the question, with their cosine similarity: from ``sims``
        (the question's similarity to every document) when the vectors are searched in memory, else
        by the store (its own index over the same vectors)."""
        if not self.dense_in_memory:
            found = self.store.query(self.embedder.embed_query(query), k=n, where=self._where(f))
            return [(self.by_id[i], sim) for i, sim in found if i in self.by_id]
        if allowed is not None:
            positions = np.fromiter(allowed, dtype=np.intp, count=len(allowed))
            positions.sort()
        else:
            positions = np.arange(len(sims))
        if not len(positions):
            return []
        candidates = sims[positions]
        keep = np.arange(len(candidates))
        if len(candidates) > n:
            keep = np.argpartition(-candidates, n - 1)[:n]
        keep = keep[np.lexsort((positions[keep], -candidates[keep]))]
        return [(int(positions[j]), float(candidates[j])) for j in keep]

    def check_store(self) -> None:
        """A read of the store (one nearest neighbour): raises :class:`~index.store.StoreBroken` or
        ``StoreUnavailable`` when it cannot serve, as a question would."""
        if len(self.vectors):
            self.store.query(self.vectors[0].tolist(), k=1, where=None)

    def bm25_ranking(
        self, qa: QueryAnalysis, n: int, allowed: set[int] | None, keywords: KeywordIndex | None = None
    ) -> list[tuple[int, float]]:
        full, core = (keywords or self.keywords).parts(self.query_weights(qa))
        return self._rank_keywords(full, core, n, allowed)

    def _rank_keywords(
        self, full: dict[int, float], core: dict[int, float], n: int, allowed: set[int] | None
    ) -> list[tuple[int, float]]:
        scores = dict(full)
        for i, v in core.items():
            scores[i] = scores.get(i, 0.0) + self.config.core_weight * v
        ranked = sorted((i for i in scores if allowed is None or i in allowed), key=lambda i: -scores[i])
        return [(i, scores[i]) for i in ranked[:n]]

    def query_weights(self, qa: QueryAnalysis) -> dict[str, float]:
        """BM25 weights of the question's words: typed words 1, corrected words and the lexicon's
        plan words less."""
        c = self.config
        weights: dict[str, float] = {}
        for w in qa.words:
            if w in qa.corrections:
                weights[qa.corrections[w]] = max(weights.get(qa.corrections[w], 0), c.fuzzy_weight)
            else:
                weights[w] = weights.get(w, 0) + 1.0
        for w in qa.expansions:
            weights.setdefault(w, c.expansion_weight)
        return weights

    def search(
        self, query: str, k: int = 5, filters: dict[str, Any] | None = None, method: Method = "hybrid"
    ) -> list[Hit]:
        return self.search_details(query, k=k, filters=filters, method=method).hits

    def similarities(self, query: str, qa: QueryAnalysis) -> np.ndarray:
        """Cosine similarity of the question (with the plans' words it names) to every document."""
        return self._similarities(self.question_vector(query, qa))

    def question_vector(self, query: str, qa: QueryAnalysis) -> np.ndarray:
        """The question's vector, with the plans' words for the concepts it names."""
        return np.asarray(self.embedder.embed_query(self.dense_query(query, qa)), dtype=np.float32)

    def _similarities(self, vec: np.ndarray) -> np.ndarray:
        return self.vectors @ vec if len(self.vectors) else np.zeros(0, dtype=np.float32)

    def search_details(
        self,
        query: str,
        k: int = 5,
        filters: dict[str, Any] | None = None,
        method: Method = "hybrid",
        analysis: QueryAnalysis | None = None,
        embed: bool = True,
        bank: BankIndex | None = None,
        use_bank: bool = True,
    ) -> SearchResult:
        """Ranked hits, with what the ranking saw: the analysed question, the best raw dense
        similarity and BM25 score, and each hit's signals (the assistant judges relevance from
        them). ``analysis``: the question already analysed by :meth:`analyse` (read once).
        ``embed=False``: the question is not embedded (three quarters of a question's cost); the
        hybrid ranking runs on its keywords alone, with its boosts and exact references.
        ``bank``: the question bank to read (by default, this index's; another one when training
        the judge out of fold); ``use_bank=False``: ranked as if the index had no bank (a question
        about a plan the bank has no question about)."""
        if k <= 0:
            raise ValueError(f"k doit être supérieur à 0, reçu {k}")
        f: dict[str, Any] = dict(check_filters(filters))
        qa = analysis if analysis is not None else self.analyse(query)
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
        sims: np.ndarray | None = None
        full: dict[int, float] = {}
        core: dict[int, float] = {}
        vector: np.ndarray | None = None
        if method == "dense" or (method == "hybrid" and embed):
            vector = self.question_vector(query, qa)
            sims = self._similarities(vector)
            dense = self.dense_ranking(sims, self.dense_query(query, qa), n, f, allowed)
            ranks["dense"] = [i for i, _ in dense]
            dense_top = max((s for _, s in dense), default=0.0)
        if method in ("hybrid", "bm25"):
            full, core = keywords.parts(self.query_weights(qa))
            lexical = self._rank_keywords(full, core, n, allowed)
            ranks["bm25"] = [i for i, _ in lexical]
            bm25_top = max((s for _, s in lexical), default=0.0)
        scores = self.bank_scores(qa, vector, bank) if method == "hybrid" and use_bank else None
        if scores is not None and c.bank_weight:
            ranks["bank"] = [
                i
                for ref, _ in scores.ranked(n)
                for i in self.refs.get(ref, [])[:1]
                if allowed is None or i in allowed
            ]
        weights = {"dense": c.dense_weight, "bm25": c.bm25_weight, "bank": c.bank_weight}
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
            signals = {"bm25": full.get(i, 0.0), "core": core.get(i, 0.0)}
            if sims is not None:
                signals["dense"] = float(sims[i])
            hits.append(
                self.hit(
                    i,
                    fused[i],
                    ranks={m: r.index(i) + 1 for m, r in ranks.items() if i in r},
                    signals=signals,
                )
            )
            if len(hits) >= k:
                break
        return SearchResult(hits, qa, dense_top, bm25_top, sims, scores, vector)
