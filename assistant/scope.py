"""Do the plans cover the question? Decided from what retrieval saw, with thresholds calibrated on
the question set (``plan-assistant eval answers``), and from a list of municipal services the
plans do not cover (``out_of_scope.yaml``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, Field

from corpus.text import fold
from index.analysis import words
from index.search import SearchResult

OUT_OF_SCOPE_FILE = Path(__file__).with_name("out_of_scope.yaml")


class ScopeConfig(BaseModel):
    """Thresholds calibrated on the question set (see ``plan-assistant eval answers``)."""

    dense_min: float = Field(default=0.80, description="Similarité vectorielle qui suffit à couvrir.")
    bm25_min: float = Field(default=8.0, description="Score BM25 qui suffit à couvrir.")


@dataclass(frozen=True)
class OutTopic:
    id: str
    label: str
    label_en: str
    triggers: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class ScopeDecision:
    covered: bool
    topic: OutTopic | None
    reason: str


def _folded_words(text: str) -> list[str]:
    return [fold(w) for w in words(text)]


@lru_cache(maxsize=1)
def out_topics() -> tuple[OutTopic, ...]:
    data = yaml.safe_load(OUT_OF_SCOPE_FILE.read_text(encoding="utf-8"))
    topics = []
    for t in data["topics"]:
        triggers = tuple(tuple(_folded_words(x)) for x in t["triggers"])
        topics.append(
            OutTopic(t["id"], t["label"], t.get("label_en", t["label"]), tuple(x for x in triggers if x))
        )
    return tuple(topics)


def _same(word: str, trigger: str) -> bool:
    # Words, not stems: « collectif » is not « collecte », « station » not « stationnement ».
    return word == trigger or word in (trigger + "s", trigger + "x") or trigger in (word + "s", word + "x")


@lru_cache(maxsize=1)
def _by_first_word() -> dict[str, list[tuple[tuple[str, ...], OutTopic]]]:
    index: dict[str, list[tuple[tuple[str, ...], OutTopic]]] = {}
    for topic in out_topics():
        for trig in topic.triggers:
            for form in {
                trig[0],
                trig[0] + "s",
                trig[0] + "x",
                trig[0].removesuffix("s"),
                trig[0].removesuffix("x"),
            }:
                index.setdefault(form, []).append((trig, topic))
    return index


def match_out_topic(question: str) -> OutTopic | None:
    tokens = _folded_words(question)
    index = _by_first_word()
    for i, tok in enumerate(tokens):
        for trig, topic in index.get(tok, ()):
            if i + len(trig) <= len(tokens) and all(
                _same(a, b) for a, b in zip(tokens[i : i + len(trig)], trig, strict=True)
            ):
                return topic
    return None


def decide(
    question: str,
    result: SearchResult,
    config: ScopeConfig | None = None,
    local_plans: frozenset[str] = frozenset(),
) -> ScopeDecision:
    """A question about a municipal service the plans do not cover is out of scope, unless it
    names a local plan (« le conseil de quartier surveille-tu ça? »); other questions are covered
    when retrieval found something close enough."""
    c = config or ScopeConfig()
    if result.analysis.references:
        return ScopeDecision(True, None, "référence exacte")
    topic = match_out_topic(question)
    if topic is not None:
        named = set(result.analysis.named_plans) & local_plans
        if named:
            return ScopeDecision(True, topic, f"sujet « {topic.id} » mais plan nommé {sorted(named)}")
        return ScopeDecision(False, topic, f"sujet hors plans « {topic.id} »")
    if result.analysis.concepts:
        return ScopeDecision(True, None, f"concepts {result.analysis.concepts}")
    if result.dense_top >= c.dense_min:
        return ScopeDecision(True, None, f"similarité {result.dense_top:.3f}")
    if result.bm25_top >= c.bm25_min:
        return ScopeDecision(True, None, f"BM25 {result.bm25_top:.2f}")
    return ScopeDecision(False, None, f"similarité {result.dense_top:.3f}, BM25 {result.bm25_top:.2f}")
