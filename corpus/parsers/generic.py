"""A parser for any further plan written as Markdown or plain text.

- Headings (``# Title``, or a line underlined with ``===`` / ``---``) become sections,
  nested by level. A heading named like the plan's structure becomes that kind of node:
  ``Orientation 2 …``, ``Axe 1 …``, ``Objectif 1.2 …``, ``Thème 3 …``.
- Numbered items (``1. …``, ``2) …``, ``1.2.3 …``, ``Action 4 : …``, also after a list
  bullet) become citable actions under the current heading, with the number as printed;
  indented lines below an item continue it.
- In an item, a timeline code in brackets or parentheses (``(CT)``, ``[MT]``, ``(2026)``) sets
  its timeline once a ``CODE = …`` line of the plan's legend defines it (``EC = en cours``,
  ``LT = long terme``: up to four capitals or digits; or a year or a span of years, ``2026 = 2026``,
  ``2026-2027 = 2026-2027``, for a plan whose timelines are years); the codes are the plan's, not
  the parser's.
- Indented lines under an item continue its statement (its title), except its fields:
  ``Échéance : …``, ``Responsable : …``, ``Partenaires : …``, ``Résultats attendus : …``… are
  paragraphs of its text after the statement. A field that names who carries the action out
  (``Responsable : Service des loisirs``, ``Responsables : A; B``, ``Porteur : …``) gives the
  action its own units, and a timeline field that gives a code of the legend or its label
  (``Échéance : 2026``, ``Échéance : long terme (LT)``, ``Échéancier : en continu``) its timeline:
  they become the action's data, not its text.
- Under an objective, a line ``Unités concernées : A; B`` (or ``Unités administratives
  concernées : …``) lists its units; one that names the whole municipal organisation instead
  (« … toute l'organisation municipale … ») says so (its words kept as the objective's note).
- Markdown footnotes: a marker ``[^1]`` in an item and a line ``[^1]: text`` anywhere give the
  item a note (the assistant answers « c'est quoi … » from a note that defines a notion).
- Other text is the body of the current section.
"""

from __future__ import annotations

import re

from corpus.model import Footnote, HorizonDef, Kind, Plan, PlanMeta, UnitsScope
from corpus.parsers import Draft, PlanBuilder, SourceLine, register_parser
from corpus.problems import ProblemLog
from corpus.text import clean_inline, fold, heading, slug

_ITEM = re.compile(
    r"^(\s*)(?:[-*+]\s+)?(?:action\s+)?(\d{1,3}(?:\.\d{1,3})*)(?:[.)]|\s*[:–-])?\s+(\S.*)$", re.I
)
# A timeline code: up to four capitals or digits, or a year or a span of years (« 2026-2027 »).
_CODE = r"(?:[A-ZÉÈ][A-Z0-9ÉÈ]{0,3}|(?:19|20)\d\d(?:-(?:19|20)\d\d)?)"
_DEFINE_HORIZON = re.compile(rf"^\s*(?:[-*]\s+)?\**({_CODE}(?=\**\s*=))\**\s*[=:]\s*(.+)$")
_FOOTNOTE = re.compile(r"^\s*\[\^([\w-]+)\]:\s*(\S.*)$")
_MARKER = re.compile(r"\[\^([\w-]+)\]")
_UNITS = re.compile(r"^\s*unit[ée]s(?:\s+administratives)?(?:\s+concern[ée]es)?\s*:\s*(.+)$", re.I)
_FIELD = re.compile(
    r"^\s*(?:[-*]\s+)?(échéances?|échéancier|horizon|responsables?|porteurs?|unit[ée]s?\s+responsables?|"
    r"partenaires?|collaborateurs?|résultats?(?:\s+attendus?)?|indicateurs?|budget|coûts?|moyens?)"
    r"\s*:\s*(\S.*)$",
    re.I,
)
_RESPONSIBLE = ("responsable", "porteur", "unite")
_TIMELINE = ("echeanc", "horizon")


def split_units(text: str) -> list[str]:
    """« Gestion du territoire; Loisirs, sports et vie communautaire » → the two units (a comma
    separates units only before a capital)."""
    return [x.strip(" .") for x in re.split(r"[;,]\s*(?=[A-ZÉÈÀ])|;", text) if x.strip(" .")]


_STRUCTURE = [
    (re.compile(r"^orientation\s+(\d+)\b\s*[:.–-]?\s*(.*)$", re.I), Kind.ORIENTATION),
    (re.compile(r"^axe(?:\s+d'intervention)?\s+(\d+(?:\.\d+)*)\b\s*[:.–-]?\s*(.*)$", re.I), Kind.AXE),
    (re.compile(r"^objectif\s+(\d+(?:\.\d+)*)\b\s*[:.–-]?\s*(.*)$", re.I), Kind.OBJECTIF),
    (re.compile(r"^th[èe]me\s+(\d+)\b\s*[:.–-]?\s*(.*)$", re.I), Kind.THEME),
]


class _Parser:
    def __init__(self, meta: PlanMeta, lines: list[SourceLine], log: ProblemLog):
        self.b = PlanBuilder(meta, log)
        self.log = log
        self.lines = lines
        self.stack: list[tuple[int, Draft]] = []  # (heading level, node)
        self.item: Draft | None = None
        self.item_indent = 0
        self.para: list[str] = []
        self.para_line = 0
        self.notes: dict[str, tuple[str, int]] = {}  # footnote marker → (text, line)

    @property
    def current(self) -> Draft | None:
        return self.stack[-1][1] if self.stack else None

    def flush(self) -> None:
        if self.para:
            text = clean_inline(" ".join(self.para))
            self.para = []
            if not text:
                return
            if self.current is None:
                d = self.b.add(
                    Draft(
                        kind=Kind.SECTION,
                        id="introduction",
                        title="Introduction",
                        line_start=self.para_line,
                        line_end=self.para_line,
                    )
                )
                self.stack.append((99, d))
            assert self.current is not None
            self.current.add_paragraph(text, self.para_line)

    def open_heading(self, level: int, raw: str, line: int) -> None:
        self.flush()
        self.item = None
        title = clean_inline(raw)
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        parent = self.current
        kind, number = Kind.SECTION, None
        for pattern, k in _STRUCTURE:
            m = pattern.match(title)
            if m:
                kind, number = k, m.group(1)
                title = clean_inline(m.group(2)) or title
                break
        node_id = f"{kind.value}-{number.replace('.', '-')}" if number else slug(title) or f"section-{line}"
        d = self.b.add(
            Draft(
                kind=kind,
                id=node_id,
                number=number,
                title=title,
                line_start=line,
                line_end=line,
                parent=parent,
            )
        )
        if kind == Kind.OBJECTIF:
            d.attrs.update(key=number or "", units=[], units_scope=UnitsScope.UNSPECIFIED)
        self.stack.append((level, d))

    def run(self) -> None:
        lines = self.lines
        i = 0
        while i < len(lines):
            ln = lines[i]
            raw = ln.text
            nxt = lines[i + 1].text if i + 1 < len(lines) else ""
            if not raw.strip():
                self.flush()
                i += 1
                continue
            h = heading(raw)
            if h:
                self.open_heading(h[0], h[1], ln.no)
                i += 1
                continue
            if nxt.strip() and re.fullmatch(r"\s*(=+|-{3,})\s*", nxt) and not _ITEM.match(raw):
                self.open_heading(1 if "=" in nxt else 2, raw, ln.no)
                i += 2
                continue
            note = _FOOTNOTE.match(raw)
            if note:
                self.flush()
                self.notes[note.group(1)] = (clean_inline(note.group(2)), ln.no)
                i += 1
                continue
            d = _DEFINE_HORIZON.match(raw)
            if d:
                code, words = d.group(1), clean_inline(d.group(2))
                label, _, span = words.partition("(")
                self.b.horizons[code] = HorizonDef(
                    code=code, label=label.strip(" :"), span=span.rstrip(")") or None
                )
                i += 1
                continue
            u = _UNITS.match(clean_inline(raw))
            if u and self.current is not None and self.current.kind == Kind.OBJECTIF:
                self.flush()
                units = split_units(u.group(1))
                if "organisation municipale" in fold(u.group(1)):
                    self.current.attrs["units_scope"] = UnitsScope.ORGANISATION
                    self.current.attrs["units_note"] = clean_inline(u.group(1))
                    self.current.touch(ln.no)
                    i += 1
                    continue
                self.current.attrs["units"] += units
                self.current.attrs["units_scope"] = UnitsScope.LISTED
                self.current.touch(ln.no)
                i += 1
                continue
            m = _ITEM.match(raw)
            if m:
                self.flush()
                self.on_item(m.group(2), m.group(3), len(m.group(1)), ln.no)
                i += 1
                continue
            indent = len(raw) - len(raw.lstrip())
            if self.item is not None and indent > self.item_indent:
                self.on_continuation(self.item, clean_inline(raw))
                self.item.touch(ln.no)
                i += 1
                continue
            self.item = None
            if not self.para:
                self.para_line = ln.no
            self.para.append(raw.strip())
            i += 1
        self.flush()
        self.finish()

    def on_item(self, number: str, text: str, indent: int, line: int) -> None:
        d = self.b.action(number, clean_inline(text), self.current, line)
        self.item, self.item_indent = d, indent

    def on_continuation(self, d: Draft, text: str) -> None:
        """A line under an item: a field of the action, else more of its statement (or of its last
        field)."""
        f = _FIELD.match(text)
        if f and fold(f.group(1)).startswith(_RESPONSIBLE):
            units = d.attrs.setdefault("units", [])
            units += [x for x in split_units(f.group(2)) if x not in units]
        elif f:
            d.paragraphs.append(text)
        elif len(d.paragraphs) > 1:
            d.paragraphs[-1] = clean_inline(f"{d.paragraphs[-1]} {text}")
        else:
            d.title = d.paragraphs[0] = clean_inline(f"{d.title} {text}")

    def finish(self) -> None:
        for d in self.b.actions:
            for marker in _MARKER.findall(d.title):
                if marker in self.notes:
                    text, line = self.notes[marker]
                    d.footnotes.append(Footnote(marker=marker, text=text, line=line))
                else:
                    self.log.add(
                        d.line_start,
                        f"la note [^{marker}] n'est définie nulle part (ajoutez « [^{marker}]: … »)",
                    )
            d.title = d.paragraphs[0] = clean_inline(_MARKER.sub("", d.title))
        codes = "|".join(re.escape(c) for c in sorted(self.b.horizons, key=len, reverse=True)) or "(?!)"
        horizon = re.compile(rf"\s*[(\[]\s*({codes})\s*[)\]]\s*")
        labels = {fold(h.label): c for c, h in self.b.horizons.items()}  # « Échéance : en continu »
        for d in self.b.actions:
            hm = horizon.search(d.title)
            d.attrs["horizon"] = hm.group(1) if hm else None
            if hm:
                d.title = d.paragraphs[0] = clean_inline(horizon.sub(" ", d.title))
                continue
            for i, text in enumerate(d.paragraphs[1:], start=1):
                f = _FIELD.match(text)
                if not f or not fold(f.group(1)).startswith(_TIMELINE):
                    continue
                hm = horizon.search(text)
                value = f.group(2).strip(" .")
                code = (
                    hm.group(1)
                    if hm
                    else labels.get(fold(value), value if value in self.b.horizons else None)
                )
                if code:
                    d.attrs["horizon"] = code  # the timeline field is now the action's data
                    del d.paragraphs[i]
                    break
        self.b.check_numbering()
        self.b.check_objectives(lambda o: o.number or o.title)
        self.b.check_timelines(" (ajoutez une ligne « {code} = … »)")
        if not self.b.actions:
            self.log.add(None, "aucun élément numéroté : un plan a besoin d'éléments citables (« 1. … »)")


@register_parser(
    "generique",
    "Any plan written as Markdown or plain text: headings become sections, numbered items "
    "become citable actions",
)
def parse(meta: PlanMeta, lines: list[SourceLine], log: ProblemLog) -> Plan:
    p = _Parser(meta, lines, log)
    p.run()
    return p.b.build()
