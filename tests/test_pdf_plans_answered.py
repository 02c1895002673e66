"""Two plans of other shapes, published as PDFs (tests/pdfs.py: a road safety plan whose actions
carry « Échéance / Responsable / Partenaires » fields, a healthy living plan in nested numbered
lists with its yearly timelines in brackets and a legend), imported with the real command into a
copy of the corpus and answered end to end with no Python edit: by topic, by responsible unit, by
timeline, as a list by timeline, in a follow-up, and a question neither covers. Real model, real
store (issue 21)."""

from __future__ import annotations

import pytest

from assistant.service import Assistant
from index.service import IndexService

from .four_plans import HEALTHY, ROAD

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bot(four_index: IndexService) -> Assistant:
    # The session's four-plan corpus and index (tests/four_plans.py), shared with the widget's tests.
    return Assistant(four_index)


def refs(a, kind: str = "action") -> list[str]:  # type: ignore[no-untyped-def]
    return [c.ref for c in a.citations if c.kind == kind]


# -- by topic, in everyday words: the new plan's action cited first --------------------------------


@pytest.mark.parametrize(
    ("question", "ref"),
    [
        ("Est-ce qu'ils vont baisser la vitesse à 30 dans les petites rues?", f"{ROAD}:4"),
        ("Est-ce que la limite de vitesse va baisser dans les rues résidentielles?", f"{ROAD}:4"),
        ("Va-t-il y avoir des brigadiers scolaires aux coins de rue près des écoles?", f"{ROAD}:2"),
        ("Y a-tu des cours de natation gratuits pour les enfants?", f"{HEALTHY}:1.1.1"),
        (
            "Est-ce qu'on va pouvoir emprunter des raquettes avec notre carte de bibliothèque?",
            f"{HEALTHY}:1.1.2",
        ),
        ("Est-ce qu'il y a un défi sans écran pour les familles?", f"{HEALTHY}:3.1.1"),
    ],
    ids=["vitesse-30", "limite-vitesse", "brigadiers", "natation", "raquettes", "sans-ecran"],
)
def test_by_topic_in_everyday_words(bot: Assistant, question: str, ref: str) -> None:
    a = bot.ask(question)
    assert a.found and a.citations[0].ref == ref, (a.notes, a.lead, refs(a))


# -- who: the unit the action's « Responsable » names -------------------------------------------


def test_road_safety_responsible_of_an_action(bot: Assistant) -> None:
    a = bot.ask("Qui est responsable de l'action 7 du plan de sécurité routière?")
    assert a.intent == "units" and a.citations[0].ref == f"{ROAD}:7", (a.intent, refs(a))
    assert a.citations[0].units == ["Service de l'ingénierie"]
    assert a.coverage == "complete", a.answer
    assert "Service de l'ingénierie" in a.lead, a.answer


def test_healthy_living_responsible_units_of_an_action(bot: Assistant) -> None:
    a = bot.ask("Qui s'occupe de l'action 1.1.2 du plan des saines habitudes de vie?")
    assert a.intent == "units" and a.citations[0].ref == f"{HEALTHY}:1.1.2", (a.intent, refs(a))
    both = [
        "Division de la culture et des bibliothèques",
        "Division des loisirs, des sports et de la vie communautaire",
    ]
    assert a.citations[0].units == both
    assert a.coverage == "complete", a.answer
    assert all(u in a.lead for u in both), a.answer


def test_actions_of_a_responsible_unit(bot: Assistant) -> None:
    a = bot.ask("Quelles actions du plan de sécurité routière relèvent du Service de l'ingénierie?")
    assert refs(a) == [f"{ROAD}:7", f"{ROAD}:8"], a.answer
    a = bot.ask(
        "Quelles actions du plan des saines habitudes de vie relèvent de la Division des parcs et espaces verts?"
    )
    assert refs(a) == [f"{HEALTHY}:1.1.3", f"{HEALTHY}:2.1.1", f"{HEALTHY}:2.2.1"], a.answer


# -- a follow-up: « Et qui s'en occupe? » after a topical answer ----------------------------------


@pytest.mark.parametrize(
    ("question", "ref", "unit"),
    [
        (
            "Est-ce que la limite de vitesse va baisser dans les rues résidentielles?",
            f"{ROAD}:4",
            "Service du transport et de la mobilité intelligente",
        ),
        (
            "Mon ado dort mal, y a-t-il des conférences pour les parents?",
            f"{HEALTHY}:3.1.3",
            "Division de la culture et des bibliothèques",
        ),
    ],
    ids=["securite-routiere", "saines-habitudes"],
)
def test_follow_up_who(bot: Assistant, question: str, ref: str, unit: str) -> None:
    a = bot.ask(question)
    assert a.found and a.citations[0].ref == ref, (a.lead, refs(a))
    who = bot.ask("Et qui s'en occupe?", history=[a.as_turn()])
    assert who.intent == "units" and who.citations[0].ref == ref, (who.intent, refs(who))
    assert unit in who.lead, who.answer


# -- when, and the list of a timeline: the plan's years and « en continu » ------------------------


def test_road_safety_when(bot: Assistant) -> None:
    a = bot.ask("C'est pour quand l'action 8 du plan de sécurité routière?")
    assert a.intent == "horizon" and a.citations[0].ref == f"{ROAD}:8", (a.intent, refs(a))
    assert "2027" in a.lead, a.answer


def test_healthy_living_when(bot: Assistant) -> None:
    a = bot.ask("Quand est prévue l'action 2.2.1 du plan des saines habitudes de vie?")
    assert a.intent == "horizon" and a.citations[0].ref == f"{HEALTHY}:2.2.1", (a.intent, refs(a))
    assert "2028" in a.lead and "dernière année du plan" in a.answer, a.answer


def test_road_safety_list_by_timeline(bot: Assistant) -> None:
    a = bot.ask("Quelles actions du plan de sécurité routière sont en continu?")
    assert refs(a) == [f"{ROAD}:2", f"{ROAD}:5", f"{ROAD}:6"], a.answer
    a = bot.ask("Quelles actions du plan de sécurité routière sont prévues en 2026?")
    assert refs(a) == [f"{ROAD}:3", f"{ROAD}:9", f"{ROAD}:11"], a.answer


def test_healthy_living_list_by_timeline(bot: Assistant) -> None:
    a = bot.ask("Quelles actions du plan des saines habitudes de vie sont prévues en 2025?")
    assert refs(a) == [f"{HEALTHY}:1.1.1", f"{HEALTHY}:1.2.2", f"{HEALTHY}:2.1.1", f"{HEALTHY}:3.1.2"], (
        a.answer
    )
    a = bot.ask("Quelles actions du plan des saines habitudes de vie se font en continu?")
    assert refs(a) == [f"{HEALTHY}:1.2.1", f"{HEALTHY}:2.2.2", f"{HEALTHY}:3.1.1"], a.answer


# -- neither plan -------------------------------------------------------------------------------


def test_a_question_no_plan_covers(bot: Assistant) -> None:
    a = bot.ask("Comment faire renouveler mon passeport?")
    assert a.coverage == "none", a.answer
    assert not {c.plan_id for c in a.citations} & {ROAD, HEALTHY}, refs(a)
