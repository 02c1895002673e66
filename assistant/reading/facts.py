"""The kind of fact a question asks for when the plans do not give it (an amount, a date, a place,
a person's name, opening hours, a numeric target, a named facility), what it asserts (a false
premise: an amount, a date, a cancellation), and questions that are not about the plans at all
(gibberish, greetings, a person in distress, who a named official is)."""

from __future__ import annotations

import re
from enum import StrEnum

from assistant.normalize import ENGLISH_FUNCTION_WORDS
from assistant.reading.cues import AMOUNT, CANCELLED, DATE, HOURS, PLACE, TARGET, YEAR, Cue
from corpus.text import fold, word_in
from index.analysis import stopwords, words
from index.query import QueryAnalysis


class Fact(StrEnum):
    """A fact the plans never give: they describe actions, with a timeline and units."""

    AMOUNT = "amount"
    DATE = "date"
    PLACE = "place"
    PERSON = "person"
    HOURS = "hours"
    TARGET = "target"
    FACILITY = "facility"


# « Le nom de la personne responsable de… »: a name the plans do not give (they list units).
PERSON_NAME = Cue(
    "person_name",
    (
        r"\bnoms? (?:de la |du |de l'|des )?(?:personnes?|responsables?|employes?|fonctionnaires?|contacts?|"
        r"gestionnaires?)\b|\b(?:son|leur|leurs) noms?\b|\bquelle personne\b|\bpersonnes?[- ]ressources?\b|"
        r"\b(?:fonctionnaire|employee?|agente?|gestionnaire|directeur|directrice) (?:responsable|en charge)\b|"
        r"\bquel(?:le)?s? (?:administrateurs?|administratrices?|employes?|fonctionnaires?|elus?|membres?)\b",
        r"\bname of the (?:person|official|manager|employee)\b|\b(?:his|her|their) names?\b|\bcontact person\b",
    ),
)
# Personal information about someone (« l'adresse de mon ex », « son dossier »): never given.
PRIVATE = Cue(
    "private",
    (
        r"\b(?:l'adresse|le numero|le telephone|le dossier|le courriel|les coordonnees) (?:de|du|d') ?(?:mon|ma|mes|"
        r"cette|ce)\b|\b(?:acces a|voir|consulter) (?:son|leur|ses) dossiers?\b|\b(?:mon|ma) (?:voisin|voisine|ex|"
        r"proprio|locataire)\b.{0,60}\b(?:adresse|dossier|telephone|numero|courriel|aide sociale)\b",
        r"\b(?:address|phone number|file|record) of (?:my|this)\b",
    ),
)
# Who an official is (« Qui est le maire? », « Qui dirige le Service de police? »): not in the plans.
PERSON_IDENTITY = Cue(
    "person_identity",
    (
        r"\bqui (?:est|sont|etait) (?:le|la|les|mon|ma) (?:maire|mairesse|directeur|directrice|chef|president|"
        r"presidente|conseiller|conseillere|ministre|depute|deputee)|\bqui dirige\b|"
        r"\b(?:le|la|notre|votre|du|de la|mon|ma) (?:maire(?:sse)?|conseill(?:er|ere) (?:municipa\w*|de (?:ville|"
        r"district|quartier)))\b|\bchef (?:de |du )(?:police|la police|pompiers|cabinet)\b|\bdirect(?:eur|rice) general",
        r"\bwho (?:is|are) the (?:mayor|head|director|chief|president|councill?or)\b|\b(?:mayor|police chief|"
        r"city councill?or)\b",
    ),
)
GREETING = re.compile(
    r"^\W*(?:bonjour|bonsoir|salut|allo|allô|coucou|hello|hi|hey|merci(?: beaucoup)?|thanks?(?: you)?|"
    r"bonne (?:journee|soiree)|ok|d'accord|test(?:ing)?)\W*$"
)
# A person in danger or distress: the answer gives help lines first, whatever the plans say.
DISTRESS = Cue(
    "distress",
    (
        r"\bsuicid|\bme (?:tuer|suicider|faire du mal|faire mal)\b|\ben finir avec la vie\b|"
        r"\b(?:plus|pu|pas) (?:envie|le gout) de vivre\b|\bveux mourir\b|\bidees noires\b|\bdetresse\b|"
        r"\b(?:je suis|chu|suis) en danger\b|\b(?:il|elle|mon chum|ma blonde|mon mari|ma femme|mon conjoint|"
        r"ma conjointe) me (?:frappe|bat|menace)\b",
        r"\b(?:kill|hurt) myself\b|\bwant to die\b|\bi(?:'m| am) in danger\b",
    ),
)
# Kinds of facilities and projects: when the question names one the plans do not mention, the plans
# do not answer about it (« le stade de soccer intérieur »), whatever they say of the subject.
FACILITY_NOUNS = (
    "stade",
    "arena",
    "amphitheatre",
    "piscine",
    "pataugeoire",
    "jeux d'eau",
    "bibliotheque",
    "centre communautaire",
    "centre sportif",
    "centre aquatique",
    "centre de loisirs",
    "centre culturel",
    "pavillon",
    "complexe",
    "tramway",
    "metro",
    "pont",
    "tunnel",
    "autoroute",
    "echangeur",
    "skatepark",
    "planchodrome",
    "terrain de soccer",
    "terrain de baseball",
    "terrain de tennis",
    "terrain de pickleball",
    "patinoire",
    "gymnase",
    "caserne",
    "hotel de ville",
    "marche public",
    "anneau de glace",
    "universite",
    "module de jeux",
    "modules de jeux",
    "aire de jeux",
    "parc canin",
    "velodrome",
    "stadium",
    "arena",
    "library",
    "swimming pool",
    "bridge",
    "tramway",
)


# « où » that asks where (at the start of a sentence or after « c'est »), not the relative « un coin où … »;
# « ou » without its accent is « or ».
_WHERE = re.compile(r"(?:^|[.?!,;:]\s*|\bc'est\s+|\best\s+|\bsont\s+)où\b(?!\s*(?:que|qu'))|(?<!d')\boù\s*\?")


def asked_fact(question: str, folded: str, facility: str | None) -> Fact | None:
    """The fact asked that the plans never give, by the general cues of such questions."""
    if _WHERE.search(question.lower()):
        return Fact.PLACE  # « où » (« ou » without its accent is « or »)
    for fact, cue in (
        (Fact.HOURS, HOURS),
        (Fact.AMOUNT, AMOUNT),
        (Fact.DATE, DATE),
        (Fact.PLACE, PLACE),
        (Fact.PERSON, PERSON_NAME),
        (Fact.TARGET, TARGET),
    ):
        if cue.search(folded):
            return fact
    if facility:
        return Fact.FACILITY
    return None


def same_length_fold(text: str) -> str:
    """:func:`corpus.text.fold` character by character: positions match the original text."""
    return "".join((fold(c) or c)[:1] for c in text)


def unknown_facility(question: str, plan_text: str) -> str | None:
    """A facility or project the question names and the plans (``plan_text``, folded) never
    mention, in the question's own words (« stade de soccer », « bibliothèque Gabrielle-Roy »);
    None when the plans name it."""
    folded = same_length_fold(question)
    for noun in dict.fromkeys(FACILITY_NOUNS):
        m = re.search(rf"\b{re.escape(noun)}s?\b", folded)
        if m is None:
            continue
        # The noun and what names it: one word, or « de » and one word (« terrain de soccer »).
        q = re.match(r"(?:\s+(?:de |du |des |d')?([a-z][a-z-]*))?", folded[m.end() :])
        end = m.end()
        if q is not None and q.group(1) and q.group(1) not in stopwords() and "'" not in q.group(1):
            end = m.end() + q.end()
        named = folded[m.start() : end]
        # A facility named, not a kind of facility: « le stade … », « la bibliothèque Gabrielle-Roy »,
        # not « une piscine » or « des jeux d'eau ».
        definite = re.search(
            r"(?:\b(?:le|la|les|du|au|aux|ce|cet|cette|ces|notre|votre)|\bl')\s*(?:\w+\s+)?$",
            folded[: m.start()],
        )
        proper = question[m.end() : end].strip()[:1].isupper()
        if not (definite or proper):
            continue
        if not word_in(noun, plan_text) or not word_in(named, plan_text):
            return question[m.start() : end]
    return None


def asserted_amount(folded: str) -> bool:
    """The question states an amount of money (« 50 M$ », « 12 millions »)."""
    return bool(re.search(r"\d", folded)) and bool(
        re.search(
            r"\d\s*(?:\$|m\$|k\$)|\$\s*\d|\b\d+(?:[.,]\d+)?\s*(?:millions?|milliards?|dollars?)\b", folded
        )
    )


def asserted_years(folded: str) -> list[str]:
    """Years the question states on their own (« en 2027 »; not a period like « 2025-2030 »)."""
    return YEAR.findall(folded)


def claims_cancellation(folded: str) -> bool:
    return CANCELLED.search(folded) is not None


def is_gibberish(question: str, analysis: QueryAnalysis) -> bool:
    """No word the plans, the lexicon or French and English grammar know: « asdf qwerty », « ??? »."""
    tokens = [fold(w) for w in words(question)]
    if not any(t.isalpha() for t in tokens):
        return True
    stop = stopwords()
    if any(t in stop or t in ENGLISH_FUNCTION_WORDS for t in tokens):
        return False
    return len(analysis.unknown) == len([w for w in analysis.words if not w.isdigit()])
