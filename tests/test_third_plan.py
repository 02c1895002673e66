"""A third plan, written by the test with the generic parser, gets the assistant's features with no
code change: its name from its manifest, a notion defined in its note, units and timelines, and
follow-ups. Real model, real store."""

from __future__ import annotations

import shutil

import pytest

from assistant.service import Assistant
from corpus import load_corpus
from corpus.loader import DEFAULT_CORPUS_DIR
from index.location import LocalLocation
from index.service import IndexService

from .test_corpus_generic import write_plan

PLAN = """# Plan d'action 2025-2027 du conseil de quartier de Limoilou

CT = court terme (2 ans et moins)
MT = moyen terme (de 3 à 5 ans)

## Objectif 1 : Verdir les ruelles du quartier

Unités concernées : Gestion du territoire; Loisirs, sports et vie communautaire

1. Accompagner les résidents qui transforment leur ruelle en ruelle verte[^1] (CT)
2. Planter des arbres et des plates-bandes fleuries dans les ruelles (MT)

## Objectif 2 : Rendre les abords des écoles plus sûrs

Unités concernées : Transport et mobilité intelligente

3. Installer des dos d'âne et des traverses près des écoles primaires (CT)

[^1]: Une ruelle verte désigne une ruelle que les résidents verdissent et aménagent ensemble pour en faire un lieu de rencontre.
"""

MANIFEST = """id: limoilou-2025-2027
title: Plan d'action 2025-2027 du conseil de quartier de Limoilou
organisation: Conseil de quartier de Limoilou
period: 2025-2027
source: plan.md
parser: generique
aliases: [Limoilou, conseil de quartier de Limoilou]
order: 20
"""
LIMOILOU = "limoilou-2025-2027"


@pytest.fixture(scope="module")
def bot(tmp_path_factory, built) -> Assistant:  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("three")
    corpus_dir = root / "plans"
    shutil.copytree(DEFAULT_CORPUS_DIR, corpus_dir)
    write_plan(corpus_dir / "limoilou", PLAN, MANIFEST)
    # The session's index of the two plans, then a build with the third: only its documents are
    # embedded (the others' vectors are reused, as any re-index does).
    shutil.copytree(built.location.root, root / "index")
    service = IndexService(
        load_corpus(corpus_dir), built.embedder, LocalLocation(root / "index"), corpus_dir=corpus_dir
    )
    service.ensure(rebuild=True)
    return Assistant(service)


def test_a_notion_defined_in_its_note(bot: Assistant) -> None:
    a = bot.ask("C'est quoi une ruelle verte?")
    assert a.intent == "definition"
    assert a.citations[0].ref == f"{LIMOILOU}:1"
    assert "une ruelle que les résidents verdissent et aménagent ensemble" in a.lead


def test_named_by_its_manifest_then_follow_ups(bot: Assistant) -> None:
    a = bot.ask("Qu'est-ce que le conseil de quartier de Limoilou prévoit pour les ruelles?")
    assert a.found and a.citations[0].plan_id == LIMOILOU
    assert {c.plan_id for c in a.citations if c.role == "primary"} == {LIMOILOU}
    who = bot.ask("Et qui s'en occupe?", history=[a.as_turn()])
    assert who.intent == "units" and "- Gestion du territoire" in who.answer
    when = bot.ask("C'est pour quand?", history=[a.as_turn()])
    assert when.intent == "horizon" and "court terme (CT : 2 ans et moins)" in when.answer
    mt = bot.ask("Lesquelles sont à moyen terme?", history=[a.as_turn()])
    assert [c.ref for c in mt.citations] == [f"{LIMOILOU}:2"]


def test_its_actions_by_number_units_and_lists(bot: Assistant) -> None:
    a = bot.ask("Qui s'occupe de l'action 3 du plan de Limoilou?")
    assert a.citations[0].ref == f"{LIMOILOU}:3" and "- Transport et mobilité intelligente" in a.answer
    a = bot.ask("Quelles actions du conseil de quartier de Limoilou sont à court terme?")
    assert [c.ref for c in a.citations if c.kind == "action"] == [f"{LIMOILOU}:1", f"{LIMOILOU}:3"]
