"""The reading of a question on its own: no index, no model (the analyser is built from the
documents' words and the lexicon). Fast: runs in a second."""

from __future__ import annotations

import pytest

from assistant.answer import Turn
from assistant.normalize import detect_language
from assistant.reading import Fact, FollowUpKind, Intent, ReadingContext, read_question
from corpus import Corpus
from index.documents import build_documents
from index.lexicon import default_lexicon
from index.query import QueryAnalyser

from .conftest import CITY, SS


@pytest.fixture(scope="module")
def ctx(corpus: Corpus) -> ReadingContext:
    aliases = {p.id: p.meta.aliases for p in corpus}
    return ReadingContext.build(
        corpus, QueryAnalyser.for_documents(build_documents(corpus), default_lexicon(), aliases)
    )


def numbers(targets) -> list[str]:  # type: ignore[no-untyped-def]
    return [node.number or node.id for _plan, node in targets]


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("Qui s'occupe de l'action 37?", Intent.UNITS),
        ("L'action 9, c'est pour quand?", Intent.HORIZON),
        ("C'est quoi l'action 12?", Intent.ACTION),
        ("Combien d'actions y a-t-il dans le plan?", Intent.COUNT),
        ("Donne-moi toutes les actions qui concernent la Police.", Intent.REVERSE),
        ("Quelles sont les orientations du plan?", Intent.STRUCTURE),
        ("Quels rôles la Ville peut-elle jouer?", Intent.STRUCTURE),
        ("CT ça veut dire quoi?", Intent.DEFINITION),
        ("c'est quoi un désert alimentaire?", Intent.DEFINITION),
        ("La Ville m'aide-t-elle à trouver un logement?", Intent.TOPIC),
        ("Parle-moi de l'action 58", Intent.MISSING),
        ("asdf qwerty", Intent.OFF_TOPIC),
        ("🙃🙃 ???", Intent.OFF_TOPIC),
        ("Bonjour", Intent.OFF_TOPIC),
        ("Qui est le maire de Québec?", Intent.OFF_TOPIC),
        ("Donnez-moi l'adresse de mon ex", Intent.OFF_TOPIC),
    ],
)
def test_intent(ctx: ReadingContext, question: str, intent: Intent) -> None:
    assert read_question(question, ctx).intent == intent


def test_references_units_timelines_and_plans(ctx: ReadingContext) -> None:
    r = read_question("Quelles actions de la Police sont à court terme dans le plan de la Ville?", ctx)
    assert r.units == ["Police"] and r.horizons == ["CT"] and r.plans == [CITY]
    r = read_question("C'est quoi le 2.1.2 du conseil de quartier?", ctx)
    assert [(p.id, n.number) for p, n in r.targets] == [(SS, "2.1.2")]
    r = read_question("les actions 12 et 13", ctx)
    assert numbers(r.targets) == ["12", "13"]
    r = read_question("c'est quoi un marais alimentaire?", ctx)
    assert r.notion is not None and r.notion[1].number == "23"


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        ("Combien ça coûte, la passe d'autobus à tarif réduit?", Fact.AMOUNT),
        ("Quel est le budget de la Ville pour le logement social?", Fact.AMOUNT),
        ("La bibliothèque est ouverte jusqu'à quelle heure?", Fact.HOURS),
        ("Où seront installées les nouvelles toilettes publiques?", Fact.PLACE),
        ("En quelle année la plateforme numérique sera-t-elle prête?", Fact.DATE),
        ("Combien de logements sociaux la Ville va-t-elle construire?", Fact.TARGET),
        ("C'est quoi le nom de la personne responsable des bénévoles?", Fact.PERSON),
        ("Le nouveau stade de soccer intérieur, c'est pour quand?", Fact.FACILITY),
        ("Les toilettes publiques, ça va être prêt pour l'hiver 2027?", Fact.DATE),
        ("La Ville aide-t-elle à trouver un logement?", None),
        ("Le quartier aurait besoin d'une piscine, la Ville y pense-tu?", None),  # a kind, not a named one
    ],
)
def test_fact_asked_that_the_plans_do_not_give(ctx: ReadingContext, question: str, fact: Fact | None) -> None:
    assert read_question(question, ctx).fact == fact


def test_premises_asserted(ctx: ReadingContext) -> None:
    r = read_question("Le plan met 50 M$ dans l'action 34, c'est bien ça?", ctx)
    assert r.premises.amount and numbers(r.targets) == ["34"] and r.yes_no
    r = read_question("L'action 37 a été annulée?", ctx)
    assert r.premises.cancelled
    r = read_question("L'action 12 va être finie en 2026?", ctx)
    assert r.premises.years == ["2026"]
    # A plan's period is not a date asserted.
    assert (
        read_question("Le Plan d'action en développement social 2025-2030, c'est quoi?", ctx).premises.years
        == []
    )


def test_a_story_with_an_amount_is_not_a_question_about_money(ctx: ReadingContext) -> None:
    r = read_question("Mon loyer a monté de 400$, est-ce que la Ville aide les locataires?", ctx)
    assert r.fact is None and r.intent == Intent.TOPIC


def test_follow_ups(ctx: ReadingContext) -> None:
    history = [Turn(question="La Ville aide-t-elle à trouver un logement?", refs=[f"{CITY}:28"])]
    r = read_question("Lesquelles sont à moyen terme?", ctx, history)
    assert r.followup is not None and r.followup.kind == FollowUpKind.FILTER and r.intent == Intent.FILTER
    r = read_question("Et qui s'en occupe?", ctx, history)
    assert r.followup is not None and r.followup.kind == FollowUpKind.UNITS
    assert r.intent == Intent.UNITS and numbers(r.targets) == ["28"]
    r = read_question("C'est pour quand?", ctx, history)
    assert r.intent == Intent.HORIZON and numbers(r.targets) == ["28"]
    r = read_question("Combien ça coûte?", ctx, history)
    assert r.followup is not None and r.followup.kind == FollowUpKind.FACT and r.fact == Fact.AMOUNT
    r = read_question("Et pour les familles?", ctx, history)
    assert r.followup is not None and r.followup.kind == FollowUpKind.FOCUS and r.intent == Intent.TOPIC
    assert r.search_query.startswith(history[0].question)
    # A pronoun or a light verb stands for what was just said; the impersonal « il y a » does not.
    for question in ("Elle commence quand?", "Et la Ville va s'y mettre quand?", "Ils vont faire ça quand?"):
        r = read_question(question, ctx, history)
        assert r.intent == Intent.HORIZON and numbers(r.targets) == ["28"], question
    r = read_question("Et combien ça va coûter, ce projet de logement?", ctx, history)
    assert r.followup is not None and r.followup.kind == FollowUpKind.FACT and numbers(r.targets) == ["28"]
    assert read_question("Il y a quoi pour les aînés?", ctx, history).followup is None
    # A named facility is a subject of its own.
    r = read_question("La nouvelle université, c'est pour quand?", ctx, history)
    assert r.followup is None and r.fact == Fact.FACILITY
    # A whole list asked for, without pointing back, is a list of its own.
    r = read_question("Donne-moi toutes les actions qui concernent Culture et patrimoine", ctx, history)
    assert r.followup is None and r.intent == Intent.REVERSE
    # A question with a subject of its own starts afresh.
    assert (
        read_question("Qu'est-ce que la Ville fait pour la sécurité alimentaire?", ctx, history).followup
        is None
    )


def test_language_and_yes_no(ctx: ReadingContext) -> None:
    assert detect_language("Which departments are involved in action 12?") == "en"
    assert detect_language("Est-ce que la Ville aide les familles?") == "fr"
    assert detect_language("Liste toutes les actions à moyen terme (3 à 5 ans).") == "fr"
    assert read_question("Est-ce que la Ville aide les familles?", ctx).yes_no
    assert read_question("Y a-tu de quoi pour les aînés?", ctx).yes_no
    assert not read_question("Qu'est-ce que la Ville fait pour les aînés?", ctx).yes_no


def test_the_verb_of_involvement_of_a_who_question_is_not_its_subject(ctx: ReadingContext) -> None:
    """« Quelles unités participent à … », « … travaillent sur … »: what is asked is who; the subject is
    what follows."""
    r = read_question(
        "Quelles unités administratives travaillent sur les outils numériques centralisés?", ctx
    )
    assert r.asks_who and r.subject == ["outil", "numer", "centralis"]
    r = read_question("Quels services participent aux initiatives intergénérationnelles?", ctx)
    assert r.asks_who and r.subject == ["initi", "intergenerationnel"]
