"""Query expansion: everyday and Québec French words → the plans' own vocabulary.

The lexicon (``lexicon.yaml``) maps concepts to triggers (« appart », « loyer », « RTC »)
and to plan terms (« logement », « transport collectif »). A question that contains a
trigger gets the concept's plan terms added to its keywords. Matching works on analysed
tokens (stems, accents folded), so inflections and missing accents match too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from index.analysis import Accents, analyze, stem, stopwords

LEXICON_FILE = Path(__file__).with_name("lexicon.yaml")
ENGLISH_FILE = Path(__file__).with_name("lexicon_en.yaml")


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
    triggers: tuple[str, ...]
    expansion: tuple[str, ...]  # analysed plan terms


@dataclass(frozen=True)
class Match:
    concept: Concept
    trigger: str


class Lexicon:
    """The concepts, analysed with ``accents`` (those of the lexicon's own words, and of the
    documents of the index that uses it: see :meth:`for_texts`)."""

    def __init__(self, concepts: list[Concept], accents: Accents | None = None):
        self.accents = accents if accents is not None else Accents(_terms(concepts))
        self.concepts = [
            Concept(
                c.id,
                c.plan_terms,
                c.triggers,
                tuple(dict.fromkeys(tok for t in c.plan_terms for tok in analyze(t, accents=self.accents))),
            )
            for c in concepts
        ]
        self._by_first: dict[str, list[tuple[tuple[str, ...], Concept, str]]] = {}
        self.ignored: list[tuple[str, str]] = []  # (concept, trigger) that analysis reduces to stop words
        stop_stems = {stem(w) for w in stopwords()} | set(stopwords())
        for c in self.concepts:
            for t in c.triggers:
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
            c.id: list(dict.fromkeys(tok for t in c.triggers for tok in analyze(t, accents=self.accents)))
            for c in self.concepts
        }
        self.vocabulary = frozenset(self._by_first) | {
            tok for entries in self._by_first.values() for toks, _, _ in entries for tok in toks
        }

    @classmethod
    def load(cls, path: Path = LEXICON_FILE, english: Path | None = ENGLISH_FILE) -> Lexicon:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        extra: dict[str, list[str]] = {}
        if english is not None and english.exists():
            extra = yaml.safe_load(english.read_text(encoding="utf-8")).get("concepts", {}) or {}
        concepts = []
        for c in data.get("concepts", []):
            triggers = tuple(c.get("triggers", [])) + tuple(extra.get(c["id"], []))
            concepts.append(Concept(c["id"], tuple(c.get("plan_terms", [])), triggers, ()))
        # Accents are learned from the French words only (the English triggers have none to teach).
        french = [
            t for c in data.get("concepts", []) for t in (*c.get("plan_terms", []), *c.get("triggers", []))
        ]
        return cls(concepts, Accents(french))

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


def _terms(concepts: list[Concept]) -> list[str]:
    return [t for c in concepts for t in (*c.plan_terms, *c.triggers)]


def _contains(tokens: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(tokens[i : i + n]) == phrase for i in range(len(tokens) - n + 1))


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return Lexicon.load()
