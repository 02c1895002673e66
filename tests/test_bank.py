"""The question bank as plan data: what it holds, how it is checked, and that it was written apart
from the evaluation sets."""

from __future__ import annotations

from pathlib import Path

import pytest
from rapidfuzz import fuzz, process

from corpus import Corpus, Kind, load_corpus, validate
from corpus.bank import HORS_PLAN, HORS_PLAN_KINDS
from corpus.text import fold
from evals.dataset import HELDOUT_FILE, load_questions
from index.documents import bank_classes

from .conftest import CITY, SS

HELDOUT_SETS = (HELDOUT_FILE, HELDOUT_FILE.with_name("heldout_residents.yaml"))


def test_every_action_and_objective_has_its_questions(corpus: Corpus) -> None:
    counts = corpus.bank.counts()
    for plan in corpus:
        for node in plan.nodes:
            if node.kind in (Kind.ACTION, Kind.OBJECTIF):
                assert counts[plan.ref(node)] >= 15, plan.ref(node)
    hors = [q for q in corpus.bank if q.coverage != "complete"]
    assert sum(q.coverage == "none" for q in hors) >= 300
    assert {q.kind for q in hors} == set(HORS_PLAN_KINDS)
    # Partial questions name the actions of their subject and the fact the plans do not give.
    assert all(q.refs and q.asked for q in hors if q.coverage == "partial")


def test_the_bank_files_say_who_wrote_them_and_from_what(corpus: Corpus) -> None:
    for file in corpus.bank.files:
        head = Path(file).read_text(encoding="utf-8")[:600]
        assert "n'a lu ni evals/" in head or "n'ont lu ni evals/" in head, file


def test_no_bank_question_is_a_question_of_a_heldout_set(corpus: Corpus) -> None:
    """Written apart: no bank question repeats (even nearly) a question of either held-out set."""
    held = [fold(s.question) for path in HELDOUT_SETS for q in load_questions(path) for s in q.steps]
    near = [
        q.text
        for q in corpus.bank
        if (m := process.extractOne(fold(q.text), held, scorer=fuzz.ratio)) and m[1] >= 80
    ]
    assert near == []


def test_an_objective_question_teaches_each_of_its_actions(corpus: Corpus) -> None:
    q = next(q for q in corpus.bank if q.refs == (f"{CITY}:objectif-2-1-1",))
    assert bank_classes(corpus, q) == [f"{CITY}:23", f"{CITY}:24", f"{CITY}:25"]
    hors = next(q for q in corpus.bank if q.coverage == "none")
    assert bank_classes(corpus, hors) == [HORS_PLAN]


def test_a_bad_reference_is_reported_at_its_line(corpus_copy: Path) -> None:
    bank = corpus_copy / SS / "questions.yaml"
    bank.write_text(
        'version: 1\nplan: saint-sacrement-2024-2026\nnodes:\n  "1.1.1":\n    - l\'église va devenir quoi\n'
        '  "9.9.9":\n    - une question\n  "2.1.4":\n    - {q: jardins communautaires, also: ["7.7.7"]}\n',
        encoding="utf-8",
    )
    problems = [str(p) for p in validate(corpus_copy)]
    assert any(
        p.endswith(
            "questions.yaml:6: « 9.9.9 » ne désigne aucune action ni aucun objectif du plan saint-sacrement-2024-2026"
        )
        for p in problems
    )
    assert any(":9: also : « 7.7.7 » ne désigne aucune action" in p for p in problems)


def test_hors_plan_entries_are_checked(corpus_copy: Path) -> None:
    (corpus_copy / "hors-plan.yaml").write_text(
        "version: 1\nquestions:\n"
        "  - {q: c quand la collecte, coverage: none, kind: service-municipal}\n"
        "  - {q: combien ça coûte, coverage: partial, asked: amount}\n"
        "  - {q: le budget de l'action 37, coverage: partial, asked: budget, refs: [" + CITY + ":37]}\n"
        "  - {q: autre chose, coverage: maybe, kind: inconnu}\n",
        encoding="utf-8",
    )
    problems = [str(p) for p in validate(corpus_copy)]
    assert any(":4: une question partielle nomme les actions du sujet (refs)" in p for p in problems)
    assert any(":5: asked : « budget » inconnu" in p for p in problems)
    assert any(":6: coverage : « maybe » (attendu none ou partial)" in p for p in problems)
    with pytest.raises(Exception, match=r"hors-plan\.yaml"):
        load_corpus(corpus_copy)


def test_one_question_with_two_answers_is_a_problem(corpus_copy: Path) -> None:
    bank = corpus_copy / SS / "questions.yaml"
    bank.write_text(
        'version: 1\nnodes:\n  "2.1.3":\n    - Trottoirs dangereux\n  "2.1.4":\n    - trottoirs  dangereux\n',
        encoding="utf-8",
    )
    problems = [str(p) for p in validate(corpus_copy)]
    assert any(":6: « trottoirs dangereux » est aussi à" in p for p in problems)


def test_a_plan_without_a_bank_loads(corpus_copy: Path) -> None:
    (corpus_copy / SS / "questions.yaml").unlink()
    (corpus_copy / "hors-plan.yaml").unlink()
    c = load_corpus(corpus_copy)
    assert len(c.bank) > 1000 and all(q.refs[0].startswith(CITY) for q in c.bank)
    assert validate(corpus_copy) == []
