"""Words that are not people's names although they are capitalised: the plans' own vocabulary
(units, organisations, places, the words of their questions) and the places and organisations of
Québec that citizens name.

A person-name model tags « Moisson Québec », « Saint-Sacrement » or « Ville de Québec » as persons
now and then; a name made only of these words is not redacted. The plans' words are read from the
corpus folder (``PLAN_ASSISTANT_CORPUS_DIR``) once, on first use, so that a new plan's places and
units are known without code.
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
    maizerets montcalm saint-roch saint-sauveur saint-jean-baptiste vieux-quebec haute-ville
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
    """.replace("\n", "|").split("|")
)

_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_NAMED_AFTER_PEOPLE = frozenset(fold(n.strip()) for n in NAMED_AFTER_PEOPLE if n.strip())
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
    """``name`` is a business or an institution named after a person (« Jean Coutu »)."""
    return " ".join(fold(name).replace("’", "'").split()) in _NAMED_AFTER_PEOPLE


def known_word(word: str) -> bool:
    """``word`` (any case, accents or not) is a plan word, a place or an organisation."""
    folded = fold(word).replace("’", "'")
    words = vocabulary()
    return folded in words or folded.removesuffix("'s") in words
