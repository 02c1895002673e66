"""Follow-up questions: a question without a subject of its own (« Et qui s'en occupe? »,
« Lesquelles sont à moyen terme? », « Et pour les familles? ») reads with the previous turn. Only
the previous turns' questions and cited references are needed (the answer text is not)."""

from __future__ import annotations

from assistant.answer import Turn
from assistant.reading.cues import ANAPHORA, FOLLOWUP_START, NARROWING, SINGULAR_BACK
from assistant.reading.facts import Fact
from assistant.reading.model import FollowUp, FollowUpKind, NodeRef, Reading
from corpus import Corpus, Kind

# A question with this many words of its own is about its own subject, whatever it starts with.
OWN_SUBJECT_WORDS = 3


def _resolve(refs: list[str], corpus: Corpus) -> list[NodeRef]:
    out: list[NodeRef] = []
    for ref in refs:
        found = corpus.resolve(ref)
        if found is not None and found[1].kind in (Kind.ACTION, Kind.OBJECTIF) and found not in out:
            out.append(found)
    return out


#: The previous turns a follow-up is read with (the last answer's references and question).
TURNS_READ = 1


def read_followup(r: Reading, history: list[Turn], corpus: Corpus) -> FollowUp | None:
    """How the question continues the previous turn, or None when it stands on its own."""
    if not history or r.targets or r.structure or r.notion is not None or r.definition:
        return None
    if r.fact == Fact.FACILITY:  # a named facility (« le stade de soccer ») is a subject of its own
        return None
    marked = bool(FOLLOWUP_START.search(r.folded) or ANAPHORA.search(r.folded))
    n = len(r.subject)
    if n >= OWN_SUBJECT_WORDS + (1 if marked else 0):
        return None
    if n and not marked and not (r.asks_who or r.asks_when or r.fact):
        return None
    (previous,) = history[-TURNS_READ:]
    primary = _resolve(previous.refs, corpus)
    related = _resolve(previous.related, corpus)
    plans = list(dict.fromkeys(plan.id for plan, _ in [*primary, *related]))
    narrowing = bool(NARROWING.search(r.folded))
    if r.asks_list and (r.horizons or r.units) and not (marked or narrowing):
        # « Donne-moi toutes les actions de la Police »: a list of its own, not of the last answer.
        return None
    if (r.horizons or r.units) and n <= 1 and (primary or related) and (narrowing or not r.asks_who):
        # « Lesquelles sont en cours? » picks among the previous actions; « C'est déjà commencé? » asks
        # about the previous answer's action itself: its timeline, yes or no.
        single = r.horizons and not r.units and not narrowing and primary and SINGULAR_BACK.search(r.folded)
        kind = FollowUpKind.WHEN if single else FollowUpKind.FILTER
    elif r.asks_who and n <= 1 and primary:
        kind = FollowUpKind.UNITS
    elif r.asks_when and n <= 1 and primary:
        kind = FollowUpKind.WHEN
    elif r.fact is not None and primary and (n <= 1 or marked):
        kind = FollowUpKind.FACT
    elif n:
        kind = FollowUpKind.FOCUS
    else:
        kind = FollowUpKind.SAME
    return FollowUp(kind, previous, primary, related, plans)
