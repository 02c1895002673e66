"""Plan-level notions: the other policies and plans of the organisation that a plan associates with
its objectives (« orientations municipales associées »: the « Vision en matière d'itinérance »…). A
question about one of them that no action answers exactly is answered with what the plan says of
it, read from the plan's structure (any plan whose objectives list associated policies)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from corpus import Corpus
from corpus.model import Objectif, Plan
from index.analysis import analyze


@dataclass(frozen=True)
class Policy:
    plan: Plan
    title: str
    objectives: tuple[Objectif, ...]
    words: frozenset[str]  # the words that single it out among the plan's associated policies


_SEEN: dict[int, tuple[Corpus, tuple[Policy, ...]]] = {}
_PARENTHESES = re.compile(r"\s*\([^)]*\)")


def policies(corpus: Corpus) -> tuple[Policy, ...]:
    """Each associated policy of each plan, with its objectives and its distinctive words (words of
    its title found in no more than two of the plan's policy titles: « itinérance », not « plan »);
    computed once per corpus."""
    seen = _SEEN.get(id(corpus))
    if seen is not None and seen[0] is corpus:
        return seen[1]
    found = _policies(corpus)
    if len(_SEEN) > 4:
        _SEEN.clear()
    _SEEN[id(corpus)] = (corpus, found)
    return found


def _policies(corpus: Corpus) -> tuple[Policy, ...]:
    out: list[Policy] = []
    for plan in corpus:
        by_title: dict[str, list[Objectif]] = {}
        for o in plan.objectives():
            for title in o.orientations_municipales:
                # « … aînés » and « … aînés (adoption prévue en 2025) » are one policy.
                name = _PARENTHESES.sub("", title).strip()
                if o not in by_title.setdefault(name, []):
                    by_title[name].append(o)
        words = {t: set(w for w in analyze(t) if not w.isdigit() and len(w) > 2) for t in by_title}
        df = Counter(w for ws in words.values() for w in ws)
        for title, objectives in by_title.items():
            own = frozenset(w for w in words[title] if df[w] <= 2)
            if own:
                out.append(Policy(plan, title, tuple(objectives), own))
    return tuple(out)


def named_policy(subject: list[str], corpus: Corpus, plans: list[str] | None = None) -> Policy | None:
    """The associated policy a question's subject names (its distinctive words), when exactly one
    policy is named most (a subject of several words must name the policy with one of them)."""
    found = [
        (len(p.words & set(subject)), p)
        for p in policies(corpus)
        if (not plans or p.plan.id in plans) and p.words & set(subject)
    ]
    if not found:
        return None
    found.sort(key=lambda x: -x[0])
    if len(found) > 1 and found[1][0] == found[0][0]:
        return None
    return found[0][1]
