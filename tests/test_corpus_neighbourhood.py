"""Facts of the Saint-Sacrement plan and the rules for its misaligned table."""

from __future__ import annotations

import datetime as dt

from corpus import Action, Kind, Plan
from corpus.model import Indicateur


def test_structure(ss: Plan) -> None:
    themes = ss.of_kind(Kind.THEME)
    assert [(t.number, t.title) for t in themes] == [
        (
            "1",
            "Un quartier animé où il fait bon vivre ensemble dans la solidarité, l'inclusion et la diversité",
        ),
        ("2", "Un quartier sécuritaire pour tous et encore plus vert"),
        ("3", "Un conseil de quartier dynamique, impliqué et au service des citoyens"),
    ]
    assert [o.number for o in ss.objectives()] == [
        "1.1",
        "1.2",
        "2.1",
        "3.1",
        "3.2",
        "3.3",
        "3.4",
        "3.5",
        "3.6",
        "3.7",
    ]
    assert [a.number for a in ss.actions()] == [
        "1.1.1",
        "1.1.2",
        "1.1.3",
        "1.2.1",
        "1.2.2",
        "2.1.1",
        "2.1.2",
        "2.1.3",
        "2.1.4",
        "3.1.1",
        "3.1.2",
        "3.1.3",
        "3.2.1",
        "3.3.1",
        "3.4.1",
        "3.5.1",
        "3.6.1",
        "3.7.1",
    ]
    assert len(ss.of_kind(Kind.INDICATEUR)) == 27
    assert ss.meta.adopted == dt.date(2024, 5, 14)
    assert ss.meta.organisation == "Conseil de quartier Saint-Sacrement"


def test_actions_with_their_indicators(ss: Plan) -> None:
    a = ss.action("1.1.3")
    assert isinstance(a, Action)
    assert a.text.startswith("Promouvoir le développement d'espaces multifonctionnels")
    assert "patinoire couverte" in a.text
    assert [(i.number, i.title) for i in ss.children(a.id)] == [
        (
            "1.1.3.1",
            "Résolutions, mémoires et/ou avis à la Ville de Québec ou toute autre instance pertinente.",
        ),
        ("1.1.3.2", "Partenariats stratégiques avec certains acteurs."),
    ]
    assert (
        ss.objective_of(a).title
        == "Contribuer activement à faire de Saint-Sacrement un quartier vivant et animé"
    )  # type: ignore[union-attr]
    assert (
        ss.action("2.1.4").text
        == "Susciter des initiatives de verdissements (potagers, lutte aux ilots de chaleur)."
    )  # type: ignore[union-attr]
    assert ss.children("action-3-2-1") == []  # the plan gives no result for 3.2.1


def test_line_2_1_2_continues_the_list_of_2_1_1(ss: Plan) -> None:
    first, second = ss.action("2.1.1"), ss.action("2.1.2")
    assert first is not None and second is not None
    assert first.text.startswith("Assurer une vigilance constante sur :")
    assert second.text == "les aspects de sécurité liés au déneigement."
    assert second.continues == "2.1.1"
    assert first.continued_by == ("2.1.2",)
    assert ss.action("2.1.3").continues is None  # type: ignore[union-attr]


def test_indicators_follow_their_number_within_an_objective(ss: Plan) -> None:
    # 2.1.1.2 and 2.1.1.3 stand on the rows of 2.1.2 and 2.1.3 but are numbered under 2.1.1.
    assert [i.number for i in ss.children("action-2-1-1")] == ["2.1.1.1", "2.1.1.2", "2.1.1.3"]
    assert ss.children("action-2-1-2") == []
    # 2.1.3.1 stands on the row of 2.1.4, 2.1.3.2 on a row of its own.
    assert [i.number for i in ss.children("action-2-1-3")] == ["2.1.3.1", "2.1.3.2"]
    assert ss.children("action-2-1-4") == []
    assert not any(
        i.misnumbered
        for i in ss.of_kind(Kind.INDICATEUR)  # type: ignore[union-attr]
        if i.number != "3.6.1.3"
    )


def test_indicator_numbered_for_another_objective_stays_on_its_row(ss: Plan) -> None:
    ind = ss.node("indicateur-3-6-1-3")
    assert isinstance(ind, Indicateur)
    assert ind.title == "Poursuite des activités."
    assert ind.parent_id == "action-3-7-1"
    assert ind.misnumbered
    assert [i.number for i in ss.children("action-3-6-1")] == ["3.6.1.1", "3.6.1.2"]
    assert ss.resolve("3.6.1.3") is ind


def test_cell_split_over_lines_is_joined(ss: Plan) -> None:
    assert (
        ss.node("indicateur-3-3-1-4").title
        == "Implication des administrateurs dans les CA des autres organismes."
    )
    assert (ss.node("indicateur-3-3-1-4").line_start, ss.node("indicateur-3-3-1-4").line_end) == (48, 50)


def test_introduction_and_its_footnote(ss: Plan) -> None:
    intro = ss.node("mise-en-contexte")
    assert intro.text.startswith(
        "Le plan d'action du Conseil de quartier de Saint Sacrement (CQSS) 2024-2026"
    )
    assert "¹" not in intro.text
    assert [(f.marker, f.text) for f in intro.footnotes] == [
        ("1", "Étude sur les besoins des familles avec enfants de 0 à 17 ans de la Haute-Ville de Québec")
    ]
