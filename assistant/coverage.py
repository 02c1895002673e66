"""Do the plans answer the question? ``complete`` (they answer it), ``partial`` (they address the
subject but not the fact asked: an amount, a date, a place, a person, opening hours, a numeric
target, a named facility or project), ``none`` (they do not address it). Decided from the reading
and the judged candidates: nothing below the relevance bar is cited."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from assistant.reading import FollowUpKind, Reading
from assistant.relevance import Judged, Judgement, RelevanceModel
from assistant.scope import OutTopic, match_out_topic

Coverage = Literal["complete", "partial", "none"]
MAX_PRIMARY = 3
MAX_RELATED = 3


@dataclass
class CoverageDecision:
    coverage: Coverage
    reason: str
    primary: list[Judged] = field(default_factory=list)  # what the answer puts forward, best first
    related: list[Judged] = field(default_factory=list)  # « Voir aussi »
    topic: OutTopic | None = None  # a municipal service the plans do not cover


def decide_coverage(r: Reading, j: Judgement, model: RelevanceModel) -> CoverageDecision:
    topic = match_out_topic(r.question)
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
    if judged[0].hit.kind == "section":
        primary = judged[:1]  # a prose section only when the question is about it: the best candidate
    else:
        top = good[0].p if good else best
        primary = [x for x in good if x.p >= model.ratio * top][:MAX_PRIMARY] or actions[:1]
    related = [x for x in j.judged if x not in primary and x.hit.kind == "action" and x.p >= model.related][
        :MAX_RELATED
    ]
    reason = f"couverture {j.covered:.2f}, pertinence {best:.2f}"
    if r.fact is not None or r.facility:
        what = r.facility or (r.fact.value if r.fact else "")
        return CoverageDecision("partial", f"{reason}; fait non donné : {what}", primary, related)
    return CoverageDecision("complete", reason, primary, related)
