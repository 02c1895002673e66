"""Topical questions (« La Ville m'aide-t-elle à trouver un appartement? »): retrieval, each
candidate judged for relevance, and an answer that says first what the plans do, or what they do
not say, then at most three actions, best first, and related ones apart."""

from __future__ import annotations

from assistant.compose import Composer
from assistant.coverage import Coverage, CoverageDecision
from assistant.intents.context import AnswerContext
from assistant.intents.declines import not_covered
from assistant.intents.facts import missing_fact
from assistant.reading import Reading
from assistant.relevance import Judgement
from corpus.model import Node, Plan


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def subject_nodes(
    r: Reading, ctx: AnswerContext, c: Composer
) -> tuple[list[tuple[Plan, Node]], CoverageDecision]:
    """The actions a question is about when it names none (« Qui s'occupe de la sécurité
    alimentaire? »): the relevant ones, or none (then the « not covered » answer is written)."""
    judgement, decision = ctx.judge_question(r)
    if decision.coverage == "none":
        not_covered(r, ctx, c, decision)
        return [], decision
    nodes = [ctx.node(x.hit.plan_id, x.hit.node_id) for x in decision.primary if x.hit.kind == "action"]
    if not nodes:  # a prose section answers what a plan says, not who or when: the best action does
        best = next((x for x in judgement.judged if x.hit.kind == "action"), None)
        nodes = [ctx.node(best.hit.plan_id, best.hit.node_id)] if best is not None else []
    if not nodes:
        not_covered(r, ctx, c, decision)
        return [], decision
    return nodes, decision


def _each_named_plan(
    r: Reading, ctx: AnswerContext, judgement: Judgement, decision: CoverageDecision
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
            mine = ctx.judge.judge(r, ctx.searcher, ctx.corpus, {**ctx.search_filters(r), "plan": pid}).judged
        best = next((x for x in mine if x.hit.kind == "action"), None)
        # The plan is named: its best action is heard when it speaks of the subject at all.
        if best is not None and (best.p >= model.cite or best.features["cover_own"] > 0):
            decision.primary.append(best)
            decision.related = [x for x in decision.related if x is not best]


def topic(r: Reading, ctx: AnswerContext, c: Composer) -> Coverage:
    judgement, decision = ctx.judge_question(r)
    if decision.coverage == "none":
        return not_covered(r, ctx, c, decision)
    _each_named_plan(r, ctx, judgement, decision)
    primary = [ctx.node(x.hit.plan_id, x.hit.node_id) for x in decision.primary]
    plan, node = primary[0]
    if decision.coverage == "partial":
        c.lead = missing_fact(r, c)
        c.add(c.t["closest"])
    elif node.kind.value == "section":
        c.lead = f"{node.title} {c.cite(plan, node)} : {node.text}"
        return "complete"
    else:
        sentence = c.aims(plan, node)
        c.lead = (c.t["yes_lead"] + sentence if r.yes_no else _capital(sentence)) + "."
    for p, n in primary:
        c.add(c.item(p, n))
    units = c.units_compact(plan, node)
    if units:
        c.add("", units)
    for x in decision.related:
        p, n = ctx.node(x.hit.plan_id, x.hit.node_id)
        c.related.append(c.item(p, n, role="related"))
    return decision.coverage
