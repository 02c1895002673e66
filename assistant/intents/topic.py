"""Topical questions (« La Ville m'aide-t-elle à trouver un appartement? »): retrieval, each
candidate judged for relevance, and an answer that says first what the plans do, or what they do
not say, then at most three actions, best first, and related ones apart."""

from __future__ import annotations

from assistant.compose import Composer, capital
from assistant.coverage import Coverage, CoverageDecision
from assistant.intents.context import AnswerContext
from assistant.intents.declines import not_covered
from assistant.intents.facts import missing_fact
from assistant.intents.policies import named_policy
from assistant.reading import Reading
from corpus.model import PROSE, Node, Plan

#: Actions said to be the closest when no action answers exactly.
MAX_CLOSEST = 3


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


def topic(r: Reading, ctx: AnswerContext, c: Composer) -> Coverage:
    judgement, decision = ctx.judge_question(r)
    if decision.coverage == "none":
        return not_covered(r, ctx, c, decision)
    primary = [ctx.node(x.hit.plan_id, x.hit.node_id) for x in decision.primary]
    plan, node = primary[0]
    policy = named_policy(r.subject, ctx.corpus, r.plans)
    # The best action speaks neither of the policy nor of anything else the question asks.
    unspoken = (
        policy is not None
        and node.kind.value == "action"
        and not set(r.subject)
        & ctx.judge.own_words_of(ctx.corpus, ctx.searcher).get(plan.ref(node), frozenset())
    )
    if policy is not None and ((node.kind.value in PROSE and policy.title in node.text) or unspoken):
        # A list of the organisation's policies (« Annexe 3 ») is not what a question about one of
        # them wants, nor an action that does not speak of it: what the plan says of the policy,
        # then its closest actions, none asserted.
        closest = [x for x in judgement.judged if x.hit.kind == "action"][:MAX_CLOSEST]
        if closest:
            decision.sure, decision.coverage = False, "partial"
            decision.primary, decision.related = closest, []
            primary = [ctx.node(x.hit.plan_id, x.hit.node_id) for x in closest]
            plan, node = primary[0]
    c.sure = decision.sure
    c.confidence = decision.primary[0].p
    if not decision.sure:
        # Not sure of the best action: say what is closest, without asserting it; first what the plan
        # says of a policy of the organisation the question names (« la Vision en matière d'itinérance »).
        if policy is not None:
            c.lead = c.t["policy_lead"].format(
                title=policy.title,
                plan=policy.plan.title,
                k=len(policy.objectives),
                objectives=", ".join(
                    f"{o.key or o.number} {c.cite(policy.plan, o)}" for o in policy.objectives
                ),
            )
            c.add(c.t["hedged_closest"].format(aims=c.aims(plan, node)))
        else:
            c.lead = c.t["hedged_lead"].format(aims=c.aims(plan, node))
        if len(primary) > 1:
            c.add(c.t["hedged_more"])
    elif decision.coverage == "partial":
        c.lead = missing_fact(r, c, ctx.corpus)
        c.add(c.t["closest"])
    elif node.kind.value in PROSE:
        c.lead = f"{node.title} {c.cite(plan, node)} : {node.text}"
        return "complete"
    elif r.premises.cancelled and node.kind.value == "action":
        # « C'est vrai qu'ÉquiMobilité est aboli? »: the plan says what it says, never « Oui ».
        label = f"{c.the(node)} {c.cite(plan, node)}"
        c.lead = capital(c.t["premise_cancelled"].format(label=label, when=c.when_words(plan, node)))
    else:
        sentence = c.aims(plan, node)
        # « Oui » only to what the plans say: never to an amount, a date or a cancellation the
        # question asserts (those make the answer partial, above).
        c.lead = (c.t["yes_lead"] + sentence if r.yes_no and not r.premises else capital(sentence)) + "."
    for p, n in primary if decision.sure else primary[1:]:
        c.add(c.item(p, n))
    units = c.units_compact(plan, node)
    if units:
        c.add("", units)
    for x in decision.related:
        p, n = ctx.node(x.hit.plan_id, x.hit.node_id)
        c.related.append(c.item(p, n, role="related"))
    if decision.municipal_service:
        c.add("", c.t["oos_tail"])  # a service of the City: where to ask, whatever the plans say
    return decision.coverage
