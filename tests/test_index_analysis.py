"""French analysis, lexicon, BM25 and fusion: the pieces of the keyword side."""

from __future__ import annotations

from index.analysis import Accents, analyze, words
from index.bm25 import BM25, edit_distance
from index.fusion import reciprocal_rank_fusion
from index.lexicon import Lexicon, default_lexicon


def test_elisions_with_both_apostrophes() -> None:
    for text in [
        "l'aide d'un organisme jusqu'à lorsqu'on qu'il j'ai",
        "l’aide d’un organisme jusqu’à lorsqu’on qu’il j’ai",
    ]:
        assert words(text) == ["aide", "un", "organisme", "à", "on", "il", "ai"]


def test_stop_words_stemming_then_accent_folding() -> None:
    assert analyze("L’aide à la recherche d’un appartement") == ["aid", "recherch", "appart"]
    assert analyze("Sécurité ALIMENTAIRE") == ["secur", "alimentair"]
    assert analyze("securite alimentaire") == ["securit", "alimentair"]  # no accents known: stemmed as typed
    accents = Accents(["La sécurité alimentaire"])
    assert analyze("securite alimentaire", accents=accents) == [
        "secur",
        "alimentair",
    ]  # restored, then stemmed
    assert len(Accents()) == 0  # nothing shared by the process: each index has its own
    assert analyze("logements sociaux") == ["log", "social"]
    assert analyze("Est-ce que la Ville m'aide?") == ["vill", "aid"]


def test_lexicon_maps_everyday_words_to_plan_words() -> None:
    lx = default_lexicon()
    found = {m.concept.id for m in lx.match(analyze("je cherche un appart pas cher", keep_stopwords=True))}
    assert "logement" in found
    assert "log" in lx.expand(analyze("un appart", keep_stopwords=True))
    # Inflected forms the stemmer leaves apart still match (« dorment » / « dormir »).
    found = {m.concept.id for m in lx.match(analyze("des gens dorment dehors", keep_stopwords=True))}
    assert "itinerance" in found
    # Out-of-scope municipal words expand to nothing.
    assert lx.match(analyze("collecte des vidanges et du recyclage", keep_stopwords=True)) == []


def test_lexicon_drops_triggers_that_stem_to_stop_words(tmp_path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "lex.yaml"
    f.write_text(
        "concepts:\n  - id: c\n    plan_terms: [diversité]\n    triggers: [queer, racisme]\n",
        encoding="utf-8",
    )
    lx = Lexicon.load(f)
    assert lx.ignored == [("c", "queer")]  # « queer » stems to « que »
    assert lx.match(analyze("qu'est-ce que c'est", keep_stopwords=True)) == []


def test_bm25_ranks_and_corrects_typos() -> None:
    docs = [
        analyze(t)
        for t in ["aide à la recherche de logements", "sécurité alimentaire", "transport collectif"]
    ]
    bm = BM25(docs)
    scores = bm.scores({w: 1.0 for w in analyze("logements")})
    assert max(scores, key=scores.__getitem__) == 0
    assert bm.correct("alimantair") == "alimentair"  # one letter off
    assert bm.correct("log") is None  # too short to guess
    assert bm.correct("zzzzzz") is None
    assert edit_distance("kitten", "sitting", 5) == 3


def test_reciprocal_rank_fusion() -> None:
    fused = reciprocal_rank_fusion([(["a", "b", "c"], 1.0), (["c", "a"], 1.0)], k=60)
    assert [k for k, _ in fused] == ["a", "c", "b"]
    assert fused[0][1] == 1 / 61 + 1 / 62
