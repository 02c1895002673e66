"""The coverage decision's rule for a question that quotes an action (fast: candidates made by hand,
the shipped model's bars)."""

from __future__ import annotations

from assistant.coverage import quoted
from assistant.reading import Reading
from assistant.relevance import Judged, RelevanceModel
from index.hybrid import Hit

from .conftest import CITY


def candidate(number: str, p: float, cover_own: float, kind: str = "action") -> Judged:
    hit = Hit(CITY, kind, number, f"{CITY}:{number}", "n", "t", "x", "u", "CT", [], 1.0, "d")
    return Judged(hit, {"cover_own": cover_own}, p)


def reading(*subject: str) -> Reading:
    return Reading("q", "q", "fr", None, subject=list(subject))  # type: ignore[arg-type]


def test_a_question_quotes_the_one_action_whose_own_words_are_its_whole_subject() -> None:
    model = RelevanceModel.load()
    assert quoted(reading("outil", "numer"), [candidate("12", 0.3, 1.0), candidate("11", 0.2, 0.5)], model)
    # Two actions have all its words: not told apart by quoting.
    assert not quoted(
        reading("outil", "numer"), [candidate("12", 0.3, 1.0), candidate("11", 0.2, 1.0)], model
    )
    # Some word of the subject is not the action's; one word is not a quote; below the citing bar.
    assert not quoted(reading("outil", "numer"), [candidate("12", 0.3, 0.67)], model)
    assert not quoted(reading("outil"), [candidate("12", 0.3, 1.0)], model)
    assert not quoted(reading("outil", "numer"), [candidate("12", model.cite / 2, 1.0)], model)
