"""Cleaning a question before anything reads it: control characters out, HTML tags out, spaces
collapsed, length bounded; and which language it is written in."""

from __future__ import annotations

import html
import re
import unicodedata

from corpus.text import ascii_digits, fold

_TAG = re.compile(r"<\s*/?\s*[A-Za-z][^<>]{0,200}>")
_SPACES = re.compile(r"\s+")

# Function words of English (grammar, not topics): a question is English when they outnumber the
# French stop words it uses.
ENGLISH_FUNCTION_WORDS = frozenset(
    {
        "a", "an", "the", "is", "are", "was", "were", "be", "been", "does", "do", "did", "can", "could",
        "will", "would", "should", "what", "which", "who", "whom", "whose", "when", "where", "why", "how",
        "there", "this", "that", "these", "those", "it", "its", "i", "you", "he", "she", "we", "they", "me",
        "my", "your", "our", "their", "of", "to", "in", "on", "at", "for", "with", "about", "from", "by",
        "and", "or", "not", "any", "some", "all", "every", "each", "have", "has", "if", "than", "then", "please",
        "doing", "done", "get", "got", "help", "helps", "make", "makes", "here", "much", "many",
    }
)  # fmt: skip
FRENCH_FUNCTION_WORDS = frozenset(
    {
        "a", "le", "la", "les", "l", "un", "une", "des", "du", "de", "d", "au", "aux", "ce", "cet", "cette", "ces",
        "est", "sont", "et", "ou", "que", "qui", "quoi", "qu", "pour", "dans", "sur", "avec", "sans", "par",
        "mon", "ma", "mes", "ton", "ta", "tes", "son", "sa", "ses", "notre", "nos", "votre", "vos", "leur",
        "leurs", "je", "j", "tu", "il", "elle", "nous", "vous", "ils", "elles", "y", "c", "ca", "pas", "ne",
        "quel", "quelle", "quels", "quelles", "comment", "pourquoi", "quand", "combien", "mais", "donc",
        "pis", "aussi", "tres", "plus", "fait", "faire", "ville", "chez", "entre", "vers", "si", "s",
    }
)  # fmt: skip


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


def clean_text(text: str) -> str:
    """Free text as it may be stored (a question, a comment, a note, a host page's origin): control
    and format characters out (PostgreSQL refuses a NUL; bidirectional overrides make a text read
    backwards in the staff's export), compatibility forms made plain (NFKC: « ４１８ » is « 418 »,
    so the redaction sees a phone number), digits ASCII, spaces collapsed. Idempotent."""
    text = ascii_digits(unicodedata.normalize("NFKC", strip_control(text)))
    return _SPACES.sub(" ", text).strip()


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
    text = ascii_digits(strip_control(html.unescape(text)))
    text = _TAG.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    if not text:
        raise QuestionError("la question est vide", code="question_vide")
    return text


def detect_language(text: str) -> str:
    """« en » when the question's English function words outnumber its French ones (words
    common to both, like « a » or « on », count for neither); « fr » otherwise."""
    words = re.findall(r"[a-z]+", fold(text))
    en = sum(1 for w in words if w in ENGLISH_FUNCTION_WORDS and w not in FRENCH_FUNCTION_WORDS)
    fr = sum(1 for w in words if w in FRENCH_FUNCTION_WORDS and w not in ENGLISH_FUNCTION_WORDS)
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
