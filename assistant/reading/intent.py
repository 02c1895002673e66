"""What kind of answer a question calls for: a table of named rules, tried in order; the first
that applies decides. Each rule is a small function of the reading, with its reason in its name."""

from __future__ import annotations

from collections.abc import Callable

from assistant.reading.model import FollowUpKind, Intent, Reading

Rule = Callable[[Reading], Intent | None]


def not_about_the_plans(r: Reading) -> Intent | None:
    """Gibberish, a greeting, a person in distress, personal information about someone, or who an
    official is (when nothing in the plans is named): no plan answers these."""
    if r.greeting or r.gibberish or r.distress or r.private:
        return Intent.OFF_TOPIC
    if r.person_identity and not r.targets:
        return Intent.OFF_TOPIC
    return None


def number_that_does_not_exist(r: Reading) -> Intent | None:
    """« l'action 58 » in a plan of 57 actions, and nothing else named."""
    return Intent.MISSING if r.missing and not r.targets and not r.constraints else None


def count(r: Reading) -> Intent | None:
    """« Combien d'actions…? »"""
    return Intent.COUNT if r.count_of else None


def narrowing_the_previous_answer(r: Reading) -> Intent | None:
    """« Lesquelles sont déjà en cours? » after an answer: its actions, filtered."""
    return Intent.FILTER if r.followup is not None and r.followup.kind == FollowUpKind.FILTER else None


def list_of_actions(r: Reading) -> Intent | None:
    """« Toutes les actions de la Police », « les actions de l'orientation 1 déjà en cours »."""
    if r.asks_list and r.constraints and not (r.asks_who and r.targets):
        return Intent.REVERSE
    return None


def roles(r: Reading) -> Intent | None:
    """« Quels rôles la Ville joue-t-elle? »"""
    return Intent.STRUCTURE if r.list_of == "roles" and not r.targets else None


def parts_of_a_plan(r: Reading) -> Intent | None:
    """« Quelles sont les orientations? », « les thèmes du plan du conseil de quartier »; not « Quelles
    unités travaillent sur les concertations? » (units of a subject: who)."""
    if r.list_of == "unites" and r.specific:
        return None
    return Intent.STRUCTURE if r.list_of and not r.targets and not r.structure else None


def who(r: Reading) -> Intent | None:
    """« Qui s'occupe de…? », « Quelles unités…? »"""
    return Intent.UNITS if r.asks_who and (r.targets or not r.asks_list) else None


def what_it_means(r: Reading) -> Intent | None:
    """« CT, ça veut dire quoi? », « c'est quoi un désert alimentaire? »"""
    if r.asks_definition and (r.definition or r.notion) and not r.targets:
        return Intent.DEFINITION
    return None


def when(r: Reading) -> Intent | None:
    """« C'est pour quand? », or a timeline named with an action (« l'action 3 est-elle à court terme? »)."""
    if r.asks_when or (r.targets and r.horizons):
        return Intent.HORIZON
    return None


def named_node(r: Reading) -> Intent | None:
    """An action, objective, axe, orientation or theme named by its number or its title."""
    return Intent.ACTION if r.targets or r.structure else None


def list_without_cue(r: Reading) -> Intent | None:
    return Intent.REVERSE if r.asks_list and r.constraints else None


def missing_among_others(r: Reading) -> Intent | None:
    return Intent.MISSING if r.missing else None


RULES: tuple[Rule, ...] = (
    not_about_the_plans,
    number_that_does_not_exist,
    count,
    narrowing_the_previous_answer,
    roles,
    list_of_actions,
    parts_of_a_plan,
    who,
    what_it_means,
    when,
    named_node,
    list_without_cue,
    missing_among_others,
)


def decide_intent(r: Reading) -> tuple[Intent, str | None]:
    """The first rule that applies and its name, or a topical question (retrieval) and None."""
    for rule in RULES:
        intent = rule(r)
        if intent is not None:
            return intent, rule.__name__
    return Intent.TOPIC, None
