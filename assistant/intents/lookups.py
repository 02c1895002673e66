"""Exact look-ups of named actions, read from the structured plans: an action with its context,
its units, its timeline in words; a premise the question asserts is checked first."""

from __future__ import annotations

from assistant.compose import Composer, short
from assistant.coverage import Coverage
from assistant.intents.context import AnswerContext
from assistant.intents.facts import missing_fact, premise_or_fact
from assistant.intents.topic import subject_nodes
from assistant.reading import NodeRef, Reading
from assistant.timelines import ongoing, phrase
from corpus import Kind
from corpus.model import Action, Node, Objectif, Plan, UnitsScope


def _opening(
    r: Reading, ctx: AnswerContext, c: Composer, targets: list[NodeRef], default: Coverage = "complete"
) -> Coverage:
    """The first sentence when the question asserts or asks what the plan does not give: about the
    action it names, or, when it names none, about the subject (« Les plans ne parlent pas de … »)."""
    if not targets:
        return default
    if not r.targets:
        if default == "partial":
            c.lead = missing_fact(r, c, ctx.corpus)
        return default
    said = premise_or_fact(r, c, *targets[0])
    if said is None:
        return default
    c.lead, coverage = said
    return coverage


def _targets(r: Reading, ctx: AnswerContext, c: Composer) -> tuple[list[NodeRef], Coverage]:
    """The actions a question names, or, when it names none, the relevant ones for its subject (none:
    the « not covered » answer is written); and the first sentence when it asserts or asks what the
    plan does not give."""
    targets = r.targets
    coverage: Coverage = "complete"
    if not targets:
        targets, decision = subject_nodes(r, ctx, c)
        if not targets:
            return [], "none"
        coverage = decision.coverage
        if decision.primary:
            c.confidence = decision.primary[0].p
        if not decision.sure:
            # Not sure which action the subject is: who and when of the closest, said as the closest.
            c.sure = False
            c.lead = c.t["hedged_lead"].format(aims=c.aims(*targets[0]))
    if r.fact or r.facility or r.premises:
        coverage = _opening(r, ctx, c, targets, coverage)
    return targets, coverage


def _whole_organisation(plan: Plan, node: Node) -> bool:
    obj = plan.objective_of(node)
    return isinstance(obj, Objectif) and obj.units_scope == UnitsScope.ORGANISATION


def action(r: Reading, ctx: AnswerContext, c: Composer) -> Coverage:
    """« C'est quoi l'action 37? »: each node named, with its context."""
    coverage = _opening(r, ctx, c, r.targets)
    for i, (plan, node) in enumerate(r.targets[:10]):
        if i:
            c.add("")
        c.add(*c.describe_node(plan, node))
    return coverage


def units(r: Reading, ctx: AnswerContext, c: Composer) -> Coverage:
    """« Qui s'occupe de l'action 37? »: the units the plan lists for its objective (or what it says
    instead); a unit asserted (« c'est la Police? ») is confirmed or corrected first."""
    targets, coverage = _targets(r, ctx, c)
    if not targets:
        return "none"
    if r.units and r.yes_no and r.targets and not c.lead:
        plan, node = targets[0]
        listed = set(plan.units_for(node))
        named = " et ".join(r.units) if c.lang == "fr" else " and ".join(r.units)
        key = "units_asserted_yes" if all(u in listed for u in r.units) else "units_asserted_no"
        c.lead = c.t[key].format(units=named, label=c.the(node))
    if not any(plan.units_for(node) or _whole_organisation(plan, node) for plan, node in targets):
        coverage = "partial" if coverage == "complete" else coverage  # the plan names no unit
    if not c.lead:
        c.lead = _units_lead(c, *targets[0])  # the answer first, the plan's caveat after
    if any(not (isinstance(node, Action) and node.units) for _, node in targets[:6]):
        c.add(c.t["units_per_objective"], "")  # the plan's caveat, where units come from an objective
    seen: set[str] = set()
    for plan, node in targets[:6]:
        obj = None if isinstance(node, Action) and node.units else plan.objective_of(node)
        if obj is not None and obj.id in seen and node.kind == Kind.ACTION:
            c.add(
                f"L'action {node.number} {c.cite(plan, node)} relève du même objectif."
                if c.lang == "fr"
                else f"Action {node.number} {c.cite(plan, node)} has the same objective."
            )
            continue
        if obj is not None:
            seen.add(obj.id)
        c.add(*c.units_lines(plan, node), "")
    return coverage


def _units_lead(c: Composer, plan: Plan, node: Node) -> str:
    """« 4 unités sont concernées par l'action 37 : A, B, C et D. » (empty when the plan lists none)."""
    obj = plan.objective_of(node)
    own = isinstance(node, Action) and bool(node.units)  # the plan names the action's own units
    listed = plan.units_for(node)
    if listed and (own or (obj is not None and obj.units_scope == UnitsScope.LISTED)):
        k = len(listed)
        names = f"{', '.join(listed[:-1])} {c.t['and']} {listed[-1]}" if k > 1 else listed[0]
        key = "units_lead_one" if k == 1 else "units_lead"
        return c.t[key].format(k=k, label=c.the(node), units=names, m=c.cite(plan, node))
    if obj is None:
        return ""
    if obj.units_scope == UnitsScope.ORGANISATION:
        return c.t["units_lead_org"].format(label=c.the(node), m=c.cite(plan, node))
    return ""


def horizon(r: Reading, ctx: AnswerContext, c: Composer) -> Coverage:
    """« L'action 9, c'est pour quand? »: the timeline in words; « Non : … » when the question
    asserts another timeline."""
    targets, coverage = _targets(r, ctx, c)
    if not targets:
        return "none"
    t = c.t
    denied = _denied_timeline(r, targets)
    if denied is not None:
        # « L'action 9 est à court terme, donc finie en 2026? »: the plan's own timeline says no, and
        # that answers the question; the date it does not give comes after.
        c.lead = ""
        coverage = "complete"
    for i, (plan, node) in enumerate(targets[:6]):
        if isinstance(node, Objectif):
            c.add(t["objective_horizons"].format(obj=short(node.title), m=c.cite(plan, node)))
            c.add(*[c.action_item(plan, a) for a in plan.children(node.id) if a.kind == Kind.ACTION])
            continue
        if not isinstance(node, Action):
            c.add(*c.describe_node(plan, node))
            continue
        m = c.cite(plan, node)
        text = c.full_text(plan, node)
        if not node.horizon:
            coverage = "partial" if coverage == "complete" else coverage  # the plan gives no timeline
            label = (
                f"L'action {node.number} (« {text} ») {m} :"
                if c.lang == "fr"
                else f"Action {node.number} (« {text} ») {m}:"
            )
            c.add(f"{label} {c.no_timeline(plan)}.")
            continue
        asserted = [h for h in r.horizons if h in plan.horizons]
        prefix = ""
        if len(asserted) == 1:
            prefix = t["yes"] if asserted[0] == node.horizon else t["no"]
        h = plan.horizons[node.horizon]
        if ongoing(plan, node.horizon):
            line = t["horizon_ongoing"].format(
                n=node.number,
                text=text,
                m=m,
                words=phrase(plan, node.horizon, c.lang),
                code=node.horizon,
                desc=h.description[:1].lower() + h.description[1:],
            )
        else:
            line = t["horizon_is"].format(
                n=node.number, text=text, m=m, words=c.horizon_phrase(plan, node.horizon)
            )
        c.add(prefix + (line[0].lower() + line[1:] if prefix else line))
        if i == 0 and denied is not None:
            c.add("", t["no_precise_date"])
    return coverage


def _denied_timeline(r: Reading, targets: list[NodeRef]) -> str | None:
    """The timeline code a question asserts for the action it names when the plan gives that action
    another one (None: it asserts none, or the plan's)."""
    if not r.targets or not r.premises.years or not targets:
        return None
    plan, node = targets[0]
    asserted = [h for h in r.horizons if h in plan.horizons]
    if not isinstance(node, Action) or not node.horizon or len(asserted) != 1 or asserted[0] == node.horizon:
        return None
    return asserted[0]
