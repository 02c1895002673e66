"""Cleaning a question before anything reads it: control characters out, HTML tags out, spaces
collapsed, length bounded; and which language it is written in."""

from __future__ import annotations

import html
import re
import unicodedata

from corpus.text import fold

_TAG = re.compile(r"<\s*/?\s*[A-Za-z][^<>]{0,200}>")
_SPACES = re.compile(r"\s+")

EN_WORDS = {
    "the",
    "what",
    "which",
    "who",
    "is",
    "are",
    "does",
    "do",
    "city",
    "how",
    "when",
    "where",
    "my",
    "for",
    "about",
    "anything",
    "there",
    "can",
    "i",
    "you",
    "help",
    "any",
    "of",
    "to",
    "and",
    "in",
    "department",
    "departments",
    "involved",
    "mean",
    "plan",
    "doing",
    "will",
    "find",
    "place",
    "cheap",
    "kids",
    "seniors",
    "neighbourhood",
    "neighborhood",
    "council",
    "rent",
    "landlord",
    "tell",
    "me",
    "please",
    "it",
    "that",
    "this",
    "with",
}
FR_WORDS = {
    "le",
    "la",
    "les",
    "des",
    "du",
    "de",
    "est",
    "et",
    "que",
    "qui",
    "quoi",
    "pour",
    "ville",
    "une",
    "un",
    "pis",
    "ca",
    "c'est",
    "quand",
    "dans",
    "sur",
    "mon",
    "ma",
    "mes",
    "je",
    "tu",
    "il",
    "y",
    "a",
    "au",
    "aux",
    "plan",
    "action",
    "quel",
    "quelle",
    "quelles",
    "quels",
    "fait",
    "sont",
    "pas",
    "avec",
    "leur",
    "nous",
    "vous",
}


class QuestionError(ValueError):
    """The question cannot be asked as it is; ``field`` names what to fix."""

    def __init__(self, message: str, field: str = "question", code: str = "question_invalide"):
        super().__init__(message)
        self.field = field
        self.code = code


def strip_control(text: str) -> str:
    """Remove control and format characters (keeps letters, marks, punctuation, spaces)."""
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cf", "Cs", "Co", "Cn"):
            out.append(" " if ch in "\t\n\r\x0b\x0c" else "")
        else:
            out.append(ch)
    return "".join(out)


def clean_question(text: str, max_length: int) -> str:
    """The question as the assistant reads it. Raises :class:`QuestionError` when it is empty or
    too long (the limit applies to what the user typed, before cleaning)."""
    if not isinstance(text, str):
        raise QuestionError(f"la question doit être un texte, reçu {type(text).__name__}")
    if len(text) > max_length:
        raise QuestionError(
            f"la question est trop longue : {len(text)} caractères, le maximum est {max_length}",
            code="question_trop_longue",
        )
    text = strip_control(html.unescape(text))
    text = _TAG.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    if not text:
        raise QuestionError("la question est vide", code="question_vide")
    return text


def detect_language(text: str) -> str:
    words = re.findall(r"[a-z']+", fold(text))
    en = sum(w in EN_WORDS for w in words)
    fr = sum(w in FR_WORDS for w in words)
    return "en" if en > fr and en >= 2 else "fr"
