"""Turns a PDF's pages (:mod:`corpus.pdf.extract`) into the text layout a parser reads.

- A plan whose tables are headed « Objectifs / Actions / Résultats » (a neighbourhood council's
  plan) is written as the tab-separated layout of the ``conseil-de-quartier-tableau`` parser, which
  attaches each result to its action; the header a table repeats on each page is read once, and a
  row a page break cut in two is continued.
- Any other plan is written as the Markdown the ``generique`` parser reads: text set larger than the
  body (or a short line all in bold) becomes a heading, its level by size; numbered paragraphs
  and table rows become items; a row's check mark under a column headed with a timeline code
  (whatever codes the document uses) becomes ``(CODE)``, and a legend line « CODE : label » the
  document prints becomes the definition ``CODE = label``; fields under an item (« Échéance : … »,
  « Responsable : … », « Partenaires : … ») are written under it (the ``generique`` parser makes
  the responsible unit and the timeline the action's data, the other fields its text), and an
  « Échéance » naming a code or its label also gets the code; a list under « Unités administratives concernées » becomes
  the units line.
- A plan whose timelines are years or words rather than codes (« Échéance : 2026 »,
  « Échéancier : 2025-2026 », « Échéance : en continu », or « … [2026-2027] » closing an item,
  or a column headed « Échéance ») gets timeline codes made from them: a year or a span of years
  is its own code (« 2026 », « 2026-2027 »), words get four capitals of their own (« en continu »
  → ``CONT``); a legend line the document prints for them (« 2026 : deuxième année du plan »)
  gives their words, and the definitions (``2026 = 2026 (deuxième année du plan)``) are written
  where that legend stands, or under the title.

Lines that cannot be placed are reported with their page and line, and left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from corpus.pdf.extract import Line, Page, body_size
from corpus.pdf.tables import Row, Table, is_mark
from corpus.text import excerpt, fold

GENERIC = "generique"
NEIGHBOURHOOD = "conseil-de-quartier-tableau"

_ITEM = re.compile(r"^\s*(?:action\s+)?(\d{1,3}(?:\.\d{1,3})*)(?:[.)]|\s*[:–-])?\s+\S", re.I)
_BULLET = re.compile(r"^\s*[-–•▶►›▪■●◆*]\s*")
_FIELD = re.compile(
    r"^\s*(échéances?|échéancier|horizon|responsables?|porteurs?|partenaires?|collaborateurs?|"
    r"résultats?(?:\s+attendus?)?|indicateurs?|budget|coûts?|moyens?)\s*:\s*(.*)$",
    re.I,
)
_CODE = re.compile(r"^[A-ZÉÈ][A-Z0-9ÉÈ]{0,3}$")
_LEGEND = re.compile(r"^\s*(?:[-–•▶►›]\s*)?([A-ZÉÈ][A-Z0-9ÉÈ]{0,3})\s*[:=–-]\s+(\S.*)$")
_UNITS = re.compile(r"^\s*unit[ée]s(?:\s+administratives)?(?:\s+concern[ée]es)?\s*:?\s*(.*)$", re.I)
_THEME = re.compile(r"^\s*th[èeé]me\s+\d+\s*[-–—:]", re.I)
_YEARS = re.compile(r"^((?:19|20)\d\d)(?:\s*[-–]\s*((?:19|20)\d\d))?$")
_YEARS_KEYED = re.compile(r"^\s*(?:[-–•▶►›]\s*)?(?:19|20)\d\d(?:\s*[-–]\s*(?:19|20)\d\d)?\s*:")
_TRAILING = re.compile(r"\s*[(\[]\s*([^()\[\]]{1,40}?)\s*[)\]]\s*$")
_KEYED = re.compile(r"^\s*(?:[-–•▶►›▪■●]\s*)?([^:=]{1,30}?)\s*[:=]\s+(\S.*)$")
_PAGE_NO = re.compile(r"^\s*(?:page\s+)?\d{1,3}(?:\s*(?:/|de|sur)\s*\d{1,3})?\s*$", re.I)


@dataclass
class Unplaced:
    page: int
    line: int
    message: str


@dataclass
class Layout:
    """The converted text, the parser that reads it, the title of page 1 and what was left out."""

    text: str
    parser: str
    title: str
    codes: list[str] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)


@dataclass
class _Block:
    lines: list[Line]

    @property
    def text(self) -> str:
        out = ""
        for ln in self.lines:
            t = ln.text.strip()
            # A word cut at the end of a line (« inter-\nconseils ») is kept as printed.
            out = f"{out} {t}" if out else t
        return " ".join(out.split())

    @property
    def first(self) -> Line:
        return self.lines[0]


def _starts_new(ln: Line) -> bool:
    t = ln.text
    return bool(
        _ITEM.match(t)
        or _BULLET.match(t)
        or _FIELD.match(t)
        or _LEGEND.match(t)
        or _THEME.match(t)
        or _UNITS.match(t)
        or _YEARS_KEYED.match(t)
    )


def _blocks(pages: list[Page]) -> list[tuple[Page, list[_Block | Table]]]:
    """Per page, its paragraphs (lines joined) and tables, top to bottom; page numbers dropped."""
    out = []
    for page in pages:
        items: list[tuple[float, _Block | Table]] = [(t.bbox[1], t) for t in page.tables]
        cur: _Block | None = None
        for ln in page.lines:
            near_edge = ln.top < page.height * 0.08 or ln.bottom > page.height * 0.92
            if near_edge and _PAGE_NO.match(ln.text):
                continue
            prev = cur.lines[-1] if cur else None
            same = (
                prev is not None
                and ln.top - prev.bottom <= 0.6 * prev.size
                and abs(ln.size - prev.size) < 0.6
                and ln.bold == prev.bold
                and not _starts_new(ln)
                and not any(prev.bottom <= t.bbox[1] <= ln.top for t in page.tables)
            )
            if same and cur is not None:
                cur.lines.append(ln)
            else:
                cur = _Block([ln])
                items.append((ln.top, cur))
        items.sort(key=lambda x: x[0])
        out.append((page, [x[1] for x in items]))
    return out


def _column_kind(name: str) -> str | None:
    n = fold(name)
    if n.startswith("objectif"):
        return "objective"
    if n.startswith("action"):
        return "action"
    if n.startswith(("resultat", "indicateur")):
        return "indicator"
    return None


def _is_timeline_field(name: str) -> bool:
    return fold(name).strip().startswith(("echeanc", "horizon"))


def _timeline_key(value: str) -> str | None:
    """How a timeline value is compared: « 2025 – 2026 » → « 2025-2026 », « En continu. » →
    « en continu »; None for what is not a timeline (a sentence, a date)."""
    v = " ".join(value.strip(" .;").split())
    m = _YEARS.match(v)
    if m:
        return f"{m.group(1)}-{m.group(2)}" if m.group(2) else m.group(1)
    words = v.split()
    if not words or len(words) > 4 or any(ch.isdigit() for ch in v):
        return None
    return fold(v)


def _synthesised_code(key: str, taken: set[str]) -> str:
    """A code for a timeline the document names without one: a year or a span of years is its own
    code; words get four capitals of their longest word (« en continu » → CONT), else their
    initials, else a number added."""
    if _YEARS.match(key):
        return key
    words = re.findall(r"[a-z]+", key)
    longest = max(words, key=len, default="T").upper()
    for code in (longest[:4], "".join(w[0] for w in words).upper()[:4]):
        if code and code not in taken:
            return code
    n = 2
    while f"{longest[:3]}{n}" in taken:
        n += 1
    return f"{longest[:3]}{n}"


def _is_neighbourhood(t: Table) -> bool:
    kinds = {_column_kind(c) for c in t.rows[0].cells} if t.rows else set()
    return {"objective", "action", "indicator"} <= kinds


def title_of(pages: list[Page]) -> str:
    """The biggest text of page 1 (its lines joined)."""
    lines = pages[0].lines if pages else []
    if not lines:
        return ""
    big = max(ln.size for ln in lines)
    chosen: list[Line] = []
    for ln in lines:
        if ln.size == big and (not chosen or ln.top - chosen[-1].bottom <= big):
            chosen.append(ln)
        elif chosen:
            break
    return " ".join(" ".join(ln.text for ln in chosen).split())


class _Writer:
    def __init__(self, pages: list[Page]):
        self.pages = pages
        self.out: list[str] = []
        self.unplaced: list[Unplaced] = []

    def emit(self, *lines: str) -> None:
        self.out.extend(lines)

    def report(self, page: int, line: int, message: str) -> None:
        self.unplaced.append(Unplaced(page, line, message))


class _Generic(_Writer):
    """The Markdown of the ``generique`` parser."""

    def __init__(self, pages: list[Page]):
        super().__init__(pages)
        self.body = body_size(pages)
        sizes = sorted({ln.size for p in pages for ln in p.lines if ln.size >= self.body + 1}, reverse=True)
        self.levels = {s: min(i + 1, 6) for i, s in enumerate(sizes)}
        self.bold_level = min(len(sizes) + 1, 6)
        self.codes: list[str] = []
        self.labels: dict[str, str] = {}  # folded label → code
        self.item = False  # the last thing written is an item (fields continue it)
        self.units: tuple[Line, list[str]] | None = None  # a units heading and its list so far
        self.header: list[str] | None = None  # the last timeline table's column names
        # Timelines named by years or words (« 2026 », « en continu »): key → code, and each code's
        # label and legend words; the codes whose definition is written.
        self.timelines: dict[str, str] = {}
        self.definitions: dict[str, tuple[str, str]] = {}
        self.defined: set[str] = set()

    # ------------------------------------------------------------------ codes
    def find_codes(self, tables: list[Table]) -> None:
        for t in tables:
            names = t.header()
            for i in t.mark_columns():
                name = names[i].strip() if i < len(names) else ""
                if _CODE.match(name) and name not in self.codes:
                    self.codes.append(name)

    def find_timelines(self, laid: list[tuple[Page, list[_Block | Table]]]) -> None:
        """The timelines the document gives as years or words: the values of its « Échéance »
        fields and columns, and the years (or those values) in brackets closing its items."""
        fields: dict[str, str] = {}  # key → the value as printed
        brackets: dict[str, str] = {}
        legend: dict[str, str] = {}  # key → the words a legend line gives it
        for _, items in laid:
            for x in items:
                if isinstance(x, Table):
                    names = x.header() if x.header_rows() else []
                    cols = [i for i, n in enumerate(names) if _is_timeline_field(n)]
                    for r in x.rows[x.header_rows() :]:
                        for i in cols:
                            if i < len(r.cells) and r.cells[i] and (k := _timeline_key(r.cells[i])):
                                fields.setdefault(k, r.cells[i].strip(" .;"))
                        lead = next((c for c in r.cells if c), "")
                        if (
                            _ITEM.match(lead)
                            and (m := _TRAILING.search(lead))
                            and (k := _timeline_key(m.group(1)))
                        ):
                            brackets.setdefault(k, m.group(1))
                    continue
                text = x.text
                f = _FIELD.match(text)
                if f and _is_timeline_field(f.group(1)):
                    if (k := _timeline_key(f.group(2))) is not None:
                        fields.setdefault(k, f.group(2).strip(" .;"))
                    continue
                if _ITEM.match(text) and (m := _TRAILING.search(text)) and (k := _timeline_key(m.group(1))):
                    brackets.setdefault(k, m.group(1))
                    continue
                lg = _LEGEND.match(text)
                if lg and lg.group(1) in self.codes:  # a coded legend's label is that code's
                    self.labels.setdefault(fold(lg.group(2).split("(")[0].strip(" .:")), lg.group(1))
                    continue
                kd = _KEYED.match(text)
                if kd and (k := _timeline_key(kd.group(1))) is not None:
                    legend.setdefault(k, kd.group(2).strip())
        known = set(self.codes) | set(self.labels)
        found = {k: v for k, v in fields.items() if v not in known and k not in known}
        years = [k for k in brackets if _YEARS.match(k)]
        for k, v in brackets.items():
            # A year closing a single item may be a date; years closing several are a timeline.
            if v not in known and (k in fields or k in legend or (_YEARS.match(k) and len(years) > 1)):
                found.setdefault(k, v)
        taken = set(self.codes)
        ordered = sorted(found, key=lambda k: (not _YEARS.match(k), k if _YEARS.match(k) else ""))
        for k in ordered:
            code = _synthesised_code(k, taken)
            taken.add(code)
            self.timelines[k] = code
            label = k if _YEARS.match(k) else found[k]
            self.definitions[code] = (label, legend.get(k, ""))

    def definition(self, code: str) -> str:
        """The legend line the ``generique`` parser reads: « 2026 = 2026 (deuxième année) »."""
        self.defined.add(code)
        label, words = self.definitions[code]
        words = " ".join(words.replace("(", " ").replace(")", " ").split()).rstrip(" .")
        return f"{code} = {label}" + (f" ({words})" if words else "")

    def timeline_code(self, value: str) -> str | None:
        k = _timeline_key(value)
        return self.timelines.get(k) if k is not None else None

    def closing_timeline(self, text: str) -> str:
        """« 1.1.1 Offrir … [en continu] » → « 1.1.1 Offrir … (CONT) »."""
        m = _TRAILING.search(text)
        code = self.timeline_code(m.group(1)) if m else None
        return f"{text[: m.start()]} ({code})" if m and code else text

    def undefined_timelines(self) -> None:
        """The definitions no legend of the document placed: under the title."""
        rest = [self.definition(c) for c in self.definitions if c not in self.defined]
        if not rest:
            return
        at = next((i + 1 for i, ln in enumerate(self.out) if ln.startswith("#")), 0)
        self.out[at:at] = ["", *rest, ""]

    # ------------------------------------------------------------------ blocks
    def heading_level(self, b: _Block) -> int | None:
        ln = b.first
        if ln.size in self.levels:
            return self.levels[ln.size]
        text = b.text
        if (
            ln.bold
            and len(text.split()) <= 15
            and not text.endswith((":", ".", ";"))
            and not _ITEM.match(text)
            and not _FIELD.match(text)
        ):
            return self.bold_level
        return None

    def close_units(self) -> None:
        if self.units is not None:
            _, names = self.units
            if names:
                self.emit("", f"Unités administratives concernées : {'; '.join(names)}", "")
            self.units = None

    def block(self, b: _Block) -> None:
        text = b.text
        if self.units is not None:
            if _BULLET.match(text):
                self.units[1].append(_BULLET.sub("", text).strip(" .;"))
                return
            self.close_units()
        u = _UNITS.match(text)
        if u and not u.group(1).strip():
            self.item = False
            self.units = (b.first, [])
            return
        level = self.heading_level(b)
        if level is not None and not _LEGEND.match(text):
            self.item = False
            self.emit("", f"{'#' * level} {text}", "")
            return
        lg = _LEGEND.match(text)
        if lg and lg.group(1) in self.codes:
            code, words = lg.group(1), lg.group(2).strip()
            self.labels[fold(words.split("(")[0].strip(" .:"))] = code
            self.item = False
            self.emit("", f"{code} = {words}", "")
            return
        kd = _KEYED.match(text)
        code = self.timeline_code(kd.group(1)) if kd else None
        if code and not _FIELD.match(text):
            self.item = False
            self.emit("", self.definition(code), "")
            return
        f = _FIELD.match(text)
        if f and self.item:
            self.emit(f"    {self.field(f.group(1), f.group(2))}")
            return
        if _ITEM.match(text):
            self.item = True
            self.emit("", self.closing_timeline(text))
            return
        self.item = False
        if _BULLET.match(text):
            self.emit(f"- {_BULLET.sub('', text)}")
            return
        self.emit("", text, "")

    def field(self, name: str, value: str) -> str:
        """« Échéance : court terme » → « Échéance : court terme (CT) » when the plan defines it; a
        timeline named by years or words is its own code's label (« Échéance : 2026 » stays)."""
        text = f"{name[:1].upper()}{name[1:]} : {value}".strip()
        if _is_timeline_field(name):
            v = value.strip(" .")
            code = v if v in self.codes else self.labels.get(fold(v.split("(")[0].strip()))
            if code:
                text += f" ({code})"
        return text

    # ------------------------------------------------------------------ tables
    def table(self, t: Table) -> None:
        self.close_units()
        marks = t.mark_columns()
        skip = t.header_rows()
        names = t.header() if skip else (self.header if self.header and len(self.header) == t.width else [])
        if marks and skip:
            self.header = names
        if not marks and self.header and len(self.header) == t.width and not skip:
            marks = [i for i, n in enumerate(self.header) if n in self.codes]
        for row in t.rows[skip:]:
            self.row(t, row, names, marks)

    def row(self, t: Table, row: Row, names: list[str], marks: list[int]) -> None:
        texts = [(i, c) for i, c in enumerate(row.cells) if c and i not in marks and not is_mark(c)]
        ticked = [
            names[i] if i < len(names) and names[i] else f"colonne {i + 1}"
            for i in marks
            if i < len(row.cells) and is_mark(row.cells[i])
        ]
        if not texts:
            if ticked:
                self.report(
                    t.page, row.line, f"case cochée ({', '.join(ticked)}) sans texte d'action dans sa rangée"
                )
            return
        lead = self.closing_timeline(texts[0][1])
        fields = [
            (self.field(names[i], c) if _FIELD.match(f"{names[i]} : x") else f"{names[i]} : {c}")
            if i < len(names) and names[i]
            else c
            for i, c in texts[1:]
        ]
        if not _ITEM.match(lead):
            if self.item:  # a row a page break cut in two: its text continues the action above
                self.emit(f"    {lead}", *(f"    {x}" for x in fields))
                return
            if not marks:
                self.emit("", " — ".join([lead, *fields]), "")
                return
            self.report(
                t.page,
                row.line,
                f"rangée sans numéro d'action, et aucune action au-dessus à compléter : « {excerpt(lead)} »",
            )
            return
        code = ""
        if marks:
            if len(ticked) == 1 and _CODE.match(ticked[0]):
                code = f" ({ticked[0]})"
            elif not ticked:
                self.report(
                    t.page,
                    row.line,
                    f"aucune case cochée dans les colonnes {', '.join(names[i] for i in marks)} : l'action n'aura pas d'échéancier",
                )
            else:
                self.report(
                    t.page,
                    row.line,
                    f"plusieurs cases cochées ({', '.join(ticked)}) : l'action n'aura pas d'échéancier ; gardez-en une dans le texte importé",
                )
        self.item = True
        self.emit("", f"{lead}{code}", *(f"    {x}" for x in fields))

    def run(self) -> str:
        laid = _blocks(self.pages)
        self.find_codes([x for _, items in laid for x in items if isinstance(x, Table)])
        self.find_timelines(laid)
        for _, items in laid:
            for x in items:
                if isinstance(x, Table):
                    self.table(x)
                else:
                    self.block(x)
        self.close_units()
        self.undefined_timelines()
        return _tidy(self.out)


class _Neighbourhood(_Writer):
    """The tab-separated layout of the ``conseil-de-quartier-tableau`` parser."""

    def __init__(self, pages: list[Page]):
        super().__init__(pages)
        self.in_tables = False  # past the first theme
        self.need_header = False
        self.columns: list[tuple[int, str]] = []  # (column index, name) of the known columns

    def block(self, b: _Block) -> None:
        text = b.text
        if _THEME.match(text):
            self.in_tables = self.need_header = True
            self.emit("", text)
            return
        if not self.in_tables:
            self.emit("", text, "")
            return
        self.report(
            b.first.page, b.first.no, f"texte hors des tableaux, après le premier thème : « {excerpt(text)} »"
        )

    def table(self, t: Table) -> None:
        rows = t.rows
        if rows and _is_neighbourhood(t) and (self.need_header or not self.columns):
            self.columns = [(i, c) for i, c in enumerate(rows[0].cells) if _column_kind(c)]
            self.emit("\t".join(n for _, n in self.columns))
            self.need_header = False
            rows = rows[1:]
        elif not self.in_tables:
            for r in rows:
                self.emit("", " — ".join(c for c in r.cells if c), "")
            return
        for r in rows:
            rest = self._repeated_header(r)
            if rest is None:
                self.write_cells(t, r)
            elif any(rest):  # the header repeated on a new page holds the end of a cut row
                self.write_cells(t, Row(cells=self._spread(rest), top=r.top, line=r.line))

    def _repeated_header(self, r: Row) -> list[str] | None:
        """For a row repeating the header (each cell starts with its column's name), what follows
        the names; None for any other row."""
        rest = []
        for i, name in self.columns:
            cell = r.cells[i] if i < len(r.cells) else ""
            if not fold(cell).startswith(fold(name)):
                return None
            rest.append(cell[len(name) :].strip())
        return rest

    def _spread(self, values: list[str]) -> list[str]:
        width = max(i for i, _ in self.columns) + 1
        cells = [""] * width
        for (i, _), v in zip(self.columns, values, strict=True):
            cells[i] = v
        return cells

    def write_cells(self, t: Table, r: Row) -> None:
        known = {i for i, _ in self.columns}
        for i, c in enumerate(r.cells):
            if c and i not in known:
                self.report(
                    t.page,
                    r.line,
                    f"cellule hors des colonnes Objectifs / Actions / Résultats : « {excerpt(c)} »",
                )
        cells = [r.cells[i] if i < len(r.cells) else "" for i, _ in self.columns]
        if any(cells):
            self.emit("\t".join(cells))

    def run(self) -> str:
        for _, items in _blocks(self.pages):
            for x in items:
                if isinstance(x, Table):
                    self.table(x)
                else:
                    self.block(x)
        return _tidy(self.out)


def _tidy(lines: list[str]) -> str:
    """At most one blank line in a row; the text ends with a newline."""
    out: list[str] = []
    for ln in lines:
        if not ln.strip() and (not out or not out[-1].strip()):
            continue
        out.append(ln.rstrip())
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out) + "\n"


def lay_out(pages: list[Page]) -> Layout:
    """The text the matching parser reads, and the lines that could not be placed."""
    title = title_of(pages)
    if any(_is_neighbourhood(t) for p in pages for t in p.tables):
        nb = _Neighbourhood(pages)
        return Layout(text=nb.run(), parser=NEIGHBOURHOOD, title=title, unplaced=nb.unplaced)
    g = _Generic(pages)
    text = g.run()
    return Layout(
        text=text, parser=GENERIC, title=title, codes=[*g.codes, *g.definitions], unplaced=g.unplaced
    )
