"""What a question names in the plans: nodes by number (« l'action 37 », « 2.1.4 »), parts of a
plan (« l'orientation 2 », « l'axe 3 de l'orientation 1 », « le thème 2 », a quoted title),
administrative units, timelines, principles, plans, and notions a plan defines."""

from __future__ import annotations

import re

from assistant.timelines import Timelines
from corpus import Corpus, Kind
from corpus.model import Node, Plan
from corpus.references import numbers_in
from corpus.text import fold, word_in

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
# A footnote that defines a notion: « Un désert alimentaire désigne … », « … est une zone … ».
_DEFINES = re.compile(
    r"(?:\b(?:une|un|les|le|la)\s+|\bl')([^\W\d][\w' -]{2,40}?)\s+(?:designe|est une?|sont des)\b"
)


def unit_names(corpus: Corpus) -> dict[str, tuple[str, ...]]:
    """Every unit the plans name, longest first, with its other names (its manifest's
    ``unit_aliases``), folded."""
    names: dict[str, list[str]] = {}
    for plan in corpus:
        for unit in plan.units():
            names.setdefault(unit, [fold(unit)])
            names[unit] += [fold(a) for a in plan.meta.unit_aliases.get(unit, ())]
    return {u: tuple(dict.fromkeys(names[u])) for u in sorted(names, key=len, reverse=True)}


def principle_names(corpus: Corpus) -> dict[str, tuple[str, ...]]:
    """Every principle the plans name, with its other names (``principle_aliases``), folded."""
    names: dict[str, list[str]] = {}
    for plan in corpus:
        for principle in plan.principles:
            names.setdefault(principle, [fold(principle)])
            names[principle] += [fold(a) for a in plan.meta.principle_aliases.get(principle, ())]
    return {p: tuple(dict.fromkeys(v)) for p, v in names.items()}


def role_names(corpus: Corpus) -> tuple[str, ...]:
    """The roles the plans define (their titles, folded: « responsable », « mobilisateur »…)."""
    return tuple(dict.fromkeys(fold(n.title) for p in corpus for n in p.of_kind(Kind.ROLE)))


def find_named(folded: str, names: dict[str, tuple[str, ...]]) -> list[str]:
    """The keys of ``names`` (units, principles) the question names, by any of their names."""
    return [key for key, aliases in names.items() if any(word_in(a, folded) for a in aliases)]


def resolve_number(number: str, corpus: Corpus, plans: list[str]) -> tuple[Plan, Node] | None:
    """The node a printed number names: in the plans the question names, else in any plan (a number
    the named plan does not have is not another plan's: « l'action 2.2.1 de Saint-Sacrement »)."""
    order = plans or [p.id for p in corpus]
    for pid in order:
        plan = corpus.plan(pid)
        node = plan.by_number(number)
        if node is not None and (node.kind == Kind.ACTION or "." in number):
            return plan, node
    return None


def find_numbered(folded: str, corpus: Corpus, plans: list[str]) -> tuple[list[tuple[Plan, Node]], list[str]]:
    """Nodes named by their printed number (« l'action 37 », « le 2.1.4 »), and numbers that name
    nothing in the plans. An objective is named with its word (« l'objectif 2.2.2 »)."""
    found: list[tuple[Plan, Node]] = []
    missing: list[str] = []
    for n in numbers_in(folded):
        if re.search(rf"\bobjectif\s+{re.escape(n)}\b", folded):
            continue  # « objectif 2.1.2 » is read by find_structure
        node = resolve_number(n, corpus, plans)
        if node is None:
            missing.append(n)
        elif node not in found:
            found.append(node)
    return found, missing


def _named_first(corpus: Corpus, plans: list[str]) -> list[Plan]:
    return sorted(corpus, key=lambda p: p.id not in plans)


def find_structure(
    folded: str, corpus: Corpus, plans: list[str]
) -> tuple[list[tuple[Plan, Node]], list[str]]:
    """Orientations, axes, objectives and themes the question names; and names that do not exist."""
    found: list[tuple[Plan, Node]] = []
    missing: list[str] = []
    # The plans organised in orientations, those the question names first: a number is looked for
    # in each, in that order (no plan is « the city » by default).
    structured = [p for p in _named_first(corpus, plans) if p.of_kind(Kind.ORIENTATION)]
    themed = [p for p in corpus if p.of_kind(Kind.THEME)]

    def add(plan: Plan, node_id: str, label: str) -> None:
        node = plan.get(node_id)
        if node is None:
            missing.append(label)
        elif (plan, node) not in found:
            found.append((plan, node))

    def add_any(node_ids: list[str], label: str) -> None:
        for plan in structured:
            for node_id in node_ids:
                if plan.get(node_id) is not None:
                    add(plan, node_id, label)
                    return
        missing.append(label)

    inside = _OBJECTIVE_IN.search(folded)
    if inside and structured:
        obj, axe, o = inside.group(1), inside.group(2), inside.group(3)
        # Without its orientation, the objective of that axis in whichever orientation has one.
        orientations = [o] if o else [n.number or "" for p in structured for n in p.of_kind(Kind.ORIENTATION)]
        add_any(
            [f"objectif-{x}-{axe}-{obj}" for x in orientations],
            f"objectif {obj} de l'axe {axe}" + (f" de l'orientation {o}" if o else ""),
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
    if not inside:
        for m2 in _AXE.finditer(folded):
            num, orient = m2.group(1), m2.group(2)
            if "." in num:
                orient, num = num.split(".", 1)
            if structured and orient:
                add_any([f"axe-{orient}-{num}"], f"axe {num} de l'orientation {orient}")
    if not _AXE.search(folded) and not inside and structured:
        for m in _ORIENTATION.finditer(folded):
            add_any([f"orientation-{m.group(1)}"], f"orientation {m.group(1)}")
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


def defined_notions(corpus: Corpus) -> dict[str, tuple[Plan, Node]]:
    """Notions that a plan defines in a footnote (« Un désert alimentaire désigne … »), by their
    folded name, with the node that carries the note."""
    out: dict[str, tuple[Plan, Node]] = {}
    for plan in corpus:
        for node in plan.nodes:
            for note in getattr(node, "footnotes", ()):
                for m in _DEFINES.finditer(fold(note.text)):
                    name = m.group(1).strip()
                    if len(name.split()) >= 2:
                        out.setdefault(name, (plan, node))
    return out


def find_notion(folded: str, notions: dict[str, tuple[Plan, Node]]) -> tuple[Plan, Node] | None:
    """The node defining a notion the question names (plural or singular)."""
    for name, found in notions.items():
        words = name.split()
        pattern = r"\s+".join(rf"{re.escape(w)}s?" for w in words)
        if re.search(rf"\b{pattern}\b", folded):
            return found
    return None


def find_definition(
    question: str,
    folded: str,
    corpus: Corpus,
    principles: dict[str, tuple[str, ...]],
    timelines: Timelines,
    roles: tuple[str, ...],
) -> str | None:
    """The plan's own term the question asks to define: a timeline code, a principle, the roles."""
    code = timelines.named(question, folded)
    if code:
        return f"echeance-{code.lower()}"
    named = find_named(folded, principles)
    if named:
        return "principe:" + named[0]
    asked = [r for r in roles if re.search(rf"\b{re.escape(r)}s?\b", folded)]
    if re.search(r"\broles?\b", folded) and not asked:
        return "roles"
    if (asked and re.search(r"\broles?\b|\best « ?" + re.escape(asked[0]), folded)) or len(asked) >= 2:
        return "role:" + ",".join(asked)
    if asked and ("«" in question or '"' in question):
        return "role:" + ",".join(asked)
    return None
