"""The text the recognisers read, and the way back to the original's offsets.

People paste text from phones, word processors and web forms: fullwidth digits and « ＠ »,
non-breaking hyphens (U+2011), en dashes and thin or non-breaking spaces inside a phone number or a
SIN. Teaching every pattern each variant would miss the next one, so the recognisers read one
normalised text instead: NFKC (fullwidth forms, ligatures, compatibility characters), every dash
and hyphen as « - », every space separator as « » and the invisible format characters (zero-width
space, soft hyphen, BOM) dropped.

NFKC changes lengths (« ﬁ » is two characters, a letter and its combining accent become one), so
the normalised text keeps, for each of its characters, the range of the original it came from;
:meth:`Normalised.original` maps a span back, and the placeholders replace the original characters.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: Dashes and hyphens as NFKC leaves them (U+2011 becomes U+2010, U+FE58 becomes U+2014).
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
#: Invisible characters typed or pasted inside numbers and words.
_INVISIBLE = "\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff"
_TABLE = {**dict.fromkeys(map(ord, _DASHES), "-"), **dict.fromkeys(map(ord, _INVISIBLE), None)}
#: A text without any of these is already what the recognisers read (the common case, checked fast).
_SPECIAL = re.compile(rf"[{_DASHES}{_INVISIBLE}\u2028\u2029]|[^\S\t\n\r ]")


@dataclass(frozen=True, slots=True)
class Normalised:
    """The normalised ``text``; ``starts[i]:ends[i]`` is the original range that gave its i-th
    character (both ``None`` when the text is the original itself)."""

    text: str
    starts: tuple[int, ...] | None = None
    ends: tuple[int, ...] | None = None

    def original(self, start: int, end: int) -> tuple[int, int]:
        """The original range of ``text[start:end]`` (non-empty): it covers every original character
        that gave one of these, whole (half a ligature is the whole ligature)."""
        if self.starts is None or self.ends is None:
            return start, end
        return self.starts[start], self.ends[end - 1]


def _clean(segment: str) -> str:
    out = unicodedata.normalize("NFKC", segment).translate(_TABLE)
    if out.isascii():
        return out
    return "".join(
        " " if unicodedata.category(ch) == "Zs" else "\n" if ch in "\u2028\u2029" else ch for ch in out
    )


def normalise(text: str) -> Normalised:
    """``text`` as the recognisers read it, with the map back to ``text``'s offsets. Each base
    character is normalised with the combining marks that follow it (so that « e » and U+0301
    become « é »), and every character it gives maps to that whole range."""
    if text.isascii() or (unicodedata.is_normalized("NFKC", text) and not _SPECIAL.search(text)):
        return Normalised(text)
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        piece = text[i:j]
        if not piece.isascii():
            piece = _clean(piece)
        out.append(piece)
        starts.extend([i] * len(piece))
        ends.extend([j] * len(piece))
        i = j
    return Normalised("".join(out), tuple(starts), tuple(ends))
