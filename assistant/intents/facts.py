"""The first sentence when a question names an action and asks for, or asserts, what the plan does
not give: an amount, a date, a cancellation (« Non : le plan ne donne aucun montant pour l'action
34 »). Used by the action, units and timeline handlers."""

from __future__ import annotations

from assistant.compose import Composer, capital
from assistant.coverage import Coverage
from assistant.reading import Reading
from corpus import Corpus
from corpus.model import Node, Plan


def premise_or_fact(r: Reading, c: Composer, plan: Plan, node: Node) -> tuple[str, Coverage] | None:
    """The sentence that corrects a false premise, or says what the plan does not give about a
    node, with the coverage it implies; None when the question asserts and asks nothing of the kind."""
    label, when = c.the(node), c.when_words(plan, node)
    if r.premises.amount:
        return c.t["premise_amount"].format(label=label), "partial"
    if r.premises.cancelled:
        return c.t["premise_cancelled"].format(label=label, when=when), "complete"
    if r.premises.years:
        return c.t["premise_date"].format(label=label, when=when), "partial"
    if r.fact is not None:
        sentence = c.t["missing_fact_node"][r.fact.value].format(label=label, when=when, facility=r.facility)
        return capital(sentence), "partial"
    return None


def missing_fact(r: Reading, c: Composer, corpus: Corpus) -> str:
    """« Les plans ne donnent aucun montant ni budget : … »"""
    fact = r.fact.value if r.fact is not None else ("amount" if r.premises.amount else "facility")
    timelines = c.timelines_of(list(corpus)) if fact == "date" else ""
    return c.t["missing_fact"][fact].format(facility=r.facility or "", timelines=timelines)
