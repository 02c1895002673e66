"""Recognisers of the kinds read from their context: civic addresses (a civic number and a street),
dates of birth (a date after « né le », « date de naissance », « born », « DOB »…) and names
introduced by the writer (« je m'appelle… », « mon nom est… », « my name is… », a signature).

The clean questions look alike (« l'action 37 », « 2025-2030 », « rue Saint-Jean » without a number,
« le 3 mars » without « né »), so each recogniser needs its anchor: a number followed by a street
type, a cue before a date, a cue before a name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from assistant.privacy.kinds import Span


# --- shared pieces -----------------------------------------------------------------------------
def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


_WORD = re.compile(r"\w+|#")


def words_of(text: str) -> frozenset[str]:
    """The lower-case words of ``text``, to skip the patterns whose cue words are absent."""
    return frozenset(_WORD.findall(text.lower()))


_UPPER = "A-ZÀ-ÖØ-Þ"
#: A word that starts with a capital (« Saint-Jean », « D'Youville », « Louis-XIV », « ÉRABLES »),
#: not a postal code's first half (« G1K ») nor « Est-ce ».
_CAP = rf"(?!Est-ce|EST-CE)(?:(?:St|Ste|Mgr)\.|[{_UPPER}](?!\d)(?:[\w'’-]*\w)?)"
_ORDINAL = r"\d{1,3}(?:e|re|er|ère|ème|eme|nd|rd|th|st)(?!\w)"
_PARTICLE = r"(?:(?i:de\s+la|de|du|des|la|le|les|of\s+the|of|the)\s+|(?i:de\s+l|d|l)['’])"
#: Lower-case words that end a street name or a name typed in lower case.
STOPWORDS = _wordset(
    """
    et est à a au aux de du des la le les l un une je j tu il elle on nous vous ils elles me moi mon
    ma mes ton ta son sa ses notre nos votre vos leur pis mais ou où donc car ni que qui quoi quand
    comment pourquoi sur sous dans en par pour avec sans chez vers depuis pendant près proche y ça ca
    ce cet cette c ici aussi très bien pas plus svp stp merci bonjour salut oui non suis ai chu jsuis
    j'ai j'habite j'aimerais habite reste vis demeure ai-je est-ce qu'est-ce au-dessus
    app appt appart appartement apt apartment unité unit suite bureau local logement porte
    and or but the a an i im i'm is am are was were be from in on at of to for with my your his her
    our their not no looking here just very so too also new living please thanks thank hi hello hey
    because since which who what how if that this there near by
    """
)
_LOWER_WORD = r"[a-zà-ÿ][\w'’-]*"

_MONTHS_FR = (
    r"janvier|janv|février|fevrier|févr|fevr|fév|fev|mars|avril|avr|mai|juin|juillet|juil|août|aout"
    r"|septembre|sept|octobre|oct|novembre|nov|décembre|decembre|déc|dec"
)
_MONTHS_EN = (
    r"january|jan|february|feb|march|mar|april|apr|may|june|jun|july|jul|august|aug|september|sept|sep"
    r"|october|oct|november|nov|december|dec"
)

# --- civic address -----------------------------------------------------------------------------
_APT = r"(?i:app(?:artement|art|t)?\.?|apt\.?|apartment|unité|unit|suite|bureau|local|logement|porte|\#)"
_CIVIC = r"(?<![\w.,/$-])(?:\d{1,5}-)?\d{1,5}(?:-?[A-Da-d])?(?![\w-])"
_APT_BEFORE = rf"(?:{_APT}[ \t]*\d{{1,5}}[A-Za-z]?[ \t]*,?[ \t]*)?"
_APT_AFTER = rf"(?:[ \t]*,?[ \t]*{_APT}[ \t]*\d{{1,5}}[A-Za-z]?(?!\w))?"
_DIRECTION = r"(?:[ \t]+(?:Est|Ouest|Nord|Sud|EST|OUEST|NORD|SUD|East|West|North|South|E|O|W|N|S)(?![\w-]))?"
#: Street types that anchor an address even when the street is typed in lower case.
_STRONG_TYPE = r"(?i:rue|avenue|av\.|ave\.?|boulevard|boul\.?|bd|blvd\.?|chemin|ch\.)"
#: Street types that are also ordinary words (« 1 place en CPE », « 2 côtes »): a capital must follow.
_WEAK_TYPE = (
    r"(?i:côte|cote|route|rte|rang|place|pl\.|terrasse|croissant|montée|montee|impasse|allée|allee"
    r"|promenade|autoroute|carré|carre|ruelle|sentier|parc|square|quai|voie)"
)
_CAP_TOKEN = rf"(?:{_CAP}|{_ORDINAL})"
_STOP = "|".join(sorted((re.escape(w) for w in STOPWORDS if "'" not in w), key=len, reverse=True))
_LOW_TOKEN = rf"(?!(?i:{_STOP})(?![\w-])){_LOWER_WORD}"
_CAP_NAME = rf"(?:{_PARTICLE})*+{_CAP_TOKEN}(?:[ \t]+(?:{_PARTICLE})*+{_CAP_TOKEN}){{0,4}}"
#: Particles are possessive (``*+``): « de la » read as « de » then « la » would backtrack
#: exponentially on a long run of particles.
_ANY_NAME = (
    rf"(?:{_PARTICLE})*+(?:{_CAP_TOKEN}|{_LOW_TOKEN})"
    rf"(?:[ \t]+(?:{_PARTICLE})*+(?:{_CAP_TOKEN}|{_LOW_TOKEN})){{0,3}}"
)
_EN_TYPE = (
    r"(?i:street|st\.?|avenue|ave\.?|road|rd\.?|boulevard|blvd\.?|drive|dr\.?|lane|ln\.?|crescent|cres\.?"
    r"|court|ct\.?|place|pl\.?|way|terrace|allée|allee|circle|parkway)"
)

_ADDRESS = re.compile(
    rf"""
    (?=\d|{_APT}) {_APT_BEFORE}{_CIVIC}
    (?:
        [ \t]*,?[ \t]+ (?i:de[ \t]+la[ \t]+)?
        (?: {_STRONG_TYPE}[ \t]+{_ANY_NAME} | {_WEAK_TYPE}[ \t]+{_CAP_NAME} )
      | [ \t]*,?[ \t]+ {_ORDINAL}[ \t]+(?i:avenue|av\.|rue)(?!\w)
      | [ \t]+ (?:{_CAP}[ \t]+){{1,3}}? {_EN_TYPE}(?![\w-])
    )
    {_DIRECTION}{_APT_AFTER}
    """,
    re.VERBOSE,
)
#: « au 760 de la Couronne »: no street type, so the number must follow « au », « habite »…
_ADDRESS_NO_TYPE = re.compile(
    rf"""
    (?i:\b(?:au|du|habite|reste|demeure|vis|vit|live\s+at))[ \t]+
    (?P<addr>{_CIVIC}[ \t]+
      (?:(?i:de\s+la|du|des)[ \t]+|(?i:de\s+l|d)['’]|(?=(?:Saint|Sainte|St|Ste)-[{_UPPER}]))
      {_CAP}(?:[ \t]+{_CAP}){{0,2}}{_DIRECTION}{_APT_AFTER})
    """,
    re.VERBOSE,
)
#: « sur la rue Bouvier au 1500 »: the street, then its number.
_ADDRESS_REVERSED = re.compile(
    rf"""
    (?:{_STRONG_TYPE}|{_WEAK_TYPE})[ \t]+{_CAP_NAME}
    [ \t]*,?[ \t]+(?i:au|au[ \t]+numéro|numéro|no\.?|n°|\#)[ \t]*{_CIVIC}
    (?![ \t]*(?i:{_MONTHS_FR}|ans?\b|%|\$))
    {_APT_AFTER}
    """,
    re.VERBOSE,
)
#: The words of the street types: a text without any is read by ``_ADDRESS_NO_TYPE`` alone (a
#: set look-up is much faster than the patterns' alternations).
_TYPE_WORDS = _wordset(
    """
    rue avenue av ave boulevard boul bd blvd chemin ch côte cote route rte rang place pl terrasse
    croissant montée montee impasse allée allee promenade autoroute carré carre ruelle sentier parc
    square quai voie street st road rd drive dr lane ln crescent cres court ct way terrace circle parkway
    """
)
_REVERSED_WORDS = frozenset({"au", "numéro", "numero", "no", "n", "#"})
#: A number that is a year or a reference, not a civic number (« En 2025, rue Saint-Jean »).
_NOT_CIVIC_BEFORE = re.compile(
    r"(?i:\b(?:en|in|depuis|since|d['’]ici|avant|après|dès|année|an|action|actions|objectif|mesure"
    r"|article|ligne|numéro|no|étape|phase|plan)\W*)\Z"
)


def addresses(text: str) -> Iterator[Span]:
    if not any(ch.isdigit() for ch in text):
        return
    words = words_of(text)
    if not words.isdisjoint(_TYPE_WORDS):
        for m in _ADDRESS.finditer(text):
            if _NOT_CIVIC_BEFORE.search(text, max(0, m.start() - 20), m.start()):
                continue
            yield Span(m.start(), m.end(), "address")
        if not words.isdisjoint(_REVERSED_WORDS):
            for m in _ADDRESS_REVERSED.finditer(text):
                yield Span(m.start(), m.end(), "address")
    for m in _ADDRESS_NO_TYPE.finditer(text):
        yield Span(m.start("addr"), m.end("addr"), "address")


# --- date of birth -----------------------------------------------------------------------------
_DAY_FR = r"(?:1er|\d{1,2})"
_DAY_EN = r"\d{1,2}(?:st|nd|rd|th)?"
#: « le 4 et le 6 juin 2015 », « 4, 5 et 6 juin »: several days before one month.
_DAYS_FR = rf"{_DAY_FR}(?:[ \t]*(?:,|et|&)[ \t]*(?:le[ \t]+)?{_DAY_FR})*"
_DAYS_EN = rf"{_DAY_EN}(?:[ \t]*(?:,|and|&)[ \t]*(?:the[ \t]+)?{_DAY_EN})*"
_YEAR = r"(?:\d{4}|\d{2})(?!\d)"
_DATE = rf"""(?:
    \d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}
  | \d{{1,2}}[-/.]\d{{1,2}}[-/.]{_YEAR}
  | {_DAYS_FR}[ \t]+(?:{_MONTHS_FR})\b\.?(?:[ \t]+{_YEAR})?
  | (?:{_MONTHS_EN})\b\.?[ \t]+{_DAYS_EN}(?:,?[ \t]+{_YEAR})?
  | {_DAYS_EN}[ \t]+(?:of[ \t]+)?(?:{_MONTHS_EN})\b\.?(?:,?[ \t]+{_YEAR})?
)(?!\d)"""
_BIRTH = re.compile(
    rf"""
    (?:\bn[ée](?:\(e\)|e)?s?|\bborn|\bdate[ \t]+de[ \t]+naissance|\bdate[ \t]+of[ \t]+birth|\bbirth[ \t]*date
      |\bbirthday|\bD\.?O\.?B\b\.?|\bD\.?D\.?N\b\.?)
    (?:(?:[ \t]+[\w'’]+){{1,3}}?[ \t]*[:=])?
    [ \t:=-]*(?:(?:le|on|is|est|was|the)[ \t]+)?
    (?P<date>(?:en[ \t]+\d{{4}}[ \t]*,?[ \t]*(?:le[ \t]+)?)?{_DATE})
    """,
    re.VERBOSE | re.IGNORECASE,
)


def birth_dates(text: str) -> Iterator[Span]:
    if not any(ch.isdigit() for ch in text):
        return
    for m in _BIRTH.finditer(text):
        yield Span(m.start("date"), m.end("date"), "birth_date")


# --- names -------------------------------------------------------------------------------------
#: Cues after which the next words are a name, in lower case too.
_STRONG_NAME_CUE = (
    r"j(?:e|')?[ \t]*m['’ ]?[ \t]*app?ell?e|mon[ \t]+nom[ \t]+(?:est|c['’]est)|mon[ \t]+pr[ée]nom[ \t]+(?:est|c['’]est)"
    r"|je[ \t]+me[ \t]+nomme|je[ \t]+me[ \t]+pr[ée]sente[ \t]*:?|my[ \t]+name(?:[ \t]+is|['’]s)|(?:mon|ma|mes|notre|son|sa)[ \t]+[\w-]+[ \t]+s['’]appellen?t?"
    r"|(?:il|elle)[ \t]+s['’]appelle|(?:nom|pr[ée]nom|name|sign[ée]e?)[ \t]*:|sign[ée]e?(?=[ \t]+[A-ZÀ-Þ])"
)
#: Cues after which only capitalised words are a name (« I'm looking » is no name).
_WEAK_NAME_CUE = (
    r"moi[ \t]+c['’]est|i['’]m|i[ \t]+am|au[ \t]+nom[ \t]+de|call[ \t]+me|appelez-moi"
    r"|(?:bonjour|bonsoir|allo|allô|salut|hi|hello|hey)[ \t]*[!,.]?[ \t]*(?:ici|c['’]est|it['’]s)|^[ \t]*ici"
    r"|de[ \t]+la[ \t]+part[ \t]+de|on[ \t]+behalf[ \t]+of"
    r"|(?:mon|ma|my)[ \t]+(?:fille|fils|mère|mere|père|pere|conjoint|conjointe|mari|femme|chum|blonde|frère"
    r"|frere|sœur|soeur|voisin|voisine|garçon|garcon|enfant|petite-fille|petit-fils|grand-mère|grand-père"
    r"|daughter|son|wife|husband|mother|father|neighbour|neighbor|partner)"
)
_SIGNATURE_CUE = (
    r"merci(?:[ \t]+beaucoup)?|cordialement|salutations|bien[ \t]+à[ \t]+vous|regards|best[ \t]+regards"
    r"|thanks|thank[ \t]+you|sincerely"
)
_NAME_CUE = re.compile(
    rf"\b(?:(?P<strong>{_STRONG_NAME_CUE})|(?P<weak>{_WEAK_NAME_CUE})|(?P<sign>{_SIGNATURE_CUE})[ \t]*[,!.]?)"
    r"(?=[ \t]|$)",
    re.IGNORECASE,
)
_NAME_TOKEN = re.compile(r"[ \t]+([^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_]))*)")
_TITLES = _wordset("m m. mme mlle mr mr. mrs mrs. ms ms. dr dr. monsieur madame")
#: Capitalised words after « I'm » or « moi c'est » that are no name.
_NOT_NAMES = _wordset(
    """
    canadian québécois québécoise quebecois quebecoise quebecer french english francophone anglophone
    retired retraité retraitée new not from the a an in at
    interested looking wondering trying asking writing calling sure worried concerned glad happy
    sorry disabled pregnant single unemployed homeless living curious currently also just really
    monday tuesday wednesday thursday friday saturday sunday tomorrow today tonight
    lundi mardi mercredi jeudi vendredi samedi dimanche demain
    """
)
_SIGNATURE_END = re.compile(r"[ \t]*[.!]*[ \t]*\Z")
#: After « moi c'est X », a relative clause makes X the subject of the sentence, not a name
#: (« moi c'est Limoilou qui m'intéresse »).
_CLEFT = re.compile(r"[ \t]+qu(?:i|e|')", re.IGNORECASE)
#: « c'est Marc Tremblay qui écrit »: a name by the verb that follows it.
_WRITER = re.compile(
    rf"\bc['’]est[ \t]+(?P<name>{_CAP}(?:[ \t]+{_CAP}){{0,2}})[ \t]+qui[ \t]+(?:vous[ \t]+)?"
    r"(?i:écri|ecri|parl|pos|demand|t[ée]l[ée]phon|appell?|vous)"
)
#: « Jessica Lee here », at the start or after a greeting.
_HERE = re.compile(
    rf"(?:^|(?i:hello|hi|hey|bonjour|allo|salut)[ \t]*[!,.]?)[ \t]*(?P<name>{_CAP}(?:[ \t]+{_CAP}){{0,2}}),?[ \t]+here\b"
)
#: « mon nom est Gagnon, Marie »: the surname, a comma, the given name ending the clause.
_GIVEN_AFTER_COMMA = re.compile(rf",[ \t]*(?P<given>{_CAP})(?=[ \t]*(?:[.!?;]|\Z))")
_MAX_NAME_WORDS = 4


def _name_after(text: str, pos: int, capitalised_only: bool) -> tuple[int, int] | None:
    """The span of the name that starts after ``pos``: up to four words, titles skipped; in lower
    case only after a strong cue, and then all in lower case."""
    start = end = -1
    words = 0
    lower_mode = False
    while words < _MAX_NAME_WORDS:
        m = _NAME_TOKEN.match(text, pos)
        if not m:
            break
        word = m.group(1)
        low = word.lower()
        if start < 0 and (low in _TITLES or low.rstrip(".") in _TITLES):
            pos = m.end() + (1 if text.startswith(".", m.end()) else 0)
            continue
        if low in STOPWORDS or (low in _NOT_NAMES and (start < 0 or capitalised_only)):
            break
        capital = word[0].isupper()
        if start < 0:
            if not capital and capitalised_only:
                return None
            lower_mode = not capital
        elif capital == lower_mode:
            break
        if lower_mode and words >= 3:
            break
        if start < 0:
            start = m.start(1)
        end = m.end(1)
        words += 1
        pos = m.end()
    return (start, end) if start >= 0 else None


#: Two or three capitalised words alone before a comma and another piece of personal information
#: (« Karine Dufour, 2200 boul. Wilfrid-Hamel, … »): a name in a list of contact details.
_LISTED_NAME = re.compile(
    rf"(?:^|[:;(]|\n)[ \t]*(?P<name>[{_UPPER}][^\W\d_'’-]*(?:['’-][^\W\d_]+)*(?:[ \t]+[{_UPPER}][^\W\d_'’-]*(?:['’-][^\W\d_]+)*){{1,2}})[ \t]*,[ \t]*\Z"
)


#: The words of the cues (« je m'appelle », « I'm », « merci »…): without one, no cue can match.
_NAME_CUE_WORDS = _wordset(
    """
    appelle mappelle jmappelle apelle appele mapelle nom name présente presente part behalf it c nomme prénom prenom moi i im ici call appelez signé signe
    signée signee merci cordialement salutations vous regards thanks thank sincerely fille fils mère
    mere père pere conjoint conjointe mari femme chum blonde frère frere sœur soeur voisin voisine
    garçon garcon enfant daughter son wife husband mother father neighbour neighbor partner
    """
)


def names(text: str) -> Iterator[Span]:
    words = words_of(text)
    cues = _NAME_CUE.finditer(text) if not words.isdisjoint(_NAME_CUE_WORDS) else iter(())
    for m in cues:
        if m.group("sign"):
            # A signature ends the message; one word only after a comma (« Merci Québec! » is none).
            found = _name_after(text, m.end(), capitalised_only=True)
            if (
                found
                and _SIGNATURE_END.match(text, found[1])
                and (" " in text[found[0] : found[1]] or m.group().rstrip().endswith((",", ".", "!")))
            ):
                yield Span(found[0], found[1], "name")
            continue
        weak = bool(m.group("weak"))
        found = _name_after(text, m.end(), capitalised_only=weak)
        if not found or (weak and _CLEFT.match(text, found[1])):
            continue
        start, end = found
        if not weak and " " not in text[start:end]:
            given = _GIVEN_AFTER_COMMA.match(text, end)
            if given:
                end = given.end("given")
        yield Span(start, end, "name")
    for pattern, word in ((_WRITER, "qui"), (_HERE, "here")):
        if word not in words:
            continue
        for m in pattern.finditer(text):
            found_words = m.group("name").split()
            if not any(w.lower() in STOPWORDS or w.lower() in _NOT_NAMES for w in found_words):
                yield Span(m.start("name"), m.end("name"), "name")


def listed_names(text: str, others: Iterable[Span]) -> Iterator[Span]:
    """Names listed just before another piece of personal information (see ``_LISTED_NAME``)."""
    for span in others:
        if span.kind in ("address", "phone", "email", "postal_code"):
            m = _LISTED_NAME.search(text, max(0, span.start - 80), span.start)
            if m:
                words = m.group("name").split()
                if not any(w.lower() in STOPWORDS for w in words):
                    yield Span(m.start("name"), m.end("name"), "name")
