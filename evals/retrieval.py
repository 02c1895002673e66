"""``plan-assistant eval retrieval``: hit@1, hit@5 and MRR per category for dense-only,
BM25-only and hybrid retrieval, and the naive baseline, measured in the same run."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus import Corpus, Kind
from evals.dataset import CATEGORIES, HELDOUT_FILE, TARGET_CATEGORIES, Question, load_questions
from evals.stats import mean, ms, percentile
from index.hybrid import HybridSearcher
from index.service import IndexService

METHODS = ("dense", "bm25", "hybrid", "naive")
DEPTH = 10  # ranks beyond this count as a miss for MRR


@dataclass
class QuestionResult:
    id: str
    category: str
    rank: dict[str, int | None] = field(default_factory=dict)  # method → rank of the first expected ref
    top: dict[str, list[str]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def normalise_expected(corpus: Corpus, refs: Sequence[str]) -> set[str]:
    """Expected references, an indicator standing for its action (indicators are indexed with it)."""
    out = set()
    for r in refs:
        found = corpus.resolve(r)
        if found is None:
            continue
        plan, node = found
        if node.kind == Kind.INDICATEUR and node.parent_id:
            node = plan.node(node.parent_id)
        out.add(plan.ref(node))
    return out


def first_rank(retrieved: Sequence[set[str]], expected: set[str]) -> int | None:
    for i, refs in enumerate(retrieved[:DEPTH], start=1):
        if refs & expected:
            return i
    return None


def summarise(results: list[QuestionResult], methods: Sequence[str]) -> dict[str, Any]:
    def block(rs: list[QuestionResult]) -> dict[str, Any]:
        out: dict[str, Any] = {"n": len(rs)}
        for m in methods:
            ranks = [r.rank.get(m) for r in rs]
            secs = sorted(r.seconds[m] for r in rs if m in r.seconds)
            out[m] = {
                "hit@1": mean([1.0 if x == 1 else 0.0 for x in ranks]),
                "hit@5": mean([1.0 if x is not None and x <= 5 else 0.0 for x in ranks]),
                "mrr": mean([1.0 / x if x else 0.0 for x in ranks]),
                "p50_ms": ms(percentile(secs, 50)),
                "p95_ms": ms(percentile(secs, 95)),
            }
        return out

    per_cat = {c: block([r for r in results if r.category == c]) for c in CATEGORIES}
    per_cat = {c: v for c, v in per_cat.items() if v["n"]}
    return {
        "categories": per_cat,
        "target": block([r for r in results if r.category in TARGET_CATEGORIES]),
        "overall": block(results),
    }


def evaluate(
    service: IndexService,
    questions: Sequence[Question] | None = None,
    naive: Callable[[str, int], list[set[str]]] | None = None,
    searcher: HybridSearcher | None = None,
) -> tuple[list[QuestionResult], dict[str, Any]]:
    questions = questions or load_questions()
    searcher = searcher or service.ensure()
    methods = [m for m in METHODS if m != "naive" or naive is not None]
    results = []
    for q in questions:
        expected = normalise_expected(service.corpus, q.expected)
        if not expected:
            continue  # out-of-scope questions are measured on answers, not on retrieval
        r = QuestionResult(q.id, q.category)
        for m in methods:
            service.embedder.clear_cache()  # each method pays for embedding the question
            t = time.perf_counter()
            if m == "naive":
                assert naive is not None
                retrieved = naive(q.retrieval_query, DEPTH)
            else:
                hits = searcher.search(q.retrieval_query, k=DEPTH, method=m)  # type: ignore[arg-type]
                retrieved = [{h.ref} for h in hits]
            r.seconds[m] = time.perf_counter() - t
            r.rank[m] = first_rank(retrieved, expected)
            r.top[m] = [",".join(sorted(x)) for x in retrieved[:5]]
        results.append(r)
    return results, summarise(results, methods)


def run(
    service: IndexService,
    output: Path,
    with_naive: bool = True,
    fresh_build_dir: Path | None = None,
    corpus_dir: Path | None = None,
) -> dict[str, Any]:
    """The whole measure: an index built from scratch (timed), every method, the report files."""
    from evals.report import write_retrieval_report
    from index.builder import build_index
    from index.location import LocalLocation
    from index.naive import NaiveRetriever

    build_seconds = None
    if fresh_build_dir is not None:
        t = time.perf_counter()
        build_index(
            service.corpus,
            service.embedder,
            LocalLocation(fresh_build_dir),
            force=True,
            docs=service.documents(),
        )
        build_seconds = round(time.perf_counter() - t, 2)
    searcher = service.ensure()
    naive_fn = None
    naive_build = None
    retriever = None
    if with_naive:
        t = time.perf_counter()
        retriever = NaiveRetriever(service.corpus, corpus_dir or Path(), service.embedder)
        naive_build = round(time.perf_counter() - t, 2)

        def naive_fn(query: str, k: int) -> list[set[str]]:
            assert retriever is not None
            return [set(c.refs) for c in retriever.search(query, k)]

    try:
        results, summary = evaluate(service, naive=naive_fn, searcher=searcher)
        # The held-out set, written apart from the questions and the lexicon, never tuned on.
        _, held = evaluate(service, questions=load_questions(HELDOUT_FILE), naive=naive_fn, searcher=searcher)
        summary["heldout"] = {"target": held["target"], "categories": held["categories"]}
    finally:
        if retriever is not None:
            retriever.close()
    summary["index"] = {
        "documents": len(searcher.docs),
        "model": service.embedder.model_id,
        "build_seconds": build_seconds,
        "naive_chunks": len(retriever.chunks) if retriever else None,
        "naive_build_seconds": naive_build,
    }
    summary["config"] = service.config.model_dump()
    summary["questions"] = [r.__dict__ for r in results]
    write_retrieval_report(summary, output)
    return summary
