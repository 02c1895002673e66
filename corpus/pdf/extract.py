"""What a PDF holds, page by page: its lines of text (words grouped by position, with their font
size and whether they are bold) and its ruled tables, read with pdfplumber. No model is loaded:
the text layer the PDF carries is all that is read; a PDF without one (a scan) is refused."""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.pdf.tables import Row, Table, read_tables


class PdfError(Exception):
    """A file that cannot be imported: the message (French) names the file and the fix."""


@dataclass
class Line:
    """One line of text on a page: its words left to right, where it stands and how it is set."""

    page: int  # 1-based
    no: int  # 1-based rank of the line on its page, top to bottom (the report's « line »)
    text: str
    x0: float
    top: float
    bottom: float
    size: float  # the largest font size of its words, rounded to 0.5 pt
    bold: bool  # every word bold


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)  # outside tables
    tables: list[Table] = field(default_factory=list)
    all_tops: list[float] = field(default_factory=list)  # every line's top, tables included

    def line_at(self, top: float) -> int:
        """The rank of the first line at or below ``top`` (the line a table row starts on)."""
        for i, t in enumerate(self.all_tops, start=1):
            if t >= top - 1:
                return i
        return len(self.all_tops) or 1


def _is_bold(fontname: str) -> bool:
    name = fontname.lower()
    return any(w in name for w in ("bold", "black", "heavy", "semibold", "demi"))


def _group_lines(words: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Words whose vertical middles are within a third of their size form one line."""
    rows: list[list[dict[str, Any]]] = []
    for w in sorted(words, key=lambda w: (round(w["top"], 1), w["x0"])):
        mid = (w["top"] + w["bottom"]) / 2
        for row in rows:
            r = row[0]
            if abs((r["top"] + r["bottom"]) / 2 - mid) <= max(2.0, float(r["size"]) / 3):
                row.append(w)
                break
        else:
            rows.append([w])
    for row in rows:
        row.sort(key=lambda w: w["x0"])
    rows.sort(key=lambda r: min(w["top"] for w in r))
    return rows


def _join(row: list[dict[str, Any]]) -> str:
    return " ".join(" ".join(w["text"] for w in row).split())


def _inside(w: dict[str, Any], boxes: list[tuple[float, float, float, float]]) -> bool:
    x = (w["x0"] + w["x1"]) / 2
    y = (w["top"] + w["bottom"]) / 2
    return any(b[0] - 1 <= x <= b[2] + 1 and b[1] - 1 <= y <= b[3] + 1 for b in boxes)


def _make_line(page_no: int, row: list[dict[str, Any]]) -> Line:
    bolds = [_is_bold(str(w.get("fontname", ""))) for w in row]
    return Line(
        page=page_no,
        no=0,
        text=_join(row),
        x0=min(w["x0"] for w in row),
        top=min(w["top"] for w in row),
        bottom=max(w["bottom"] for w in row),
        size=round(max(float(w["size"]) for w in row) * 2) / 2,
        bold=all(bolds),
    )


def _cut_row(
    table: Table, words: list[dict[str, Any]], cell_size: float, height: float
) -> list[dict[str, Any]]:
    """The words of a row a page break cut, left below the table's last ruled line: every word
    below the page's last table, within its columns, set no larger than the table's text, the
    first right under it. Returns the words taken (added to the table as a row)."""
    below = [w for w in words if w["top"] >= table.bbox[3] - 1]
    below = [w for w in below if not (w["top"] > height * 0.92 and w["text"].isdigit())]
    if not below:
        return []
    first = min(w["top"] for w in below)
    size = max(float(w["size"]) for w in below)
    if (
        size > cell_size + 0.5
        or first - table.bbox[3] > 0.8 * size
        or any(table.column_of(w["x0"]) is None for w in below)
    ):
        return []
    cells: list[list[str]] = [[] for _ in range(len(table.edges) - 1)]
    for row in _group_lines(below):
        for w in row:
            col = table.column_of(w["x0"])
            if col is not None:
                cells[col].append(w["text"])
    table.rows.append(Row(cells=[" ".join(c) for c in cells], top=first))
    return below


def _read_page(number: int, page: Any) -> Page:
    words = page.extract_words(extra_attrs=["fontname", "size"], keep_blank_chars=False)
    tables = read_tables(number, page)
    boxes = [t.bbox for t in tables]
    free = [w for w in words if not _inside(w, boxes)]
    taken: set[int] = set()
    if tables:
        inside = [float(w["size"]) for w in words if _inside(w, [tables[-1].bbox])]
        cut = _cut_row(tables[-1], free, max(inside, default=0.0), float(page.height))
        taken = {id(w) for w in cut}
    out = Page(number=number, width=float(page.width), height=float(page.height), tables=tables)
    everything = _group_lines(words)
    out.all_tops = [min(w["top"] for w in r) for r in everything]
    for row in _group_lines([w for w in free if id(w) not in taken]):
        line = _make_line(number, row)
        line.no = out.line_at(line.top)
        out.lines.append(line)
    for t in tables:
        for r in t.rows:
            r.line = out.line_at(r.top)
    return out


def _refuse(path: Path, message: str) -> PdfError:
    return PdfError(f"{path} : {message}")


@contextmanager
def _opened(path: Path) -> Iterator[Any]:
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    try:
        head = path.read_bytes()[:1024]
    except OSError as e:
        raise _refuse(path, f"fichier illisible ({e.strerror or e}) ; vérifiez le chemin.") from e
    if b"%PDF-" not in head:
        raise _refuse(
            path,
            "ce n'est pas un PDF (il ne commence pas par « %PDF- ») ; donnez le PDF publié du plan, "
            "ou ajoutez un plan en texte comme le décrit « Ajouter un plan ».",
        )
    try:
        pdf = pdfplumber.open(path)
        _ = pdf.pages  # reads the page tree: fails here on an encrypted or broken file
    except Exception as e:
        cause = e.__cause__ or e.__context__ or e
        if (
            isinstance(e, PDFPasswordIncorrect)
            or isinstance(cause, PDFPasswordIncorrect)
            or ("password" in repr(e).lower())
        ):
            raise _refuse(
                path,
                "le PDF est chiffré (protégé par un mot de passe) ; demandez-en une version sans "
                "protection, ou enregistrez-le sans mot de passe avant de l'importer.",
            ) from e
        raise _refuse(path, f"PDF illisible ou endommagé ({type(cause).__name__}) ; réenregistrez-le.") from e
    try:
        yield pdf
    finally:
        pdf.close()


def read_pdf(path: Path) -> list[Page]:
    """Every page of the PDF, its lines numbered top to bottom; raises :class:`PdfError` on a file
    that is not a PDF, is encrypted or has no text layer."""
    with _opened(path) as pdf:
        try:
            pages = [_read_page(i, p) for i, p in enumerate(pdf.pages, start=1)]
        except Exception as e:
            if "password" in repr(e).lower() or "encrypt" in repr(e).lower():
                raise _refuse(
                    path,
                    "le PDF est chiffré ; enregistrez-le sans protection avant de l'importer.",
                ) from e
            raise _refuse(path, f"PDF illisible ou endommagé ({type(e).__name__}) ; réenregistrez-le.") from e
    if not any(p.lines or p.tables for p in pages):
        raise _refuse(
            path,
            "aucun texte dans le PDF : c'est sans doute un document numérisé (des images de pages). "
            "Passez-le d'abord dans un logiciel de reconnaissance de caractères (OCR) qui ajoute le "
            "texte au PDF, puis relancez l'import.",
        )
    return pages


def body_size(pages: list[Page]) -> float:
    """The size most of the text outside tables is set in."""
    sizes = [ln.size for p in pages for ln in p.lines for _ in range(len(ln.text))]
    return statistics.mode(sizes) if sizes else 10.0
