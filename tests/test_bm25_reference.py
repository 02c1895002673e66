"""The hand-written BM25 (it needs weighted query words and subsets of documents) agrees with a
well-kept implementation, rank-bm25: same term-frequency saturation and length normalisation (the
idf differs by design: Lucene's log(1 + …), always positive, where BM25Okapi floors negative ones)."""

from __future__ import annotations

import math

import pytest
from rank_bm25 import BM25Okapi

from index.analysis import analyze
from index.bm25 import BM25

DOCS = [
    "Maintenir et bonifier les services d'aide à la recherche de logements",
    "Poursuivre les efforts pour répondre aux besoins diversifiés en logement",
    "Soutenir et déployer des mesures favorisant l'accès à une alimentation saine",
    "Poursuivre le déploiement de la tarification sociale avec le programme ÉquiMobilité",
    "Améliorer l'accessibilité de l'eau potable et des installations sanitaires",
    "Offrir des incitatifs pour l'installation de commerces de proximité",
    "Aménager des espaces publics agréables, sécuritaires, accessibles et polyvalents",
]


@pytest.mark.parametrize("word", ["logement", "accessibilité", "poursuivre", "installation"])
def test_scores_agree_with_rank_bm25_up_to_idf(word: str) -> None:
    tokens = [analyze(d) for d in DOCS]
    ours = BM25(tokens, k1=1.2, b=0.75)
    ref = BM25Okapi(tokens, k1=1.2, b=0.75)
    (w,) = analyze(word)
    mine = ours.scores({w: 1.0})
    theirs = ref.get_scores([w])
    assert set(mine) == {i for i, s in enumerate(theirs) if s != 0}
    # One word: the scores differ only by the idf factor, the same for every document.
    ratios = {round(mine[i] / theirs[i], 9) for i in mine}
    assert len(ratios) == 1
    n, df = len(DOCS), ours.df[w]
    lucene, okapi = math.log(1 + (n - df + 0.5) / (df + 0.5)), ref.idf[w]
    assert ratios.pop() == pytest.approx(lucene / okapi)


def test_weighted_words_add_up() -> None:
    ours = BM25([analyze(d) for d in DOCS])
    a, b = analyze("logement")[0], analyze("poursuivre")[0]
    both = ours.scores({a: 1.0, b: 0.5})
    one, two = ours.scores({a: 1.0}), ours.scores({b: 1.0})
    for i in both:
        assert both[i] == pytest.approx(one.get(i, 0.0) + 0.5 * two.get(i, 0.0))
