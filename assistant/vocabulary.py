"""Words people use for the plans' structure: administrative units, timelines, roles,
principles, and the cues of each kind of question. Patterns apply to the *folded* question
(lower case, no accents, plain apostrophes: see :func:`corpus.text.fold`)."""

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
        r"\ben cours\b",
        r"\bdeja (?:en place|commence|en marche|en cours)\b",
        r"\bongoing\b",
        r"\bunderway\b",
        r"\balready\b",
    ),
    "CT": (r"\bcourt terme\b", r"\b2 ans et moins\b", r"\bshort[- ]term\b"),
    "MT": (r"\bmoyen terme\b", r"\b3 a 5 ans\b", r"\bmedium[- ]term\b", r"\bmid[- ]term\b"),
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

FOOD_DESERT = re.compile(r"\b(desert|marais)s? alimentaires?\b|\bfood (desert|swamp)s?\b")


def rx(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


UNITS_CUE = rx(
    r"\bqui\b.{0,40}\b(?:s'occupe|s'en occupe|occupe|gere|est responsable|sont responsables|responsable|"
    r"est concerne|sont concernes|concerne|travaille|travaillent|implique|porte|mene|dans le coup|la-dessus|"
    r"la dessus|en charge|fait ca|fait quoi)",
    r"\b(?:quelles?|quels?)\s+(?:unites?|departements?|services?|directions?|equipes?)\b",
    r"\bc'est (?:quel|quelle|quels|quelles) (?:unite|departement|service|direction)",
    r"\bunites?\s+(?:administratives?\s+)?(?:concernees?|impliquees?|responsables?)\b",
    r"\b(?:quelles?|quels?) (?:sont les )?unites\b",
    r"\bquelles? unites?\b",
    r"\bc'est qui\b",
    r"\bwho\b",
    r"\bwhich (?:city )?departments?\b",
    r"\bdepartments?\b.{0,30}\binvolved\b",
    r"\bin charge\b",
    r"\bresponsible\b",
    r"\bqui d'autre\b",
    r"\best(?:-tu|-elle| elle)? impliquee?s?\b",
    r"\bsont(?:-tu|-ils| ils)? impliques\b",
    r"\bqui (?:est|sont) (?:dans le coup|implique)",
)
# « Échéancier », « horizon »: a question about timing only when it names what (« action 3 échéance? »).
HORIZON_WEAK_CUE = rx(r"\becheanc", r"\bhorizon\b", r"\btimeline\b", r"\bterme\b")
HORIZON_CUE = rx(
    r"\bquand\b",
    r"\bbientot\b",
    r"\bd'ici combien\b",
    r"\bcombien de temps\b",
    r"\bdeja (?:commence|en place|fait|en cours|en marche)\b",
    r"\bexiste deja\b",
    r"\bc'est en cours\b",
    r"\ben cours\s*\?",
    r"\ba venir\b",
    r"\bhorizon\b",
    r"\bcourt ou moyen\b",
    r"\bmaintenant ou plus tard\b",
    r"\bs'en vient\b",
    r"\bca commence\b",
    r"\bnouveau ou\b",
    r"\bse fait deja\b",
    r"\bprevue? pour\b",
    r"\bwhen\b",
    r"\bhow long\b",
    r"\bhow soon\b",
    r"\bde quand\b",
    r"\bcourt terme\b\s*\?",
    r"\bmoyen terme\b\s*\?",
)
REVERSE_CUE = rx(
    r"\b(?:toutes?|tous)\b.{0,30}\bactions\b",
    r"\bquelles?\s+(?:sont\s+(?:toutes\s+)?les\s+)?actions\b",
    r"\bdans quelles actions\b",
    r"\bliste",
    r"\bles actions (?:de|du|des|de l'|ou|qui|a|associees)\b",
    r"\bleurs actions\b",
    r"\bactions? (?:qui|ou) (?:concerne|implique|touche)",
    r"\bwhich actions\b",
    r"\ball (?:the )?actions\b",
    r"\beverything (?:concerning|about|involving)\b",
    r"\blist\b",
    r"\bquelles? actions\b",
    r"\bactions (?:prevues|sont)\b",
)
COUNT_CUE = re.compile(
    r"\bcombien (?:d'|de |y a-t-il d'|y a t il d'|y a-t-il de |y'a d'|y a d')?"
    r"(?P<what>actions|objectifs|orientations|axes|themes|unites|principes|indicateurs|resultats)\b"
    r"|\bhow many (?P<what_en>actions|objectives|orientations|axes|themes|units|principles)\b"
)
STRUCTURE_CUE = re.compile(
    r"\b(?:quelles|quels|c quoi|c'est quoi|what are)\s+(?:sont\s+)?(?:les|the)\s+(?:\w+\s+){0,2}?"
    r"(?P<what>orientations|axes|themes|objectifs|principes|unites administratives|unites|roles|"
    r"objectives|principles|units|themes)\b"
)
ROLES_CUE = re.compile(r"\b(?:quels?|which|what)\s+(?:sont les |are the )?roles?\b")
DEFINITION_CUE = rx(
    r"c'?est quoi",
    r"\bc koi\b",
    r"qu'est-ce qu",
    r"\bque (?:veut|veulent) dire\b",
    r"\bca veut dire\b",
    r"\bveut dire\b",
    r"\bmange quoi\b",
    r"\bsignifie",
    r"\bdefini",
    r"\bdifference\b",
    r"\bvs\b",
    r"\bwhat (?:does|is|are)\b",
    r"\bmeans?\b",
    r"\bmeaning\b",
    r"\bca implique quoi\b",
    r"\bimplique quoi\b",
    r"\bexplique",
)
FOLLOWUP_START = re.compile(r"^(?:et|pis|puis|ok|okay|mais|and|what about|how about|alors|ensuite)\b")
FOLLOWUP_PRONOUN = rx(
    r"\bs'en\b",
    r"\bca\b",
    r"\bcette action\b",
    r"\bcelle-la\b",
    r"\bcelles-la\b",
    r"\bla-dessus\b",
    r"\bcela\b",
    r"\bit\b",
    r"\bthat\b",
    r"\bthose\b",
    r"\bces actions\b",
    r"\bleur\b",
)

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
