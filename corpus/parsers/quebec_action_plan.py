"""Parser for the Ville de Québec's action plans, as text extracted from their PDF.

Layout it reads (heading levels vary in the extraction and are not relied upon):

- prose sections under headings (« Mise en contexte », « Rôles de la Ville » with one
  ``► Role`` heading per role, « Présentation de l'échéancier » with one ``► XX = label``
  heading per timeline code, « Adéquation avec les principes » listing the principles,
  a bold paragraph for « Mise en œuvre », « Annexes » and ``Annexe N`` with a title
  heading, the principles' definitions in the last annex);
- ``Orientation`` / number / title, then ``Axe d'intervention N`` with the axe's
  title heading and its principles (pictogram labels, as short paragraphs);
- ``Objectif N`` / title, then ``Visées``, ``Unités administratives concernées``,
  ``Principales orientations municipales associées`` lists, or a bold note when the
  plan names no unit;
- an actions table: ``Actions<TAB>Échéancier``, then ``<TAB>EC<TAB>CT<TAB>MT`` (the
  column order), then one row per action ``N. text<TAB>…`` with a ✓ in one column;
- footnotes ``<sup>1</sup> text`` after the table of the action that carries the marker.
"""

from __future__ import annotations

import re
from enum import Enum, auto

from corpus.model import Footnote, HorizonDef, Kind, Plan, PlanMeta, UnitsScope
from corpus.parsers import Draft, PlanBuilder, SourceLine, register_parser
from corpus.problems import ProblemLog
from corpus.text import clean_inline, excerpt, fold, footnote_markers, heading, is_bold_only, join_lines, slug

_ACTION_ROW = re.compile(r"^\s*(?:<b>)?\s*(\d{1,3})\s*[.)]\s*(?:</b>)?\s*(.*)$", re.S)
_LOOKS_LIKE_ACTION = re.compile(r"^\s*(?:<b>)?\s*\d{1,3}\s*[.)]\s*(?:</b>)?\s*\S")
_FOOTNOTE = re.compile(r"^\s*<sup>\s*([0-9a-z*]{1,3})\s*</sup>\s*(.+)$")
_CHECK = {"✓", "✔", "☑", "√"}
_ECHEANCE = re.compile(r"^([A-Z]{2,3})\s*=\s*(.+)$")
_ANNEXE = re.compile(r"^annexe\s+(\d+)$")
_ARTICLES = re.compile(r"\b(?:le|la|les|l|du|des|de|d)\b")


def _norm_name(text: str) -> str:
    """Fold a principle's name for matching (« La participation sociale et l'engagement
    citoyen » ≈ « Participation sociale et engagement citoyen »)."""
    s = re.sub(r"[^a-z0-9]+", " ", fold(text))
    s = _ARTICLES.sub(" ", s)
    return " ".join(s.split())


def _looks_like_debris(text: str) -> bool:
    """A short run of words with no sentence punctuation: OCR debris, a sign, a logo."""
    words = text.split()
    if not words:
        return False
    if text.rstrip().endswith((".", ":", ";", "!", "?", ")", "»")):
        return False
    letters = [c for c in text if c.isalpha()]
    shouting = bool(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.6
    return len(words) < 8 or shouting


class Phase(Enum):
    """Where the reading of an objective is: its title, its lists, its actions table."""

    NONE = auto()
    TITLE = auto()
    LISTS = auto()
    ACTIONS = auto()


class ListOf(Enum):
    """Which list of an objective the next items belong to (and the attribute they fill)."""

    NONE = ""
    VISEES = "visees"
    UNITS = "units"
    ORIENTATIONS = "orientations_municipales"


class _Parser:
    def __init__(self, meta: PlanMeta, lines: list[SourceLine], log: ProblemLog):
        self.b = PlanBuilder(meta, log)
        self.log = log
        self.lines = lines
        # structure
        self.orientation: Draft | None = None
        self.axe: Draft | None = None
        self.objective: Draft | None = None
        self.objective_phase = Phase.NONE
        self.list_target = ListOf.NONE
        self.axe_titled = True
        self.pending_orientation: dict | None = None
        # prose
        self.section: Draft | None = None
        self.roles_parent: Draft | None = None
        self.echeances_parent: Draft | None = None
        self.annexes_parent: Draft | None = None
        self.annexe: Draft | None = None
        self.annexe_needs_title = False
        self.principle: Draft | None = None
        self.in_principles_annex = False
        self.adequation = False
        self.toc = False
        self.front = True
        self.cover_title = ""
        # tables
        self.table_columns: list[str] | None = None
        self.in_table = False
        self.objectives: list[Draft] = []
        self.unit_directory: list[str] = []

    # ------------------------------------------------------------------ helpers
    def _close_structure(self) -> None:
        self._close_objective()
        self.orientation = self.axe = None
        self.pending_orientation = None

    def _close_objective(self) -> None:
        self.objective = None
        self.objective_phase = Phase.NONE
        self.list_target = ListOf.NONE

    def _new_section(
        self,
        title: str,
        line: int,
        parent: Draft | None = None,
        kind: Kind = Kind.SECTION,
        node_id: str | None = None,
    ) -> Draft:
        d = self.b.add(
            Draft(
                kind=kind,
                id=node_id or slug(title),
                title=title,
                line_start=line,
                line_end=line,
                parent=parent,
            )
        )
        d.attrs.setdefault("items", [])
        self.section = d
        return d

    # ------------------------------------------------------------------ driving
    def run(self) -> None:
        para: list[SourceLine] = []

        def flush() -> None:
            if para:
                self.on_paragraph(join_lines([p.text for p in para]), para[0].no, para[-1].no)
                para.clear()

        for ln in self.lines:
            raw = ln.text
            if not raw.strip():
                flush()
                self.in_table = False
                continue
            h = heading(raw)
            if h:
                flush()
                self.in_table = False
                self.on_heading(h[1], ln.no)
                continue
            if self.in_table:
                self.on_table_line(raw, ln.no)
                continue
            if raw.startswith("Actions\t") or (fold(raw.split("\t")[0].strip()) == "actions" and "\t" in raw):
                flush()
                self.on_table_start(raw, ln.no)
                continue
            m = _FOOTNOTE.match(raw)
            if m:
                flush()
                self.on_footnote(m.group(1), clean_inline(m.group(2)), ln.no)
                continue
            if re.match(r"^\s*[-*+]\s+", raw):
                flush()
                self.on_list_item(clean_inline(raw), ln.no)
                continue
            if _LOOKS_LIKE_ACTION.match(raw) and ("\t" in raw or self.objective is not None):
                flush()
                self.log.add(
                    ln.no,
                    "cette ligne ressemble à une action mais n'est dans aucun tableau d'actions "
                    "(un tableau commence par une ligne « Actions<TAB>Échéancier »)",
                )
                continue
            para.append(ln)
        flush()
        self.finish()

    # ------------------------------------------------------------------ headings
    def on_heading(self, raw: str, line: int) -> None:
        text = clean_inline(raw)
        f = fold(text)
        self.toc = False
        if f == "table des matieres":
            self.toc = True
            self.front = False
            return
        if self.front:
            # The first heading is the document's title (the cover page); the next one ends it.
            if not self.cover_title:
                self.cover_title = text
                return
            self.front = False
        if self.pending_orientation is not None and re.fullmatch(r"\d+", text):
            self.pending_orientation["number"] = text
            return
        m = re.fullmatch(r"axe d'intervention (\d+)", f)
        if m:
            self.on_axe(m.group(1), line)
            return
        m = re.fullmatch(r"objectif (\d+)", f)
        if m:
            self.on_objective(m.group(1), line)
            return
        if self.axe is not None and not self.axe_titled:
            self.axe.title = text
            self.axe.touch(line)
            self.axe_titled = True
            return
        if self.objective is not None:
            if f == "visees":
                self.list_target = ListOf.VISEES
                return
            if f.startswith("unites administratives concernees"):
                self.list_target = ListOf.UNITS
                return
            if f.startswith("principales orientations municipales"):
                self.list_target = ListOf.ORIENTATIONS
                return
        self.on_section_heading(raw, text, line)

    def on_section_heading(self, raw: str, text: str, line: int) -> None:
        f = fold(text)
        is_sub = "►" in raw or "▶" in raw
        m = _ANNEXE.match(f)
        if self.annexe is not None and self.annexe_needs_title and not m:
            self.annexe.title = f"{self.annexe.title} – {text}"
            self.annexe.touch(line)
            self.annexe_needs_title = False
            self.in_principles_annex = "principes" in f
            return
        if m:
            self._close_structure()
            self.in_principles_annex = False
            self.annexe = self._new_section(
                f"Annexe {m.group(1)}", line, parent=self.annexes_parent, node_id=f"annexe-{m.group(1)}"
            )
            self.annexe_needs_title = True
            return
        if is_sub and self.echeances_parent is not None and _ECHEANCE.match(text):
            em = _ECHEANCE.match(text)
            assert em
            code, label = em.group(1), em.group(2).strip()
            d = self._new_section(
                text,
                line,
                parent=self.echeances_parent,
                kind=Kind.ECHEANCE,
                node_id=f"echeance-{code.lower()}",
            )
            d.attrs["code"] = code
            d.attrs["label"] = label
            return
        if is_sub and self.roles_parent is not None:
            self._new_section(
                text, line, parent=self.roles_parent, kind=Kind.ROLE, node_id=f"role-{slug(text)}"
            )
            return
        if self.in_principles_annex and self.annexe is not None:
            name = self._principle_named(text)
            if name:
                self.principle = self._new_section(
                    name, line, parent=self.annexe, kind=Kind.PRINCIPE, node_id=f"principe-{slug(name)}"
                )
                self.principle.attrs["heading"] = text
                return
            if self.principle is not None:
                title = text.rstrip(" :")
                self._new_section(title, line, parent=self.principle, node_id=f"notion-{slug(title)}")
                return
        # A new top-level section closes whatever came before.
        self._close_structure()
        self.roles_parent = self.echeances_parent = None
        self.adequation = False
        self.principle = None
        d = self._new_section(text, line)
        if f == "annexes":
            self.annexes_parent = d
        elif f.startswith("roles de la ville"):
            self.roles_parent = d
        elif "echeancier" in f:
            self.echeances_parent = d
        elif f.startswith("adequation avec les principes"):
            self.adequation = True

    def _principle_named(self, text: str) -> str | None:
        n = _norm_name(text)
        for p in self.b.principles:
            if _norm_name(p) == n:
                return p
        return None

    # ------------------------------------------------------------------ structure
    def on_axe(self, number: str, line: int) -> None:
        self._close_objective()
        if self.pending_orientation is not None:
            self.log.add(line, "orientation incomplète (attendus : « Orientation », son numéro, son titre)")
            self.pending_orientation = None
        if self.orientation is None:
            self.log.add(line, f"« Axe d'intervention {number} » n'est dans aucune orientation")
            return
        self.section = None
        o = self.orientation.number
        self.axe = self.b.add(
            Draft(
                kind=Kind.AXE,
                id=f"axe-{o}-{number}",
                number=number,
                title=f"Axe d'intervention {number}",
                line_start=line,
                line_end=line,
                parent=self.orientation,
            )
        )
        self.axe.attrs["principles"] = []
        self.axe_titled = False

    def on_objective(self, number: str, line: int) -> None:
        self._close_objective()
        if self.axe is None or self.orientation is None:
            self.log.add(line, f"« Objectif {number} » n'est dans aucun axe d'intervention")
            return
        if not self.axe_titled:
            self.log.add(
                line, f"l'axe {self.axe.number} de l'orientation {self.orientation.number} n'a pas de titre"
            )
            self.axe_titled = True
        key = f"{self.orientation.number}.{self.axe.number}.{number}"
        self.objective = self.b.add(
            Draft(
                kind=Kind.OBJECTIF,
                id=f"objectif-{key.replace('.', '-')}",
                number=number,
                title="",
                line_start=line,
                line_end=line,
                parent=self.axe,
            )
        )
        self.objective.attrs.update(
            key=key, visees=[], units=[], orientations_municipales=[], units_note=None
        )
        self.objective_phase = Phase.TITLE
        self.objectives.append(self.objective)

    def on_paragraph(self, raw: str, first: int, last: int) -> None:
        text = clean_inline(raw)
        if not text or self.front or self.toc:
            return  # cover page and table of contents: navigation, not content
        f = fold(text)
        # Orientation: « Orientation » / number / title.
        if f == "orientation":
            self._close_structure()
            self.section = None
            self.pending_orientation = {"line": first, "number": None}
            return
        if self.pending_orientation is not None:
            po = self.pending_orientation
            if po["number"] is None and re.fullmatch(r"\d+", text):
                po["number"] = text
                return
            if po["number"] is None:
                self.log.add(first, "numéro d'orientation attendu après « Orientation »")
                self.pending_orientation = None
                return
            self.orientation = self.b.add(
                Draft(
                    kind=Kind.ORIENTATION,
                    id=f"orientation-{po['number']}",
                    number=po["number"],
                    title=text,
                    line_start=po["line"],
                    line_end=last,
                )
            )
            self.pending_orientation = None
            return
        if self.axe is not None and self.objective is None and self.orientation is not None:
            self.on_principle_label(text, first)
            return
        if self.objective is not None:
            if self.objective_phase == Phase.TITLE:
                self.objective.title = text
                self.objective.touch(last)
                self.objective_phase = Phase.LISTS
                return
            if self.objective_phase == Phase.LISTS:
                if is_bold_only(raw.strip()):
                    self.objective.attrs["units_note"] = text
                else:
                    self.objective.add_paragraph(text, last)
                self.objective.touch(last)
                return
            # After the actions table, a paragraph ends the objective.
            if is_bold_only(raw.strip()):
                self._close_structure()
                self._new_section(text, first)
                return
            self.log.add(
                first,
                "texte après le tableau d'actions d'un objectif, hors de toute section : "
                f"« {excerpt(text)} »",
            )
            return
        if (
            is_bold_only(raw.strip())
            and self.section is not None
            and self.section.kind == Kind.SECTION
            and not self.adequation
            and self.section.parent is None
            and self.section.paragraphs
        ):
            # A bold paragraph on its own after a complete section is a section title in this layout.
            self._new_section(text, first)
            return
        if self.section is None:
            if is_bold_only(raw.strip()):
                self._new_section(text, first)
                return
            self.log.add(first, f"texte hors de toute section : « {excerpt(text)} »")
            return
        if self.adequation and ("►" in raw or "▶" in raw):
            self.b.principles.append(text)
            self.on_list_item(text, last)
            return
        if self.section.kind == Kind.ECHEANCE and re.fullmatch(r"\((.+)\)", text):
            self.section.attrs["span"] = text[1:-1].strip()
            self.section.touch(last)
            return
        if _looks_like_debris(text):
            self.log.add(
                first,
                f"texte qui ne semble pas faire partie du plan : « {excerpt(text)} » "
                "(débris de numérisation? excluez ces lignes dans le manifeste)",
            )
            return
        self.section.attrs["_list_open"] = False
        self.section.add_paragraph(text, last)

    def on_principle_label(self, text: str, line: int) -> None:
        assert self.axe is not None
        name = self._principle_named(text)
        if name is None:
            known = ", ".join(self.b.principles) or "aucun défini jusqu'ici"
            self.log.add(
                line, f"« {text} » sous l'axe {self.axe.number} n'est pas un des principes du plan ({known})"
            )
            return
        self.axe.attrs["principles"].append(name)
        self.axe.touch(line)

    def on_list_item(self, text: str, line: int) -> None:
        if self.front or self.toc or not text:
            return
        if self.objective is not None and self.objective_phase in (Phase.LISTS, Phase.TITLE):
            target = self.list_target.value
            if not target:
                self.log.add(
                    line,
                    "élément de liste dans un objectif avant tout titre « Visées », « Unités… » ou "
                    "« Principales orientations… »",
                )
                return
            self.objective.attrs[target].append(text)
            self.objective.touch(line)
            return
        if self.section is None:
            self.log.add(line, f"élément de liste hors de toute section : « {excerpt(text)} »")
            return
        if self.section.kind == Kind.ECHEANCE:
            self.section.attrs["description"] = text
        self.section.attrs["items"].append(text)
        # Keep lists where they stand among the paragraphs.
        if self.section.paragraphs and self.section.attrs.get("_list_open"):
            self.section.paragraphs[-1] += f"\n- {text}"
        else:
            self.section.paragraphs.append(f"- {text}")
        self.section.attrs["_list_open"] = True
        self.section.touch(line)

    # ------------------------------------------------------------------ actions table
    def on_table_start(self, raw: str, line: int) -> None:
        if self.objective is None:
            self.log.add(line, "tableau d'actions hors d'un objectif")
        self.in_table = True
        self.table_columns = None
        if self.objective is not None:
            self.objective_phase = Phase.ACTIONS
            self.list_target = ListOf.NONE

    def on_table_line(self, raw: str, line: int) -> None:
        cells = raw.split("\t")
        if self.table_columns is None and not cells[0].strip():
            self.table_columns = [c.strip() for c in cells[1:] if c.strip()]
            unknown = [c for c in self.table_columns if not re.fullmatch(r"[A-Z]{2,3}", c)]
            if unknown:
                self.log.add(
                    line, f"colonne(s) d'échéancier inattendue(s) {unknown} dans l'en-tête du tableau"
                )
            return
        m = _ACTION_ROW.match(cells[0])
        if not m:
            self.log.add(
                line,
                f"ligne du tableau d'actions qui n'est pas une action : « {excerpt(clean_inline(raw))} »",
            )
            return
        number, text_raw = m.group(1), m.group(2)
        if self.objective is None:
            self.log.add(line, f"l'action {number} n'est dans aucun objectif")
            return
        if self.table_columns is None:
            self.log.add(line, "tableau d'actions sans sa ligne d'en-tête (<TAB>EC<TAB>CT<TAB>MT)")
            self.table_columns = []
        marks = [c.strip() for c in cells[1:]]
        checked = [
            self.table_columns[i] if i < len(self.table_columns) else f"colonne {i + 2}"
            for i, c in enumerate(marks)
            if c in _CHECK
        ]
        stray = [c for c in marks if c and c not in _CHECK]
        horizon: str | None = None
        if stray:
            self.log.add(line, f"action {number} : contenu inattendu {stray} dans les colonnes d'échéancier")
        if len(checked) == 0:
            self.log.add(
                line,
                f"action {number} : aucun ✓ dans les colonnes d'échéancier ({' / '.join(self.table_columns)})",
            )
        elif len(checked) > 1:
            self.log.add(
                line,
                f"action {number} : {len(checked)} ✓ dans les colonnes d'échéancier ({', '.join(checked)}); "
                "un seul est attendu",
            )
        else:
            horizon = checked[0]
        self.b.action(
            number,
            clean_inline(text_raw),
            self.objective,
            line,
            horizon=horizon,
            _markers=footnote_markers(text_raw),
        )

    def on_footnote(self, marker: str, text: str, line: int) -> None:
        for d in reversed(self.b.actions):
            if marker in d.attrs.get("_markers", []):
                d.footnotes.append(Footnote(marker=marker, text=text, line=line))
                return
        self.log.add(line, f"la note {marker} n'est appelée par aucune action au-dessus")

    # ------------------------------------------------------------------ checks
    def finish(self) -> None:
        for d in self.b.actions:
            d.attrs.pop("_markers", None)
        self.b.check_objectives(lambda o: str(o.attrs["key"]))
        for o in self.objectives:
            if not o.title:
                self.log.add(o.line_start, f"l'objectif {o.attrs['key']} n'a pas de titre")
            units = o.attrs["units"]
            note = o.attrs.get("units_note") or ""
            if units:
                o.attrs["units_scope"] = UnitsScope.LISTED
            elif "organisation municipale" in fold(note):
                o.attrs["units_scope"] = UnitsScope.ORGANISATION
            else:
                o.attrs["units_scope"] = UnitsScope.UNSPECIFIED
        # Actions are numbered 1..N across the plan, with no gap and no duplicate.
        self.b.check_numbering()
        # Timeline definitions from « Présentation de l'échéancier ».
        for d in self.b.drafts:
            if d.kind == Kind.ECHEANCE:
                code = d.attrs.pop("code")
                self.b.horizons[code] = HorizonDef(
                    code=code,
                    label=d.attrs.pop("label"),
                    span=d.attrs.pop("span", None),
                    description=d.attrs.pop("description", ""),
                )
                d.paragraphs = [
                    p for p in [self.b.horizons[code].words, self.b.horizons[code].description] if p
                ]
        self.b.check_timelines(" dans le plan")
        # Units named in objectives should be those of the units' annex, when the plan has one.
        directory = next(
            (
                d
                for d in self.b.drafts
                if d.kind == Kind.SECTION
                and d.attrs.get("items")
                and "unites administratives" in fold(d.title)
            ),
            None,
        )
        if directory is not None:
            known = {fold(u) for u in directory.attrs["items"]}
            for o in self.objectives:
                for u in o.attrs["units"]:
                    if fold(u) not in known:
                        self.log.add(
                            o.line_start,
                            f"objectif {o.attrs['key']} : l'unité « {u} » ne figure pas dans "
                            f"« {directory.title} »",
                        )
        for d in self.b.drafts:
            if d.kind == Kind.ORIENTATION and not any(a.parent is d for a in self.b.drafts):
                self.log.add(d.line_start, f"l'orientation {d.number} n'a aucun axe d'intervention")
            d.attrs.pop("heading", None)
            d.attrs.pop("_list_open", None)


@register_parser(
    "ville-de-quebec-plan-action",
    "Ville de Québec action plans extracted from PDF: orientations, axes, objectives, actions "
    "tables with EC/CT/MT columns, prose sections and annexes",
)
def parse(meta: PlanMeta, lines: list[SourceLine], log: ProblemLog) -> Plan:
    p = _Parser(meta, lines, log)
    p.run()
    return p.b.build()
