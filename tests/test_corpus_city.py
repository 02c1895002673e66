"""Facts of the Ville de Québec plan, checked against the text by hand."""

from __future__ import annotations

import re

from corpus import Action, Kind, Objectif, Plan, UnitsScope

LOISIRS = "Loisirs, sports et vie communautaire"
PAE = "Planification de l'aménagement et de l'environnement"


def test_structure_counts(city: Plan) -> None:
    assert len(city.of_kind(Kind.ORIENTATION)) == 3
    assert len(city.of_kind(Kind.AXE)) == 7
    assert len(city.objectives()) == 14
    numbers = [a.number for a in city.actions()]
    assert numbers == [str(n) for n in range(1, 58)]


def test_orientations_and_axes(city: Plan) -> None:
    assert [o.title for o in city.of_kind(Kind.ORIENTATION)] == [
        "Citoyennes, citoyens et communautés",
        "Milieux de vie complets",
        "Environnement systémique",
    ]
    axes = {a.id: a for a in city.of_kind(Kind.AXE)}
    assert list(axes) == ["axe-1-1", "axe-1-2", "axe-2-1", "axe-2-2", "axe-2-3", "axe-3-1", "axe-3-2"]
    assert axes["axe-2-1"].title == "Réponse aux besoins de base des citoyennes et des citoyens"
    assert axes["axe-3-2"].title == "Engagement de la Ville"
    assert axes["axe-1-1"].principles == (
        "Vivre-ensemble",
        "Participation sociale et engagement citoyen",
        "Accessibilité universelle",
    )
    assert axes["axe-1-2"].principles == ("Leadership partagé",)
    assert axes["axe-2-2"].principles == (
        "Vivre-ensemble",
        "Santé durable",
        "Accessibilité universelle",
        "Équité territoriale",
    )
    assert axes["axe-3-1"].principles == ("Santé durable", "Équité territoriale")


def test_timelines(city: Plan) -> None:
    counts = {c: sum(1 for a in city.actions() if a.horizon == c) for c in ("EC", "CT", "MT")}
    assert counts == {"EC": 28, "CT": 15, "MT": 14}
    assert city.horizons["EC"].words == "en cours"
    assert city.horizons["CT"].words == "court terme (2 ans et moins)"
    assert city.horizons["MT"].words == "moyen terme (de 3 à 5 ans)"
    # Spot checks, one per column, straight from the ✓ positions.
    assert city.action("1").horizon == "CT"  # type: ignore[union-attr]
    assert city.action("4").horizon == "EC"  # type: ignore[union-attr]
    assert city.action("9").horizon == "MT"  # type: ignore[union-attr]
    assert city.action("57").horizon == "CT"  # type: ignore[union-attr]


def test_action_37(city: Plan) -> None:
    a = city.action("37")
    assert isinstance(a, Action)
    assert a.text == "Poursuivre le déploiement de la tarification sociale avec le programme ÉquiMobilité"
    assert a.horizon == "EC"
    obj = city.objective_of(a)
    assert obj is not None and obj.id == "objectif-2-2-2"
    assert (
        obj.title
        == "Favoriser un accès équitable à la mobilité pour l'ensemble des citoyennes et des citoyens"
    )
    assert city.units_for(a) == (LOISIRS, PAE, "Police", "Transport et mobilité intelligente")
    assert city.breadcrumb(a) == [
        "Milieux de vie complets",
        "Accès universel et équitable aux services et aux équipements",
        obj.title,
    ]
    assert (a.line_start, a.line_end) == (558, 558)


def test_sample_of_actions(city: Plan) -> None:
    samples = {
        # number: (start of text, timeline, objective id, units)
        "1": (
            "Collaborer aux initiatives visant à favoriser l'égalité entre les femmes et les hommes",
            "CT",
            "objectif-1-1-1",
            (
                "Affaires juridiques",
                "Culture et patrimoine",
                "Développement économique et grands projets",
                LOISIRS,
                "Relations citoyennes et communications",
                "Ressources humaines",
            ),
        ),
        "12": (
            "Développer des outils numériques centralisés",
            "MT",
            "objectif-1-1-3",
            (
                "Culture et patrimoine",
                LOISIRS,
                "Relations citoyennes et communications",
                "Technologie de l'information",
            ),
        ),
        "28": (
            "Maintenir et bonifier les services d'aide à la recherche de logements",
            "EC",
            "objectif-2-1-2",
            ("Développement économique et grands projets", LOISIRS, PAE),
        ),
        "34": (
            "Améliorer l'accessibilité et la disponibilité de l'eau potable",
            "MT",
            "objectif-2-2-1",
            (
                "Culture et patrimoine",
                "Développement économique et grands projets",
                "Gestion des immeubles",
                "Gestion du territoire",
                LOISIRS,
                PAE,
            ),
        ),
        "42": (
            "Intervenir, lorsque nécessaire, pour réduire les méfaits dans les espaces publics",
            "EC",
            "objectif-2-3-2",
            ("Culture et patrimoine", LOISIRS, PAE, "Police"),
        ),
        "44": (
            "Préparer la population et les organisations à faire face à différents sinistres",
            "EC",
            "objectif-3-1-1",
            (
                "Approvisionnements",
                "Développement économique et grands projets",
                "Gestion des matières résiduelles",
                LOISIRS,
                PAE,
                "Sécurité civile",
            ),
        ),
        "55": ("Développer des collaborations avec des chaires de recherche", "CT", "objectif-3-2-2", ()),
    }
    for number, (start, horizon, obj_id, units) in samples.items():
        a = city.action(number)
        assert a is not None, number
        assert a.text.startswith(start), number
        assert a.horizon == horizon, number
        assert a.parent_id == obj_id, number
        assert city.units_for(a) == units, number


def test_objective_lists(city: Plan) -> None:
    o = city.node("objectif-2-1-2")
    assert isinstance(o, Objectif)
    assert o.title == "Faciliter l'accès au logement pour toutes et pour tous"
    assert (
        o.visees[0]
        == "Une augmentation du nombre de logements sociaux par le soutien à la réalisation de nouveaux projets"
    )
    assert len(o.visees) == 4
    assert o.units_scope == UnitsScope.LISTED
    assert (
        "Vision en habitation 2020-2030 et Plan de mise en œuvre accélérée 2023-2026"
        in o.orientations_municipales
    )
    assert [c.number for c in city.children(o.id)] == ["26", "27", "28", "29"]


def test_whole_organisation_objectives(city: Plan) -> None:
    """Orientation 3, Axe 2: no unit listed, because the whole organisation is concerned."""
    for oid, first, last in [("objectif-3-2-1", 47, 51), ("objectif-3-2-2", 52, 57)]:
        o = city.node(oid)
        assert isinstance(o, Objectif)
        assert o.units == ()
        assert o.units_scope == UnitsScope.ORGANISATION
        assert o.units_note is not None and "toute l'organisation municipale" in o.units_note.lower()
        assert [c.number for c in city.children(oid)] == [str(n) for n in range(first, last + 1)]
    # Every other objective lists its units.
    others = [o for o in city.objectives() if not o.id.startswith("objectif-3-2-")]
    assert all(o.units and o.units_scope == UnitsScope.LISTED for o in others)


def test_footnote_belongs_to_action_23(city: Plan) -> None:
    a = city.action("23")
    assert a is not None
    assert a.text.endswith("dans les déserts et marais alimentaires")
    assert len(a.footnotes) == 1
    note = a.footnotes[0]
    assert note.marker == "1" and note.line == 430
    assert note.text.startswith("Un désert alimentaire désigne une zone géographique")
    assert "un marais alimentaire est une zone géographique" in note.text
    assert "Jalon50_Defi-alimentaire.pdf" in note.text
    assert not any(b.footnotes for b in city.actions() if b.number != "23")


def test_prose_sections(city: Plan) -> None:
    ids = {n.id for n in city.nodes}
    for sid in [
        "mise-en-contexte",
        "conditions-de-reussite",
        "roles-de-la-ville",
        "presentation-de-l-echeancier",
        "adequation-avec-les-principes-de-la-politique",
        "mise-en-oeuvre-du-plan-d-action",
        "annexe-1",
        "annexe-2",
        "annexe-3",
        "annexe-4",
    ]:
        assert sid in ids, sid
    roles = city.children("roles-de-la-ville")
    assert [(r.kind, r.title) for r in roles] == [
        (Kind.ROLE, "Responsable"),
        (Kind.ROLE, "Mobilisateur"),
        (Kind.ROLE, "Collaborateur"),
        (Kind.ROLE, "Contributeur"),
    ]
    assert city.node("role-responsable").text.startswith(
        "Responsable principale de l'action, la Ville coordonne"
    )
    assert [e.id for e in city.children("presentation-de-l-echeancier")] == [
        "echeance-ec",
        "echeance-ct",
        "echeance-mt",
    ]
    assert city.principles == (
        "Vivre-ensemble",
        "Santé durable",
        "Accessibilité universelle",
        "Équité territoriale",
        "Participation sociale et engagement citoyen",
        "Leadership partagé",
    )
    principes = [p for p in city.nodes if p.kind == Kind.PRINCIPE]
    assert [p.title for p in principes] == [
        "Vivre-ensemble",
        "Santé durable",
        "Équité territoriale",
        "Accessibilité universelle",
        "Participation sociale et engagement citoyen",
        "Leadership partagé",
    ]
    assert city.node("principe-equite-territoriale").text.startswith("Elle permet de prendre en compte")
    # Annex 2 lists the 15 units, which are exactly the units named by the objectives.
    annex2 = city.node("annexe-2")
    assert annex2.items[0] == "Affaires juridiques"  # type: ignore[union-attr]
    assert len(annex2.items) == 15  # type: ignore[union-attr]
    assert sorted(annex2.items) == sorted(city.units())  # type: ignore[union-attr]
    assert len(city.node("annexe-3").items) == 28  # type: ignore[union-attr]
    mise = city.node("mise-en-oeuvre-du-plan-d-action")
    assert "Assurera un suivi et réalisera un bilan annuellement." in mise.text
    ctx = city.node("conditions-de-reussite").text
    # Lists stay where they stand among the paragraphs.
    assert (
        ctx.index("de la souplesse")
        < ctx.index("La Ville de Québec ajustera")
        < ctx.index("sa capacité opérationnelle")
    )


NOISE = [
    r"<\s*/?\s*(b|sup)\b",
    r"\]\(#\)",
    r"\\[()_]",
    r"\*\*",
    "CHOCOLAT",
    "FAVORIS",
    r"\bsiroc\b",
    r"\bZOR\b",
    "Déoulant",
    "bénéfiques",
    "2028-2028",
    "milieux vie",
    "[►▶›]",
]


def test_no_extraction_noise_in_any_node(city: Plan) -> None:
    for n in city.nodes:
        fields = [n.title, n.text, *[f.text for f in n.footnotes]]
        fields += (
            list(getattr(n, "items", ())) + list(getattr(n, "visees", ())) + list(getattr(n, "units", ()))
        )
        fields += list(getattr(n, "orientations_municipales", ()))
        for value in fields:
            for pattern in NOISE:
                assert not re.search(pattern, value), (n.id, pattern, value[:80])
    assert [(a, b) for a, b, _ in city.excluded_lines] == [(896, 904)]
    assert city.node("mise-en-contexte").text.startswith("Découlant de la Politique en développement social")


def test_references_resolve(city: Plan) -> None:
    assert city.resolve("37") is city.action("37")
    assert city.resolve("objectif-2-1-2") is city.node("objectif-2-1-2")
    assert city.ref(city.node("action-37")) == "ville-de-quebec-developpement-social-2025-2030:37"
    assert (
        city.ref(city.node("objectif-2-1-2"))
        == "ville-de-quebec-developpement-social-2025-2030:objectif-2-1-2"
    )
