"""French text analysis for BM25 and the lexicon: elisions, lower case, stop words, Snowball
French stemming, then accent folding.

``analyze("L’aide à la recherche d’un appartement")`` → ``["aid", "recherch", "appart"]``.

The stemmer reads accents (« sécurité » → « sécur », but « securite » → « securit »), and people
often type without them. So a word typed without accents gets them back first when the
corpus knows its accented form (:class:`Accents`): « securite » is stemmed as « sécurité ».
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import Stemmer

from corpus.text import fold

_ELISION = re.compile(r"\b(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|quoiqu|presqu)'", re.I)
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_STOPWORDS_FILE = Path(__file__).with_name("stopwords_fr.txt")
_local = threading.local()


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    words = set()
    for line in _STOPWORDS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.add(fold(line))
            words.update(fold(w) for w in re.split(r"[-']", line) if w)
    return frozenset(words)


def _stemmer() -> Stemmer.Stemmer:
    # PyStemmer objects are not thread-safe: one per thread.
    s = getattr(_local, "stemmer", None)
    if s is None:
        s = _local.stemmer = Stemmer.Stemmer("french")
    return s


def words(text: str) -> list[str]:
    """Lower-case words with elisions removed (« l’aide » → « aide »), accents kept."""
    text = text.replace("’", "'").replace("‘", "'").replace("`", "'").lower()
    text = _ELISION.sub(" ", text)
    return _TOKEN.findall(text)


class Accents:
    """The accented spelling of folded words (« securite » → « sécurité »), learned from texts: a
    word typed without its accents is stemmed as the texts write it. Each index has its own, learned
    from its lexicon and its documents (no table shared by the process)."""

    def __init__(self, texts: Iterable[str] = ()):
        self._table: dict[str, str] = {}
        self.learn(texts)

    def learn(self, texts: Iterable[str]) -> Accents:
        """Add the words of ``texts`` (a word already known keeps its spelling; in a text, the most
        frequent accented spelling wins)."""
        counts: dict[str, Counter[str]] = {}
        for text in texts:
            for w in words(text):
                f = fold(w)
                if f != w:
                    counts.setdefault(f, Counter())[w] += 1
        for f, c in counts.items():
            self._table.setdefault(f, c.most_common(1)[0][0])
        return self

    def copy(self) -> Accents:
        other = Accents()
        other._table = dict(self._table)
        return other

    def restore(self, word: str) -> str:
        return self._table.get(word, word) if word.isascii() else word

    def __len__(self) -> int:
        return len(self._table)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball French stem of a lower-case word, accents folded afterwards."""
    return fold(_stemmer().stemWord(word))


def analyze(text: str, keep_stopwords: bool = False, accents: Accents | None = None) -> list[str]:
    """Analysed words of ``text``; with ``accents``, a word typed without its accents is stemmed as
    the texts they were learned from write it."""
    stop = stopwords()
    out = []
    for w in words(text):
        f = fold(w)
        if not keep_stopwords and (f in stop or (len(f) < 2 and not f.isdigit())):
            continue
        out.append(stem(accents.restore(w) if accents is not None else w))
    return out
