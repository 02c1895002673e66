"""Query expansion: everyday words (French and English) → the plans' own vocabulary.

A lexicon maps concepts to triggers (« appart », « loyer », « RTC »; in English « rent »…) and to
plan terms (« logement », « transport collectif »). A question that contains a trigger gets the
concept's plan terms added to its keywords. Matching works on analysed tokens (stems, accents
folded), so inflections and missing accents match too.

The lexicon of a corpus is data: the general file (``index/lexicon.yaml``: the format, and the
concepts no plan's wording carries) and the lexicon of each plan, beside it
(``corpus/plans/<plan>/lexicon.yaml``, read and checked by :mod:`corpus.lexicon`), merged by concept
id (:func:`corpus.lexicon.merge`). :func:`corpus_lexicon` gives the lexicon of a corpus,
:func:`fingerprint` what changes with it (an index build depends on it).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from corpus.lexicon import ConceptEntry, merge, read_lexicon
from corpus.problems import CorpusError, ProblemLog
from index.analysis import Accents, analyze, stem, stopwords

if TYPE_CHECKING:
    from corpus import Corpus

#: The general lexicon: the format of every lexicon, and the concepts tied to no plan.
GENERAL_FILE = Path(__file__).with_name("lexicon.yaml")


# Verb and plural endings the Snowball stemmer sometimes leaves on a word (« dorment », « dorm »).
_ENDINGS = ("aient", "ait", "ant", "ent", "ons", "ez", "er", "es", "e", "s", "x")


def same_word(a: str, b: str) -> bool:
    """Two analysed tokens name the same word: equal, or one is the other plus a French verb or
    plural ending the stemmer left (« dorment » / « dorm »), the shorter of four letters or more.
    Only those endings: « french » is not « frene » plus an ending, nor « transit » « trans »."""
    if a == b:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= 4 and long_.startswith(short) and long_[len(short) :] in _ENDINGS


@dataclass(frozen=True)
class Concept:
    id: str
    plan_terms: tuple[str, ...]
    triggers: tuple[str, ...]  # in French
    triggers_en: tuple[str, ...] = ()  # in English
    expansion: tuple[str, ...] = ()  # analysed plan terms

    @property
    def all_triggers(self) -> tuple[str, ...]:
        """The French triggers, then the English ones (both are read the same way)."""
        return (*self.triggers, *self.triggers_en)


@dataclass(frozen=True)
class Match:
    concept: Concept
    trigger: str


class Lexicon:
    """The concepts, analysed with ``accents`` (by default those of the lexicon's French words; an
    index adds those of its documents: see :meth:`for_texts`)."""

    def __init__(self, concepts: Sequence[Concept], accents: Accents | None = None):
        # Accents are learned from the French words only (the English triggers have none to teach).
        self.accents = accents if accents is not None else Accents(_terms(concepts))
        self.concepts = [
            replace(
                c,
                expansion=tuple(
                    dict.fromkeys(tok for t in c.plan_terms for tok in analyze(t, accents=self.accents))
                ),
            )
            for c in concepts
        ]
        self._by_first: dict[str, list[tuple[tuple[str, ...], Concept, str]]] = {}
        self.ignored: list[tuple[str, str]] = []  # (concept, trigger) that analysis reduces to stop words
        stop_stems = {stem(w) for w in stopwords()} | set(stopwords())
        for c in self.concepts:
            for t in c.all_triggers:
                toks = tuple(analyze(t, keep_stopwords=True, accents=self.accents))
                # A trigger must keep one meaningful word once stemmed (« queer » stems to « que »).
                if not any(tok not in stop_stems and (len(tok) >= 2 or tok.isdigit()) for tok in toks):
                    self.ignored.append((c.id, t))
                    continue
                self._by_first.setdefault(toks[0], []).append((toks, c, t))
        # Document side: a node that uses a concept's own words also gets the concept's everyday words.
        self._phrases = {
            c.id: [p for p in (tuple(analyze(t, accents=self.accents)) for t in c.plan_terms) if p]
            for c in self.concepts
        }
        self._everyday = {
            c.id: list(dict.fromkeys(tok for t in c.all_triggers for tok in analyze(t, accents=self.accents)))
            for c in self.concepts
        }
        self.vocabulary = frozenset(self._by_first) | {
            tok for entries in self._by_first.values() for toks, _, _ in entries for tok in toks
        }

    @classmethod
    def from_entries(cls, entries: Iterable[ConceptEntry]) -> Lexicon:
        """The lexicon of concepts read from lexicon files (merged: :func:`corpus.lexicon.merge`)."""
        return cls([Concept(e.id, e.plan_terms, e.triggers, e.triggers_en) for e in entries])

    @classmethod
    def load(cls, path: Path = GENERAL_FILE) -> Lexicon:
        """The lexicon of one file (in the general file's format), checked: :func:`read_general`."""
        return cls.from_entries(read_general(path))

    @cached_property
    def fingerprint(self) -> str:
        """What the lexicon's words are: equal for equal concepts, whatever the texts' accents."""
        return _digest((c.id, c.plan_terms, c.triggers, c.triggers_en) for c in self.concepts)

    def for_texts(self, texts: Iterable[str]) -> Lexicon:
        """The same concepts for an index of these texts: analysed with the accents of the lexicon
        and of the texts (« securite » typed finds « sécurité » wherever it is written)."""
        return Lexicon(self.concepts, self.accents.copy().learn(texts))

    def _candidates(self, tok: str) -> list[tuple[tuple[str, ...], Concept, str]]:
        found = list(self._by_first.get(tok, ()))
        for ending in _ENDINGS:  # « dorment » finds the triggers starting with « dorm »
            if tok.endswith(ending) and len(tok) - len(ending) >= 4:
                found += self._by_first.get(tok[: -len(ending)], [])
        return found

    def match(self, tokens: list[str]) -> list[Match]:
        """Concepts whose trigger appears (as a run of analysed tokens, stop words kept) in ``tokens``."""
        found: dict[str, Match] = {}
        for i, tok in enumerate(tokens):
            for toks, concept, trigger in self._candidates(tok):
                if concept.id in found or i + len(toks) > len(tokens):
                    continue
                if all(same_word(a, b) for a, b in zip(tokens[i : i + len(toks)], toks, strict=True)):
                    found[concept.id] = Match(concept, trigger)
        return list(found.values())

    def document_expansion(self, tokens: list[str]) -> list[str]:
        """Everyday words for the concepts a document speaks of in the plans' words: one of the
        concept's plan phrases of two words or more, or two of its single words."""
        present = set(tokens)
        out: list[str] = []
        for cid, phrases in self._phrases.items():
            hits = [p for p in phrases if p[0] in present and _contains(tokens, p)]
            if any(len(p) >= 2 for p in hits) or len(hits) >= 2:
                out += self._everyday[cid]
        return out

    def expand(self, tokens: list[str], matches: list[Match] | None = None) -> list[str]:
        """Plan-vocabulary tokens for the concepts the tokens (``analyze(q, keep_stopwords=True)``)
        trigger (``matches``, when already found), not already in the query."""
        have = set(tokens)
        out: dict[str, None] = {}
        for m in self.match(tokens) if matches is None else matches:
            for tok in m.concept.expansion:
                if tok not in have:
                    out.setdefault(tok, None)
        return list(out)


def _terms(concepts: Iterable[Concept]) -> list[str]:
    """The French words of the concepts: their plan terms and French triggers."""
    return [t for c in concepts for t in (*c.plan_terms, *c.triggers)]


def _contains(tokens: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(tokens[i : i + n]) == phrase for i in range(len(tokens) - n + 1))


def _digest(concepts: Iterable[tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]]) -> str:
    return hashlib.sha256(json.dumps(list(concepts), ensure_ascii=False).encode()).hexdigest()[:24]


def read_general(path: Path = GENERAL_FILE) -> tuple[ConceptEntry, ...]:
    """The concepts of the general file (or of another file of its format); a malformed file is a
    :class:`~corpus.CorpusError` naming ``file:line`` and the field."""
    log = ProblemLog(str(path))
    entries = read_lexicon(path, log)
    if log.problems:
        raise CorpusError(log.problems)
    return tuple(entries)


@lru_cache(maxsize=4)
def _general(path: Path) -> tuple[ConceptEntry, ...]:
    return read_general(path)


def corpus_entries(corpus: Corpus) -> tuple[ConceptEntry, ...]:
    """The concepts of the general file and of the corpus's plans (in the corpus's order), merged."""
    lexicons = corpus.lexicon.plans
    plans = [lexicons[p.id] for p in corpus if p.id in lexicons]
    return tuple(merge([_general(GENERAL_FILE), *plans], corpus.lexicon.order))


def corpus_lexicon(corpus: Corpus) -> Lexicon:
    """The lexicon of a corpus: the general concepts and those of its plans (made once per content)."""
    return _from_entries(corpus_entries(corpus))


@lru_cache(maxsize=4)
def _from_entries(entries: tuple[ConceptEntry, ...]) -> Lexicon:
    return Lexicon.from_entries(entries)


def fingerprint(corpus: Corpus) -> str:
    """What a corpus's lexicon is (:attr:`Lexicon.fingerprint`, without analysing it): it changes
    when any plan's lexicon, the order of shared terms or the general file changes."""
    return _digest((e.id, e.plan_terms, e.triggers, e.triggers_en) for e in corpus_entries(corpus))


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The lexicon of the configured corpus (``PLAN_ASSISTANT_CORPUS_DIR``; by default the shipped plans)."""
    from corpus import load_corpus
    from corpus.settings import CorpusSettings

    return corpus_lexicon(load_corpus(CorpusSettings().corpus_dir))
