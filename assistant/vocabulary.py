"""Words people use for the plans' structure: administrative units, timelines, roles and
principles; and the words that say what is asked rather than what it is about. Patterns apply to
the *folded* question (lower case, no accents, plain apostrophes: see :func:`corpus.text.fold`).
The cues of each kind of question are in :mod:`assistant.reading.cues`."""

from __future__ import annotations

import re

# Other names of the City's administrative units (the canonical names come from the plans).
UNIT_ALIASES: dict[str, tuple[str, ...]] = {
    "Affaires juridiques": (
        "affaires juridiques",
        "service juridique",
        "contentieux",
        "legal affairs",
        "legal",
    ),
    "Approvisionnements": ("approvisionnement", "approvisionnements", "achats", "purchasing", "procurement"),
    "Culture et patrimoine": (
        "culture et patrimoine",
        "service de la culture",
        "patrimoine",
        "culture and heritage",
    ),
    "Développement économique et grands projets": (
        "developpement economique",
        "grands projets",
        "economic development",
    ),
    "Gestion des immeubles": ("gestion des immeubles", "immeubles", "building management", "facilities"),
    "Gestion des matières résiduelles": (
        "gestion des matieres residuelles",
        "matieres residuelles",
        "waste management",
    ),
    "Gestion du territoire": ("gestion du territoire", "travaux publics", "public works"),
    "Loisirs, sports et vie communautaire": (
        "loisirs, sports et vie communautaire",
        "loisirs sports et vie communautaire",
        "service des loisirs",
        "loisirs et sports",
        "vie communautaire",
        "recreation department",
        "recreation",
    ),
    "Planification de l'aménagement et de l'environnement": (
        "planification de l'amenagement",
        "amenagement et de l'environnement",
        "urbanisme",
        "planning department",
        "urban planning",
    ),
    "Police": ("police", "spvq", "policiers", "service de police", "polices"),
    "Relations citoyennes et communications": (
        "relations citoyennes",
        "communications",
        "service des communications",
        "citizen relations",
    ),
    "Ressources humaines": ("ressources humaines", "rh", "human resources"),
    "Sécurité civile": ("securite civile", "civil security", "emergency management", "civil protection"),
    "Technologie de l'information": (
        "technologie de l'information",
        "technologies de l'information",
        "informatique",
        "ti",
        "it department",
        "information technology",
    ),
    "Transport et mobilité intelligente": (
        "transport et mobilite intelligente",
        "mobilite intelligente",
        "service du transport",
        "transportation department",
    ),
}

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

PRINCIPLE_ALIASES: dict[str, tuple[str, ...]] = {
    "Vivre-ensemble": ("vivre-ensemble", "vivre ensemble", "living together"),
    "Santé durable": ("sante durable", "sustainable health"),
    "Accessibilité universelle": ("accessibilite universelle", "universal accessibility", "universal access"),
    "Équité territoriale": ("equite territoriale", "territorial equity"),
    "Participation sociale et engagement citoyen": (
        "participation sociale",
        "engagement citoyen",
        "social participation",
        "civic engagement",
    ),
    "Leadership partagé": ("leadership partage", "shared leadership"),
}

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
