"""The cues of French and English questions: general rules of how people ask who, when, how
many, which ones, what it means, how much, where… Never phrases of particular questions: a test
(``tests/test_reading_cues.py``) fails when a cue matches exactly one question of the tuning set
and no plan text.

Every pattern applies to the *folded* question (lower case, no accents, plain apostrophes: see
:func:`corpus.text.fold`). Each cue is a named list of alternatives so that the test can check
them one by one."""

from __future__ import annotations

import re


class Cue:
    """A named rule: alternatives (regular expressions on the folded question), any of which matches."""

    def __init__(self, name: str, alternatives: tuple[str, ...]):
        self.name = name
        self.alternatives = alternatives
        self.pattern = re.compile("|".join(f"(?:{p})" for p in alternatives))

    def search(self, folded: str) -> re.Match[str] | None:
        return self.pattern.search(folded)


# -- what is asked ----------------------------------------------------------------------------
WHO = Cue(
    "who",
    (
        r"\bqui\b.{0,40}\b(?:s'occupe|s'en occupe|occupent|gere|gerent|est responsable|sont responsables|"
        r"responsables?|est concerne|sont concernes|concerne|travaille|travaillent|implique|porte|mene|en charge)",
        # « qui » asking (at the start of a sentence or clause), not « les gens qui … »
        r"(?:^|[,.?!:;]\s*)(?:et |pis |mais |ok )?(?:c'est )?qui\b",
        r"\b(?:est|sont)(?:-tu|-elle|-ils|-elles| elle| ils)? (?:impliquee?s?|concernee?s?)\b",
        # « Quelles unités (administratives) travaillent sur … »: the verb of involvement is the cue's
        r"\b(?:quelles?|quels?)\s+(?:unites?|departements?|services?|directions?|equipes?)\b"
        r"(?:\s+administratives?)?(?:\s+(?:participent|travaillent|s'occupent|gerent|interviennent|agissent)\b)?",
        r"\bc'est (?:quel|quelle|quels|quelles) (?:unite|departement|service|direction)",
        r"\bunites?\s+(?:administratives?\s+)?(?:concernees?|impliquees?|responsables?)\b",
        r"\bc'est qui\b",
        r"\bwho\b",
        r"\bwhich (?:city )?(?:departments?|units?)\b",
        r"\bin charge\b",
        r"\bresponsible\b",
    ),
)
WHEN = Cue(
    "when",
    (
        r"\bquand\b",
        r"\b(?:bientot|prochainement|s'en vien(?:t|nent))\b",
        r"\bd'ici combien\b",
        r"\bcombien de temps\b",
        r"\bdeja (?:commence|en place|fait|en cours|en marche|offert)",
        r"\b(?:existe|existent|se fait|se font|commence|commencee?s?|offerte?s?|en place) deja\b",
        r"\bc'est en cours\b",
        r"\ben cours\s*\?",
        r"\ba venir\b",
        r"\bhorizon\b",
        r"\bprevue?s? pour\b",
        r"\bwhen\b",
        r"\bhow long\b",
        r"\bhow soon\b",
        r"\b(?:court|moyen) terme\s*\?",
    ),
)
# « Échéancier », « horizon », « terme »: about timing only when the question names what.
WHEN_WEAK = Cue(
    "when_weak",
    (
        r"\becheanc",
        r"\bhorizon\b",
        r"\btimeline\b",
        r"\bterme\b",
        r"\b(?:maintenant|plus tard|prochainement|cette annee|l'an prochain|deja)\b",
    ),
)
WHICH_ACTIONS = Cue(
    "which_actions",
    (
        r"\b(?:toutes?|tous)\b.{0,30}\bactions\b|\btout ce qui (?:touche|concerne|implique|vise|regarde)\b",
        r"\bquelles?\s+(?:sont\s+(?:toutes\s+)?les\s+)?actions\b",
        r"\bdans quelles actions\b",
        r"\bliste",
        r"\bles actions (?:de|du|des|de l'|ou|qui|a|associees)\b",
        r"\b(?:which|all(?: the)?|every) actions?\b|\blist\b|\beverything (?:concerning|about|involving|that)\b",
        r"\bactions (?:prevues|sont)\b",
    ),
)
COUNT = Cue(
    "count",
    (
        r"\bcombien (?:d'|de |y a-t-il d'|y a t il d'|y a-t-il de |y'a d'|y a d')?"
        r"(?P<what>actions|objectifs|orientations|axes|themes|unites|principes|indicateurs|resultats)\b",
        r"\bhow many (?P<what_en>actions|objectives|orientations|axes|themes|units|principles)\b",
    ),
)
STRUCTURE = Cue(
    "structure",
    (
        r"\b(?:quelles|quels|c quoi|c'est quoi|what are|which|what)\s+(?:sont\s+)?(?:(?:les|the)\s+)?"
        r"(?:\w+\s+){0,2}?(?P<what>orientations|axes|themes|objectifs|principes|unites administratives|unites|"
        r"roles?|objectives|principles|units)\b",
    ),
)
DEFINITION = Cue(
    "definition",
    (
        r"\bc(?:'?est)? (?:quoi|koi)\b",
        r"qu'est-ce qu",
        r"\b(?:que |ca |cela )?(?:veut|veulent) dire\b|\b(?:ca|cela) (?:implique|signifie|represente) quoi\b",
        r"\bsignifie",
        r"\bdefini",
        r"\bdifference\b",
        r"\bwhat (?:does|is|are)\b",
        r"\bmeans?\b",
        r"\bmeaning\b",
        r"\bexplique",
    ),
)
# A question that expects « oui » or « non ».
YES_NO = Cue(
    "yes_no",
    (
        r"^\W*(?:est[- ]ce qu|y a[- ]t[- ]il|y'?a[- ]t[- ]il|y'?a[- ]tu\b|y a[- ]tu\b)",
        r"^\W*(?:is there|are there|does|do|did|is|are|can|will|has|have)\b",
        r"\b\w+-(?:t-)?(?:il|elle|ils|elles|on)\b",
        r"\b\w+[- ]tu\b",
        r"\bc'est (?:bien|vrai)\b",
        r"\bright\s*\?",
        r"\bc'est ca\s*\?",
    ),
)

# -- the fact asked, which the plans may not give -------------------------------------------------
AMOUNT = Cue(
    "amount",
    (
        r"\bcombien\b.{0,25}\b(?:coute|coutent|coutera|couteront|cout|investi\w*|d'argent|dollars|"
        r"paye|payer|depense\w*|mis|met|mettra|subventions?|budget|financement|rabais)",
        r"\b(?:c'est|c|ca fait|ca coute|ca va couter) combien\b",
        r"\bcombien (?:exactement|max|maximum|au maximum|au total)\b",
        r"\bcouts?\b",
        r"\bbudgets?\b",
        r"\bmontants?\b",
        r"\bplafond\b",
        r"\binvesti(?:t|ssent|ra|ront|ssement|ssements|r)\b",
        r"\bdepenses?\b",
        r"\bhow much\b",
        r"\bcosts?\b",
        r"\bspend(?:s|ing)?\b",
        r"\bfunding\b",
    ),
)
DATE = Cue(
    "date",
    (
        r"\b(?:quel|quelle|what|which) (?:date|annee|year|jour|day|mois|month)\b",
        r"\bdates? (?:precise|exacte|de debut|de fin|prevue)s?\b",
        r"\bquand exactement\b",
        r"\bexact (?:date|year)\b",
        # the date of a coming event (« c'est quand la prochaine assemblée? »)
        r"\bquand\b.{0,25}\bprochain(?:e|es|s)?\b",
        r"\bwhen is the next\b",
    ),
)
PLACE = Cue(
    "place",
    (
        r"\b(?:quel|quelle|quels|quelles) (?:endroits?|parcs?|rues?|secteurs?|quartiers?|arrondissements?|"
        r"adresses?|lieux|lieu|emplacements?|coins?)\b",
        r"\b(?:c'est|ca serait|ca va etre) ou\b|\bou (?:seront|sera|se trouve|se trouvent|se situe|se situent|"
        r"exactement|vont etre|va etre)\b",
        r"\badresses?\b",
        r"\bwhere\b",
        r"\bwhich (?:park|street|address|neighbou?rhood|location)\b",
    ),
)
HOURS = Cue(
    "hours",
    (
        r"\bheures? d'ouverture\b|\bhoraires?\b|\ba quelle heure\b|\bouverte?s? (?:jusqu'a|le soir|la fin de semaine|"
        r"le (?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche))|\bopening hours\b|\bwhat time\b|"
        r"\bopen (?:until|on|at)\b",
    ),
)
TARGET = Cue(
    "target",
    (
        r"\bcombien de (?!temps\b|fois\b|(?:actions|objectifs|orientations|axes|themes|unites|principes|"
        r"indicateurs|resultats)\b)\w+",
        r"\bcombien d'(?!actions\b|objectifs\b|orientations\b|axes\b|unites\b|indicateurs\b|argent\b)\w+",
        r"\bnombre (?:de|d')",
        r"\bcibles?\b|\bobjectifs? chiffres?\b|\bpourcentage\b|\bpercentage\b|\btarget\b",
        r"\bhow many (?!actions|objectives|orientations|axes|themes|units|principles)\w+",
        r"\bnumber of\b",
    ),
)
# A date asserted in the question (« en 2027 »), other than a plan's own period.
YEAR = re.compile(r"(?<![\d-])(20[2-4]\d)(?![\d-])")
# « … a été annulée », « abandonnée », « n'existe plus »: a claimed cancellation.
CANCELLED = Cue(
    "cancelled",
    (
        r"\b(?:annule|abandonne|supprime|retire|arrete|tablette)e?s?\b|\bmise? de cote\b|\bn'existe plus\b|"
        r"\bcancel(?:l?ed)?\b|\b(?:dropped|scrapped|abandoned)\b",
    ),
)

# -- conversations ---------------------------------------------------------------------------------
FOLLOWUP_START = Cue(
    "followup_start",
    (r"^(?:et|pis|puis|ok|okay|mais|alors|ensuite|and|so)\b", r"^(?:what|how) about\b"),
)
# Words that point back to what the previous answer said.
ANAPHORA = Cue(
    "anaphora",
    (
        r"\blesquel(?:le)?s\b",
        r"\b(?:celles?|ceux)(?:-ci|-la)?\b",
        r"\bs'en\b",
        r"\b(?:cette|ces) actions?\b",
        r"\by en a\b",
        r"\bparmi\b",
        r"\bca\b",
        r"\bcela\b",
        r"\bwhich ones\b",
        r"\b(?:those|these|them|it|that)\b",
        r"\bleurs?\b",
        # a subject pronoun standing for what was just said (not « y a-t-il », « est-elle », nor the
        # impersonal « il y a », « il faut », « il s'agit »)
        r"(?<![-\w])(?:il(?!\s+(?:y\b|faut\b|s'agit\b|existe\b))|elle|ils|elles)\b(?!-)",
    ),
)

# Words that pick some of what was just said (« Lesquelles sont en cours? », « Y en a-tu à court terme? »).
NARROWING = Cue(
    "narrowing",
    (
        r"\blesquel(?:le)?s\b",
        r"\b(?:celles|ceux)\b",
        r"\by en a\b",
        r"\bparmi\b",
        r"\bwhich (?:ones|of (?:them|those))\b",
        r"\bany of (?:them|those)\b",
    ),
)

# One thing just said, asked about in the singular (« C'est déjà commencé? », « Ça va être prêt quand? »,
# « Is it under way? »): not a pick among several (:data:`NARROWING`).
SINGULAR_BACK = Cue(
    "singular_back",
    (
        r"^\W*(?:(?:et|pis|puis|mais|ok|alors)\s+)?(?:c'est|ca|cela|elle|il)\b(?!\s+(?:y\b|faut\b|s'agit\b))",
        r"\best-ce que (?:c'est|ca|cela|elle|il)\b(?!\s+(?:y\b|faut\b|s'agit\b))",
        r"\b(?:is|has|will|does|did|was) (?:it|that|this)\b",
    ),
)

#: Every cue, for the test that no cue serves a single question.
ALL: tuple[Cue, ...] = (
    WHO,
    WHEN,
    WHEN_WEAK,
    WHICH_ACTIONS,
    COUNT,
    STRUCTURE,
    DEFINITION,
    YES_NO,
    AMOUNT,
    DATE,
    PLACE,
    HOURS,
    TARGET,
    CANCELLED,
    FOLLOWUP_START,
    ANAPHORA,
    NARROWING,
    SINGULAR_BACK,
)
