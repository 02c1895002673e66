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
