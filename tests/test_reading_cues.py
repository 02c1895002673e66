"""The question reading's cues are general rules of French and English questions, not phrases of
particular questions: a cue phrase that matches exactly one question of the tuning set and no plan
text serves that question only (it raises the tuning score and does not generalise). A single word
(« quand », « budget », « recyclage ») names a class of questions by itself and is not checked;
every phrase is: each alternative of a cue, each alias and each out-of-scope trigger of two words or
more. Fast: no index."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from assistant.reading import cues, facts
from assistant.reading.references import principle_names, unit_names
from assistant.scope import _folded_words, _same, out_topics
from assistant.timelines import Timelines
from corpus import Corpus, load_corpus
from corpus.text import fold, word_in
from evals.dataset import load_questions


def tuning_questions() -> list[str]:
    out = []
    for q in load_questions():
        out += [fold(s.question) for s in q.steps]
        out += [fold(t.question) for t in q.history]
    return list(dict.fromkeys(out))


def regex_cues() -> Iterator[tuple[str, str]]:
    for cue in [*cues.ALL, facts.PERSON_NAME, facts.PERSON_IDENTITY, facts.PRIVATE, facts.DISTRESS]:
        for alternative in cue.alternatives:
            yield cue.name, alternative
    corpus = load_corpus()
    for code, timeline in Timelines.of(corpus).by_code.items():
        yield f"horizon {code}", timeline.asked.pattern
    for names in (unit_names(corpus), principle_names(corpus)):
        for name, aliases in names.items():
            for a in aliases:
                yield f"alias {name}", rf"\b{re.escape(a)}\b"
    # The kinds of facilities are one class: « a facility the plans do not name ».
    yield "facility", "|".join(rf"\b{re.escape(noun)}s?\b" for noun in facts.FACILITY_NOUNS)


def is_phrase(pattern: str) -> bool:
    """Two words or more: a space, a whitespace class or a wildcard in the pattern, or several
    alternatives at its top level (a rule written as a group of variants)."""
    depth, top_level_or = 0, False
    for i, ch in enumerate(pattern):
        if ch == "(" and (i == 0 or pattern[i - 1] != "\\"):
            depth += 1
        elif ch == ")" and pattern[i - 1] != "\\":
            depth -= 1
        elif ch == "|" and depth == 0:
            top_level_or = True
    return " " in pattern or r"\s" in pattern or ".{" in pattern or top_level_or


def trigger_matches(trigger: tuple[str, ...], text: str) -> bool:
    tokens = _folded_words(text)
    n = len(trigger)
    return any(
        all(_same(a, b) for a, b in zip(tokens[i : i + n], trigger, strict=True))
        for i in range(len(tokens) - n + 1)
    )


@pytest.fixture(scope="module")
def plan_text(corpus: Corpus) -> str:
    return fold(" ".join(f"{n.title} {n.text}" for p in corpus for n in p.nodes))


def test_no_cue_serves_a_single_question(plan_text: str) -> None:
    questions = tuning_questions()
    single = []
    for name, pattern in regex_cues():
        if not is_phrase(pattern):
            continue
        rx = re.compile(pattern)
        hits = [q for q in questions if rx.search(q)]
        if len(hits) == 1 and not rx.search(plan_text):
            single.append((name, pattern, hits[0][:80]))
    for topic in out_topics():
        for trigger in topic.triggers:
            if len(trigger) < 2:
                continue
            hits = [q for q in questions if trigger_matches(trigger, q)]
            if len(hits) == 1 and not trigger_matches(trigger, plan_text):
                single.append((f"hors sujet {topic.id}", " ".join(trigger), hits[0][:80]))
    assert single == [], "cues that match exactly one tuning question and no plan text"


def test_the_check_catches_a_cue_fitted_to_one_question(plan_text: str) -> None:
    """The rule above is not vacuous: a phrase taken from one tuning question is caught."""
    questions = tuning_questions()
    fitted = re.compile(r"\bmange quoi\b")  # « ça mange quoi en hiver? », in one question only
    assert len([q for q in questions if fitted.search(q)]) == 1
    assert not fitted.search(plan_text)
    assert word_in("logement", plan_text)
