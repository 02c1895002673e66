"""The kinds of personal information the redaction recognises, their French placeholders, and the
span a recogniser reports (offsets only: a span never holds the value it covers)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

Kind = Literal["email", "phone", "postal_code", "sin", "card", "address", "name", "birth_date"]
KINDS: tuple[Kind, ...] = get_args(Kind)

PLACEHOLDERS: dict[Kind, str] = {
    "email": "[courriel]",
    "phone": "[téléphone]",
    "postal_code": "[code postal]",
    "sin": "[NAS]",
    "card": "[carte]",
    "address": "[adresse]",
    "name": "[nom]",
    "birth_date": "[date de naissance]",
}

#: When two spans overlap, the kind first in this order wins: the structured kinds (checked by a
#: format or a checksum) before those read from a cue.
_ORDER: tuple[Kind, ...] = ("email", "card", "sin", "phone", "birth_date", "postal_code", "address", "name")
PRIORITY: dict[Kind, int] = {kind: rank for rank, kind in enumerate(_ORDER)}


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """``text[start:end]`` is personal information of this kind."""

    start: int
    end: int
    kind: Kind

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end
