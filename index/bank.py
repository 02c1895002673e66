"""The question bank as an index: which action a new question is about, learned from the questions
people ask (:mod:`corpus.bank`), and whether the plans address it at all.

Three views of the bank, each a signal the relevance judge weighs beside the search's own:

- a **classifier over the question's vector** (multinomial logistic regression on the e5 vectors of
  the bank's questions, one class per action and one, « hors plan », for what the plans do not
  address; a question about an objective teaches each of its actions a share);
- a **classifier over the question's words** (the same on its analysed words, with the plans' words
  the lexicon adds and the pairs of consecutive words), which needs no embedding: the keyword-only
  judgement reads it;
- the bank's questions as **keys** of their action: the highest cosine similarity of the question to
  the bank questions of each class.

A fourth, smaller pair of classifiers says what kind of question the plans do not address this one
is most like (a service of the City, of another government, health and safety…), so that the answer
points to the right place.

Fitted when a build is loaded, from the vectors the build stored (a few seconds on two cores), and
kept: in the process (a reload of the same bank reuses them) and in a cache folder of the data
folder, by the bank's content (a restart, or another worker, reads them back).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import threading
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from corpus.bank import HORS_PLAN
from corpus.lru import LRUCache
from index.documents import IndexDocument

log = logging.getLogger("plan_assistant.index")

#: Inverse regularisation of the classifiers, chosen on the tuning set and by cross-validation
#: inside the bank (``plan-assistant eval bank``): a weak penalty fits them best.
DENSE_C = 100.0
KEYWORD_C = 30.0
#: Tolerance of the fits: a thousandth changes no answer of the tuning set and fits three times faster.
TOLERANCE = 1e-3
MODEL_FORMAT = 1  # bump when what is cached changes

Tokenizer = Callable[[str], list[str]]


@dataclass(frozen=True)
class BankEntry:
    text: str
    classes: tuple[str, ...]  # the actions it is about, or (HORS_PLAN,)
    refs: tuple[str, ...]  # the nodes that answer it, best first (empty: hors plan)
    coverage: str
    kind: str  # for a question the plans do not address: its kind (corpus.bank's kinds)

    @classmethod
    def from_document(cls, d: IndexDocument) -> BankEntry:
        md = d.metadata
        return cls(
            d.text,
            tuple(c for c in str(md.get("classes", "")).split(";") if c) or (HORS_PLAN,),
            tuple(r for r in str(md.get("refs", "")).split(";") if r),
            str(md.get("coverage", "complete")),
            str(md.get("bank_kind", "")),
        )


@dataclass(frozen=True)
class BankScores:
    """What the bank says of one question: a probability per class (dense and keyword classifiers),
    the similarity to each class's nearest bank question, and the kind of « hors plan » question it
    is most like."""

    classes: tuple[str, ...]
    index: Mapping[str, int]  # each class's position (the bank's, made once)
    keyword: np.ndarray
    dense: np.ndarray | None = None  # None: the question was not embedded
    near: np.ndarray | None = None
    kinds: tuple[str, ...] = ()
    kind_p: np.ndarray | None = None

    def _at(self, values: np.ndarray | None, ref: str) -> float:
        if values is None:
            return 0.0
        i = self.index.get(ref)
        return float(values[i]) if i is not None else 0.0

    def dense_p(self, ref: str) -> float:
        return self._at(self.dense, ref)

    def keyword_p(self, ref: str) -> float:
        return self._at(self.keyword, ref)

    def near_sim(self, ref: str) -> float:
        return self._at(self.near, ref)

    @property
    def p(self) -> np.ndarray:
        """The dense classifier's probabilities when the question was embedded, else the keyword one's."""
        return self.dense if self.dense is not None else self.keyword

    @property
    def near_plan(self) -> float:
        """The similarity of the question to the nearest bank question about an action."""
        if self.near is None:
            return 0.0
        return max(
            (float(v) for c, v in zip(self.classes, self.near, strict=True) if c != HORS_PLAN), default=0.0
        )

    def hors_plan(self, which: str = "best") -> float:
        values = {"dense": self.dense, "keyword": self.keyword, "best": self.p}[which]
        return self._at(values, HORS_PLAN)

    def hors_kind(self) -> tuple[str, float]:
        """The kind of question the plans do not address this one is most like, with its probability."""
        if self.kind_p is None or not self.kinds:
            return "", 0.0
        i = int(np.argmax(self.kind_p))
        return self.kinds[i], float(self.kind_p[i])

    def ranked(self, n: int) -> list[tuple[str, float]]:
        """The ``n`` most probable classes that are actions (hors plan left out)."""
        p = self.p
        order = np.argsort(-p, kind="stable")
        out = [(self.classes[i], float(p[i])) for i in order if self.classes[i] != HORS_PLAN]
        return out[:n]


class Softmax:
    """A fitted multinomial logistic model, applied with numpy (0.02 ms where scikit-learn takes 0.3)."""

    def __init__(self, coef: np.ndarray, intercept: np.ndarray, columns: np.ndarray, n_classes: int):
        self.coef = np.asarray(coef, dtype=np.float32)
        self.intercept = np.asarray(intercept, dtype=np.float32)
        self.columns = np.asarray(columns, dtype=np.int64)  # the classes it saw, among all
        self.n_classes = n_classes

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self._probabilities(self.coef @ x + self.intercept)

    def sparse(self, columns: np.ndarray, values: np.ndarray) -> np.ndarray:
        """The same for an input given by its non-zero ``columns`` and their ``values`` (a question's
        few words among the vocabulary's thousands: 0.02 ms where the dense product takes 3)."""
        return self._probabilities(self.coef[:, columns] @ values + self.intercept)

    def _probabilities(self, z: np.ndarray) -> np.ndarray:
        z = np.exp(z - z.max())
        out = np.zeros(self.n_classes, dtype=np.float32)
        out[self.columns] = z / z.sum()
        return out

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {
            f"{prefix}coef": self.coef,
            f"{prefix}intercept": self.intercept,
            f"{prefix}columns": self.columns,
            f"{prefix}n": np.array([self.n_classes]),
        }

    @classmethod
    def from_arrays(cls, data: dict[str, np.ndarray], prefix: str) -> Softmax:
        return cls(
            data[f"{prefix}coef"],
            data[f"{prefix}intercept"],
            data[f"{prefix}columns"],
            int(data[f"{prefix}n"][0]),
        )


def fit_softmax(
    x: object,
    labels: Sequence[int],
    weights: Sequence[float],
    c: float,
    n_classes: int,
    standardise: bool = False,
) -> Softmax:
    """A multinomial logistic regression; ``standardise``: on centred, scaled columns (dense vectors:
    e5's vectors all point the same way, and a fit on them as they are takes three times longer),
    folded back into the weights so the model reads the vectors as they come."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    y = np.asarray(labels)
    seen = np.unique(y)
    if len(seen) == 1:  # one class: it is certain
        width = int(x.shape[1])  # type: ignore[attr-defined]
        return Softmax(np.zeros((1, width)), np.zeros(1), seen, n_classes)
    mean = scale = None
    if standardise:
        data = np.asarray(x, dtype=np.float64)
        mean, scale = data.mean(axis=0), data.std(axis=0)
        scale[scale == 0] = 1.0
        x = (data - mean) / scale
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = LogisticRegression(C=c, tol=TOLERANCE, max_iter=1000).fit(
            x, y, sample_weight=np.asarray(weights)
        )
    coef, intercept = model.coef_, model.intercept_
    if len(seen) == 2:  # scikit-learn keeps one row for two classes
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
    if mean is not None and scale is not None:
        coef = coef / scale
        intercept = intercept - coef @ mean
    return Softmax(coef, intercept, model.classes_, n_classes)


class Vocabulary:
    """Words → columns of a sublinear tf-idf vector (unit length), as the keyword classifier reads them."""

    def __init__(self, terms: Sequence[str], idf: np.ndarray):
        self.terms = list(terms)
        self.column = {t: i for i, t in enumerate(self.terms)}
        self.idf = np.asarray(idf, dtype=np.float32)

    @classmethod
    def of(cls, docs: Sequence[Sequence[str]]) -> Vocabulary:
        df: dict[str, int] = {}
        for toks in docs:
            for t in set(toks):
                df[t] = df.get(t, 0) + 1
        terms = sorted(df)
        n = len(docs)
        return cls(terms, np.array([np.log((1 + n) / (1 + df[t])) + 1 for t in terms], dtype=np.float32))

    def row(self, toks: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """A text's vector as the columns of its words and their values (sublinear tf times idf,
        unit length); the others are zero."""
        counts: dict[int, int] = {}
        for t in toks:
            j = self.column.get(t)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        js = np.fromiter(counts, dtype=np.int64, count=len(counts))
        v = (1 + np.log(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))) * self.idf[js]
        return js, v / (float(np.linalg.norm(v)) or 1.0)

    def matrix(self, docs: Sequence[Sequence[str]]) -> object:
        """The vectors of many texts as one sparse matrix (the same values as :meth:`row`)."""
        from scipy.sparse import csr_matrix

        parts = [self.row(toks) for toks in docs]
        rows = np.repeat(np.arange(len(docs)), [len(js) for js, _ in parts])
        cols = np.concatenate([js for js, _ in parts]) if parts else np.zeros(0, dtype=np.int64)
        vals = np.concatenate([v for _, v in parts]) if parts else np.zeros(0, dtype=np.float32)
        return csr_matrix((vals, (rows, cols)), shape=(len(docs), len(self.column)), dtype=np.float32)


@dataclass
class BankModels:
    """The fitted parts of a bank index (what the cache keeps)."""

    classes: tuple[str, ...]
    kinds: tuple[str, ...]
    vocabulary: Vocabulary
    dense: Softmax | None
    keyword: Softmax | None
    kind_dense: Softmax | None
    kind_keyword: Softmax | None

    def save(self, path: Path) -> None:
        arrays: dict[str, np.ndarray] = {
            "meta": np.array(
                [
                    json.dumps(
                        {
                            "format": MODEL_FORMAT,
                            "classes": self.classes,
                            "kinds": self.kinds,
                            "terms": self.vocabulary.terms,
                        }
                    )
                ]
            ),
            "idf": self.vocabulary.idf,
        }
        for name in ("dense", "keyword", "kind_dense", "kind_keyword"):
            model = getattr(self, name)
            if model is not None:
                arrays.update(model.arrays(f"{name}_"))
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)  # type: ignore[arg-type]
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(buffer.getvalue())
        os.replace(tmp, path)  # whole or not at all: another process may read it at once

    @classmethod
    def load(cls, path: Path) -> BankModels | None:
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {k: data[k] for k in data.files}
            meta = json.loads(str(arrays["meta"][0]))
            if meta.get("format") != MODEL_FORMAT:
                return None

            def model(name: str) -> Softmax | None:
                return Softmax.from_arrays(arrays, f"{name}_") if f"{name}_coef" in arrays else None

            return cls(
                tuple(meta["classes"]),
                tuple(meta["kinds"]),
                Vocabulary(meta["terms"], arrays["idf"]),
                model("dense"),
                model("keyword"),
                model("kind_dense"),
                model("kind_keyword"),
            )
        except (OSError, ValueError, KeyError, json.JSONDecodeError):
            return None  # absent, partial or of another format: fitted again


def fit_models(
    entries: Sequence[BankEntry], vectors: np.ndarray, tokens: Sequence[Sequence[str]]
) -> BankModels:
    classes = tuple(sorted({c for e in entries for c in e.classes}))
    index = {c: i for i, c in enumerate(classes)}
    rows: list[int] = []
    labels: list[int] = []
    weights: list[float] = []
    for i, e in enumerate(entries):
        for c in e.classes:
            rows.append(i)
            labels.append(index[c])
            weights.append(1.0 / len(e.classes))
    vocabulary = Vocabulary.of(tokens)
    n = len(classes)
    dense = fit_softmax(vectors[rows], labels, weights, DENSE_C, n, standardise=True) if entries else None
    keyword = (
        fit_softmax(vocabulary.matrix([tokens[r] for r in rows]), labels, weights, KEYWORD_C, n)
        if entries
        else None
    )
    kinded = [i for i, e in enumerate(entries) if e.kind]
    kinds = tuple(sorted({entries[i].kind for i in kinded}))
    kind_labels = [kinds.index(entries[i].kind) for i in kinded]
    ones = [1.0] * len(kinded)
    kind_dense = kind_keyword = None
    if kinded:
        kind_dense = fit_softmax(vectors[kinded], kind_labels, ones, DENSE_C, len(kinds), standardise=True)
        kind_keyword = fit_softmax(
            vocabulary.matrix([tokens[i] for i in kinded]), kind_labels, ones, KEYWORD_C, len(kinds)
        )
    return BankModels(classes, kinds, vocabulary, dense, keyword, kind_dense, kind_keyword)


class BankIndex:
    """The bank's questions, their vectors and the classifiers fitted on them."""

    def __init__(self, entries: Sequence[BankEntry], vectors: np.ndarray, models: BankModels):
        self.entries = list(entries)
        self.vectors = np.asarray(vectors, dtype=np.float32)
        self.models = models
        self.classes = models.classes
        self.index = {c: i for i, c in enumerate(self.classes)}
        members: list[list[int]] = [[] for _ in self.classes]
        for i, e in enumerate(self.entries):
            for c in e.classes:
                members[self.index[c]].append(i)
        self._members = [np.array(m, dtype=np.int64) for m in members]

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def plans(self) -> frozenset[str]:
        """The plans the bank has questions about (a plan without any is judged without it)."""
        return frozenset(c.partition(":")[0] for c in self.classes if c != HORS_PLAN)

    def scores(self, tokens: Sequence[str], vector: np.ndarray | None = None) -> BankScores:
        """What the bank says of a question: ``tokens`` its analysed words, ``vector`` its
        embedding when it was embedded (then the dense classifiers and the keys are read too)."""
        m = self.models
        if m.keyword is None:
            return BankScores(self.classes, self.index, np.zeros(len(self.classes), dtype=np.float32))
        js, x = m.vocabulary.row(tokens)
        keyword = m.keyword.sparse(js, x)
        if vector is None or m.dense is None:
            kind_p = m.kind_keyword.sparse(js, x) if m.kind_keyword is not None else None
            return BankScores(self.classes, self.index, keyword, kinds=m.kinds, kind_p=kind_p)
        v = np.asarray(vector, dtype=np.float32)
        sims = self.vectors @ v
        near = np.array([float(sims[k].max()) if len(k) else 0.0 for k in self._members], dtype=np.float32)
        kind_p = m.kind_dense(v) if m.kind_dense is not None else None
        return BankScores(self.classes, self.index, keyword, m.dense(v), near, m.kinds, kind_p)

    def subset(self, keep: Sequence[int], tokenize: Tokenizer, cache_dir: Path | None = None) -> BankIndex:
        """The bank fitted on some of its questions only (out-of-fold signals for training the judge);
        ``tokenize``: how its questions' words are read (the searcher's :meth:`bank_tokens`);
        ``cache_dir``: where the fit is kept, by what it is fitted on (:func:`fit_cached`)."""
        entries = [self.entries[i] for i in keep]
        vectors = self.vectors[list(keep)]
        return BankIndex(
            entries, vectors, fit_cached(entries, vectors, [tokenize(e.text) for e in entries], cache_dir)
        )


def fit_cached(
    entries: Sequence[BankEntry], vectors: np.ndarray, tokens: Sequence[Sequence[str]], cache_dir: Path | None
) -> BankModels:
    """:func:`fit_models`, read back from ``cache_dir`` when the same fit was made before: the key
    is everything the fit reads (the questions, their classes and kinds, their words, their vectors,
    the fit's settings and the libraries' versions), and the file holds the fitted arrays as they
    are, so what is read back is what the fit gives. None: fitted here, nothing kept."""
    if cache_dir is None:
        return fit_models(entries, vectors, tokens)
    path = cache_dir / f"bank-fit-{_fit_key(entries, vectors, tokens)}.npz"
    models = BankModels.load(path)
    if models is None:
        models = fit_models(entries, vectors, tokens)
        try:
            models.save(path)
        except OSError as e:
            log.warning("banque de questions : modèles non mis en cache (%s)", e)
    return models


def _fit_key(entries: Sequence[BankEntry], vectors: np.ndarray, tokens: Sequence[Sequence[str]]) -> str:
    import scipy
    import sklearn

    settings = [
        MODEL_FORMAT,
        DENSE_C,
        KEYWORD_C,
        TOLERANCE,
        sklearn.__version__,
        scipy.__version__,
        np.__version__,
    ]
    h = hashlib.sha256(json.dumps(settings).encode())
    for e, toks in zip(entries, tokens, strict=True):
        h.update(json.dumps([e.text, e.classes, e.kind, list(toks)]).encode())
    h.update(np.ascontiguousarray(vectors, dtype=np.float32).tobytes())
    return h.hexdigest()[:32]


_FITTED: LRUCache[str, BankModels] = LRUCache(4)
_FIT_LOCK = threading.Lock()


def bank_index(
    docs: Sequence[IndexDocument],
    vectors: np.ndarray,
    tokenize: Tokenizer,
    key: str = "",
    cache_dir: Path | None = None,
) -> BankIndex:
    """The bank index of a build's question documents. Its models are fitted once per content (the
    questions, their vectors' model, and ``key``: what the tokenizer depends on), kept in the
    process and in ``cache_dir`` when given."""
    h = hashlib.sha256(f"{MODEL_FORMAT}\0{key}".encode())
    for d in docs:
        h.update(d.id.encode())
    h.update(np.ascontiguousarray(vectors[:1]).tobytes())  # which model embedded them
    fingerprint = h.hexdigest()[:32]
    entries = [BankEntry.from_document(d) for d in docs]
    with _FIT_LOCK:
        models = _FITTED.get(fingerprint)
        path = cache_dir / f"bank-{fingerprint}.npz" if cache_dir is not None else None
        if models is None and path is not None:
            models = BankModels.load(path)
        if models is None:
            models = fit_models(
                entries, np.asarray(vectors, dtype=np.float32), [tokenize(e.text) for e in entries]
            )
            if path is not None:
                try:
                    models.save(path)
                except OSError as e:
                    log.warning("banque de questions : modèles non mis en cache (%s)", e)
        _FITTED.put(fingerprint, models)
    return BankIndex(entries, vectors, models)
