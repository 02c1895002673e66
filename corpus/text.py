"""Text helpers shared by the parsers: cleaning extraction noise, folding, slugs."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_SUP = re.compile(r"<sup>\s*([^<]{1,4}?)\s*</sup>")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")
_EMPHASIS = re.compile(r"(\*\*|__|\*)")
_BULLET = re.compile(r"^\s*(?:[-*+]\s+)?(?:[▶►›•▸‣]\s*)+|^\s*[-*+]\s+")
_SPACES = re.compile(r"[ \t\u00a0\u202f]+")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def heading(line: str) -> tuple[int, str] | None:
    """``(level, text)`` when the line is a Markdown heading."""
    m = _HEADING.match(line)
    if not m:
        return None
    return len(m.group(1)), m.group(2)


def footnote_markers(text: str) -> list[str]:
    """Footnote markers written as ``<sup>1</sup>`` or as superscript digits (``¹``)."""
    found = _SUP.findall(text)
    found += [str(unicodedata.digit(c)) for c in text if c in "¹²³⁴⁵⁶⁷⁸⁹"]
    return found


def clean_inline(text: str) -> str:
    """Remove extraction noise from a piece of text: HTML tags and footnote markers,
    Markdown links, emphasis and escapes, bullets, runs of spaces."""
    text = _SUP.sub("", text)
    text = re.sub(r"[¹²³⁴⁵⁶⁷⁸⁹]", "", text)
    text = _TAG.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_ESCAPE.sub(r"\1", text)
    text = _EMPHASIS.sub("", text)
    text = _BULLET.sub("", text)
    text = _SPACES.sub(" ", text)
    return text.strip()


def is_bold_only(text: str) -> bool:
    """True when a paragraph is entirely in bold (``**…**``)."""
    t = text.strip()
    return len(t) > 4 and t.startswith("**") and t.endswith("**") and "**" not in t[2:-2]


def is_list_item(line: str) -> bool:
    return bool(re.match(r"^\s*[-*+]\s+", line))


@lru_cache(maxsize=131072)
def ascii_digits(text: str) -> str:
    """Decimal digits of any script as ASCII digits (« action ٣٧ », « ３７ » → « action 37 », « 37 »)."""
    if text.isascii():
        return text
    return "".join(
        str(unicodedata.decimal(ch)) if not ch.isascii() and unicodedata.category(ch) == "Nd" else ch
        for ch in text
    )


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-case, accents removed, typographic apostrophes made plain: for comparisons. The plans'
    texts are folded again for every question (a third of the reading's time): remembered."""
    text = text.replace("’", "'").replace("‘", "'").replace("œ", "oe").replace("Œ", "oe")
    text = text.replace("æ", "ae").replace("Æ", "ae")
    nfkd = unicodedata.normalize("NFKD", text)
    return "".join(c for c in nfkd if not unicodedata.combining(c)).lower()


def slug(text: str) -> str:
    """``Présentation de l'échéancier`` → ``presentation-de-l-echeancier``."""
    s = re.sub(r"[^a-z0-9]+", "-", fold(text))
    return s.strip("-")


def join_lines(lines: list[str]) -> str:
    """Join the lines of one paragraph (Markdown hard breaks included) into one line."""
    return _SPACES.sub(" ", " ".join(line.strip() for line in lines)).strip()


def excerpt(text: str, limit: int = 60) -> str:
    """The start of a text for a message, cut at a word boundary (« Maintenir et bonifier… »)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"


@lru_cache(maxsize=4096)
def _whole_words(phrase: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(phrase)}(?!\w)")


def word_in(phrase: str, folded_text: str) -> bool:
    """``phrase`` (folded) appears in ``folded_text`` as whole words."""
    return _whole_words(phrase).search(folded_text) is not None


def mentions(folded_text: str, names: dict[str, tuple[str, ...]] | dict[str, list[str]]) -> dict[str, int]:
    """Which keys have one of their names in the text, with the length of the longest one found
    (a longer name is a more specific mention: « conseil de quartier » over « la ville »)."""
    found: dict[str, int] = {}
    for key, aliases in names.items():
        for a in aliases:
            if word_in(fold(a), folded_text):
                found[key] = max(found.get(key, 0), len(a))
    return found


def most_specific(found: dict[str, int]) -> list[str]:
    """The keys named by the longest names among ``mentions``."""
    top = max(found.values(), default=0)
    return [k for k, n in found.items() if n == top] if found else []
