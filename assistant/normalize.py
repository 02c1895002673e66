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


# Words addressed to the assistant's rules rather than about the plans. They are taken out of the
# question before it is read (the rules do not change whatever the question says).
_INSTRUCTION = re.compile(
    r"(?:^|\b)(?:system|systeme|assistant)\s*:"
    r"|\b(?:ignore|ignorez|oublie|oubliez|forget|disregard)\s+(?:tes|vos|les|toutes?|all|your|the|previous|prior|"
    r"les\s+regles|tes\s+regles)?\s*(?:\w+\s+){0,2}?(?:instructions?|regles?|consignes?|rules?|prompts?)"
    r"(?:\s+(?:precedentes?|previous|above|ci-dessus))?"
    r"|\b(?:affiche|montre|donne|reveal|show|print)[\w-]*\s+(?:moi\s+)?(?:ton|votre|your|the|le)\s+"
    r"(?:prompt|instructions?)(?:\s+(?:systeme|system))?"
    r"|\b(?:prompt|instructions?)\s+(?:systeme|system)\b"
    r"|\bmode\s+(?:developpeur|admin(?:istrateur)?|debug)(?:\s+active)?|\bdeveloper\s+mode(?:\s+enabled)?"
    r"|\b(?:tu es|vous etes|you are)\s+(?:maintenant|desormais|now)\b[^.!?:]*"
    r"|\b(?:reponds?|repondez|answer|say)\s+(?:juste|seulement|only|just)\s+(?:par\s+)?(?:oui|non|yes|no)\b\s*:?"
)


def strip_instructions(question: str) -> tuple[str, bool]:
    """The question without what addresses the assistant's rules, and whether there was any."""
    # Folded character by character, so that positions match the original question.
    folded = "".join((fold(c) or c)[:1] for c in question)
    spans = [m.span() for m in _INSTRUCTION.finditer(folded)]
    if not spans:
        return question, False
    out, last = [], 0
    for a, b in spans:  # fold() keeps lengths for these characters except œ/æ, rare here
        out.append(question[last:a])
        last = b
    out.append(question[last:])
    cleaned = _SPACES.sub(" ", " ".join(out)).strip(" .,;:!-")
    return cleaned, True
