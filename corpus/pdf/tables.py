"""The ruled tables of a page (pdfplumber's line strategy): their rows of cells, which leading rows
are the header, and which columns hold only check marks (the timeline columns « EC / CT / MT », or
whatever the document heads them with)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

#: What a plan ticks a column with.
MARKS = frozenset("✓✔☑✅✗✘×●•■◼▪xX")
_NUMBERED = re.compile(r"^\s*\d{1,3}(?:\.\d{1,3})*[.)]?\s+\S")


@dataclass
class Row:
    cells: list[str]  # the text of each column (lines of a cell joined by spaces; "" when empty)
    top: float
    line: int = 0  # rank on its page of the line the row starts on


@dataclass
class Table:
    page: int
    bbox: tuple[float, float, float, float]
    rows: list[Row] = field(default_factory=list)
    edges: list[float] = field(default_factory=list)  # the columns' left edges, then the right edge

    def column_of(self, x: float) -> int | None:
        """The column a word starting at ``x`` stands in."""
        for i in range(len(self.edges) - 1):
            if self.edges[i] - 2 <= x < self.edges[i + 1]:
                return i
        return None

    @property
    def width(self) -> int:
        return max((len(r.cells) for r in self.rows), default=0)

    def header_rows(self) -> int:
        """How many leading rows are the header: those before the first row with a number or a mark."""
        for i, r in enumerate(self.rows):
            if any(is_mark(c) for c in r.cells) or any(_NUMBERED.match(c) for c in r.cells):
                return i
        return 1 if len(self.rows) > 1 else 0

    def header(self) -> list[str]:
        """Each column's name: the lowest non-empty header cell above it."""
        names = [""] * self.width
        for r in self.rows[: self.header_rows()]:
            for i, c in enumerate(r.cells):
                if c:
                    names[i] = c
        return names

    def mark_columns(self) -> list[int]:
        """Columns whose body cells are empty or a check mark, with at least one mark."""
        body = self.rows[self.header_rows() :]
        out = []
        for i in range(self.width):
            cells = [r.cells[i] for r in body if i < len(r.cells)]
            if any(is_mark(c) for c in cells) and all(not c or is_mark(c) for c in cells):
                out.append(i)
        return out


def is_mark(cell: str) -> bool:
    c = cell.strip()
    return len(c) == 1 and c in MARKS


def _cell_text(value: Any) -> str:
    return " ".join(str(value).split()) if value else ""


def read_tables(page_no: int, page: Any) -> list[Table]:
    """The page's ruled tables, top to bottom; a « table » of one cell (a framed box) is left as text."""
    out = []
    for t in page.find_tables():
        rows = []
        for row, values in zip(t.rows, t.extract(), strict=False):
            top = min((c[1] for c in row.cells if c is not None), default=t.bbox[1])
            rows.append(Row(cells=[_cell_text(v) for v in values], top=float(top)))
        edges = [*sorted({round(float(c[0]), 1) for c in t.cells}), max(float(c[2]) for c in t.cells)]
        box = (float(t.bbox[0]), float(t.bbox[1]), float(t.bbox[2]), float(t.bbox[3]))
        table = Table(page=page_no, bbox=box, rows=rows, edges=edges)
        if table.width < 2 or not rows:
            continue
        out.append(table)
    out.sort(key=lambda t: t.bbox[1])
    return out
