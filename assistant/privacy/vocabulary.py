"""Words that are not people's names although they are capitalised: the plans' own vocabulary
(units, organisations, places, the words of their questions) and the places and organisations of
Québec that citizens name.

A person-name model tags « Moisson Québec », « Saint-Sacrement » or « Ville de Québec » as persons
now and then; a name made only of these words is not redacted. The plans' words are read from the
corpus folder (``PLAN_ASSISTANT_CORPUS_DIR``) once, on first use, so that a new plan's places and
units are known without code.

Also here: the common words of closings, roles and moods that are no name (« Bonne Soirée »,
« Concerned Resident »), the places named after a person (« Gabrielle-Roy », hyphens or not), and
the public figures (:func:`public_figure`: named with or beside a public office, or known by name),
whom the annotation conventions do not count as personal information.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

from corpus.settings import CorpusSettings
from corpus.text import fold


def wordset(words: str) -> frozenset[str]:
    """The words of a list written one after the other (easier to read and edit than a literal)."""
    return frozenset(words.split())


#: Places and organisations of Québec (City, region, province) and common services, folded: what
#: citizens name beside the plans and what a name model may take for a person.
PLACES_AND_ORGANISATIONS = wordset(
    """
    quebec québec quebecois montreal montréal levis lévis laval gatineau sherbrooke saguenay rimouski
    trois-rivieres ottawa toronto canada ontario wendake loretteville val-belair cap-rouge sillery
    sainte-foy charlesbourg beauport limoilou vanier duberger saules lebourgneuf neufchatel lairet
    maizerets montcalm saint-roch saint-sauveur saint-jean-baptiste vieux-quebec haute-ville nouvelle-france
    basse-ville vieux-limoilou vieux-port ancienne-lorette l'ancienne-lorette saint-augustin
    lac-saint-charles stoneham boischatel ile-d'orleans orleans beauce charlevoix portneuf
    capitale-nationale chaudiere-appalaches laurentides estrie gaspesie abitibi outaouais
    moisson centraide desjardins croix-rouge salut armee ymca ywca patro roc-amadour lauberiviere
    revivre carrefour fondation frontenac laurier jean-lesage charest dufferin montmorency
    wilfrid-hamel hamel cartier maguire myrand grande-allee rene-levesque champlain chemin
    saint-jean saint-joseph saint-paul saint-vallier saint-cyrille saint-sacrement
    rivieres visa mastercard amex interac paypal
    expocite videotron vidéotron hydro-quebec loto-quebec tele-quebec retraite revenu services emploi
    emploi-quebec info-sante info-social sante clic ciusss clsc chsld cpe hlm omhq rtc saaq ramq rrq
    sepaq cnesst tal dpj spvq ulaval cegep universite universite-laval garneau
    ville city conseil council quartier arrondissement municipalite municipality province
    gouvernement government ministere ministry service
    """
)

#: Businesses and institutions named after a person, folded, whole (« Jean Coutu »).
NAMED_AFTER_PEOPLE = frozenset(
    """
    jean coutu|tim hortons|st-hubert|saint-hubert|jeffery hale|marie-victorin|lucien-borne
    wilfrid-hamel|jean-lesage|rené-lévesque|alphonse-desjardins|louis-hébert|pierre-bertrand
    gabrielle-roy|cartier-brébeuf|joseph-françois-perrault|jean-roger-durand|frédéric-back
    claire-martin|jean-paul-l'allier|albert-rousseau|paul-triquet|jacques-côté|camille-roy
    léon-provancher|noël-brulart|henri-bourassa|charles-rodrigue|marie-rollet|marie-guyart
    jean-de-brébeuf|françois-xavier-garneau|charles-garnier|jules-dallaire|jean-lapointe
    jean-béliveau|bonhomme carnaval|père noël|mère teresa|nelson mandela
    """.replace("\n", "|").split("|")
)

#: Capitalised words that are no name although a person-name model or a cue may take them for one:
#: closings (« Bonne Journée », « Salutations Distinguées »), roles and moods in a signature
#: (« Cordialement, Une Citoyenne Inquiète », « Thanks, Concerned Resident », « I am a Single Mom »),
#: professions after « je suis » (« Je suis Infirmière au CHUL »). A candidate made only of these
#: and of plan words is none (« Noël » alone is among them, « Noël Tremblay » is a name).
COMMON_WORDS = wordset(
    """
    fête fete fêtes fetes festival bonne bon belle journée journee soirée soiree fin semaine week-end
    weekend salutations distinguées distinguees sincères sinceres amitiés amities respect regards
    greetings wishes day evening morning
    citoyen citoyenne citoyens citoyennes résident résidente résidents résidentes resident residente
    residents locataire locataires propriétaire proprietaire propriétaires proprietaires
    contribuable contribuables électeur électrice electeur electrice usager usagère usagere
    inquiet inquiète inquiete inquiets inquiètes fâché fâchée fache fachee tanné tannée tanne tannee
    découragé découragée decourage decouragee épuisé épuisée epuise epuisee désespéré désespérée
    mère mere père pere maman papa parent parents famille monoparentale monoparental seule seul
    aîné aînée aine ainee retraité retraitée retraite retraitee étudiant étudiante etudiant etudiante
    bénévole benevole membre membres groupe équipe equipe comité comite collectif anonyme anonymes
    personne quelqu'un citizen citizens concerned worried angry frustrated tired exhausted desperate
    taxpayer voter tenant tenants owner homeowner landlord single mom mum mother dad father parent
    senior seniors student retiree volunteer member team group committee family anonymous neighbour
    neighbor next door user longtime long-time fellow proud local
    joyeux joyeuse joyeuses heureux heureuse happy merry new year année annee noël noel
    you very much all everyone everybody guys folks tous toutes gang
    infirmière infirmiere infirmier préposée preposee préposé prepose travailleuse travailleur
    intervenante intervenant éducatrice educatrice éducateur educateur enseignante enseignant
    professeure professeur médecin medecin pharmacienne pharmacien avocate avocat ingénieure
    ingenieure ingénieur ingenieur technicienne technicien secrétaire secretaire commis caissière
    caissiere caissier chauffeuse chauffeur cuisinière cuisiniere cuisinier concierge agente agent
    policière policiere policier pompière pompiere pompier nurse teacher doctor worker caregiver
    proche aidante aidant
    """
)

#: Public figures named without their title (« Est-ce que Bruno Marchand va répondre? »): elected
#: people of the City, the province and the country, and the historical figures places are named
#: after, folded, whole. The annotation conventions count a public figure as no personal
#: information.
PUBLIC_FIGURES = frozenset(
    """
    bruno marchand|régis labeaume|jean-paul l'allier|andrée boucher|françois legault|justin trudeau
    mark carney|pierre poilievre|valérie plante|geneviève guilbault|jonatan julien|sol zanetti
    gabriel nadeau-dubois|paul st-pierre plamondon|dominique anglade|france-élaine duranceau
    jean-yves duclos|joël lightbound|claude villeneuve|pierre-luc lachance|mario asselin
    jacques cartier|samuel de champlain|jean lesage|rené lévesque|maurice duplessis|wilfrid laurier
    louis-joseph papineau|gabrielle roy|félix leclerc|jean-paul riopelle|marie de l'incarnation
    marguerite bourgeoys|françois de laval|louis jolliet|louis hébert|jean talon|james wolfe
    louis-joseph de montcalm|honoré mercier|georges-étienne cartier|john a. macdonald
    """.replace("\n", "|").split("|")
)

_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_COMMON_WORDS = frozenset(fold(w) for w in COMMON_WORDS)
_PUBLIC_FIGURES = frozenset(" ".join(fold(n).replace("-", " ").split()) for n in PUBLIC_FIGURES if n.strip())
_NAMED_AFTER_PEOPLE = frozenset(
    " ".join(fold(n).replace("-", " ").split()) for n in NAMED_AFTER_PEOPLE if n.strip()
)
_lock = threading.Lock()
_words: frozenset[str] | None = None


def _corpus_words(folder: Path) -> set[str]:
    words: set[str] = set()
    for path in sorted(folder.rglob("*")):
        if path.suffix in (".txt", ".yaml", ".md") and path.is_file():
            try:
                words.update(_WORD.findall(fold(path.read_text(encoding="utf-8"))))
            except (OSError, UnicodeDecodeError):
                continue
    return words


def vocabulary() -> frozenset[str]:
    """The folded words that are not taken for a name when all of a candidate's words are among
    them: the corpus's words and :data:`PLACES_AND_ORGANISATIONS`. Read once, on first use."""
    global _words
    if _words is None:
        with _lock:
            if _words is None:
                folder = CorpusSettings().corpus_dir
                found = _corpus_words(folder) if folder.is_dir() else set()
                _words = frozenset(found | {fold(w) for w in PLACES_AND_ORGANISATIONS})
    return _words


def named_after_person(name: str) -> bool:
    """``name`` is a business or an institution named after a person (« Jean Coutu »), hyphens or
    not (« Gabrielle Roy » for the library « Gabrielle-Roy »)."""
    return " ".join(fold(name).replace("-", " ").split()) in _NAMED_AFTER_PEOPLE


def known_word(word: str) -> bool:
    """``word`` (any case, accents or not) is a plan word, a place or an organisation."""
    folded = fold(word).replace("’", "'")
    words = vocabulary()
    return folded in words or folded.removesuffix("'s") in words


def common_word(word: str) -> bool:
    """``word`` is a plan word, a place or an organisation (:func:`known_word`) or one of
    :data:`COMMON_WORDS`: no part of a person's name."""
    folded = fold(word).replace("’", "'")
    return folded in _COMMON_WORDS or known_word(word)


# --- public figures ----------------------------------------------------------------------------
#: Titles of elected or appointed public office: a name after or before one is a public figure's.
_OFFICE = (
    r"(?:premier|première|premiere|prime|vice)[ \t-]+(?:ministre|minister)|ministre|minister|maire|mairesse|mayor"
    r"|(?-i:Premier)|d[ée]put[ée]e?|(?-i:MNA|MP|MPP)|s[ée]nat(?:eur|rice)|senator|pr[ée]f[eè]te?"
    r"|chef[ \t]+(?:de[ \t]+l['’]opposition|du[ \t]+parti|de[ \t]+parti)|leader[ \t]+of[ \t]+the[ \t]+opposition"
    r"|pr[ée]sidente?[ \t]+du[ \t]+comit[ée][ \t]+ex[ée]cutif|lieutenant-gouverneure?|gouverneure?[ \t]+g[ée]n[ée]rale?"
    r"|governor[ \t]+general|[ée]chevin"
)
#: Council members: public when named as such (« le conseiller municipal », « la conseillère Marie
#: X »), not after a possessive (« mon conseiller en emploi »).
_COUNCIL = r"conseill[eè]re?s?|councill?ors?|council(?:wo)?man|alderman"
#: Words between the title and the name (« la ministre responsable de la Capitale-Nationale, »).
_QUALIFIER = (
    r"(?:(?i:de|du|des|la|le|of|the|for|responsable|municipale?|municipal|district|ville|city|quartier"
    r"|arrondissement|ex[ée]cutif|executive|comit[ée]|committee|f[ée]d[ée]rale?|provinciale?|sortante?"
    r"|actuelle?|ancienne?|former|current|adjointe?|d[ée]l[ée]gu[ée]e?|r[ée]gionale?|ward|locale?)(?![\w'’-])"
    r"|(?i:[ld])['’][\w-]+|[A-ZÀ-ÖØ-Þ][\w'’-]*)"
)
_TITLE_BEFORE = re.compile(
    rf"(?<![\w'’-])(?:(?P<poss>(?i:mon|ma|mes|my|notre|nos|our|son|sa|his|her))[ \t]+)?"
    rf"(?i:(?P<office>{_OFFICE})|(?P<council>{_COUNCIL}))(?![\w'’-])"
    rf"(?:[ \t]+{_QUALIFIER}){{0,6}}[ \t]*[,:]?[ \t]*\Z"
)
_TITLE_AFTER = re.compile(
    rf"[ \t]*[,(–-][ \t]*(?:(?i:le|la|l['’]|notre|the|our|votre|your|actuel|actuelle|ancien|ancienne|former"
    rf"|current|sortant|sortante|futur|future|nouveau|nouvelle|new)[ \t]*)*"
    rf"(?i:{_OFFICE}|(?:{_COUNCIL})[ \t]+(?:municipale?|municipal|du[ \t]+district|de[ \t]+district|de[ \t]+ville"
    rf"|de[ \t]+la[ \t]+ville|city|de[ \t]+l['’]arrondissement|of))(?![\w'’-])"
)


def public_figure(text: str, start: int, end: int) -> bool:
    """``text[start:end]``, a person's name, is a public figure's: named after a public office
    (« le maire Bruno Marchand », « la ministre responsable de la Capitale-Nationale, X », « Mayor
    X »), followed by one (« X, maire de Québec »), or one of :data:`PUBLIC_FIGURES`."""
    if " ".join(fold(text[start:end]).replace("-", " ").split()) in _PUBLIC_FIGURES:
        return True
    before = _TITLE_BEFORE.search(text, max(0, start - 120), start)
    if before and not (before.group("council") and before.group("poss")):
        return True
    return bool(_TITLE_AFTER.match(text, end))
