"""``redact(text)``: personal information replaced by French placeholders before a text is stored.

The recognisers read the normalised text (:mod:`assistant.privacy.normalise`: fullwidth forms,
dashes, odd spaces), so that a variant of a format is not a way around them. Every recogniser
proposes spans; overlapping spans are settled by kind (the structured kinds first, see
:data:`~assistant.privacy.kinds.PRIORITY`), then by length; each kept span is mapped back to the
original's offsets and becomes its placeholder, and the rest of the original text is kept as it
was, character for character.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from assistant.privacy.contextual import addresses, birth_dates, listed_names, names
from assistant.privacy.kinds import PLACEHOLDERS, PRIORITY, Kind, Span
from assistant.privacy.normalise import Normalised, normalise
from assistant.privacy.persons import person_names
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
    person_names,
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


def _to_original(norm: Normalised, kept: list[Span]) -> list[Span]:
    """``kept`` (offsets in the normalised text) in the original's offsets. Two spans that end and
    start inside one original character (a ligature's halves) become one, of the first kind."""
    out: list[Span] = []
    for span in kept:
        start, end = norm.original(span.start, span.end)
        if out and start < out[-1].end:
            last = out.pop()
            kind = last.kind if PRIORITY[last.kind] <= PRIORITY[span.kind] else span.kind
            start, end = last.start, max(last.end, end)
            span = Span(start, end, kind)
        out.append(Span(start, end, span.kind))
    return out


def spans(text: str) -> list[Span]:
    """The personal information in ``text``, settled (no overlap), in text order, in ``text``'s
    offsets (the recognisers read its normalised form)."""
    norm = normalise(text)
    read = norm.text
    found = _settle(s for recognise in RECOGNISERS for s in recognise(read))
    extra = [s for s in listed_names(read, found) if not any(s.overlaps(k) for k in found)]
    kept = sorted([*found, *extra]) if extra else found
    return _to_original(norm, kept) if norm.starts is not None else kept


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
