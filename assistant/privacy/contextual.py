"""Recognisers of the kinds read from their context: civic addresses (a civic number and a street),
dates of birth (a date after « né le », « date de naissance », « born », « DOB », « ma fête »…, or
before « c'est ma date de naissance ») and names introduced by the writer (« je m'appelle… », « mon
nom est… », « my name is… », « je suis… », « ma mère… », « Mme… », a signature). Names without any
lead-in are the person-name model's (:mod:`assistant.privacy.persons`).

The clean questions look alike (« l'action 37 », « 2025-2030 », « rue Saint-Jean » without a number,
« le 3 mars » without « né »), so each recogniser needs its anchor: a number followed by a street
type, a cue before a date, a cue before a name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from assistant.privacy.kinds import Span
from assistant.privacy.vocabulary import common_word, known_word, public_figure
from assistant.privacy.vocabulary import wordset as _wordset

# --- shared pieces -----------------------------------------------------------------------------
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
#: « mon adresse : 55 Saint-Cyrille », « I live at 55 saint-cyrille »: a cue that says an address
#: follows, so the street's name needs no type.
_ADDRESS_CUE = (
    r"(?:adresse|address|domicile)(?:[ \t]+(?:est|is|c['’]est|civique|postale|complète|home))*[ \t]*[:=]?"
    r"|(?:habite|habitons|habitent|reste|restons|restent|demeure|demeurons|demeurent|vis|vit|vivons|vivent)"
    r"[ \t]+(?:au|à|a)|(?:live|living|lives|located|reside|resides)[ \t]+at"
)
#: Words after a number that make it a quantity, not a civic number (« j'habite à 2 minutes »).
_NOT_STREET = (
    r"ans?|années?|étages?|etages?|minutes?|min|km|kilomètres?|mètres?|metres?|m|heures?|h|fois|personnes|enfants"
    r"|logements?|pieds|jours?|mois|semaines?|dollars?|places?|chambres?|pièces?|pieces?|portes?|coins?"
    r"|years?|months?|weeks?|days?|people|kids|floors?|blocks?|minutes?|miles?|feet"
)
_ADDRESS_CUED = re.compile(
    rf"""
    (?i:\b(?:{_ADDRESS_CUE}))[ \t]*(?:(?i:le|au|at)[ \t]+)?
    (?P<addr>{_APT_BEFORE}{_CIVIC}[ \t]*,?[ \t]+(?!(?i:{_NOT_STREET})(?![\w'’-])){_ANY_NAME}{_DIRECTION}{_APT_AFTER})
    """,
    re.VERBOSE,
)
_ADDRESS_CUE_WORDS = _wordset(
    """
    adresse address domicile habite habitons habitent reste restons restent demeure demeurons demeurent
    vis vit vivons vivent live living lives located reside resides
    """
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
    if not words.isdisjoint(_ADDRESS_CUE_WORDS):
        for m in _ADDRESS_CUED.finditer(text):
            yield Span(m.start("addr"), m.end("addr"), "address")


# --- date of birth -----------------------------------------------------------------------------
_DAY_FR = r"(?:1er|\d{1,2})"
_DAY_EN = r"\d{1,2}(?:st|nd|rd|th)?"
#: « le 4 et le 6 juin 2015 », « 4, 5 et 6 juin »: several days before one month.
_DAYS_FR = rf"{_DAY_FR}(?:[ \t]*(?:,|et|&)[ \t]*(?:le[ \t]+)?{_DAY_FR})*"
_DAYS_EN = rf"{_DAY_EN}(?:[ \t]*(?:,|and|&)[ \t]*(?:the[ \t]+)?{_DAY_EN})*"
_YEAR = r"(?:\d{4}|['’]?\d{2})(?!\d)"
_SEP = r"[ \t]*[-/.][ \t]*"
_DATE = rf"""(?:
    \d{{4}}{_SEP}\d{{1,2}}{_SEP}\d{{1,2}}
  | \d{{1,2}}{_SEP}\d{{1,2}}{_SEP}{_YEAR}
  | \d{{1,2}}[-/.](?:{_MONTHS_FR}|{_MONTHS_EN})\.?[-/.]{_YEAR}
  | {_DAYS_FR}[ \t]+(?:{_MONTHS_FR})\b\.?(?:,?[ \t]+{_YEAR})?
  | (?:{_MONTHS_EN})\b\.?[ \t]+{_DAYS_EN}(?:,?[ \t]+{_YEAR})?
  | {_DAYS_EN}[ \t]+(?:of[ \t]+)?(?:{_MONTHS_EN})\b\.?(?:,?[ \t]+{_YEAR})?
)(?!\d)"""
#: What says that a date is someone's birth: « né(e) », « born », « date de naissance », « DDN »,
#: « DOB », « ma fête », « mon anniversaire », « my birthday ».
_BIRTH_CUE = r"""(?:\bn[ée](?:\(e\)|e)?s?|\bborn|\bdate[ \t]+de[ \t]+naissance|\bdate[ \t]+of[ \t]+birth
      |\bbirth[ \t]*date|\bbirthday|\bb-?day|\bD\.?O\.?B\b\.?|\bD\.?D\.?N\b\.?|\bnaissance|\bnaiss\.
      |\b(?:ma|sa|ta|my|his|her|your)[ \t]+f[êe]te|\b(?:mon|son|ton)[ \t]+anniversaire)"""
#: Between the cue and the date: a label (« date de naissance de ma mère : »), a place of birth
#: (« née à Rimouski le »), linking words (« c'est le », « is on »).
_BIRTH_LINK = r"""
    (?:(?:[ \t]+[\w'’]+){1,3}?[ \t]*[:=])?
    (?:[ \t]+(?:à|a|au|in|at)[ \t]+(?:[\w'’-]+[ \t]*,?[ \t]*){1,3}?(?=(?:le|on)[ \t]))?
    (?:[ \t:=,-]*(?:le|on|is|est|was|the|c['’]est|c['’]était|c['’]etait|tombe|falls|ce[ \t]+sera)(?![\w'’]))*
    [ \t:=,-]*"""
_BIRTH = re.compile(
    rf"""
    {_BIRTH_CUE}{_BIRTH_LINK}
    (?P<date>(?:en[ \t]+\d{{4}}[ \t]*,?[ \t]*(?:le[ \t]+)?)?{_DATE})
    """,
    re.VERBOSE | re.IGNORECASE,
)
#: The date first, its cue after: « 1952-07-14 (date de naissance) », « 3 mars 1948, c'est ma fête ».
_BIRTH_AFTER = re.compile(
    rf"""
    (?P<date>{_DATE})[ \t]*[,(:-]?[ \t]*(?:(?:c['’]est|est|is|=)[ \t]+)?
    (?:(?:(?:ma|my|sa|his|her|la|the)[ \t]+)?(?:date[ \t]+de[ \t]+naissance|date[ \t]+of[ \t]+birth|birth[ \t]*date
        |D\.?D\.?N\b|D\.?O\.?B\b)
      |(?:ma|my|sa|his|her)[ \t]+(?:f[êe]te|birthday)|(?:mon|son)[ \t]+anniversaire)
    """,
    re.VERBOSE | re.IGNORECASE,
)


def birth_dates(text: str) -> Iterator[Span]:
    if not any(ch.isdigit() for ch in text):
        return
    for pattern in (_BIRTH, _BIRTH_AFTER):
        for m in pattern.finditer(text):
            yield Span(m.start("date"), m.end("date"), "birth_date")


# --- names -------------------------------------------------------------------------------------
#: Cues after which the next words are a name, in lower case too.
_STRONG_NAME_CUE = (
    r"j(?:e|')?[ \t]*m['’ ]?[ \t]*app?ell?e|mon[ \t]+nom[ \t]+(?:est|c['’]est)|mon[ \t]+pr[ée]nom[ \t]+(?:est|c['’]est)"
    r"|je[ \t]+me[ \t]+nomme|je[ \t]+me[ \t]+pr[ée]sente[ \t]*:?|my[ \t]+name(?:[ \t]+is|['’]s)|(?:mon|ma|mes|notre|son|sa)[ \t]+[\w-]+[ \t]+s['’]appellen?t?"
    r"|(?:il|elle)[ \t]+s['’]appelle|(?:nom|pr[ée]nom|name|sign[ée]e?)[ \t]*:|sign[ée]e?(?=[ \t]+[A-ZÀ-Þ])"
)
#: Cues after which only capitalised words are a name (« I'm looking » is no name), and not words
#: of the plans or places (« je suis Membre du conseil », « this is Limoilou's plan »).
_WEAK_NAME_CUE = (
    r"moi[ \t]+c['’]est|i['’]m|i[ \t]+am|au[ \t]+nom[ \t]+de|call[ \t]+me|appelez-moi|je[ \t]+suis|j['’]suis"
    r"|c['’]est[ \t]+(?:encore[ \t]+)?moi[ \t]*,|it['’]s[ \t]+(?:just[ \t]+)?me[ \t]*,"  # « C'est moi, Réal Caron, qui… »
    r"|this[ \t]+is|(?:bonjour|bonsoir|allo|allô|salut|hi|hello|hey)[ \t]*[!,.]?[ \t]*(?:ici|c['’]est|it['’]s)"
    r"|^[ \t]*ici|de[ \t]+la[ \t]+part[ \t]+de|on[ \t]+behalf[ \t]+of|envoyé[ \t]+par|écrit[ \t]+par"
    r"|sent[ \t]+by|written[ \t]+by|from[ \t]+(?=[A-ZÀ-Þ]\w*[ \t]+[A-ZÀ-Þ]\w*[ \t]*(?:[,.!]|$))"
    r"|rappelez|appelez|contactez|joignez|textez|demandez|call|contact|text|e-?mail|ask[ \t]+for"
    r"|monsieur|madame|mademoiselle|mme|mlle|m\.|mr\.?|mrs\.?|ms\.?|dr\.?|docteure?"
)
#: A relative before the name (« ma mère Huguette Bouchard qui… »): the clause is about the person.
_KIN_CUE = (
    r"(?:(?:mon|ma|my|notre|our)[ \t]+(?:fille|fils|mère|mere|père|pere|maman|papa|conjoint|conjointe|mari|femme"
    r"|chum|blonde|copain|copine|amoureux|amoureuse|époux|epoux|épouse|epouse|frère|frere|sœur|soeur|voisin"
    r"|voisine|garçon|garcon|enfant|petite-fille|petit-fils|grand-mère|grand-mere|grand-père|grand-pere"
    r"|mamie|papi|tante|oncle|cousin|cousine|neveu|nièce|niece|beau-père|beau-pere|belle-mère|belle-mere"
    r"|beau-frère|beau-frere|belle-sœur|belle-soeur|ami|amie|collègue|collegue|patron|patronne|proprio"
    r"|propriétaire|proprietaire|locataire|coloc|colocataire|daughter|son|kid|wife|husband|mother|mom|mum"
    r"|mommy|father|dad|daddy|grandmother|grandma|grandfather|grandpa|brother|sister|aunt|uncle|nephew"
    r"|friend|boyfriend|girlfriend|neighbour|neighbor|partner|landlord|landlady|tenant|roommate|colleague"
    r"|coworker|boss)"
    r"|(?:mes|nos|my|our)[ \t]+(?:parents|enfants|voisins|voisines|grands-parents|amis|amies|proprios|kids"
    r"|children|parents|grandparents|neighbours|neighbors|friends|roommates)"
    r")(?:[ \t]*,)?"
)
_SIGNATURE_CUE = (
    r"merci(?:[ \t]+beaucoup|[ \t]+à[ \t]+l['’]avance|[ \t]+d['’]avance)?|cordialement|salutations"
    r"|bien[ \t]+à[ \t]+vous|amicalement|respectueusement|au[ \t]+plaisir|bonne[ \t]+(?:journée|soirée)"
    r"|(?:best|kind|warm)[ \t]+regards|regards|best|thanks(?:[ \t]+in[ \t]+advance)?|thank[ \t]+you|sincerely|cheers"
    r"|(?<![\w-])--?(?=[ \t]*[A-ZÀ-Þ])"
)
_NAME_CUE = re.compile(
    rf"(?:\b(?:(?P<strong>{_STRONG_NAME_CUE})|(?P<weak>{_WEAK_NAME_CUE})|(?P<kin>{_KIN_CUE}))"
    rf"|(?:\b|(?<![\w-])(?=-))(?P<sign>{_SIGNATURE_CUE})[ \t]*[,!.]?)"
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
    important unimportant irrelevant confidential private secret withheld unknown anonymous none nobody
    confidentiel confidentielle privé privée secret inconnu inconnue anonyme personne importe
    maybe back later soon anytime asap
    """
)
_SIGNATURE_END = re.compile(r"[ \t]*[.!]*[ \t]*\Z")
#: After « moi c'est X », a relative clause makes X the subject of the sentence, not a name
#: (« moi c'est Limoilou qui m'intéresse »).
_CLEFT = re.compile(r"[ \t]+qu(?:i|e|')", re.IGNORECASE)
#: « c'est Marc Tremblay qui écrit »: a name by the verb that follows it.
_WRITER = re.compile(
    rf"\bc['’]est[ \t]+(?P<name>{_CAP}(?:[ \t]+{_CAP}){{0,2}}|{_LOWER_WORD}(?:[ \t]+{_LOWER_WORD}){{0,2}})"
    r"[ \t]+qui[ \t]+(?:vous[ \t]+)?"
    r"(?i:écri|ecri|parl|pos|demand|t[ée]l[ée]phon|appell?|vous)"
)
#: « Jessica Lee here », « Ginette Laflamme ici », at the start of a sentence or after a greeting.
_HERE = re.compile(
    rf"(?:^|[.!?\n][ \t]*|\b(?i:hello|hi|hey|bonjour|bonsoir|allo|allô|salut)\b[ \t]*[!,.]?)[ \t]*"
    rf"(?P<name>{_CAP}(?:[ \t]+{_CAP}){{0,2}}),?[ \t]+(?i:here|ici|speaking|à[ \t]+l['’]appareil)\b"
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
    signée signee merci cordialement salutations vous regards thanks thank sincerely suis jsuis this
    amicalement respectueusement plaisir bonne cheers mon ma mes my notre nos our envoyé écrit sent written
    from rappelez appelez contactez joignez textez demandez contact text email e-mail ask best
    monsieur madame mademoiselle mme mlle m mr mrs ms dr docteur docteure
    """
)


_NAME_WORD = re.compile(r"[^\W\d_]{2,}(?:[-'’][^\W\d_]+)*")


def _known(text: str, found: tuple[int, int]) -> bool:
    """Every word of ``text[found]`` is a word of the plans, a place or an organisation, or a word
    of a closing, a role or a mood (« Bonne Soirée », « Next Door »)."""
    return all(common_word(w) for w in _NAME_WORD.findall(text, found[0], found[1]))


def _shouted(text: str, found: tuple[int, int]) -> bool:
    """``text[found]`` is typed in capitals and is one word, or holds a plan word or a common word
    (« JE SUIS TANNÉE », « JE SUIS PROPRIÉTAIRE D'UN TRIPLEX »): in a message typed in capitals,
    what follows « je suis » or « I am » is as often a mood or a role as a name."""
    words = _NAME_WORD.findall(text, found[0], found[1])
    if not words or not all(w.isupper() for w in words):
        return False
    return len(words) == 1 or any(common_word(w) for w in words)


def names(text: str) -> Iterator[Span]:
    words = words_of(text)
    cued = not words.isdisjoint(_NAME_CUE_WORDS) or "-" in text
    for m in _NAME_CUE.finditer(text) if cued else iter(()):
        if m.group("sign"):
            # A signature ends the message; one word only after a comma (« Merci Québec! » is none).
            found = _name_after(text, m.end(), capitalised_only=True)
            if (
                found
                and _SIGNATURE_END.match(text, found[1])
                and (" " in text[found[0] : found[1]] or m.group().rstrip().endswith((",", ".", "!")))
                and not _known(text, found)
            ):
                yield Span(found[0], found[1], "name")
            continue
        weak = bool(m.group("weak") or m.group("kin"))
        found = _name_after(text, m.end(), capitalised_only=weak)
        if (
            not found
            or (weak and (_known(text, found) or public_figure(text, *found)))
            or (m.group("weak") and (_CLEFT.match(text, found[1]) or _shouted(text, found)))
        ):
            continue
        start, end = found
        if not weak and " " not in text[start:end]:
            given = _GIVEN_AFTER_COMMA.match(text, end)
            if given:
                end = given.end("given")
        yield Span(start, end, "name")
        second = _AND_NAME.match(text, end)
        if second and not _known(text, second.span("name")):
            yield Span(second.start("name"), second.end("name"), "name")
    for pattern, cue_words in ((_WRITER, {"qui"}), (_HERE, {"here", "ici", "speaking", "appareil"})):
        if words.isdisjoint(cue_words):
            continue
        for m in pattern.finditer(text):
            found_words = m.group("name").split()
            if not any(w.lower() in STOPWORDS or w.lower() in _NOT_NAMES for w in found_words) and not _known(
                text, m.span("name")
            ):
                yield Span(m.start("name"), m.end("name"), "name")


#: A second person after the first (« mes parents Paul et Rita Bouchard »).
_AND_NAME = re.compile(rf"[ \t]+(?:et|and|&)[ \t]+(?P<name>{_CAP}(?:[ \t]+{_CAP}){{0,2}})")
#: A given name joined to a full name (« Paul et Rita Bouchard », « John and Mary Smith »).
_JOINED_GIVEN_NAME = re.compile(rf"(?<![\w'’-])(?P<name>{_CAP})[ \t]+(?:et|and|&)[ \t]+\Z")


def listed_names(text: str, others: Iterable[Span]) -> Iterator[Span]:
    """Names listed just before another piece of personal information (see ``_LISTED_NAME``), and
    a given name joined to a name found (see ``_JOINED_GIVEN_NAME``)."""
    for span in others:
        if span.kind == "name":
            m = _JOINED_GIVEN_NAME.search(text, max(0, span.start - 40), span.start)
            word = m.group("name") if m else ""
            if m and word.lower() not in STOPWORDS | _NOT_NAMES and not known_word(word):
                yield Span(m.start("name"), m.end("name"), "name")
        elif span.kind in ("address", "phone", "email", "postal_code"):
            m = _LISTED_NAME.search(text, max(0, span.start - 80), span.start)
            if m:
                words = m.group("name").split()
                if not any(w.lower() in STOPWORDS for w in words):
                    yield Span(m.start("name"), m.end("name"), "name")
