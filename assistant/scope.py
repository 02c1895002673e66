"""Municipal services the plans do not cover (``out_of_scope.yaml``): a question about one of them
is answered « the plans do not cover it », with where to ask instead, unless a plan's action is
strongly relevant (see :mod:`assistant.coverage`)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from corpus.text import fold
from index.analysis import words

OUT_OF_SCOPE_FILE = Path(__file__).with_name("out_of_scope.yaml")


@dataclass(frozen=True)
class OutTopic:
    id: str
    label: str
    label_en: str
    triggers: tuple[tuple[str, ...], ...]


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


def plan_phrases(texts: list[str]) -> str:
    """The plans' words as :func:`match_out_topic` compares them (folded, one space apart)."""
    return " " + " ".join(_folded_words(" ".join(texts))) + " "


@lru_cache(maxsize=4096)
def match_out_topic(question: str, plans: str = "") -> OutTopic | None:
    """The municipal service a question names, if any. A phrase of several words that the plans
    themselves use (``plans``: :func:`plan_phrases`) names what a plan addresses, not a service
    outside them (« carte de bibliothèque » in a libraries' plan)."""
    tokens = _folded_words(question)
    index = _by_first_word()
    for i, tok in enumerate(tokens):
        for trig, topic in index.get(tok, ()):
            if i + len(trig) <= len(tokens) and all(
                _same(a, b) for a, b in zip(tokens[i : i + len(trig)], trig, strict=True)
            ):
                if len(trig) > 1 and f" {' '.join(trig)} " in plans:
                    continue
                return topic
    return None
