"""Cover: do the plans answer the question, and with what (:func:`assistant.coverage.decide_coverage`:
``complete``, ``partial`` or ``none``, sure or not, what is put forward and what is related); a
staff correction decides it outright. A topical question that names several plans hears from each."""

from __future__ import annotations

from assistant.corrections import Match
from assistant.coverage import Coverage, CoverageDecision, decide_coverage
from assistant.intents.context import AnswerContext
from assistant.pipeline.retrieve import Retrieval
from assistant.reading import Intent, Reading
from assistant.relevance import Judgement


class CoverageDecider:
    def cover(
        self,
        reading: Reading,
        intent: Intent | None,
        judgement: Judgement,
        correction: Match | None,
        retrieval: Retrieval,
        context: AnswerContext,
        notes: list[str],
    ) -> CoverageDecision:
        if correction is not None:
            coverage: Coverage = "complete" if judgement.judged else "none"
            when = correction.correction.created.date().isoformat()
            return CoverageDecision(
                coverage, f"correction du personnel du {when}", judgement.judged, [], correction=correction
            )
        decision = decide_coverage(reading, judgement, context.judge.model.of(judgement))
        keywords = "" if judgement.embedded else ", mots-clés seuls"
        notes.append(f"couverture : {decision.coverage} ({decision.reason}{keywords})")
        if intent == Intent.TOPIC and decision.coverage != "none" and decision.sure:
            each_named_plan(reading, context, judgement, decision, retrieval)
        return decision


def each_named_plan(
    r: Reading, ctx: AnswerContext, judgement: Judgement, decision: CoverageDecision, retrieval: Retrieval
) -> None:
    """A question that names several plans (« le conseil de quartier pis la Ville ») hears from
    each: the best candidate of a named plan missing from the answer joins it, when relevant."""
    if len(r.named) < 2 or ctx.filters.plan:
        return
    model = ctx.judge.model
    for pid in r.named:
        if any(x.hit.plan_id == pid for x in decision.primary):
            continue
        mine = [x for x in judgement.judged if x.hit.plan_id == pid and x.hit.kind == "action"]
        if not mine:
            mine = ctx.judge.judge(
                r,
                ctx.searcher,
                ctx.corpus,
                {**retrieval.filters, "plan": pid},
                retrieve=retrieval.in_plan(pid),
            ).judged
        best = next((x for x in mine if x.hit.kind == "action"), None)
        # The plan is named: its best action is heard when it speaks of the subject at all.
        if best is not None and (best.p >= model.cite or best.features["cover_own"] > 0):
            decision.primary.append(best)
            decision.related = [x for x in decision.related if x is not best]
