"""Reading a question, once: what it names in the plans, what it asks and how, what it asserts,
whether it continues the previous turn, and the intent that follows."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from assistant.answer import Turn
from assistant.normalize import ENGLISH_FUNCTION_WORDS, detect_language
from assistant.reading import cues
from assistant.reading.facts import (
    DISTRESS,
    GREETING,
    PERSON_IDENTITY,
    PRIVATE,
    Fact,
    asked_fact,
    asserted_amount,
    asserted_years,
    claims_cancellation,
    is_gibberish,
    unknown_facility,
)
from assistant.reading.followup import read_followup
from assistant.reading.intent import decide_intent
from assistant.reading.model import FollowUpKind, Intent, Premises, Reading
from assistant.reading.references import (
    defined_notions,
    find_definition,
    find_named,
    find_notion,
    find_numbered,
    find_structure,
    principle_names,
    role_names,
    unit_names,
)
from assistant.scope import match_out_topic, plan_phrases
from assistant.timelines import Timelines
from assistant.vocabulary import QUESTION_WORDS
from corpus import Corpus
from corpus.model import Node, Plan
from corpus.text import fold
from index.analysis import analyze
from index.query import QueryAnalyser

_OBJECTIVE_TOPIC = re.compile(r"\bl'objectif (?:sur|concernant|pour|du|de la|des|en)\b")
_WH_START = re.compile(
    r"^\W*(?:qui|quand|quoi|comment|combien|pourquoi|ou|quel|quelle|quels|quelles|que|qu'|"
    r"what|which|who|how|why|where|when)\b"
)
_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)*\b")
# Words that are not a subject: prepositions, adverbs and vague nouns of everyday questions.
_NOT_SUBJECT = re.compile(
    r"\b(?:contre|selon|sans|sous|depuis|pendant|avant|apres|entre|vers|parmi|chez|malgre|envers|plus|moins|"
    r"tres|trop|aussi|encore|toujours|jamais|rien|tout|tous|toute|toutes|quelque|chose|choses|qqch|qqn|"
    r"quelqu'un|quelque chose|affaire|affaires|genre|vraiment|juste|ben|faque|mettons|svp|please|really|"
    r"anything|something|thing|things|"
    # light verbs: what is done is said by the rest (« la Ville va s'y mettre quand? »)
    r"va|vais|vont|aller|allez|mettre|met|mets|mettent|faire|fait|fais|font|avoir|ont|etre|sont|peut|peux|"
    r"pouvoir|veut|veux|vouloir|doit|dois|devoir|donner|donne|prendre|prend|s'y|y)\b"
)


@dataclass(frozen=True)
class ReadingContext:
    """What reading needs to know of one corpus and its index, computed once per build."""

    corpus: Corpus
    analyser: QueryAnalyser
    units: dict[str, tuple[str, ...]]  # every unit named by the plans, longest first, with its names
    principles: dict[str, tuple[str, ...]]  # every principle, with its names
    notions: dict[str, tuple[Plan, Node]]
    plan_text: str  # every node's title and text, folded: what the plans mention
    plan_phrases: str  # the same words as the out-of-scope list compares them (assistant.scope)
    not_subject: tuple[re.Pattern[str], ...]  # cues, plans' names, units, timelines: not a subject
    timelines: Timelines  # the plans' timeline codes and their words
    roles: tuple[str, ...]  # the roles the plans define, folded

    @classmethod
    def build(cls, corpus: Corpus, analyser: QueryAnalyser) -> ReadingContext:
        texts = [f"{n.title} {n.text}" for p in corpus for n in p.nodes]
        aliases = sorted({fold(a) for p in corpus for a in p.meta.aliases}, key=len, reverse=True)
        units = unit_names(corpus)
        names = [*aliases, *(a for names in units.values() for a in names)]
        not_subject = [c.pattern for c in cues.ALL]
        timelines = Timelines.of(corpus)
        not_subject += timelines.patterns()
        not_subject.append(re.compile("|".join(rf"\b{re.escape(n)}\b" for n in names) or r"(?!)"))
        return cls(
            corpus=corpus,
            analyser=analyser,
            units=units,
            principles=principle_names(corpus),
            notions=defined_notions(corpus),
            plan_text=fold(" ".join(texts)),
            plan_phrases=plan_phrases(texts),
            not_subject=tuple(not_subject),
            timelines=timelines,
            roles=role_names(corpus),
        )


def subject_words(folded: str, ctx: ReadingContext) -> list[str]:
    """The words of what the question is about: cues, names of plans and units, timelines and
    numbers taken out, then analysed (« Et pour les familles? » → ``["famill"]``)."""
    text = folded
    for p in ctx.not_subject:
        text = p.sub(" ", text)
    text = _NOT_SUBJECT.sub(" ", _NUMBER.sub(" ", text))
    text = " ".join(w for w in text.split() if w not in ENGLISH_FUNCTION_WORDS)
    return [
        w
        for w in analyze(text, accents=ctx.analyser.accents)
        if w not in QUESTION_WORDS and not w.isdigit() and len(w) > 1
    ]


def read_question(question: str, ctx: ReadingContext, history: list[Turn] | None = None) -> Reading:
    """The question read once, frozen: what it names in the plans, what it asks and how, what it
    asserts, whether it continues the previous turn, and its intent."""
    folded = fold(question)
    corpus = ctx.corpus
    qa = ctx.analyser.analyse(question)
    plans = list(qa.named_plans)
    units = find_named(folded, ctx.units)
    horizons = ctx.timelines.asked(question, folded)
    principles = find_named(folded, ctx.principles)
    structure, missing_structure = find_structure(folded, corpus, plans)
    targets, missing = find_numbered(folded, corpus, plans)
    missing += missing_structure
    topic_objective = bool(_OBJECTIVE_TOPIC.search(folded))

    # How it asks.
    asks_definition = bool(cues.DEFINITION.search(folded))
    count_of = list_of = definition = None
    notion = None
    if m := cues.COUNT.search(folded):
        what = m.group("what") or m.group("what_en") or "actions"
        count_of = {"objectives": "objectifs", "principles": "principes", "units": "unites"}.get(what, what)
    if m := cues.STRUCTURE.search(folded):
        what = m.group("what")
        list_of = {
            "role": "roles",
            "objectives": "objectifs",
            "principles": "principes",
            "units": "unites",
            "unites administratives": "unites",
        }.get(what, what)
    if asks_definition:
        definition = find_definition(question, folded, corpus, ctx.principles, ctx.timelines, ctx.roles)
        notion = find_notion(folded, ctx.notions)

    # What it asks for that the plans may not give, and what it asserts.
    subject = subject_words(folded, ctx)
    vocabulary = ctx.analyser.vocabulary
    facility = unknown_facility(question, ctx.plan_text)
    fact = asked_fact(question, folded, facility)
    premises = Premises(
        amount=asserted_amount(folded),
        years=asserted_years(folded),
        cancelled=claims_cancellation(folded),
    )
    if fact is None and premises.years:
        fact = Fact.DATE  # « … ça va être prêt pour l'hiver 2026? »: the plans give no date
    greeting = bool(GREETING.search(folded))
    asks_list = bool(cues.WHICH_ACTIONS.search(folded))
    # « Les actions en cours de l'axe 2.1? »: actions (plural) with constraints ask for the list.
    if not asks_list and not targets and re.search(r"\bactions\b", folded):
        asks_list = bool(units or structure or principles or horizons)
    r = Reading(
        question=question,
        folded=folded,
        lang=detect_language(question),
        analysis=qa,
        targets=targets,
        missing=missing,
        units=units,
        horizons=horizons,
        structure=structure,
        principles=principles,
        plans=plans,
        named=list(qa.all_named),
        notion=notion,
        definition=definition,
        count_of=count_of,
        list_of=list_of,
        topic_objective=topic_objective,
        subject=subject,
        specific=[w for w in subject if 0 < vocabulary.df.get(w, 0) <= vocabulary.n / 4],
        yes_no=bool(cues.YES_NO.search(folded)) and not _WH_START.search(folded),
        fact=fact,
        facility=facility,
        out_topic=match_out_topic(question, ctx.plan_phrases),
        premises=premises,
        asks_who=bool(cues.WHO.search(folded)),
        asks_when=bool(cues.WHEN.search(folded)) or bool(targets and cues.WHEN_WEAK.search(folded)),
        asks_list=asks_list,
        asks_definition=asks_definition,
        greeting=greeting,
        distress=bool(DISTRESS.search(folded)),
        person_identity=bool(PERSON_IDENTITY.search(folded)),
        private=bool(PRIVATE.search(folded)),
        gibberish=not greeting and is_gibberish(question, qa),
        search_query=question,
    )
    if r.asks_list and "action" in folded and r.subject and not r.constraints and not r.targets:
        r = replace(
            r, topic_objective=True
        )  # « Quelles actions concernent le logement? »: the objective's actions

    # A follow-up reads with the previous turn.
    notes: list[str] = []
    f = read_followup(r, history or [], corpus)
    if f is not None:
        notes.append(f"suite du tour précédent : {f.kind.value}")
        changes: dict[str, Any] = {"followup": f}
        if f.kind in (FollowUpKind.UNITS, FollowUpKind.WHEN, FollowUpKind.FACT):
            changes["targets"] = list(f.primary)
        if f.kind in (FollowUpKind.FOCUS, FollowUpKind.SAME):
            changes["search_query"] = f"{f.previous.question} {question}"
        if not r.plans:
            changes["plans"] = list(f.plans)
        r = replace(r, **changes)
    intent, rule = decide_intent(r)
    if rule is not None:
        notes.append(f"règle : {rule}")
    targets = r.targets
    if intent == Intent.ACTION and not targets:
        targets = list(r.structure)  # « C'est quoi l'orientation « Milieux de vie complets »? »
    return replace(r, intent=intent, targets=targets, notes=tuple(notes))
