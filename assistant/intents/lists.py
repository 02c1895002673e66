"""Complete lists, never cut: every action meeting the constraints of a question (a unit, a
timeline, a part of a plan, a principle), counts, and the previous answer's actions narrowed
(« Lesquelles sont déjà en cours? »)."""

from __future__ import annotations

from assistant.compose import Composer, capital, short
from assistant.coverage import Coverage
from assistant.intents.context import AnswerContext
from assistant.reading import Reading
from corpus import Kind
from corpus.model import Action, Axe, Node, Plan


def _scopes(r: Reading, ctx: AnswerContext) -> list[tuple[Plan, Node]]:
    scopes: list[tuple[Plan, Node]] = list(r.structure)
    if r.topic_objective and not scopes:
        result = ctx.searcher.search_details(
            r.search_query, k=3, filters={"kind": "objectif", "plan": ctx.filters.plan}, analysis=r.analysis
        )
        if result.hits:
            scopes.append(ctx.node(result.hits[0].plan_id, result.hits[0].node_id))
    return scopes


def matching_actions(r: Reading, ctx: AnswerContext) -> list[tuple[Plan, Action]]:
    """Every action meeting all the constraints of the question (complete, not cut)."""
    f = ctx.filters
    plans = [p for p in ctx.corpus if not r.plans or p.id in r.plans]
    if f.plan:
        plans = [p for p in plans if p.id == f.plan]
    scopes = _scopes(r, ctx)
    if scopes:
        plans = [p for p in plans if any(p is sp for sp, _ in scopes)] or plans
    units = list(r.units) + ([f.unit] if f.unit else [])
    horizons = list(r.horizons) + ([f.horizon] if f.horizon else [])
    out: list[tuple[Plan, Action]] = []
    for plan in plans:
        for a in plan.actions():
            if scopes and not any(sp is plan and (n.id in a.path) for sp, n in scopes):
                continue
            if units and not all(un in plan.units_for(a) for un in units):
                continue
            if horizons and a.horizon not in horizons:
                continue
            if r.principles:
                axe = next((plan.node(x) for x in a.path if plan.node(x).kind == Kind.AXE), None)
                if not isinstance(axe, Axe) or not all(p in axe.principles for p in r.principles):
                    continue
            out.append((plan, a))
    return out


def constraint_words(r: Reading, ctx: AnswerContext, c: Composer, scopes: list[tuple[Plan, Node]]) -> str:
    fr = c.lang == "fr"
    f = ctx.filters
    parts = []
    for un in list(r.units) + ([f.unit] if f.unit else []):
        parts.append(f"dont l'objectif liste l'unité « {un} »" if fr else f"whose objective lists « {un} »")
    for code in list(r.horizons) + ([f.horizon] if f.horizon else []):
        plan = next((p for p in ctx.corpus if code in p.horizons), None)
        parts.append(c.horizon_phrase(plan, code) if plan else code)
    for _plan, node in scopes:
        parts.append(
            f"de {node.label.lower() if fr else node.label} « {short(node.title, 90)} »"
            if node.label != node.title
            else f"« {node.title} »"
        )
    for p in r.principles:
        parts.append(f"des axes associés au principe « {p} »" if fr else f"of the axes tied to « {p} »")
    return ", ".join(parts)


def reverse(r: Reading, ctx: AnswerContext, c: Composer) -> Coverage:
    """« Toutes les actions qui concernent la Police »: the complete list, grouped by objective."""
    actions = matching_actions(r, ctx)
    scopes = _scopes(r, ctx)
    if r.topic_objective and not r.structure and actions:
        plan, a = actions[0]
        obj = plan.objective_of(a)
        scopes = [(plan, obj)] if obj is not None else scopes
    what = constraint_words(r, ctx, c, scopes)
    k = len(actions)
    untimed = _untimed_plans(r, ctx)
    coverage: Coverage = "complete"
    if not k and untimed:
        # « Les actions en cours de Saint-Sacrement »: its plan gives no timeline per action; say so,
        # then its actions (all planned within its period), not « no action is ongoing ».
        plan = untimed[0]
        c.lead = capital(c.no_timeline(plan)) + "."
        c.add(c.t["untimed_actions"].format(k=len(plan.actions())))
        actions = [(plan, a) for a in plan.actions()]
        coverage = "partial"
    elif not k:
        c.lead = c.t["reverse_none"].format(what=what)
    else:
        c.lead = c.t["reverse_header"].format(what=what, k=k, s="s" if k > 1 else "")
        for plan in untimed:
            c.add(capital(c.no_timeline(plan)) + ".")
    current: str | None = None
    for plan, a in actions:
        obj = plan.objective_of(a)
        group = obj.id if obj else plan.id
        if group != current and obj is not None:
            current = group
            c.add("", f"{obj.label} « {short(obj.title, 110)} » {c.cite(plan, obj)} :")
        c.add(c.action_item(plan, a))
    if r.units or ctx.filters.unit:
        org = [o for p in ctx.corpus for o in p.objectives() if o.units_scope.value == "organisation"]
        if org:
            plan = next(p for p in ctx.corpus if org[0] in p.nodes)
            acts = [a for o in org for a in plan.children(o.id) if a.kind == Kind.ACTION]
            axe = plan.node(org[0].parent_id) if org[0].parent_id else None
            if axe is not None and acts:
                c.add("", c.t["org_note"].format(axe=axe.title, first=acts[0].number, last=acts[-1].number))
    return coverage


def _untimed_plans(r: Reading, ctx: AnswerContext) -> list[Plan]:
    """The plans in the question's scope that give no timeline per action, when it asks for one."""
    if not (r.horizons or ctx.filters.horizon):
        return []
    plans = [
        p
        for p in ctx.corpus
        if (not r.plans or p.id in r.plans) and (not ctx.filters.plan or p.id == ctx.filters.plan)
    ]
    return [p for p in plans if p.actions() and not any(a.horizon for a in p.actions())]


def narrow(r: Reading, ctx: AnswerContext, c: Composer) -> Coverage:
    """« Lesquelles sont à moyen terme? » after an answer: its actions that meet the constraint."""
    assert r.followup is not None
    # The previous answer's actions, and the other actions of the objectives it put forward.
    cited = [(p, n) for p, n in r.followup.cited if isinstance(n, Action)]
    for plan, node in r.followup.primary:
        obj = plan.objective_of(node) if isinstance(node, Action) else node
        if obj is not None:
            cited += [
                (plan, a) for a in plan.children(obj.id) if isinstance(a, Action) and (plan, a) not in cited
            ]
    keep = [
        (p, a)
        for p, a in cited
        if (not r.horizons or a.horizon in r.horizons) and all(u in p.units_for(a) for u in r.units)
    ]
    what = constraint_words(r, ctx, c, [])
    if keep:
        verb = (
            ("est" if len(keep) == 1 else "sont") if c.lang == "fr" else ("is" if len(keep) == 1 else "are")
        )
        c.lead = c.t["filter_some"].format(k=len(keep), verb=verb, what=what)
        c.add(*[c.item(p, a) for p, a in keep])
    else:
        c.lead = c.t["filter_none"].format(what=what)
        c.add(*[c.item(p, a) for p, a in cited])
    return "complete"


def count(r: Reading, ctx: AnswerContext, c: Composer) -> Coverage:
    """« Combien d'actions? », « combien d'actions concernent la Police? »"""
    what = r.count_of or "actions"
    constrained = bool(r.units or r.structure or r.principles or r.horizons)
    if what == "actions" and constrained:
        actions = matching_actions(r, ctx)
        desc = constraint_words(r, ctx, c, list(r.structure))
        k = len(actions)
        c.lead = c.t["reverse_header"].format(what=desc, k=k, s="s" if k > 1 else "")
        for plan, a in actions:
            c.add(c.action_item(plan, a))
        return "complete"
    kinds = {
        "actions": Kind.ACTION,
        "objectifs": Kind.OBJECTIF,
        "orientations": Kind.ORIENTATION,
        "axes": Kind.AXE,
        "themes": Kind.THEME,
        "indicateurs": Kind.INDICATEUR,
        "resultats": Kind.INDICATEUR,
    }
    for plan in [p for p in ctx.corpus if not r.plans or p.id in r.plans]:
        parts = []
        for name, kind in [
            ("actions", Kind.ACTION),
            ("objectifs", Kind.OBJECTIF),
            ("axes", Kind.AXE),
            ("orientations", Kind.ORIENTATION),
            ("themes", Kind.THEME),
            ("indicateurs", Kind.INDICATEUR),
        ]:
            n = len(plan.of_kind(kind))
            if n:
                one, many = c.t["kinds"][name]
                parts.append(f"{n} {one if n == 1 else many}")
        if what in ("principes", "unites"):
            items = plan.principles if what == "principes" else tuple(plan.units())
            if not items:
                continue
            one, many = c.t["kinds"][what]
            parts = [f"{len(items)} {many}"]
        elif what in kinds and kinds[what] != Kind.ACTION:
            name = c.t["kinds"].get(what, ("", ""))
            first = [p for p in parts if name[1] in p or name[0] in p]
            parts = first + [p for p in parts if p not in first]
        if parts:
            joined = ", ".join(parts[:-1]) + f" {c.t['and']} {parts[-1]}" if len(parts) > 1 else parts[0]
            c.add(c.t["count"].format(title=plan.title, org=plan.meta.organisation, parts=joined))
            top = plan.of_kind(Kind.ORIENTATION) or plan.of_kind(Kind.THEME)
            if top:
                c.add(" ".join(f"{n.label} « {short(n.title, 80)} » {c.cite(plan, n)}." for n in top))
            c.add("")
    return "complete"
