"""Questions that their keywords settle are answered without embedding them (three quarters of a new
question's cost); the others are embedded. The gate's logic and its file are tested on their own;
what a citizen sees, with the real model and store."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.relevance import (
    LEXICAL_FEATURES,
    LEXICAL_QUESTION_FEATURES,
    MODEL_FILE,
    Judged,
    Judgement,
    LexicalGate,
    Logistic,
    RelevanceModel,
)
from assistant.service import Assistant
from index.hybrid import Hit, SearchResult

from .conftest import CITY


def judgement(covered: float, *ps: float) -> Judgement:
    hit = Hit(CITY, "action", "1", f"{CITY}:1", "n", "t", "x", "u", "CT", [], 1.0, "d")
    return Judgement(None, [Judged(hit, {}, p) for p in ps], {}, covered, embedded=False)  # type: ignore[arg-type]


def gate(**bars: float) -> LexicalGate:
    return LexicalGate(Logistic.zero(LEXICAL_FEATURES), Logistic.zero(LEXICAL_QUESTION_FEATURES), **bars)


def test_gate_settles_a_clear_best_answer_or_clearly_nothing() -> None:
    g = gate(best=0.6, gap=0.3, covered=0.5, none=0.1)
    assert g.settles(judgement(0.9, 0.8, 0.3))  # a clear best candidate
    assert not g.settles(judgement(0.9, 0.8, 0.6))  # two close candidates: the meaning decides
    assert not g.settles(judgement(0.9, 0.5))  # best candidate too weak
    assert not g.settles(judgement(0.4, 0.9))  # covered? unsure
    assert g.settles(judgement(0.05))  # clearly not in the plans
    assert not gate().settles(judgement(0.99, 0.99))  # default bars: the gate is off


def test_shipped_model_has_its_gate_and_round_trips(tmp_path: Path) -> None:
    model = RelevanceModel.load()
    assert model.lexical is not None and model.lexical.best <= 1.0
    assert "dense" not in model.lexical.candidate.names and "best_dense" not in model.lexical.question.names
    path = tmp_path / "relevance.json"
    model.save(path)
    again = RelevanceModel.load(path)
    assert again.lexical is not None and again.lexical.bars() == model.lexical.bars()


def test_a_model_file_without_the_keyword_weights_names_the_fix(tmp_path: Path) -> None:
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    del data["lexical"]["candidate"]["weights"]["cover_own"]
    path = tmp_path / "relevance.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match=r"lexical\.candidate.*cover_own.*eval relevance --train"):
        RelevanceModel.load(path)
    del data["lexical"]
    path.write_text(json.dumps(data), encoding="utf-8")
    assert RelevanceModel.load(path).lexical is None  # an older file: every question embedded


def test_the_shipped_model_judges_a_plan_without_a_bank_on_its_own(tmp_path: Path) -> None:
    model = RelevanceModel.load()
    assert model.plain is not None and model.plain.plain is None and model.plain.lexical is None
    assert not any(n.startswith("bank_") for n in model.plain.candidate.names + model.plain.question.names)
    path = tmp_path / "relevance.json"
    model.save(path)
    again = RelevanceModel.load(path)
    assert again.plain is not None and again.plain.bars() == model.plain.bars()
    banked, plain = judgement(0.9, 0.8), judgement(0.9, 0.8)
    plain.bankless = True
    assert model.of(banked) is model and model.of(plain) is model.plain


def test_a_question_about_a_plan_without_a_bank_is_judged_without_it() -> None:
    from assistant.reading import Reading
    from assistant.relevance import bankless

    class Bank:
        plans = frozenset({CITY})

    def hit(plan: str) -> Hit:
        return Hit(plan, "action", "1", f"{plan}:1", "n", "t", "x", "u", "CT", [], 1.0, "d")

    def judged(*plans: str) -> Judgement:
        result = SearchResult([hit(p) for p in plans], None, 0.0, 0.0)  # type: ignore[arg-type]
        return Judgement(result, [], {}, 0.9)

    r = Reading("q", "q", "fr", None)  # type: ignore[arg-type]
    assert not bankless(r, judged(CITY, CITY, CITY, "autre"), Bank())  # type: ignore[arg-type]
    assert bankless(r, judged(CITY, "autre"), Bank())  # type: ignore[arg-type]
    assert bankless(r, judged(CITY), None)  # no bank at all
    named = replace(r, plans=["autre"])
    assert bankless(named, judged(CITY), Bank())  # type: ignore[arg-type]


@pytest.fixture
def counted(built, monkeypatch):  # type: ignore[no-untyped-def]
    """The assistant on the real index, with the question embeddings counted."""
    embedder = built.snapshot().searcher.embedder
    calls: list[str] = []
    real = embedder.embed_query

    def embed_query(text: str) -> list[float]:
        calls.append(text)
        return real(text)

    monkeypatch.setattr(embedder, "embed_query", embed_query)
    return Assistant(built), calls


def test_a_question_its_keywords_settle_is_not_embedded(counted) -> None:  # type: ignore[no-untyped-def]
    bot, calls = counted
    a = bot.ask("La Ville a-t-elle une tarification sociale pour l'autobus?")
    # Action 37: « Poursuivre le déploiement de la tarification sociale (ÉquiMobilité) ».
    assert a.coverage == "complete" and a.citations[0].ref == f"{CITY}:37"
    assert calls == [] and any("mots-clés seuls" in n for n in a.notes)
    a = bot.ask("Quand est la collecte des ordures?")
    assert a.coverage == "none" and a.citations == [] and calls == []


def test_a_question_in_other_words_is_embedded(counted) -> None:  # type: ignore[no-untyped-def]
    bot, calls = counted
    a = bot.ask("Comment la ville aide-t-elle le monde qui a de la misère à joindre les deux bouts?")
    assert len(calls) == 1 and not any("mots-clés seuls" in n for n in a.notes)


def test_without_the_gate_every_judged_question_is_embedded(counted) -> None:  # type: ignore[no-untyped-def]
    bot, calls = counted
    bot.judge.lexical_first = False
    a = bot.ask("Est-ce que la ville va m'aider à trouver un logement abordable?")
    assert a.citations[0].ref == f"{CITY}:28" and len(calls) == 1


@pytest.mark.slow
def test_training_gives_the_shipped_bars_and_a_gate_that_keeps_the_answers(built, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from evals.relevance import MAX_LOSSES, train

    # The bank's fits without each fold are kept in the run's cache (by what they are fitted on):
    # the second run reads them back instead of fitting them again, the same models.
    info = train(
        Assistant(built, relevance=RelevanceModel.untrained()), tmp_path / "relevance.json", built.cache_dir
    )
    shipped = RelevanceModel.load()
    assert shipped.lexical is not None
    # The shipped model is what the code learns from the tuning set and the bank (retrain after
    # changing either).
    assert info["bars"] == shipped.bars()
    assert info["gate"] == shipped.lexical.bars()
    assert shipped.plain is not None and info["without_bank_bars"] == shipped.plain.bars()
    full, gated = info["out_of_fold"], info["keywords_alone_out_of_fold"]
    # About one judged question in five is settled on its keywords (most, before the bank: its
    # classifier's dense half is what tells close actions apart).
    assert gated["settled"] >= info["questions"] // 6
    assert gated["strict"] >= full["strict"] and gated["false_confidence"] <= full["false_confidence"]
    assert gated["refused"] <= full["refused"] and gated["worse"] <= MAX_LOSSES * info["questions"]
