"""What the question bank changes for a citizen, with the real model and the real store: a bank
question and a paraphrase of it answered right, what the plans do not address refused with where
to ask, an invented budget never confirmed, an unsure answer said as the closest, first sentences
that answer; and the bank's own measures out of fold (``plan-assistant eval bank``)."""

from __future__ import annotations

import pytest

from assistant.answer import Answer
from assistant.service import Assistant
from corpus import Corpus

from .conftest import CITY, SS


@pytest.fixture(scope="module")
def bot(built) -> Assistant:  # type: ignore[no-untyped-def]
    return Assistant(built)


def first(a: Answer) -> str:
    return a.citations[0].ref if a.citations else ""


def test_a_bank_question_and_a_paraphrase_of_it(bot: Assistant, corpus: Corpus) -> None:
    banked = next(q.text for q in corpus.bank.for_ref(f"{CITY}:37") if "RTC" in q.text or "autobus" in q.text)
    a = bot.ask(banked)
    assert first(a) == f"{CITY}:37" and a.coverage == "complete" and a.sure
    # The same need, in words no bank question uses.
    b = bot.ask("Mon abonnement d'autobus me coûte trop cher pour mon petit salaire, y a-t-il un rabais?")
    assert first(b) == f"{CITY}:37" and b.coverage == "complete"
    assert b.confidence is not None and b.confidence >= bot.judge.model.sure


def test_a_health_emergency_gets_its_resource_not_an_action(bot: Assistant) -> None:
    a = bot.ask("Mon père a une grosse douleur dans la poitrine depuis une heure, qu'est-ce que je fais?")
    assert a.coverage == "none" and a.citations == [] and not a.found
    assert "911" in a.lead and "811" in a.lead


def test_an_invented_amount_is_never_confirmed(bot: Assistant) -> None:
    a = bot.ask("La Ville donne-t-elle 1000 $ à chaque famille?")
    assert not a.lead.startswith("Oui") and a.coverage != "complete"


def test_a_municipal_service_gets_the_311(bot: Assistant) -> None:
    a = bot.ask("C'est quand le déneigement de ma rue cette semaine?")
    assert a.coverage == "none" and "311" in a.answer and "ville.quebec.qc.ca" in a.answer


def test_an_unsure_answer_says_what_is_closest(bot: Assistant) -> None:
    a = bot.ask("c koi le plan pour l'itinérance")
    assert not a.sure and a.coverage == "partial"
    # What the plan says of its homelessness vision, then the closest actions, none asserted.
    assert a.lead.startswith("Le Plan d'action en développement social 2025-2030 n'a pas d'action propre")
    assert "Vision en matière d'itinérance" in a.lead
    assert not a.lead.startswith(("Oui", "Annexe"))
    assert any(c.kind == "action" for c in a.citations)


def test_who_is_concerned_comes_first(bot: Assistant) -> None:
    a = bot.ask("Qui s'occupe de l'action 37?")
    assert a.lead.startswith(
        "4 unités sont concernées par l'action 37 [1] : Loisirs, sports et vie communautaire"
    )
    assert a.lead.endswith("Police et Transport et mobilité intelligente.")
    assert a.answer.index("Le plan liste les unités administratives par objectif.") > len(a.lead)


def test_a_plan_without_timelines_says_so(bot: Assistant) -> None:
    a = bot.ask("Liste les actions en cours de Saint-Sacrement")
    assert a.lead.startswith(
        "Le plan du Conseil de quartier Saint-Sacrement ne donne pas d'échéancier par action"
    )
    assert "Aucune action" not in a.answer and a.coverage == "partial"
    assert len([c for c in a.citations if c.kind == "action"]) == 18 and all(
        c.plan_id == SS for c in a.citations
    )


def test_the_bank_measured_out_of_fold(built) -> None:  # type: ignore[no-untyped-def]
    from evals.bank import evaluate

    # The ten fits without each fold are kept in the run's cache (by what they are fitted on): the
    # second run reads them back instead of fitting them again, the same models.
    summary = evaluate(built.searcher(), built.cache_dir)
    assert summary["questions"] == 2891 and summary["classes"] == 103
    # Levels reached when this was written (evals/reports/bank.md), minus a small margin.
    assert summary["dense_accuracy"] >= 0.77 and summary["keyword_accuracy"] >= 0.66
    assert summary["hors_plan_recall"] >= 0.85 and summary["covered_refused"] <= 0.05
    # The council's two actions of its objective « contacts avec les citoyens » (meeting citizens,
    # making the council known) are the pair most often confused.
    pairs = [tuple(c["pair"]) for c in summary["collisions"]]
    assert pairs[0] == (f"{SS}:3.1.1", f"{SS}:3.1.2")
