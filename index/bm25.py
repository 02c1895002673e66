"""Okapi BM25 in the application, over analysed French tokens, with typo tolerance: a query
word unknown to the corpus is replaced by the closest known word (one or two edits away, by
rapidfuzz's Levenshtein distance)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

from rapidfuzz.distance import Levenshtein


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance (rapidfuzz), or ``limit + 1`` as soon as it exceeds ``limit``."""
    return int(Levenshtein.distance(a, b, score_cutoff=limit))


class BM25:
    def __init__(self, docs: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75):
        self.k1, self.b = k1, b
        self.n = len(docs)
        self.tf = [Counter(d) for d in docs]
        self.len = [len(d) for d in docs]
        self.avgdl = (sum(self.len) / self.n) if self.n else 0.0
        df: Counter[str] = Counter()
        for t in self.tf:
            df.update(t.keys())
        self.df = df
        self.idf = {w: math.log(1 + (self.n - f + 0.5) / (f + 0.5)) for w, f in df.items()}
        # Inverted index: word → [(doc, BM25 term)], so a query touches only the documents it
        # matches, with each term (idf × saturated tf) computed once instead of per question.
        avg = self.avgdl or 1.0
        self._terms: dict[str, list[tuple[int, float]]] = {}
        for i, t in enumerate(self.tf):
            norm = k1 * (1 - b + b * self.len[i] / avg)
            for w, tf in t.items():
                self._terms.setdefault(w, []).append((i, self.idf[w] * tf * (k1 + 1) / (tf + norm)))
        # Candidates for typo correction, by first letter and length.
        self._by_start: dict[tuple[str, int], list[str]] = {}
        for w in df:
            self._by_start.setdefault((w[0], len(w)), []).append(w)
        self._extra_cache: dict[frozenset[str], dict[tuple[str, int], list[str]]] = {}

    def correct(self, word: str, extra_vocabulary: Iterable[str] = ()) -> str | None:
        """The closest word of the corpus to an unknown word (typos), or None. Words of
        ``extra_vocabulary`` (the lexicon's) count too, and win a tie."""
        if word in self.df or len(word) < 5 or word.isdigit():
            return None
        limit = 1 if len(word) < 9 else 2
        extra = self._extra_buckets(extra_vocabulary)
        best: tuple[int, int, str] | None = None
        for n in range(len(word) - limit, len(word) + limit + 1):
            # Typos rarely hit the first letter; this also keeps real words from being "fixed".
            for bucket, own in ((self._by_start, True), (extra, False)):
                for cand in bucket.get((word[0], n), ()):
                    d = edit_distance(word, cand, limit)
                    if d <= limit and cand != word:
                        key = (d, -self.df[cand] if own else 0, cand)
                        if best is None or key < best:
                            best = key
        return best[2] if best else None

    def _extra_buckets(self, words: Iterable[str]) -> dict[tuple[str, int], list[str]]:
        key = words if isinstance(words, frozenset) else frozenset(words)
        cached = self._extra_cache.get(key)
        if cached is None:
            cached = {}
            for w in key:
                if w:
                    cached.setdefault((w[0], len(w)), []).append(w)
            self._extra_cache = {key: cached}  # one extra vocabulary at a time (the lexicon's)
        return cached

    def scores(self, query: dict[str, float]) -> dict[int, float]:
        """BM25 score of every matching document for weighted query words."""
        out: dict[int, float] = {}
        for w, weight in query.items():
            for i, term in self._terms.get(w, ()):
                out[i] = out.get(i, 0.0) + weight * term
        return out
