"""Test PDFs rendered with reportlab from the shipped plans' source texts, in layouts close to the
published ones, for the PDF import (tests/test_corpus_pdf.py):

- the City's plan: a cover with its title, the timeline legend, headings by orientation, axis and
  objective, a units line per objective, and each objective's actions in a ruled table with one
  ✓ column per timeline code;
- the neighbourhood plan: its introduction, then per theme a ruled three-column table
  Objectifs / Actions / Résultats whose rows may break across pages (the header repeated).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from corpus import Kind, Objectif, Plan, UnitsScope
from corpus.loader import DEFAULT_CORPUS_DIR, load_plan_checked

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
CITY = "ville-de-quebec-developpement-social-2025-2030"
SS = "saint-sacrement-2024-2026"


def _fonts() -> None:
    if "Sans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("Sans", str(FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont("Sans-Bold", str(FONT_DIR / "DejaVuSans-Bold.ttf")))
        pdfmetrics.registerFontFamily(
            "Sans", normal="Sans", bold="Sans-Bold", italic="Sans", boldItalic="Sans-Bold"
        )


def style(size: float, bold: bool = False, space: float = 4) -> ParagraphStyle:
    _fonts()
    return ParagraphStyle(
        f"s{size}{bold}",
        fontName="Sans-Bold" if bold else "Sans",
        fontSize=size,
        leading=size * 1.25,
        spaceBefore=space,
        spaceAfter=space,
    )


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def build(path: Path, story: Sequence[Flowable]) -> Path:
    _fonts()
    SimpleDocTemplate(
        str(path), pagesize=LETTER, leftMargin=50, rightMargin=50, topMargin=50, bottomMargin=50
    ).build(list(story))
    return path


def load(plan_id: str) -> Plan:
    plan, problems = load_plan_checked(DEFAULT_CORPUS_DIR / plan_id / "manifest.yaml")
    assert plan is not None and not problems, problems
    return plan


GRID = [
    ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
    ("FONTNAME", (0, 0), (-1, -1), "Sans"),
    ("FONTSIZE", (0, 0), (-1, -1), 9),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
]


def timeline_table(codes: list[str], rows: list[tuple[str, str | None]]) -> Table:
    """« Actions | Échéancier » over « | EC | CT | MT », one row per action with a ✓ in its column."""
    cell = style(9, space=0)
    head = [["Actions", "Échéancier", *[""] * (len(codes) - 1)], ["", *codes]]
    body = [[Paragraph(esc(text), cell), *["✓" if code == c else "" for c in codes]] for text, code in rows]
    t = Table(head + body, colWidths=[380, *[40] * len(codes)], repeatRows=2)
    t.setStyle(
        TableStyle(
            [
                *GRID,
                ("SPAN", (1, 0), (-1, 0)),
                ("SPAN", (0, 0), (0, 1)),
                ("FONTNAME", (0, 0), (-1, 1), "Sans-Bold"),
                ("ALIGN", (1, 0), (-1, -1), "CENTER"),
            ]
        )
    )
    return t


def city_story(plan: Plan) -> list[Flowable]:
    """The City's plan from its parsed source text, laid out as published."""
    story: list[Flowable] = [
        Paragraph(esc(plan.title), style(26, bold=True)),
        Paragraph(esc(plan.meta.subtitle or ""), style(14)),
        PageBreak(),
        Paragraph("Présentation de l'échéancier", style(20, bold=True)),
        Paragraph(
            "L'échéancier est proposé sur un horizon temporel, plutôt que par année, afin d'être plus "
            "agile tout au long de la mise en œuvre :",
            style(10),
        ),
    ]
    for h in plan.horizons.values():
        story.append(Paragraph(esc(f"{h.code} : {h.words}"), style(10)))
    codes = list(plan.horizons)
    rows: list[tuple[str, str | None]] = []

    def flush() -> None:
        if rows:
            story.append(timeline_table(codes, list(rows)))
            rows.clear()

    for n in plan.nodes:
        if n.kind == Kind.ORIENTATION:
            flush()
            story += [PageBreak(), Paragraph(esc(f"Orientation {n.number} – {n.title}"), style(20, True))]
        elif n.kind == Kind.AXE:
            flush()
            story.append(Paragraph(esc(f"Axe d'intervention {n.number} – {n.title}"), style(16, True)))
        elif isinstance(n, Objectif):
            flush()
            story.append(Paragraph(esc(f"Objectif {n.number} – {n.title}"), style(13, True, space=8)))
            units = "; ".join(n.units) if n.units_scope == UnitsScope.LISTED else (n.units_note or "")
            story.append(
                Paragraph(f"<b>Unités administratives concernées :</b> {esc(units)}", style(10, space=6))
            )
        elif n.kind == Kind.ACTION:
            rows.append((f"{n.number}. {n.title}", getattr(n, "horizon", None)))
    flush()
    return story


def city_pdf(path: Path) -> Path:
    return build(path, city_story(load(CITY)))


def neighbourhood_pdf(path: Path) -> Path:
    """Saint-Sacrement's plan from its tab-separated source text: introduction, then per theme its
    three-column table; a row too long for the rest of a page continues on the next one."""
    src = next((DEFAULT_CORPUS_DIR / SS).glob("*.txt")).read_text(encoding="utf-8")
    story: list[Flowable] = []
    cell = style(9, space=0)
    table: list[list[Flowable | str]] = []

    def flush() -> None:
        if table:
            t = Table(list(table), colWidths=[150, 190, 170], repeatRows=1, splitInRow=1)
            t.setStyle(TableStyle([*GRID, ("FONTNAME", (0, 0), (-1, 0), "Sans-Bold")]))
            story.append(t)
            table.clear()

    cover = 0
    for raw in src.split("\n"):
        text = raw.strip().replace("**", "")
        if not text:
            continue
        if "\t" not in raw and not table and not text.startswith("Thème"):
            if cover < 2:  # the cover: the title, then the neighbourhood's name
                story.append(Paragraph(esc(text), style(28 if cover == 0 else 22, True)))
                cover += 1
            elif text[:1].isdigit():  # a footnote
                story.append(Paragraph(esc(text), style(8)))
            else:
                story.append(Paragraph(esc(text), style(10)))
            continue
        if text.startswith("Thème"):
            flush()
            story += [Spacer(1, 10), Paragraph(esc(text), style(14, True))]
            continue
        cells = [*raw.split("\t"), "", "", ""]
        table.append([Paragraph(esc(c.strip()), cell) for c in cells[:3]])
    flush()
    # Enough text before the last table that its rows fall across a page break.
    return build(path, story)


def small_plan_pdf(path: Path) -> Path:
    """A short plan with its own timeline codes (CT, LT), a units list, a ✓ table with a row that
    has no number and one ticked twice, and an action written as a paragraph with its fields."""
    cell = style(9, space=0)
    rows = [
        ["Actions", "CT", "LT"],
        [Paragraph("Planter des arbres le long des ruelles", cell), "✓", ""],
        [Paragraph("1. Accompagner les résidents qui aménagent une ruelle verte", cell), "", "✓"],
        [Paragraph("2. Installer des bancs dans les ruelles", cell), "✓", "✓"],
    ]
    table = Table(rows, colWidths=[380, 40, 40])
    table.setStyle(TableStyle([*GRID, ("FONTNAME", (0, 0), (-1, 0), "Sans-Bold")]))
    story: list[Flowable] = [
        Paragraph("Plan d'action de Limoilou 2025-2027", style(22, True)),
        Paragraph("Échéancier", style(14, True)),
        Paragraph("CT : court terme (2 ans et moins)", style(10)),
        Paragraph("LT : long terme (plus de 5 ans)", style(10)),
        Paragraph("Objectif 1 – Verdir les ruelles du quartier", style(14, True)),
        Paragraph("Unités administratives concernées", style(10, True)),
        Paragraph("• Gestion du territoire", style(10, space=1)),
        Paragraph("• Loisirs, sports et vie communautaire", style(10, space=1)),
        table,
        Spacer(1, 12),
        Paragraph("3. Créer un comité de ruelle dans chaque secteur", style(10, space=1)),
        Paragraph("Échéance : long terme", style(10, space=1)),
        Paragraph("Responsable : Service des loisirs", style(10, space=1)),
        Paragraph("Partenaires : Conseil de quartier de Limoilou", style(10, space=1)),
    ]
    return build(path, story)


def encrypted_pdf(path: Path) -> Path:
    """A PDF that opens only with a password."""
    from reportlab.pdfgen.canvas import Canvas

    c = Canvas(str(path), encrypt="secret")
    c.drawString(72, 720, "Plan d'action confidentiel")
    c.save()
    return path


def scanned_pdf(path: Path) -> Path:
    """A PDF of drawn pages without a text layer, as a scanner makes them."""
    from reportlab.pdfgen.canvas import Canvas

    c = Canvas(str(path))
    for _ in range(2):
        c.setFillGray(0.8)
        c.rect(72, 400, 400, 300, fill=1)
        c.line(72, 380, 472, 380)
        c.showPage()
    c.save()
    return path


# Two plans of other shapes, written for the tests as the documents a borough publishes (their
# subjects are neither plan's of the corpus): the PDF import must read them with general rules.

ROAD_SAFETY_TITLE = "Plan d'action en sécurité routière 2025-2027"
ROAD_SAFETY_ORG = "Arrondissement des Rivières"

#: Shape A: sections of numbered actions, each followed by its fields (its timeline as years or
#: « en continu », its responsible unit, its partners). (section, [(number, action, timeline,
#: responsible, partners)]).
ROAD_SAFETY: list[tuple[str, list[tuple[str, str, str, str, str]]]] = [
    (
        "Axe 1 – Des abords d'écoles plus sûrs",
        [
            (
                "1",
                "Aménager des saillies de trottoir et des traverses surélevées aux abords des écoles "
                "primaires de l'arrondissement.",
                "2025-2026",
                "Division des travaux publics",
                "Centre de services scolaire de la Capitale; conseils d'établissement des écoles",
            ),
            (
                "2",
                "Affecter des brigadiers scolaires aux intersections achalandées situées près des écoles.",
                "en continu",
                "Service de police de la Ville de Québec",
                "Écoles primaires de l'arrondissement",
            ),
            (
                "3",
                "Baliser des corridors scolaires entre les secteurs résidentiels et les écoles, avec une "
                "signalisation adaptée aux enfants.",
                "2026",
                "Service du transport et de la mobilité intelligente",
                "Centre de services scolaire de la Capitale",
            ),
        ],
    ),
    (
        "Axe 2 – Des rues résidentielles apaisées",
        [
            (
                "4",
                "Abaisser la limite de vitesse à 30 km/h dans toutes les rues résidentielles de "
                "l'arrondissement.",
                "2025",
                "Service du transport et de la mobilité intelligente",
                "Service de police de la Ville de Québec",
            ),
            (
                "5",
                "Installer des dos d'âne allongés dans les rues où la vitesse mesurée dépasse la limite "
                "permise.",
                "en continu",
                "Division des travaux publics",
                "Comités de citoyens des secteurs concernés",
            ),
            (
                "6",
                "Déplacer chaque mois des afficheurs de vitesse pédagogiques selon les demandes des "
                "résidents.",
                "en continu",
                "Service du transport et de la mobilité intelligente",
                "Conseils de quartier de l'arrondissement",
            ),
            (
                "7",
                "Réaménager les cinq intersections où surviennent le plus de collisions avec blessés.",
                "2026-2027",
                "Service de l'ingénierie",
                "Société de l'assurance automobile du Québec",
            ),
        ],
    ),
    (
        "Axe 3 – Des déplacements à pied et à vélo protégés",
        [
            (
                "8",
                "Construire les tronçons de trottoir manquants sur les rues collectrices qui mènent aux "
                "arrêts d'autobus.",
                "2027",
                "Service de l'ingénierie",
                "Réseau de transport de la Capitale",
            ),
            (
                "9",
                "Protéger les bandes cyclables des grands axes par des bollards et des bordures de béton.",
                "2026",
                "Service du transport et de la mobilité intelligente",
                "Vélo Québec; Accès transports viables",
            ),
            (
                "10",
                "Améliorer l'éclairage des passages pour piétons les plus fréquentés le soir.",
                "2025-2026",
                "Division des travaux publics",
                "Hydro-Québec",
            ),
        ],
    ),
    (
        "Axe 4 – Connaître et faire connaître",
        [
            (
                "11",
                "Publier chaque année le bilan des collisions et des vitesses mesurées dans "
                "l'arrondissement.",
                "2026",
                "Bureau de la sécurité routière",
                "Service de police de la Ville de Québec",
            ),
            (
                "12",
                "Former les chauffeurs des véhicules lourds de la Ville aux angles morts et au partage "
                "de la route avec les cyclistes.",
                "2025",
                "Service de la gestion des équipements motorisés",
                "Société de l'assurance automobile du Québec",
            ),
        ],
    ),
]


def _cover(title: str, org: str, intro: str) -> list[Flowable]:
    """A plan's first page: its title, its organisation, its introduction."""
    return [
        Paragraph(esc(title), style(22, True)),
        Paragraph(esc(org), style(14)),
        Spacer(1, 12),
        Paragraph(intro, style(10)),
    ]


def road_safety_pdf(path: Path) -> Path:
    """Shape A: a cover, an introduction, then per section (« Axe 1 – … ») its numbered actions,
    each followed by « Échéance : … », « Responsable : … » and « Partenaires : … »."""
    story = _cover(
        ROAD_SAFETY_TITLE,
        ROAD_SAFETY_ORG,
        "Adopté par le conseil d'arrondissement le 18 février 2025, ce plan rassemble les "
        "interventions que l'arrondissement et ses partenaires mèneront pour réduire le nombre et "
        "la gravité des collisions sur son territoire. Chaque action précise son échéance, "
        "l'unité administrative responsable et ses partenaires.",
    )
    for section, actions in ROAD_SAFETY:
        story.append(Paragraph(esc(section), style(14, True, space=10)))
        for number, text, when, who, partners in actions:
            story += [
                Paragraph(esc(f"{number}. {text}"), style(10, space=6)),
                Paragraph(esc(f"Échéance : {when}"), style(10, space=1)),
                Paragraph(esc(f"Responsable : {who}"), style(10, space=1)),
                Paragraph(esc(f"Partenaires : {partners}"), style(10, space=1)),
            ]
    return build(path, story)


HEALTHY_TITLE = "Plan d'action pour les saines habitudes de vie 2025-2028"
HEALTHY_ORG = "Arrondissement de Charlesbourg"

#: The legend shape B prints for its yearly timelines.
HEALTHY_LEGEND = [
    ("2025", "première année de mise en œuvre"),
    ("2026-2027", "deuxième et troisième années"),
    ("2028", "dernière année du plan"),
    ("En continu", "tout au long du plan"),
]

#: Shape B: nested numbered lists (1., 1.1, 1.1.1), each action closed by its timeline in brackets
#: and followed by its responsible unit(s). (number, title, [(number, action, timeline,
#: responsible units)]) per objective, under (number, orientation).
HEALTHY: list[tuple[str, str, list[tuple[str, str, list[tuple[str, str, str, str]]]]]] = [
    (
        "1",
        "Bouger plus, tous les jours",
        [
            (
                "1.1",
                "Rendre l'activité physique accessible aux familles",
                [
                    (
                        "1.1.1",
                        "Offrir gratuitement des cours de natation aux enfants de 5 à 12 ans dans les "
                        "piscines de l'arrondissement",
                        "2025",
                        "Division des loisirs, des sports et de la vie communautaire",
                    ),
                    (
                        "1.1.2",
                        "Prêter de l'équipement sportif, comme des raquettes, des skis de fond et des "
                        "ballons, avec la carte de bibliothèque",
                        "2026-2027",
                        "Division de la culture et des bibliothèques; Division des loisirs, des sports "
                        "et de la vie communautaire",
                    ),
                    (
                        "1.1.3",
                        "Aménager un circuit d'entraînement extérieur dans trois parcs de quartier",
                        "2026-2027",
                        "Division des parcs et espaces verts",
                    ),
                ],
            ),
            (
                "1.2",
                "Favoriser les déplacements actifs vers l'école et les loisirs",
                [
                    (
                        "1.2.1",
                        "Organiser des trottibus, des autobus pédestres accompagnés par des parents, "
                        "pour les écoles primaires",
                        "en continu",
                        "Division des loisirs, des sports et de la vie communautaire",
                    ),
                    (
                        "1.2.2",
                        "Installer des supports à vélo près des arénas, des piscines et des centres "
                        "communautaires",
                        "2025",
                        "Division des travaux publics",
                    ),
                ],
            ),
        ],
    ),
    (
        "2",
        "Mieux manger et bien s'hydrater",
        [
            (
                "2.1",
                "Offrir des choix sains dans les installations de l'arrondissement",
                [
                    (
                        "2.1.1",
                        "Installer des fontaines d'eau potable dans les parcs et près des terrains de sport",
                        "2025",
                        "Division des parcs et espaces verts",
                    ),
                    (
                        "2.1.2",
                        "Revoir l'offre des cantines des arénas et des piscines pour y vendre des "
                        "collations santé à petit prix",
                        "2026-2027",
                        "Division des loisirs, des sports et de la vie communautaire",
                    ),
                ],
            ),
            (
                "2.2",
                "Cultiver et cuisiner ensemble",
                [
                    (
                        "2.2.1",
                        "Agrandir les jardins communautaires et en ouvrir un nouveau dans le secteur "
                        "Notre-Dame-des-Laurentides",
                        "2028",
                        "Division des parcs et espaces verts",
                    ),
                    (
                        "2.2.2",
                        "Animer des ateliers de cuisine parents-enfants dans les centres communautaires",
                        "en continu",
                        "Division des loisirs, des sports et de la vie communautaire",
                    ),
                ],
            ),
        ],
    ),
    (
        "3",
        "Dormir mieux et décrocher des écrans",
        [
            (
                "3.1",
                "Proposer des loisirs sans écran",
                [
                    (
                        "3.1.1",
                        "Tenir chaque hiver le défi « Une semaine sans écran » pour les familles",
                        "en continu",
                        "Division de la culture et des bibliothèques",
                    ),
                    (
                        "3.1.2",
                        "Aménager des coins de jeux de société et de lecture dans les bibliothèques",
                        "2025",
                        "Division de la culture et des bibliothèques",
                    ),
                    (
                        "3.1.3",
                        "Offrir aux parents des conférences sur le sommeil des adolescents",
                        "2026-2027",
                        "Division de la culture et des bibliothèques",
                    ),
                ],
            ),
        ],
    ),
]


def healthy_pdf(path: Path) -> Path:
    """Shape B: a cover, the legend of its yearly timelines, then nested numbered lists: « 1. »
    orientations and « 1.1 » objectives as headings, « 1.1.1 » actions closed by their timeline in
    brackets (« [2026-2027] », « [en continu] ») and followed by « Responsable(s) : … »."""
    story = _cover(
        HEALTHY_TITLE,
        HEALTHY_ORG,
        "Ce plan réunit les actions que l'arrondissement mènera avec ses partenaires pour aider "
        "les citoyennes et les citoyens de tous âges à bouger davantage, à mieux manger et à "
        "mieux dormir. Il a été adopté par le conseil d'arrondissement le 11 mars 2025.",
    )
    story += [
        Paragraph("Lecture de l'échéancier", style(14, True, space=10)),
        Paragraph(
            "L'échéance de chaque action est indiquée entre crochets à la fin de son énoncé :",
            style(10),
        ),
        *[Paragraph(esc(f"• {key} : {words}"), style(10, space=1)) for key, words in HEALTHY_LEGEND],
    ]
    for number, title, objectives in HEALTHY:
        story.append(Paragraph(esc(f"{number}. {title}"), style(14, True, space=10)))
        for o_number, o_title, actions in objectives:
            story.append(Paragraph(esc(f"{o_number} {o_title}"), style(12, True, space=8)))
            for a_number, text, when, units in actions:
                field = "Responsables" if ";" in units else "Responsable"
                story += [
                    Paragraph(esc(f"{a_number} {text} [{when}]"), style(10, space=6)),
                    Paragraph(esc(f"{field} : {units}"), style(10, space=1)),
                ]
    return build(path, story)


def timeline_column_pdf(path: Path) -> Path:
    """A short plan whose actions sit in a ruled table with a column « Échéancier » of years or
    « en continu » and a column « Responsable » (no check marks, no legend)."""
    cell = style(9, space=0)
    rows = [
        ["Actions", "Échéancier", "Responsable"],
        [
            Paragraph("1. Ouvrir une halte-garderie dans la bibliothèque du quartier", cell),
            "2026",
            "Division de la culture",
        ],
        [
            Paragraph("2. Animer l'heure du conte en plusieurs langues", cell),
            "en continu",
            "Division de la culture",
        ],
        [
            Paragraph("3. Rénover la salle d'étude des adolescents", cell),
            "2026-2027",
            Paragraph("Division des bâtiments; Division de la culture", cell),
        ],
    ]
    table = Table(rows, colWidths=[300, 80, 130])
    table.setStyle(TableStyle([*GRID, ("FONTNAME", (0, 0), (-1, 0), "Sans-Bold")]))
    story: list[Flowable] = [
        Paragraph("Plan d'action des bibliothèques de Limoilou 2026-2027", style(22, True)),
        Paragraph("Objectif 1 – Faire de la bibliothèque un lieu pour les familles", style(14, True)),
        table,
    ]
    return build(path, story)
