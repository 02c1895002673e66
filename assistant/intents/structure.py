"""The plans' structure and their own definitions: orientations, axes, themes, objectives, units;
the timeline codes, the roles of the City, the principles, and notions defined in a note."""

from __future__ import annotations

from assistant.compose import Composer, capital, short
from assistant.coverage import Coverage
from assistant.intents.context import AnswerContext
from assistant.intents.topic import topic
from assistant.reading import Reading
from corpus import Kind
from corpus.model import Section
from corpus.text import fold


def structure(r: Reading, ctx: AnswerContext, c: Composer) -> Coverage:
    """« Quelles sont les orientations? », « les unités administratives du plan »."""
    what = r.list_of or "orientations"
    if what in ("roles", "principes"):
        return definition(r, ctx, c, what)
    kinds = {
        "orientations": Kind.ORIENTATION,
        "axes": Kind.AXE,
        "themes": Kind.THEME,
        "objectifs": Kind.OBJECTIF,
    }
    for plan in [p for p in ctx.corpus if not r.plans or p.id in r.plans]:
        if what == "unites":
            units = plan.units()
            if not units:
                continue
            annex = next(
                (
                    n
                    for n in plan.nodes
                    if isinstance(n, Section) and "unites administratives" in fold(n.title) and n.items
                ),
                None,
            )
            c.add(
                c.t["units_intro"].format(m=c.cite(plan, annex) if annex else ""),
                *[f"- {x}" for x in units],
                "",
            )
            continue
        nodes = plan.of_kind(kinds.get(what, Kind.ORIENTATION))
        if not nodes:
            continue
        name = c.t["kinds"].get(what, (what, what))[1]
        c.add(c.t["list_intro"].format(what=capital(name), title=plan.title))
        for n in nodes:
            c.add(f"- {n.label} « {n.title} » {c.cite(plan, n)}")
        c.add("")
    return "complete" if c.citations else "none"


def definition(r: Reading, ctx: AnswerContext, c: Composer, term: str | None = None) -> Coverage:
    """« CT, ça veut dire quoi? », « c'est quoi un désert alimentaire? », the roles, a principle."""
    term = term or r.definition or ""
    t = c.t
    if r.notion is not None and not term:
        plan, node = r.notion
        note = next(f for f in getattr(node, "footnotes", ()) if f.text)
        c.lead = t["notion"].format(label=c.the(node), m=c.cite(plan, node), text=note.text)
        c.add(c.item(plan, node))
        return "complete"
    for plan in ctx.corpus:
        if term.startswith("echeance-") and plan.get(term):
            node = plan.node(term)
            code = term.split("-", 1)[1].upper()
            h = plan.horizons.get(code)
            if h is None:
                continue
            m = c.cite(plan, node)
            span = f" ({h.span})" if h.span else ""
            if c.lang == "fr":
                c.lead = (
                    f"Dans l'échéancier du plan, {code} veut dire « {h.label} »{span} {m} : {h.description}"
                )
            else:
                c.lead = f"In the plan's timeline, {code} means « {h.label} »{span} {m}: {h.description}"
            intro = plan.get(node.parent_id) if node.parent_id else None  # the plan's legend of its timeline
            if intro is not None and intro.text:
                c.add(f"{short(intro.text, 300).rstrip(' :')}. {c.cite(plan, intro)}")
            return "complete"
        if term.startswith("principe:"):
            name = term.split(":", 1)[1]
            principle = next((n for n in plan.of_kind(Kind.PRINCIPE) if n.title == name), None)
            if principle is None:
                continue
            c.lead = f"{principle.title} {c.cite(plan, principle)} : {principle.text}"
            for sub in plan.children(principle.id):
                c.add(f"- {sub.title} : {sub.text}")
            return "complete"
        if term in ("roles", "principes") or term.startswith("role:"):
            if term == "principes":
                nodes = plan.of_kind(Kind.PRINCIPE)
                if not nodes:
                    continue
                intro = plan.get(nodes[0].parent_id) if nodes[0].parent_id else None
                c.lead = t["principles_intro"].format(m=c.cite(plan, intro) if intro else "")
                c.add(*[f"- {n.title} {c.cite(plan, n)} : {short(n.text, 220)}" for n in nodes])
                return "complete"
            roles = plan.of_kind(Kind.ROLE)
            if not roles:
                continue
            wanted = term.split(":", 1)[1].split(",") if term.startswith("role:") else []
            chosen = [x for x in roles if not wanted or fold(x.title) in wanted]
            parent = plan.get(roles[0].parent_id) if roles[0].parent_id else None
            c.lead = t["roles_intro"].format(k=len(roles), m=c.cite(plan, parent) if parent else "")
            c.add(*[f"- {x.title} {c.cite(plan, x)} : {x.text}" for x in chosen])
            return "complete"
    return topic(r, ctx, c)
