"""``redact(text)``: personal information replaced by French placeholders before a text is stored.

Every recogniser proposes spans; overlapping spans are settled by kind (the structured kinds first,
see :data:`~assistant.privacy.kinds.PRIORITY`), then by length; each kept span becomes its
placeholder and the rest of the text is kept as it was, character for character.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from assistant.privacy.contextual import addresses, birth_dates, listed_names, names
from assistant.privacy.kinds import PLACEHOLDERS, PRIORITY, Kind, Span
from assistant.privacy.structured import cards, emails, phones, postal_codes, sins

Recogniser = Callable[[str], Iterable[Span]]
RECOGNISERS: tuple[Recogniser, ...] = (
    emails,
    cards,
    sins,
    phones,
    birth_dates,
    postal_codes,
    addresses,
    names,
)


@dataclass(frozen=True, slots=True)
class Redaction:
    """The redacted text and where personal information was (kind and offsets in the original
    text; never the values themselves)."""

    text: str
    found: tuple[Span, ...]

    @property
    def counts(self) -> dict[Kind, int]:
        return dict(Counter(s.kind for s in self.found))

    @property
    def changed(self) -> bool:
        return bool(self.found)


def _settle(spans: Iterable[Span]) -> list[Span]:
    """Non-overlapping spans, in text order: by kind priority, then the longest."""
    kept: list[Span] = []
    for span in sorted(spans, key=lambda s: (PRIORITY[s.kind], s.start - s.end, s.start)):
        if span.end > span.start and not any(span.overlaps(k) for k in kept):
            kept.append(span)
    return sorted(kept)


def spans(text: str) -> list[Span]:
    """The personal information in ``text``, settled (no overlap), in text order."""
    found = _settle(s for recognise in RECOGNISERS for s in recognise(text))
    extra = [s for s in listed_names(text, found) if not any(s.overlaps(k) for k in found)]
    return sorted([*found, *extra]) if extra else found


def _pieces(text: str, kept: list[Span]) -> Iterator[str]:
    pos = 0
    for span in kept:
        yield text[pos : span.start]
        yield PLACEHOLDERS[span.kind]
        pos = span.end
    yield text[pos:]


def redact(text: str) -> Redaction:
    """``text`` with every e-mail address, phone number, postal code, social insurance number,
    card number, civic address, introduced name and date of birth replaced by its placeholder
    (« [courriel] », « [téléphone] », « [code postal] », « [NAS] », « [carte] », « [adresse] »,
    « [nom] », « [date de naissance] »)."""
    kept = spans(text)
    if not kept:
        return Redaction(text, ())
    return Redaction("".join(_pieces(text, kept)), tuple(kept))
