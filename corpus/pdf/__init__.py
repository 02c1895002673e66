"""Importing a plan from its published PDF: ``extract`` reads the text layer and the tables,
``layout`` writes them as the text a parser reads, ``draft`` writes the plan's folder."""

from corpus.pdf.draft import Imported, import_pdf
from corpus.pdf.extract import PdfError

__all__ = ["Imported", "PdfError", "import_pdf"]
