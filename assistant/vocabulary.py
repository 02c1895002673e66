"""Words people use for the plans' timelines and roles, and the words that say what is asked rather
than what it is about (the other names of a plan's units and principles are data, in its manifest:
``unit_aliases``, ``principle_aliases``). Patterns apply to
the *folded* question (lower case, no accents, plain apostrophes: see :func:`corpus.text.fold`).
The cues of each kind of question are in :mod:`assistant.reading.cues`."""

from __future__ import annotations

import re

HORIZON_PATTERNS: dict[str, tuple[str, ...]] = {
    "EC": (
        r"\ben cours\b|\bdeja (?:en place|commence|en marche|en cours)\b|\bongoing\b|\bunderway\b|\balready\b",
    ),
    "CT": (r"\bcourt terme\b|\b2 ans et moins\b|\bshort[- ]term\b",),
    "MT": (r"\bmoyen terme\b|\b3 a 5 ans\b|\b(?:medium|mid)[- ]term\b",),
}
# Codes written in capitals in the question (« CT », « MT ») — matched on the original text.
HORIZON_CODE = re.compile(r"(?<![A-Za-z])(EC|CT|MT)(?![A-Za-z])")

ROLE_WORDS = ("responsable", "mobilisateur", "collaborateur", "contributeur")


# Words that say what is asked, not what it is about (removed before deciding whether a
# follow-up names its own subject).
QUESTION_WORDS = {
    "qui",
    "quoi",
    "quand",
    "quel",
    "quelle",
    "quels",
    "quelles",
    "occupe",
    "occup",
    "gere",
    "ger",
    "responsabl",
    "concern",
    "travaill",
    "unit",
    "administr",
    "servic",
    "depart",
    "departement",
    "direction",
    "echeanc",
    "echeancier",
    "temp",
    "combien",
    "bientot",
    "deja",
    "place",
    "commenc",
    "vien",
    "prevu",
    "pour",
    "est",
    "where",
    "when",
    "who",
    "which",
    "department",
    "departments",
    "timelin",
    "long",
    "ok",
    "pis",
    "puis",
    "mais",
    "and",
    "what",
    "about",
    "actual",
    "concret",
    "concretement",
    "vill",
    "city",
    "fait",
    "fair",
    "action",
    "ca",
    "cest",
    "sont",
    "involv",
    "charg",
    "handl",
    "commence",
    "start",
    "en",
    "cour",
    "cours",
    "coup",
    "dessus",
    "implique",
    "impliqu",
}
