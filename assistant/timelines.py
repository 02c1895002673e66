"""The plans' timelines as the question, the answer and the checks of a generated answer speak of
them: built from each plan's legend (its codes, labels and spans: plan data) and the language's
other words for those labels (``timelines.yaml``: language data). No timeline code or word is
written in Python; a plan with other timelines (« 2026-2027 », « en continu ») needs no code change.
Patterns apply to the *folded* question (:func:`corpus.text.fold`), codes to the question as written
(in capitals)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from corpus import Corpus
from corpus.model import Plan
from corpus.text import fold

WORDS_FILE = Path(__file__).with_name("timelines.yaml")
_NEVER = re.compile(r"(?!)")


@dataclass(frozen=True)
class LabelWords:
    """The language's words for one timeline label (an entry of ``timelines.yaml``)."""

    label: str  # folded, as plans print it: « court terme »
    names: tuple[str, ...] = ()
    cues: tuple[str, ...] = ()
    said: tuple[str, ...] = ()
    ongoing: bool = False
    phrase: dict[str, str] = field(default_factory=dict)  # language → words
    short: dict[str, str] = field(default_factory=dict)  # language → badge


@cache
def label_words() -> dict[str, LabelWords]:
    """``timelines.yaml``, read once, checked: a bad entry names the file and the label."""
    data: dict[str, Any] = yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8")) or {}
    out: dict[str, LabelWords] = {}
    for label, entry in data.items():
        unknown = set(entry or {}) - {"names", "cues", "said", "ongoing", "phrase", "short"}
        if unknown:
            raise ValueError(f"{WORDS_FILE}: {label!r}: clés inconnues {sorted(unknown)}")
        entry = entry or {}
        out[fold(label)] = LabelWords(
            fold(label),
            tuple(fold(w) for w in entry.get("names", ())),
            tuple(fold(w) for w in entry.get("cues", ())),
            tuple(entry.get("said", ())),
            bool(entry.get("ongoing", False)),
            dict(entry.get("phrase") or {}),
            dict(entry.get("short") or {}),
        )
    return out


def _alternation(words: list[str]) -> re.Pattern[str]:
    """Any of ``words`` as whole words; a space or a hyphen between their words is either."""
    parts = [r"[\s-]+".join(re.escape(x) for x in re.split(r"[\s-]+", w.strip())) for w in words if w.strip()]
    return re.compile("|".join(rf"\b{p}\b" for p in parts)) if parts else _NEVER


def _span_words(span: str | None) -> list[str]:
    """« de 3 à 5 ans » is also said « 3 à 5 ans »."""
    if not span:
        return []
    s = fold(span)
    return [re.sub(r"^de\s+", "", s)]


@dataclass(frozen=True)
class Timeline:
    """One timeline code as the plans and people say it."""

    code: str
    label: str  # the plan's label, as printed: « court terme »
    words: LabelWords
    asked: re.Pattern[str]  # in a folded question: asks for it (its label, span, names, cues)
    named: re.Pattern[str]  # in a folded question: names it (label, span, names; not the cues)


class Timelines:
    """Every timeline the plans declare, in the plans' order (first plan's legend first)."""

    def __init__(self, plans: list[Plan]):
        words = label_words()
        self.by_code: dict[str, Timeline] = {}
        for plan in plans:
            for code, h in plan.horizons.items():
                if code in self.by_code:
                    continue
                w = words.get(fold(h.label)) or LabelWords(fold(h.label))
                own = [w.label, *_span_words(h.span), *w.names]
                self.by_code[code] = Timeline(
                    code, h.label, w, _alternation([*own, *w.cues]), _alternation(own)
                )
        codes = sorted(self.by_code, key=len, reverse=True)
        self.code_pattern = (
            re.compile(rf"(?<![A-Za-z])({'|'.join(map(re.escape, codes))})(?![A-Za-z])") if codes else _NEVER
        )

    @classmethod
    def of(cls, corpus: Corpus) -> Timelines:
        return cls(list(corpus))

    def asked(self, question: str, folded: str) -> list[str]:
        """The codes a question asks for: by their words (folded) or their code (in capitals)."""
        codes = [t.code for t in self.by_code.values() if t.asked.search(folded)]
        for m in self.code_pattern.finditer(question):
            if m.group(1) not in codes:
                codes.append(m.group(1))
        return codes

    def named(self, question: str, folded: str) -> str | None:
        """The one timeline a question names, to define it: by its code, else by its words."""
        m = self.code_pattern.search(question)
        if m:
            return m.group(1)
        found = [t.code for t in self.by_code.values() if t.named.search(folded)]
        return found[0] if len(found) == 1 else None

    def patterns(self) -> list[re.Pattern[str]]:
        """What says a timeline in a folded question (not a subject of the question)."""
        return [t.asked for t in self.by_code.values()]


def phrase(plan: Plan, code: str, lang: str) -> str:
    """How an answer says a plan's timeline: « à court terme » / « in the short term »; a label the
    language data does not know is said as the plan prints it."""
    h = plan.horizons.get(code)
    if h is None:
        return code
    w = label_words().get(fold(h.label))
    return (w.phrase.get(lang) if w else None) or h.label


def badge(plan: Plan, code: str, lang: str) -> str:
    """The timeline's badge beside a cited action: « Court terme » / « Short term »; a label the language
    data does not know is shown as the plan prints it, capitalised."""
    h = plan.horizons.get(code)
    if h is None:
        return code
    w = label_words().get(fold(h.label))
    said = w.short.get(lang) if w else None
    return said or h.label[:1].upper() + h.label[1:]


def ongoing(plan: Plan, code: str | None) -> bool:
    """The plan's timeline ``code`` says its actions are already under way (« en cours »)."""
    h = plan.horizons.get(code or "")
    w = label_words().get(fold(h.label)) if h else None
    return bool(w and w.ongoing)


def said_words() -> list[tuple[str, re.Pattern[str]]]:
    """Each label's words in a text as written (any case; accents as the language writes them):
    to find the timeline a generated answer gives an action."""
    out = []
    for label, w in label_words().items():
        words = [label, *w.names, *w.said]
        out.append((label, re.compile(_alternation(words).pattern, re.I)))
    return out
