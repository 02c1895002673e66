"""Numbers that designate a node of a plan in a question (« l'action 37 », « actions 12 et 13 »,
« 2.1.4 », « objectif 2.2.2 »): read in one place, by the search and by the assistant."""

from __future__ import annotations

import re

_NUMBER = r"\d{1,3}(?:\.\d{1,3}){0,3}"
_NAMED = re.compile(
    r"\b(?:l')?(?:actions?|items?|objectifs?|no|n°|#)\s*(?:n[o°º]\.?\s*|#\s*|numero\s*)?"
    rf"(?P<list>{_NUMBER}(?:\s*(?:,|et|&|and|ou|or)\s*{_NUMBER})*)\b"
)
_DOTTED = re.compile(r"(?<![\d.])(\d{1,2}\.\d{1,2}\.\d{1,2}(?:\.\d{1,2})?)(?![\d.])")
_ACTION_WORD = re.compile(r"\bactions?\b|\bitems?\b")


def numbers_in(folded: str) -> list[str]:
    """Printed numbers named in a folded question (see :func:`corpus.text.fold`), in order, once
    each: after « action(s) », « objectif », « no », « # », and dotted numbers like « 2.1.4 »."""
    found: list[str] = []
    for m in _NAMED.finditer(folded):
        found += re.findall(_NUMBER, m.group("list"))
    found += _DOTTED.findall(folded)
    return list(dict.fromkeys(found))


def names_an_action(folded: str) -> bool:
    """The question says « action » (a dotted number then designates an action, not an objective)."""
    return _ACTION_WORD.search(folded) is not None
