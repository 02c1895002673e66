"""Do the plans answer the question? ``complete`` (they answer it), ``partial`` (they address the
subject but not the fact asked: an amount, a date, a place, a person, opening hours, a numeric
target, a named facility or project; or no action answers it exactly and the closest are given),
``none`` (they do not address it). Decided from the reading and the judged candidates: nothing below
the relevance bar is cited.

**Sure or not.** An answer asserts (« Oui : l'action 28 … », ``complete``) only when the judge is
sure of its best action: its probability at the ``sure`` bar or above, and ``sure_gap`` above the
next action's (two close neighbours are not told apart by a guess); or when the question quotes that
action (:func:`quoted`: its subject's words are all the action's own and no other's). Otherwise the answer says what
is closest, without asserting it (``partial``, ``sure`` false). The bars are chosen out of fold on
the tuning set and the question bank (``plan-assistant eval relevance --train``), so that an asserted
answer is wrong for as few questions as possible at the least cost in right answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from assistant.corrections import Match
from assistant.reading import FollowUpKind, Reading
from assistant.relevance import Judged, Judgement, RelevanceModel
from assistant.scope import OutTopic
from corpus.model import PROSE

Coverage = Literal["complete", "partial", "none"]
MAX_PRIMARY = 3
MAX_RELATED = 3
#: A question quotes an action when at least this many words of its subject are all the action's own.
QUOTED_WORDS = 2
#: A question at least this likely to be « hors plan » for the bank, and most like its questions on
#: the City's services, is about a municipal service.
MUNICIPAL_SERVICE_HORS = 0.2


@dataclass
class CoverageDecision:
    coverage: Coverage
    reason: str
    primary: list[Judged] = field(default_factory=list)  # what the answer puts forward, best first
    related: list[Judged] = field(default_factory=list)  # « Voir aussi »
    topic: OutTopic | None = None  # a municipal service the plans do not cover
    #: For a question the plans do not address, what kind it is most like (``corpus.bank``'s kinds:
    #: a service of the City, health and safety…), with its probability; empty when unknown.
    kind: str = ""
    kind_p: float = 0.0
    #: The judge is sure of the answer: the best action clearly answers (an asserting lead), or the
    #: plans clearly do not address the question.
    sure: bool = True
    #: The staff correction that decided this answer (None: the judge decided).
    correction: Match | None = None
    #: The question is about a municipal service (a street's snow removal, a pool, a permit): the
    #: answer gives the City's site and the 311, whatever the plans say of the subject.
    municipal_service: bool = False


def decide_coverage(r: Reading, j: Judgement, model: RelevanceModel) -> CoverageDecision:
    decision = _decide(r, j, model)
    bank = j.result.bank if j.result is not None else None
    if bank is not None:
        decision.kind, decision.kind_p = bank.hors_kind()
        decision.municipal_service = decision.topic is not None or (
            bank.hors_plan() >= MUNICIPAL_SERVICE_HORS and decision.kind == "service-municipal"
        )
    else:
        decision.municipal_service = decision.topic is not None
    return decision


def _decide(r: Reading, j: Judgement, model: RelevanceModel) -> CoverageDecision:
    topic = r.out_topic
    if not j.judged or j.covered < model.covered:
        what = f"sujet hors plans « {topic.id} », " if topic is not None else ""
        return CoverageDecision("none", f"{what}couverture {j.covered:.2f} < {model.covered}", topic=topic)
    judged = j.judged
    if r.followup is not None and r.followup.kind == FollowUpKind.FOCUS:
        # « Et pour les aînés? »: the previous subject, with the new focus; what speaks of the focus first.
        focus = [x for x in judged if x.features["cover_own"] > 0]
        judged = focus + [x for x in judged if x not in focus] if focus else judged
    best = judged[0].p
    actions = [x for x in judged if x.hit.kind == "action"]
    good = [x for x in actions if x.p >= model.cite]
    if judged[0].hit.kind in PROSE and (judged[0].p >= model.cite or not actions):
        # A prose section only when the question is about it: the best candidate, and relevant.
        primary = judged[:1]
    else:
        top = good[0].p if good else best
        primary = [x for x in good if x.p >= model.ratio * top][:MAX_PRIMARY] or actions[:1]
    related = [x for x in j.judged if x not in primary and x.hit.kind == "action" and x.p >= model.related][
        :MAX_RELATED
    ]
    reason = f"couverture {j.covered:.2f}, pertinence {best:.2f}"
    if r.fact is not None or r.facility or r.premises.amount:
        what = r.facility or (r.fact.value if r.fact else "montant affirmé")
        return CoverageDecision("partial", f"{reason}; fait non donné : {what}", primary, related)
    if primary[0].hit.kind == "action" and not (is_sure(judged, model) or quoted(r, judged, model)):
        # What is closest, said as such: the best action and the next ones the judge finds related.
        second = next((x.p for x in actions if x is not primary[0]), 0.0)
        closest = [primary[0], *(x for x in actions if x is not primary[0] and x.p >= model.related)]
        return CoverageDecision(
            "partial",
            f"{reason}; pas sûr (meilleure {primary[0].p:.2f}, suivante {second:.2f})",
            closest[:MAX_PRIMARY],
            [],
            sure=False,
        )
    return CoverageDecision("complete", reason, primary, related)


def asserts(coverage: str, sure: bool) -> bool:
    """The answer asserts its first citation: complete, or partial and sure (« l'action 37 … mais le
    plan ne donne pas son montant »); a hedged answer says what is closest, a refusal cites nothing."""
    return coverage == "complete" or (coverage == "partial" and sure)


def quoted(r: Reading, judged: list[Judged], model: RelevanceModel) -> bool:
    """The question quotes one action: every word of its subject (two or more) is that action's own,
    no other candidate action has them all, and the judge finds it relevant (« Quelles unités
    participent aux concertations locales et régionales? » and action 19, « Reconnaître et contribuer
    aux concertations locales, municipales et régionales »)."""
    actions = [x for x in judged if x.hit.kind == "action"]
    if len(r.subject) < QUOTED_WORDS or not actions or actions[0].p < model.cite:
        return False
    if actions[0].features.get("cover_own", 0.0) < 1.0:
        return False
    return not any(x.features.get("cover_own", 0.0) >= 1.0 for x in actions[1:])


def is_sure(judged: list[Judged], model: RelevanceModel) -> bool:
    """The best action clearly answers: at the ``sure`` bar, ``sure_gap`` above the next action."""
    actions = [x.p for x in judged if x.hit.kind == "action"]
    if not actions:
        return False
    second = actions[1] if len(actions) > 1 else 0.0
    return actions[0] >= model.sure and actions[0] - second >= model.sure_gap
