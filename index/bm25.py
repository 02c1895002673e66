"""Okapi BM25 in the application, over analysed French tokens, with typo tolerance: a query
word unknown to the corpus is replaced by the closest known word (one or two edits away)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, or ``limit + 1`` as soon as it exceeds ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        best = cur[0]
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            best = min(best, cur[j])
        if best > limit:
            return limit + 1
        prev = cur
    return prev[-1]


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
        # Inverted index: word → [(doc, tf)], so a query touches only the documents it matches.
        self.postings: dict[str, list[tuple[int, int]]] = {}
        for i, t in enumerate(self.tf):
            for w, c in t.items():
                self.postings.setdefault(w, []).append((i, c))
        # Candidates for typo correction, by first letter and length.
        self._by_start: dict[tuple[str, int], list[str]] = {}
        for w in df:
            self._by_start.setdefault((w[0], len(w)), []).append(w)

    def correct(self, word: str, extra_vocabulary: Iterable[str] = ()) -> str | None:
        """The closest word of the corpus to an unknown word (typos), or None."""
        if word in self.df or len(word) < 5 or word.isdigit():
            return None
        limit = 1 if len(word) < 9 else 2
        best: tuple[int, int, str] | None = None
        extra = set(extra_vocabulary)
        for n in range(len(word) - limit, len(word) + limit + 1):
            # Typos rarely hit the first letter; this also keeps real words from being "fixed".
            for cand in self._by_start.get((word[0], n), ()):
                d = edit_distance(word, cand, limit)
                if d <= limit:
                    key = (d, -self.df[cand], cand)
                    if best is None or key < best:
                        best = key
        for cand in extra:
            if abs(len(cand) - len(word)) <= limit and cand != word and cand[:1] == word[:1]:
                d = edit_distance(word, cand, limit)
                if d <= limit and (best is None or (d, 0, cand) < best):
                    best = (d, 0, cand)
        return best[2] if best else None

    def scores(self, query: dict[str, float]) -> dict[int, float]:
        """BM25 score of every matching document for weighted query words."""
        out: dict[int, float] = {}
        k1, b, avg = self.k1, self.b, self.avgdl or 1.0
        for w, weight in query.items():
            idf = self.idf.get(w)
            if idf is None:
                continue
            for i, tf in self.postings[w]:
                denom = tf + k1 * (1 - b + b * self.len[i] / avg)
                out[i] = out.get(i, 0.0) + weight * idf * tf * (k1 + 1) / denom
        return out
