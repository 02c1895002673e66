"""Reading a question: what is asked (intent) and about what (references, units, timelines,
parts of a plan, principles), with follow-ups resolved against the previous turns."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from assistant.answer import Turn
from assistant.normalize import detect_language
from assistant.vocabulary import (
    COUNT_CUE,
    DEFINITION_CUE,
    FOLLOWUP_PRONOUN,
    FOLLOWUP_START,
    FOOD_DESERT,
    HORIZON_CODE,
    HORIZON_CUE,
    HORIZON_PATTERNS,
    HORIZON_WEAK_CUE,
    PRINCIPLE_ALIASES,
    QUESTION_WORDS,
    REVERSE_CUE,
    ROLE_WORDS,
    ROLES_CUE,
    STRUCTURE_CUE,
    UNIT_ALIASES,
    UNITS_CUE,
)
from corpus import Corpus, Kind
from corpus.model import Node, Plan
from corpus.text import fold, mentions, most_specific, word_in
from index.analysis import analyze


class Intent(StrEnum):
    ACTION = "action"  # show one or more nodes by number
    UNITS = "units"
    HORIZON = "horizon"
    REVERSE = "reverse"
    COUNT = "count"
    STRUCTURE = "structure"
    DEFINITION = "definition"
    TOPIC = "topic"
    MISSING = "missing"  # a number that does not exist in the plans


@dataclass
class Understanding:
    question: str
    folded: str
    lang: str
    intent: Intent
    targets: list[tuple[Plan, Node]] = field(default_factory=list)  # nodes named by number or by follow-up
    missing: list[str] = field(default_factory=list)  # numbers named that do not exist
    units: list[str] = field(default_factory=list)
    horizons: list[str] = field(default_factory=list)
    structure: list[tuple[Plan, Node]] = field(default_factory=list)  # orientation/axe/objective/theme named
    principles: list[str] = field(default_factory=list)
    plans: list[str] = field(default_factory=list)  # the plan the question is about (most specific name)
    named: list[str] = field(default_factory=list)  # every plan the question names
    definition: str | None = None  # echeance-ct, principe-…, roles, role-…, food-desert
    count_of: str | None = None
    list_of: str | None = None
    followup: bool = False
    search_query: str = ""
    topic_objective: bool = False  # « les actions de l'objectif sur le logement »
    notes: list[str] = field(default_factory=list)


_ACTION_REF = re.compile(
    r"\b(?:l')?actions?\s*(?:n[o°]\.?\s*|#\s*|numero\s*)?"
    r"(?P<list>\d{1,3}(?:\.\d{1,2}){0,3}(?:\s*(?:,|et|&|and|ou|or)\s*\d{1,3}(?:\.\d{1,2}){0,3})*)"
)
_DOTTED = re.compile(r"(?<![\d.])(\d{1,2}\.\d{1,2}\.\d{1,2}(?:\.\d{1,2})?)(?![\d.])")
_OBJECTIVE_KEY = re.compile(r"\bobjectif\s+(\d{1,2}(?:\.\d{1,2}){1,2})\b")
_ORIENTATION = re.compile(r"\borientation\s+(?:no?\.?\s*)?(\d{1,2})\b")
_AXE = re.compile(
    r"\baxe(?:\s+d'intervention)?\s+(\d{1,2}(?:\.\d{1,2})?)\b(?:\s+de l'orientation\s+(\d{1,2}))?"
)
_OBJECTIVE_IN = re.compile(
    r"\bobjectif\s+(\d{1,2})\s+de l'axe\s+(\d{1,2})(?:\s+de l'orientation\s+(\d{1,2}))?"
)
_THEME = re.compile(r"\btheme\s+(\d{1,2})\b")
_QUOTED = re.compile(r"[«\"“](.+?)[»\"”]")
_OBJECTIVE_TOPIC = re.compile(r"\bl'objectif (?:sur|concernant|pour|du|de la|des|en)\b")


def find_units(folded: str, known_units: list[str]) -> list[str]:
    found: list[str] = []
    for unit in known_units:
        aliases = (fold(unit), *UNIT_ALIASES.get(unit, ()))
        if any(word_in(a, folded) for a in aliases) and unit not in found:
            found.append(unit)
    return found


def find_horizons(question: str, folded: str) -> list[str]:
    codes = [c for c, pats in HORIZON_PATTERNS.items() if any(re.search(p, folded) for p in pats)]
    for m in HORIZON_CODE.finditer(question):
        if m.group(1) not in codes:
            codes.append(m.group(1))
    return codes


def find_principles(folded: str) -> list[str]:
    return [p for p, aliases in PRINCIPLE_ALIASES.items() if any(word_in(a, folded) for a in aliases)]


def _aliases(corpus: Corpus) -> dict[str, tuple[str, ...]]:
    return {p.id: p.meta.aliases for p in corpus}


def named_plans(folded: str, corpus: Corpus) -> list[str]:
    """Every plan the question names, in corpus order."""
    return list(mentions(folded, _aliases(corpus)))


def find_plans(folded: str, corpus: Corpus) -> list[str]:
    """The plan the question is about: when several are named, the one named most specifically."""
    return most_specific(mentions(folded, _aliases(corpus)))


def _resolve_number(number: str, corpus: Corpus, plans: list[str]) -> tuple[Plan, Node] | None:
    order = plans + [p.id for p in corpus if p.id not in plans]
    for pid in order:
        plan = corpus.plan(pid)
        node = plan.by_number(number)
        if node is not None and (node.kind == Kind.ACTION or "." in number):
            return plan, node
    return None


def find_structure(
    folded: str, corpus: Corpus, plans: list[str]
) -> tuple[list[tuple[Plan, Node]], list[str]]:
    """Orientations, axes, objectives and themes the question names; and names that do not exist."""
    found: list[tuple[Plan, Node]] = []
    missing: list[str] = []
    city = [p for p in corpus if p.of_kind(Kind.ORIENTATION)]
    themed = [p for p in corpus if p.of_kind(Kind.THEME)]

    def add(plan: Plan, node_id: str, label: str) -> None:
        node = plan.get(node_id)
        if node is None:
            missing.append(label)
        elif (plan, node) not in found:
            found.append((plan, node))

    m = _OBJECTIVE_IN.search(folded)
    if m and city:
        o = m.group(3) or "1"
        add(
            city[0],
            f"objectif-{o}-{m.group(2)}-{m.group(1)}",
            f"objectif {m.group(1)} de l'axe {m.group(2)} de l'orientation {o}",
        )
    for m in _OBJECTIVE_KEY.finditer(folded):
        key = m.group(1)
        for plan in corpus:
            node = next((n for n in plan.objectives() if n.key == key or n.number == key), None)
            if node is not None:
                found.append((plan, node))
                break
        else:
            missing.append(f"objectif {key}")
    if not (m := _OBJECTIVE_IN.search(folded)):
        for m2 in _AXE.finditer(folded):
            num, orient = m2.group(1), m2.group(2)
            if "." in num:
                orient, num = num.split(".", 1)
            if city and orient:
                add(city[0], f"axe-{orient}-{num}", f"axe {num} de l'orientation {orient}")
    for m in _ORIENTATION.finditer(folded):
        if not _AXE.search(folded) and not _OBJECTIVE_IN.search(folded) and city:
            add(city[0], f"orientation-{m.group(1)}", f"orientation {m.group(1)}")
    for m in _THEME.finditer(folded):
        target = [p for p in themed if p.id in plans] or themed
        if target:
            add(target[0], f"theme-{m.group(1)}", f"thème {m.group(1)}")
    # Titles named in the question (« Engagement de la Ville », « Milieux de vie complets »).
    quoted = [fold(q).strip(" .?!") for q in _QUOTED.findall(folded)]
    for plan in corpus:
        for named in plan.of_kind(Kind.ORIENTATION, Kind.AXE, Kind.OBJECTIF, Kind.THEME):
            title = fold(named.title).strip(" .")
            if len(title.split()) < 2:
                continue
            hit = any(q and (q == title or (len(q) > 12 and q in title)) for q in quoted)
            hit = hit or (len(title.split()) >= 3 and title in folded)
            if hit and (plan, named) not in found:
                found.append((plan, named))
    return found, missing


def find_definition(question: str, folded: str, corpus: Corpus) -> str | None:
    if FOOD_DESERT.search(folded):
        return "food-desert"
    codes = [m.group(1) for m in HORIZON_CODE.finditer(question)]
    words = {
        c for c, pats in HORIZON_PATTERNS.items() if c != "EC" and any(re.search(p, folded) for p in pats)
    }
    if re.search(r"\ben cours\b", folded):
        words.add("EC")
    if codes:
        return f"echeance-{codes[0].lower()}"
    if len(words) == 1:
        return f"echeance-{next(iter(words)).lower()}"
    principles = find_principles(folded)
    if principles:
        return "principe:" + principles[0]
    roles = [r for r in ROLE_WORDS if re.search(rf"\b{r}s?\b", folded)]
    if re.search(r"\broles?\b", folded) and not roles:
        return "roles"
    if (roles and re.search(r"\broles?\b|\bagit comme\b|\best « ?" + roles[0], folded)) or len(roles) >= 2:
        return "role:" + ",".join(roles)
    if roles and ("«" in question or '"' in question):
        return "role:" + ",".join(roles)
    return None


def content_words(folded: str) -> list[str]:
    return [w for w in analyze(folded) if w not in QUESTION_WORDS and not w.isdigit()]


def understand(question: str, corpus: Corpus, history: list[Turn] | None = None) -> Understanding:
    folded = fold(question)
    lang = detect_language(question)
    plans = find_plans(folded, corpus)
    u = Understanding(
        question=question, folded=folded, lang=lang, intent=Intent.TOPIC, plans=plans, search_query=question
    )
    u.named = named_plans(folded, corpus)
    known_units = sorted({unit for p in corpus for unit in p.units()}, key=len, reverse=True)
    u.units = find_units(folded, known_units)
    u.horizons = find_horizons(question, folded)
    u.principles = find_principles(folded)
    u.structure, missing_structure = find_structure(folded, corpus, plans)

    # Numbers: « l'action 37 », « actions 12 et 13 », « 2.1.4 ».
    numbers: list[str] = []
    for m in _ACTION_REF.finditer(folded):
        numbers += re.findall(r"\d{1,3}(?:\.\d{1,2}){0,3}", m.group("list"))
    numbers += [n for n in _DOTTED.findall(folded) if n not in numbers]
    keys = {n.key for p in corpus for n in p.objectives() if n.key}
    numbers = [n for n in dict.fromkeys(numbers) if n not in keys or _ACTION_REF.search(folded)]
    for n in numbers:
        found = _resolve_number(n, corpus, plans)
        if found is None:
            u.missing.append(n)
        elif found not in u.targets:
            u.targets.append(found)
    u.missing += missing_structure

    reverse_cue = bool(REVERSE_CUE.search(folded))
    units_cue = bool(UNITS_CUE.search(folded))
    horizon_cue = bool(HORIZON_CUE.search(folded))
    count = COUNT_CUE.search(folded)
    structure = STRUCTURE_CUE.search(folded)
    definitional = bool(DEFINITION_CUE.search(folded))
    u.topic_objective = bool(_OBJECTIVE_TOPIC.search(folded))
    constraints = bool(
        u.units or u.structure or u.principles or u.topic_objective or (u.horizons and reverse_cue)
    )

    # Follow-ups: a question without a subject of its own reads with the previous turn.
    if history:
        own_subject = (
            bool(u.targets or u.units or u.structure or u.principles) or len(content_words(folded)) > 1
        )
        if (
            not own_subject
            or FOLLOWUP_START.search(folded)
            or (FOLLOWUP_PRONOUN.search(folded) and len(content_words(folded)) <= 2)
        ):
            u.followup = True
            u.search_query = f"{history[-1].question} {question}"
            wants_targets = bool(
                UNITS_CUE.search(folded) or HORIZON_CUE.search(folded) or HORIZON_WEAK_CUE.search(folded)
            )
            if not u.targets and not own_subject and wants_targets:
                for ref in history[-1].refs:
                    found = corpus.resolve(ref)
                    if (
                        found is not None
                        and found[1].kind in (Kind.ACTION, Kind.OBJECTIF)
                        and found not in u.targets
                    ):
                        u.targets.append(found)
            if not u.plans:
                u.plans = find_plans(fold(history[-1].question), corpus)
            u.named = list(dict.fromkeys([*u.named, *named_plans(fold(history[-1].question), corpus)]))

    if u.missing and not u.targets and not constraints:
        u.intent = Intent.MISSING
    elif count:
        u.intent = Intent.COUNT
        what = count.group("what") or count.group("what_en") or "actions"
        u.count_of = {"objectives": "objectifs", "principles": "principes", "units": "unites"}.get(what, what)
    elif reverse_cue and constraints and not (units_cue and u.targets):
        u.intent = Intent.REVERSE
    elif ROLES_CUE.search(folded) and not u.targets:
        u.intent = Intent.STRUCTURE
        u.list_of = "roles"
    elif structure and not u.targets and not u.structure:
        u.intent = Intent.STRUCTURE
        what = structure.group("what")
        u.list_of = {
            "objectives": "objectifs",
            "principles": "principes",
            "units": "unites",
            "unites administratives": "unites",
        }.get(what, what)
    elif (units_cue and not reverse_cue) or (units_cue and u.targets):
        u.intent = Intent.UNITS
    elif definitional and (d := find_definition(question, folded, corpus)) and not u.targets:
        u.intent = Intent.DEFINITION
        u.definition = d
    elif horizon_cue or ((HORIZON_WEAK_CUE.search(folded) or u.horizons) and u.targets):
        u.intent = Intent.HORIZON
    elif u.targets:
        u.intent = Intent.ACTION
    elif u.structure and not reverse_cue:
        u.intent = Intent.ACTION  # « C'est quoi l'orientation « Milieux de vie complets »? »
        u.targets = list(u.structure)
    elif reverse_cue and constraints:
        u.intent = Intent.REVERSE
    elif (d := find_definition(question, folded, corpus)) and definitional:
        u.intent = Intent.DEFINITION
        u.definition = d
    elif u.missing:
        u.intent = Intent.MISSING
    return u
