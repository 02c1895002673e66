"""Answers that cite nothing (coverage ``none``): questions that are not about the plans, numbers
that do not exist, and subjects the plans do not address, with where to ask instead."""

from __future__ import annotations

from assistant.compose import Composer
from assistant.coverage import Coverage, CoverageDecision
from assistant.intents.context import AnswerContext
from assistant.reading import Reading


def off_topic(r: Reading, ctx: AnswerContext, c: Composer) -> Coverage:
    """Gibberish, a greeting, a person in distress, who an official is."""
    if r.distress:
        c.lead = c.t["distress"]
    elif r.greeting:
        c.lead = c.about("greeting", list(ctx.corpus))
    elif r.private:
        c.lead = c.t["private"]
    elif r.person_identity:
        c.lead = c.t["person"]
    else:
        c.lead = c.about("gibberish", list(ctx.corpus))
    return "none"


def not_covered(r: Reading, ctx: AnswerContext, c: Composer, decision: CoverageDecision | None) -> Coverage:
    """The plans do not address the subject: say so, name the plans, point to the City's channels."""
    if r.distress or (decision is not None and ctx.hors_kind(r, decision) == "sante-securite"):
        # Health, safety, distress: the resource first, never a plan's action.
        c.lead = c.t["health_safety"]
        return "none"
    plans = c.plans_named(list(ctx.corpus))
    topic = c.t["oos_default"]
    if decision is not None and decision.topic is not None:
        label = decision.topic.label if c.lang == "fr" else decision.topic.label_en
        topic = c.t["oos_topic"].format(label=label)
    c.lead = c.t["oos"].format(plans=plans, topic=topic)
    c.add(c.t["oos_tail"])
    return "none"


def missing_sentence(r: Reading, ctx: AnswerContext, c: Composer) -> str:
    """« Le plan … compte 57 actions, numérotées de 1 à 57 : il n'y a pas d'action 58. »"""
    parts = []
    for n in r.missing:
        plan = next((p for p in ctx.corpus if p.id in r.plans), None)
        if plan is None:
            plan = next(
                (p for p in ctx.corpus if ("." in n) == any("." in (a.number or "") for a in p.actions())),
                None,
            )
        actions = plan.actions() if plan else []
        if plan is not None and actions and not n.startswith(("objectif", "axe", "orientation", "thème")):
            parts.append(
                c.t["missing_action"].format(
                    title=plan.title, k=len(actions), first=actions[0].number, last=actions[-1].number, n=n
                )
            )
        else:
            parts.append(c.t["missing_generic"].format(n=n))
    return " ".join(parts)


def missing(r: Reading, ctx: AnswerContext, c: Composer) -> Coverage:
    """A number that names nothing: said as it is, nothing invented."""
    c.lead = missing_sentence(r, ctx, c)
    c.add(c.t["missing_tail"])
    return "none"
