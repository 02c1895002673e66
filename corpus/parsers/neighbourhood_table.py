"""Parser for neighbourhood councils' action plans laid out as tables (Saint-Sacrement).

Layout: a short introduction (with the adoption date and footnotes ``1 – …``), then
per theme a line ``Thème N - title`` and a tab-separated table whose header names its
columns (``Objectifs / Actions / Résultats/Indicateurs``). Objectives are numbered
``1.1``, actions ``1.1.1``, results/indicators ``1.1.1.1``; one cell may hold several
numbered items, and a cell without a number continues the item above it.

The extracted table is misaligned in places. The rules, applied in this order:

1. **Objective rows are trusted.** An item belongs to the objective whose row it stands
   in (rows of different objectives never mix in the extraction).
2. **An action line that starts in lower case continues the list of the action above
   it** when that action announces a list (ends with « ; » or « : », or contains « : »).
   It stays a citable action under its printed number, with ``continues`` naming the
   action it completes (« 2.1.2 les aspects de sécurité liés au déneigement » completes
   « 2.1.1 Assurer une vigilance constante sur : … »).
3. **Within an objective, an indicator follows its printed number**: 2.1.1.2 belongs to
   action 2.1.1 even when it stands on the row of 2.1.2, because cells of one objective
   drift relative to each other while the authors' numbering is deliberate.
4. **When no action of that objective has the indicator's prefix**, the row wins: the
   indicator is attached to the action on whose row it stands, keeps its printed number
   and is marked ``misnumbered`` (3.6.1.3 « Poursuite des activités » stands on the row
   of 3.7.1 in objective 3.7: it is read as an indicator of 3.7.1).
"""

from __future__ import annotations

import datetime as dt
import re

from corpus.model import Footnote, Kind, Plan, PlanMeta
from corpus.parsers import Draft, PlanBuilder, SourceLine, register_parser
from corpus.problems import ProblemLog
from corpus.text import clean_inline, excerpt, fold, footnote_markers

_THEME = re.compile(r"^\s*Th[èeé]me\s+(\d+)\s*[-–—:]\s*(.+?)\s*$", re.I)
_OBJECTIVE = re.compile(r"^(\d+\.\d+)(?![.\d])\s*(.*)$", re.S)
_ACTION_NO = re.compile(r"(?:(?<=\s)|^)(\d+\.\d+\.\d+)(?![.\d])\s+")
_INDICATOR_NO = re.compile(r"(?:(?<=\s)|^)(\d+\.\d+\.\d+\.\d+)(?![.\d])\s+")
_FOOTNOTE = re.compile(r"^\s*(\d{1,2})\s*[–—-]\s+(.+)$")
_ADOPTED = re.compile(r"adopt[ée]+\s.*?\ble\s+(\d{1,2})(?:er)?\s+([a-zéû]+)\s+(\d{4})", re.I)
_MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "janvier",
            "fevrier",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "aout",
            "septembre",
            "octobre",
            "novembre",
            "decembre",
        ],
        start=1,
    )
}
_LOOKS_NUMBERED = re.compile(r"^\s*\d+\.\d+(?:\.\d+)*\s+\S")


def _split_numbered(cell: str, pattern: re.Pattern[str]) -> tuple[str, list[tuple[str, str]]]:
    """``"lead 1.1 a 1.2 b"`` → ``("lead", [("1.1", "a"), ("1.2", "b")])``."""
    parts = pattern.split(cell)
    lead = parts[0].strip()
    items = [(parts[i], parts[i + 1].strip()) for i in range(1, len(parts) - 1, 2)]
    return lead, items


def _announces_list(text: str) -> bool:
    t = text.rstrip()
    return t.endswith((";", ":")) or " : " in t or t.endswith(",")


class _Parser:
    def __init__(self, meta: PlanMeta, lines: list[SourceLine], log: ProblemLog):
        self.meta = meta
        self.b = PlanBuilder(meta, log)
        self.log = log
        self.lines = lines
        self.intro: Draft | None = None
        self.theme: Draft | None = None
        self.objective: Draft | None = None
        self.columns: dict[str, int] | None = None
        self.last_action: Draft | None = None
        self.last_indicator: Draft | None = None
        self.pending: list[tuple[Draft, Draft | None, int]] = []  # (indicator, row action, line)
        self.markers: list[str] = []
        self.adopted: dt.date | None = None

    def run(self) -> None:
        para: list[SourceLine] = []
        for ln in self.lines:
            text = ln.text
            if self.theme is None:
                # Introduction, until the first theme.
                m = _THEME.match(text.split("\t")[0]) if text.strip() else None
                if m:
                    self._flush_intro(para)
                    self.on_theme(m, ln.no)
                    continue
                if text.strip():
                    para.append(ln)
                else:
                    self._flush_intro(para)
                continue
            if not text.strip():
                continue
            m = _THEME.match(text.split("\t")[0])
            if m:
                self.on_theme(m, ln.no)
                continue
            self.on_row(text, ln.no)
        self._close_objective()
        self.finish()

    # ------------------------------------------------------------------ introduction
    def _flush_intro(self, para: list[SourceLine]) -> None:
        if not para:
            return
        raw = " ".join(p.text.strip() for p in para)
        text = clean_inline(raw)
        first, last = para[0].no, para[-1].no
        para.clear()
        m = _ADOPTED.search(text)
        if m and len(text) < 120:
            month = _MONTHS.get(fold(m.group(2)))
            if month:
                try:
                    self.adopted = dt.date(int(m.group(3)), month, int(m.group(1)))
                except ValueError:
                    self.log.add(first, f"la date d'adoption « {m.group(0)} » n'est pas une date valide")
            if self.meta.adopted and self.adopted and self.meta.adopted != self.adopted:
                self.log.add(
                    first,
                    f"le texte dit le plan adopté le {self.adopted.isoformat()}, le "
                    f"manifeste dit {self.meta.adopted.isoformat()}",
                )
            return
        fm = _FOOTNOTE.match(text)
        if fm and fm.group(1) in self.markers and self.intro is not None:
            self.intro.footnotes.append(Footnote(marker=fm.group(1), text=fm.group(2), line=first))
            return
        if not text.rstrip().endswith((".", "!", "?", ":", "»")):
            return  # cover lines and captions (« Saint-Sacrement », the tables' title)
        if _LOOKS_NUMBERED.match(text):
            self.log.add(first, f"ligne numérotée avant le premier thème : « {excerpt(text)} »")
            return
        if self.intro is None:
            self.intro = self.b.add(
                Draft(
                    kind=Kind.SECTION,
                    id="mise-en-contexte",
                    title="Mise en contexte",
                    line_start=first,
                    line_end=last,
                )
            )
        self.markers += footnote_markers(raw)
        self.intro.add_paragraph(text, last)

    # ------------------------------------------------------------------ tables
    def on_theme(self, m: re.Match[str], line: int) -> None:
        self._close_objective()
        number, title = m.group(1), clean_inline(m.group(2))
        self.theme = self.b.add(
            Draft(
                kind=Kind.THEME,
                id=f"theme-{number}",
                number=number,
                title=title,
                line_start=line,
                line_end=line,
            )
        )
        self.columns = None

    def on_row(self, raw: str, line: int) -> None:
        cells = raw.split("\t")
        if self.columns is None:
            names = [fold(c.strip()) for c in cells]
            cols: dict[str, int] = {}
            for i, n in enumerate(names):
                if n.startswith("objectif"):
                    cols["objective"] = i
                elif n.startswith("action"):
                    cols["action"] = i
                elif n.startswith(("resultat", "indicateur")):
                    cols["indicator"] = i
            if len(cols) < 2 or "action" not in cols:
                self.log.add(
                    line,
                    "en-tête de tableau attendu (Objectifs<TAB>Actions<TAB>Résultats/Indicateurs) "
                    f"après « Thème {self.theme.number if self.theme else '?'} »",
                )
                self.columns = {"objective": 0, "action": 1, "indicator": 2}
                # fall through: read this line as a row
            else:
                self.columns = cols
                return

        def cell(name: str) -> str:
            i = self.columns.get(name) if self.columns else None
            return cells[i].strip() if i is not None and i < len(cells) else ""

        extra = [c for i, c in enumerate(cells) if c.strip() and i not in (self.columns or {}).values()]
        if extra:
            self.log.add(line, f"cellule hors des colonnes du tableau : « {excerpt(extra[0])} »")
        if self.theme is not None:
            self.theme.touch(line)
        obj_cell, act_cell, ind_cell = cell("objective"), cell("action"), cell("indicator")
        if obj_cell:
            m = _OBJECTIVE.match(obj_cell)
            if m:
                self.on_objective(m.group(1), clean_inline(m.group(2)), line)
            elif self.objective is not None:
                self.objective.title = f"{self.objective.title} {clean_inline(obj_cell)}".strip()
                self.objective.touch(line)
            else:
                self.log.add(line, f"cellule d'objectif sans numéro : « {excerpt(obj_cell)} »")
        if self.objective is None:
            if act_cell or ind_cell:
                self.log.add(line, "action ou indicateur avant tout objectif du thème")
            return
        row_action = None
        if act_cell:
            lead, items = _split_numbered(act_cell, _ACTION_NO)
            if lead:
                self._continue(self.last_action, lead, line, "action")
            for number, text in items:
                row_action = self.on_action(number, clean_inline(text), line)
        if ind_cell:
            lead, inds = _split_numbered(ind_cell, _INDICATOR_NO)
            if lead:
                self._continue(self.last_indicator, lead, line, "indicateur")
            for number, text in inds:
                d = self.b.add(
                    Draft(
                        kind=Kind.INDICATEUR,
                        id=f"indicateur-{number.replace('.', '-')}",
                        number=number,
                        title=clean_inline(text),
                        line_start=line,
                        line_end=line,
                    )
                )
                d.paragraphs.append(d.title)
                self.pending.append((d, row_action or self.last_action, line))
                self.last_indicator = d
        self.objective.touch(line)

    def _continue(self, target: Draft | None, text: str, line: int, what: str) -> None:
        text = clean_inline(text)
        if target is None:
            self.log.add(
                line, f"texte sans numéro ({what}) et rien au-dessus à compléter : « {excerpt(text)} »"
            )
            return
        target.title = f"{target.title} {text}".strip()
        target.paragraphs = [target.title]
        target.line_end = max(target.line_end, line)

    def on_objective(self, number: str, title: str, line: int) -> None:
        self._close_objective()
        if self.theme is None:
            return
        if not number.startswith(f"{self.theme.number}."):
            self.log.add(line, f"l'objectif {number} n'est pas numéroté sous le thème {self.theme.number}")
        self.objective = self.b.add(
            Draft(
                kind=Kind.OBJECTIF,
                id=f"objectif-{number.replace('.', '-')}",
                number=number,
                title=title,
                line_start=line,
                line_end=line,
                parent=self.theme,
            )
        )
        self.objective.attrs["key"] = number
        self.last_action = self.last_indicator = None

    def on_action(self, number: str, text: str, line: int) -> Draft:
        assert self.objective is not None
        if not number.startswith(f"{self.objective.number}."):
            self.log.add(
                line, f"l'action {number} n'est pas numérotée sous l'objectif {self.objective.number}"
            )
        d = self.b.action(number, text, self.objective, line)
        prev = self.last_action
        if (
            text[:1].islower()
            and prev is not None
            and prev.parent is self.objective
            and _announces_list(prev.title)
        ):
            d.attrs["continues"] = prev.number
            prev.attrs.setdefault("continued_by", []).append(number)
        self.last_action = d
        return d

    def _close_objective(self) -> None:
        """Attach the objective's indicators (rules 3 and 4 of the module's docstring)."""
        if self.objective is None:
            return
        actions = {d.number: d for d in self.b.drafts if d.kind == Kind.ACTION and d.parent is self.objective}
        if not actions:
            self.log.add(self.objective.line_start, f"l'objectif {self.objective.number} n'a aucune action")
        for ind, row_action, line in self.pending:
            prefix = (ind.number or "").rsplit(".", 1)[0]
            owner = actions.get(prefix)
            if owner is None:
                owner = row_action
                ind.attrs["misnumbered"] = True
            if owner is None:
                self.log.add(line, f"l'indicateur {ind.number} n'a aucune action à laquelle se rattacher")
                self.b.drafts.remove(ind)
                continue
            ind.parent = owner
        self.pending = []
        self.objective = None

    def finish(self) -> None:
        # Keep indicators right after their action, in number order, so the document reads in order.
        order: list[Draft] = []
        indicators = [d for d in self.b.drafts if d.kind == Kind.INDICATEUR]
        for d in self.b.drafts:
            if d.kind == Kind.INDICATEUR:
                continue
            order.append(d)
            if d.kind == Kind.ACTION:
                order += [i for i in indicators if i.parent is d]
        self.b.drafts = order
        if self.theme is None:
            self.log.add(
                None, "aucune ligne « Thème N - … » : ce n'est pas un tableau de plan de conseil de quartier"
            )
        for d in self.b.drafts:
            if d.kind == Kind.THEME and not any(x.parent is d for x in self.b.drafts):
                self.log.add(d.line_start, f"le thème {d.number} n'a aucun objectif")
        if self.adopted and not self.meta.adopted:
            self.log.add(
                None,
                f"le texte donne une date d'adoption ({self.adopted.isoformat()}) : "
                "ajoutez-la au manifeste (« adopted: »)",
            )


@register_parser(
    "conseil-de-quartier-tableau",
    "Neighbourhood council action plans: introduction, then per theme a table "
    "Objectifs / Actions / Résultats-Indicateurs numbered 1.1, 1.1.1, 1.1.1.1",
)
def parse(meta: PlanMeta, lines: list[SourceLine], log: ProblemLog) -> Plan:
    p = _Parser(meta, lines, log)
    p.run()
    return p.b.build()
