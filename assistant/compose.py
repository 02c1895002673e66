"""Writing answers from the structured plans: every fact comes from a cited node, and each
citation marker [n] points to the n-th citation. French by default, English when asked in
English (the plans' own words stay in French)."""

from __future__ import annotations

import re
from typing import Any, Literal

from assistant.answer import Citation
from assistant.organisation import Organisation
from assistant.timelines import badge, phrase
from corpus.model import Action, Indicateur, Kind, Node, Objectif, Plan, UnitsScope
from corpus.text import fold

T: dict[str, dict[str, Any]] = {
    "fr": {
        "in": "Dans",
        "plan_of": "le {title} ({org})",
        "timelines_of": "{plan} donne un échéancier par horizon ({horizons})",
        "timeline": "Échéancier",
        "units_listed": "Unités administratives concernées (le plan les liste pour l'objectif)",
        "no_timeline_plan": "le plan du {org} ne donne pas d'échéancier par action; il couvre la période {period}",
        "units_per_objective": "Le plan liste les unités administratives par objectif.",
        "units_lead": "{k} unités sont concernées par {label} {m} : {units}.",
        "units_lead_one": "Une unité est concernée par {label} {m} : {units}.",
        "units_lead_org": "Toute l'organisation municipale est concernée par {label} {m} : le plan ne nomme pas "
        "d'unité pour son objectif.",
        "action_units": "Pour l'action {n} (« {text} ») {m}, l'objectif « {obj} » nomme {k} unité{s} :",
        "objective_units": "L'objectif « {obj} » {m} nomme {k} unité{s} :",
        "action_own_units": "Pour l'action {n} (« {text} ») {m}, le plan nomme {k} unité{s} :",
        "units_own": "Unités concernées par {label} : {units}.",
        "org_units": "Pour l'action {n} (« {text} ») {m}, le plan ne nomme aucune unité : il précise que « {note} »",
        "org_units_obj": "Pour l'objectif « {obj} » {m}, le plan ne nomme aucune unité : il précise que « {note} »",
        "no_units_plan": "Le plan du {org} ne désigne pas d'unités administratives de {the_city} : l'action {n} "
        "(« {text} ») {m} est portée par le {org}.",
        "unspecified_units": "Le plan ne nomme pas d'unité pour l'objectif « {obj} » {m}.",
        "horizon_is": "L'action {n} (« {text} ») {m} est prévue {words}.",
        "horizon_ongoing": "L'action {n} (« {text} ») {m} est {words} ({code}) : {desc}",
        "yes": "Oui : ",
        "no": "Non : ",
        "objective_horizons": "Les actions de l'objectif « {obj} » {m} :",
        "reverse_header": "Actions {what} : {k} action{s}.",
        "reverse_none": "Aucune action {what}.",
        "untimed_actions": "Ses {k} actions, toutes prévues pendant cette période :",
        "org_note": "Les objectifs de l'axe « {axe} » (actions {first} à {last}) ne nomment pas d'unité : ils concernent "
        "toute l'organisation municipale. Ils ne sont donc pas dans cette liste.",
        "count": "Le {title} ({org}) compte {parts}.",
        "missing_action": "Le {title} compte {k} actions, numérotées de {first} à {last} : il n'y a pas "
        "d'action {n}.",
        "missing_generic": "Les plans que je connais n'ont pas de « {n} ».",
        "missing_tail": "Je ne réponds qu'à partir des plans : je n'invente pas d'action.",
        "topic_intro": "Voici ce que prévoit le {title} ({org}) :",
        "topic_also": "Dans le {title} ({org}) :",
        "objective_line": "Objectif « {obj} »{units} :",
        "units_short": " (unités : {units})",
        "units_org": " (toute l'organisation municipale)",
        "oos": "Les plans que je connais ({plans}) ne traitent pas {topic}.",
        "oos_topic": "{label}",
        "oos_default": "de cette question",
        "oos_tail": "Pour les services municipaux, {contact}.",
        "roles_intro": "Le plan décrit {k} rôles que l'organisation peut jouer dans une action {m} :",
        "principles_intro": "Les grands principes de la Politique qui guident le plan {m} :",
        "units_intro": "Les unités administratives concernées par le plan {m} :",
        "list_intro": "{what} du {title} :",
        "greeting": "Bonjour! Je réponds aux questions sur {plans}, en citant leurs actions.{examples}",
        "gibberish": "Je n'ai pas compris la question. Je réponds aux questions sur {plans}.{examples}",
        "refusal": "Je réponds seulement aux questions sur les plans d'action, à partir de leur texte, et mes "
        "consignes ne changent pas.{examples}",
        "for_instance": " Par exemple : {examples}",
        "welcome": "Posez une question sur {plans}. Les réponses citent leurs actions.",
        "or": "ou",
        "distress": "{distress} Les plans d'action ne répondent pas à ce genre de situation.",
        "health_safety": "{resources} Les plans d'action ne répondent pas à ce genre de situation.",
        "private": "Je ne donne aucun renseignement personnel sur qui que ce soit, et je n'ai accès à aucun "
        "dossier : je réponds seulement à partir du texte des plans d'action.",
        "person": "Les plans ne nomment personne : ils décrivent des actions et, pour {the_city}, les unités "
        "administratives concernées. Pour savoir qui occupe une fonction, {contact}.",
        "notion": "Le plan définit cette notion dans une note de {label} {m} : {text}",
        "units_asserted_yes": "Oui : le plan liste {units} pour l'objectif de {label}.",
        "units_asserted_no": "Non : le plan ne liste pas {units} pour l'objectif de {label}.",
        "filter_some": "Parmi les actions de la réponse précédente, {k} {verb} {what} :",
        "filter_none": "Aucune des actions de la réponse précédente n'est {what}. Leurs échéanciers :",
        "see_also": "Voir aussi (actions liées, qui ne répondent pas directement) :",
        "closest": "Ce qui s'en approche dans les plans :",
        "hedged_lead": "Les plans n'ont pas d'action qui réponde exactement à la question; la plus proche : {aims}.",
        "hedged_more": "Autres actions proches :",
        "hedged_closest": "Aucune action n'y répond exactement; la plus proche : {aims}.",
        "policy_lead": "Le {plan} n'a pas d'action propre à ce sujet; il nomme « {title} » parmi les "
        "orientations municipales associées à {k} de ses objectifs ({objectives}).",
        "yes_lead": "Oui : ",
        "aims": "{label} ({org}) vise à {text}{when}",
        "aims_noun": "{label} ({org}) porte sur « {text} »{when}",
        "no_timeline_short": "sans échéancier par action",
        "units_compact": "Unités concernées (objectif de {label}) : {units}.",
        "units_compact_org": "Unités concernées (objectif de {label}) : toute l'organisation municipale.",
        "missing_fact": {
            "amount": "Les plans ne donnent aucun montant ni budget : ils ne chiffrent pas leurs actions.",
            "date": "Les plans ne donnent pas de date précise{timelines}.",
            "place": "Les plans ne précisent ni lieu ni adresse.",
            "person": "Les plans ne nomment personne : le plan de {the_city} liste les unités administratives "
            "concernées par objectif.",
            "hours": "Les plans ne donnent pas d'heures d'ouverture.",
            "target": "Les plans ne donnent pas de cible chiffrée.",
            "facility": "Les plans ne parlent pas de « {facility} ».",
        },
        "missing_fact_node": {
            "amount": "Le plan ne donne aucun montant pour {label} : il ne chiffre pas ses actions.",
            "date": "Le plan ne donne pas de date précise pour {label}; son échéancier : {when}.",
            "place": "Le plan ne précise ni lieu ni adresse pour {label}.",
            "person": "Le plan ne nomme personne pour {label} : il liste les unités administratives concernées.",
            "hours": "Le plan ne donne pas d'heures d'ouverture pour {label}.",
            "target": "Le plan ne donne pas de cible chiffrée pour {label}.",
            "facility": "Le plan ne parle pas de « {facility} » dans {label}.",
        },
        "premise_amount": "Non : le plan ne donne aucun montant pour {label} (il ne chiffre pas ses actions).",
        "premise_date": "Le plan ne donne pas de date pour {label}; son échéancier : {when}.",
        "no_precise_date": "Le plan ne donne pas de date plus précise.",
        "premise_cancelled": "Le plan ne parle pas d'annulation : {label} y figure ({when}). Pour son état "
        "actuel, {contact}.",
        "and": "et",
        "kinds": {
            "actions": ("action", "actions"),
            "objectifs": ("objectif", "objectifs"),
            "orientations": ("orientation", "orientations"),
            "axes": ("axe d'intervention", "axes d'intervention"),
            "themes": ("thème", "thèmes"),
            "indicateurs": ("résultat/indicateur", "résultats/indicateurs"),
            "principes": ("principe", "principes"),
            "unites": ("unité administrative", "unités administratives"),
        },
    },
    "en": {
        "in": "In",
        "plan_of": "the {title} ({org})",
        "timelines_of": "{plan} gives a timeline by horizon ({horizons})",
        "timeline": "Timeline",
        "units_listed": "Administrative units concerned (the plan lists them per objective)",
        "no_timeline_plan": "the {org}'s plan gives no timeline per action; it covers {period}",
        "units_per_objective": "The plan lists the administrative units per objective.",
        "units_lead": "{k} units are concerned by {label} {m}: {units}.",
        "units_lead_one": "One unit is concerned by {label} {m}: {units}.",
        "units_lead_org": "The whole municipal organisation is concerned by {label} {m}: the plan names no unit for "
        "its objective.",
        "action_units": "For action {n} (« {text} ») {m}, the objective « {obj} » names {k} unit{s}:",
        "objective_units": "The objective « {obj} » {m} names {k} unit{s}:",
        "org_units": "For action {n} (« {text} ») {m}, the plan names no unit: it says « {note} »",
        "org_units_obj": "For the objective « {obj} » {m}, the plan names no unit: it says « {note} »",
        "no_units_plan": "The {org}'s plan names no administrative unit of {the_city}: action {n} (« {text} ») "
        "{m} is carried by the {org}.",
        "unspecified_units": "The plan names no unit for the objective « {obj} » {m}.",
        "horizon_is": "Action {n} (« {text} ») {m} is planned {words}.",
        "horizon_ongoing": "Action {n} (« {text} ») {m} is {words} ({code}): {desc}",
        "yes": "Yes: ",
        "no": "No: ",
        "objective_horizons": "The actions of the objective « {obj} » {m}:",
        "reverse_header": "Actions {what}: {k} action{s}.",
        "reverse_none": "No action {what}.",
        "untimed_actions": "Its {k} actions, all planned within that period:",
        "org_note": "The objectives of the axe « {axe} » (actions {first} to {last}) name no unit: they concern the whole "
        "municipal organisation, so they are not in this list.",
        "count": "The {title} ({org}) has {parts}.",
        "missing_action": "The {title} has {k} actions, numbered {first} to {last}: there is no action {n}.",
        "missing_generic": "The plans I know have no « {n} ».",
        "missing_tail": "I only answer from the plans: I do not make up actions.",
        "topic_intro": "Here is what the {title} ({org}) plans (the plan is in French):",
        "topic_also": "In the {title} ({org}):",
        "objective_line": "Objective « {obj} »{units}:",
        "units_short": " (units: {units})",
        "units_org": " (the whole municipal organisation)",
        "oos": "The plans I know ({plans}) do not cover {topic}.",
        "oos_topic": "{label}",
        "oos_default": "this question",
        "oos_tail": "For municipal services, {contact}.",
        "roles_intro": "The plan describes {k} roles the organisation can play in an action {m}:",
        "principles_intro": "The principles of the Policy that guide the plan {m}:",
        "units_intro": "The administrative units concerned by the plan {m}:",
        "list_intro": "{what} of the {title}:",
        "greeting": "Hello! I answer questions about {plans}, citing their actions.{examples}",
        "gibberish": "I did not understand the question. I answer questions about {plans}.{examples}",
        "refusal": "I only answer questions about the action plans, from their text, and my rules do not "
        "change.{examples}",
        "for_instance": " For instance: {examples}",
        "welcome": "Ask a question about {plans}. Answers cite their actions.",
        "or": "or",
        "distress": "{distress} The action plans do not answer this kind of situation.",
        "health_safety": "{resources} The action plans do not answer this kind of situation.",
        "private": "I give no personal information about anyone and have access to no file: I only answer from "
        "the text of the action plans.",
        "person": "The plans name no one: they describe actions and, for {the_city}, the administrative units "
        "concerned. To find out who holds a position, {contact}.",
        "notion": "The plan defines this notion in a note to {label} {m}: {text}",
        "units_asserted_yes": "Yes: the plan lists {units} for the objective of {label}.",
        "units_asserted_no": "No: the plan does not list {units} for the objective of {label}.",
        "filter_some": "Of the actions in the previous answer, {k} {verb} {what}:",
        "filter_none": "None of the actions in the previous answer is {what}. Their timelines:",
        "see_also": "See also (related actions, not a direct answer):",
        "closest": "What comes closest in the plans:",
        "hedged_lead": "The plans have no action that answers the question exactly; the closest: {aims}.",
        "hedged_more": "Other close actions:",
        "hedged_closest": "No action answers it exactly; the closest: {aims}.",
        "policy_lead": "The {plan} has no action of its own on this subject; it names « {title} » among the "
        "municipal orientations associated with {k} of its objectives ({objectives}).",
        "yes_lead": "Yes: ",
        "aims": "{label} ({org}) aims to « {text} »{when}",
        "aims_noun": "{label} ({org}) is about « {text} »{when}",
        "no_timeline_short": "no timeline per action",
        "units_compact": "Units concerned (objective of {label}): {units}.",
        "action_own_units": "For action {n} (« {text} ») {m}, the plan names {k} unit{s}:",
        "units_own": "Units concerned by {label}: {units}.",
        "units_compact_org": "Units concerned (objective of {label}): the whole municipal organisation.",
        "missing_fact": {
            "amount": "The plans give no amount or budget: they do not put figures on their actions.",
            "date": "The plans give no precise date{timelines}.",
            "place": "The plans give no place or address.",
            "person": "The plans name no one: {the_city}'s plan lists the administrative units concerned by "
            "each objective.",
            "hours": "The plans give no opening hours.",
            "target": "The plans give no numeric target.",
            "facility": "The plans do not mention « {facility} ».",
        },
        "missing_fact_node": {
            "amount": "The plan gives no amount for {label}: it does not put figures on its actions.",
            "date": "The plan gives no precise date for {label}; its timeline: {when}.",
            "place": "The plan gives no place or address for {label}.",
            "person": "The plan names no one for {label}: it lists the administrative units concerned.",
            "hours": "The plan gives no opening hours for {label}.",
            "target": "The plan gives no numeric target for {label}.",
            "facility": "The plan does not mention « {facility} » in {label}.",
        },
        "premise_amount": "No: the plan gives no amount for {label} (it does not put figures on its actions).",
        "premise_date": "The plan gives no date for {label}; its timeline: {when}.",
        "no_precise_date": "The plan gives no more precise date.",
        "premise_cancelled": "The plan says nothing of a cancellation: {label} is in it ({when}). For its current "
        "status, {contact}.",
        "and": "and",
        "kinds": {
            "actions": ("action", "actions"),
            "objectifs": ("objective", "objectives"),
            "orientations": ("orientation", "orientations"),
            "axes": ("axe", "axes"),
            "themes": ("theme", "themes"),
            "indicateurs": ("result/indicator", "results/indicators"),
            "principes": ("principle", "principles"),
            "unites": ("administrative unit", "administrative units"),
        },
    },
}


_OPEN, _CLOSE = "\u27e6", "\u27e7"  # ⟦n⟧ while composing
# An action written as an infinitive (« Maintenir… », « Se doter… », « Être à l'écoute… »), folded.
_INFINITIVE = re.compile(r"^(?:se |s')?[a-z]+(?:er|ir|re|oir)\b")
_LITERAL_MARKER = re.compile(r"\[(\d{1,3})\]")
_SENTINEL = re.compile(f"{_OPEN}(\\d+){_CLOSE}")


def _markers(text: str) -> str:
    """Bracketed numbers quoted from a plan become « (7) »; the composer's own markers become « [n] »."""
    return _SENTINEL.sub(r"[\1]", _LITERAL_MARKER.sub(r"(\1)", text))


def short(text: str, limit: int = 140) -> str:
    text = " ".join(text.split()).rstrip(".")
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def capital(text: str) -> str:
    """The text with its first letter in capitals."""
    return text[:1].upper() + text[1:]


class Composer:
    """Accumulates citations and the lines of an answer."""

    def __init__(self, lang: str, org: Organisation | None = None):
        self.lang: Literal["fr", "en"] = "en" if lang == "en" else "fr"
        self.org = org or Organisation()
        self.t: dict[str, Any] = self.org.texts(self.lang, T[self.lang])
        self.citations: list[Citation] = []
        self._index: dict[str, int] = {}
        self.lines: list[str] = []
        self.lead = ""  # the first sentence, which answers (empty: the first line)
        self.related: list[str] = []  # « Voir aussi » items
        self.sure = True  # False: the answer says what is closest, without asserting it
        self.confidence: float | None = None  # the judge's probability for the first action

    # -- citations -------------------------------------------------------------------------
    def cite(self, plan: Plan, node: Node, role: Literal["primary", "related"] = "primary") -> str:
        ref = plan.ref(node)
        if ref in self._index and role == "primary":
            self.citations[self._index[ref] - 1].role = "primary"
        if ref not in self._index:
            obj = plan.objective_of(node)
            units = list(plan.units_for(node))
            horizon = getattr(node, "horizon", None)
            self.citations.append(
                Citation(
                    plan_id=plan.id,
                    plan_title=plan.title,
                    organisation=plan.meta.organisation,
                    kind=node.kind.value,
                    number=node.number,
                    text=self.full_text(plan, node)
                    if isinstance(node, Action)
                    else (node.text or node.title),
                    url=plan.url(node),
                    horizon=horizon,
                    horizon_words=plan.horizon_words(horizon),
                    horizon_label=badge(plan, horizon, self.lang) if horizon else None,
                    horizon_order=list(plan.horizons).index(horizon) + 1
                    if horizon in plan.horizons
                    else None,
                    units=units,
                    units_scope=obj.units_scope.value if isinstance(obj, Objectif) else None,
                    path=plan.breadcrumb(node),
                    ref=ref,
                    label=node.label,
                    role=role,
                )
            )
            self._index[ref] = len(self.citations)
        # A sentinel, turned into « [n] » at the end: plan text that happens to contain « [7] » cannot
        # pass for a citation marker (see :meth:`text`).
        return f"{_OPEN}{self._index[ref]}{_CLOSE}"

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def text(self) -> str:
        return _markers(self._joined())

    def lead_text(self) -> str:
        """The first sentence as shown (markers as « [n] »)."""
        if self.lead:
            return _markers(self.lead)
        return _markers(next((line for line in self.lines if line.strip()), ""))

    def _joined(self) -> str:
        lines = [self.lead, ""] if self.lead else []
        lines += self.lines
        if self.related:
            lines += ["", self.t["see_also"], *self.related]
        out: list[str] = []
        for line in lines:
            if line == "" and (not out or out[-1] == ""):
                continue
            out.append(line)
        while out and out[-1] == "":
            out.pop()
        return "\n".join(out)

    # -- shared pieces -----------------------------------------------------------------------
    def horizon_phrase(self, plan: Plan, code: str | None) -> str:
        if not code:
            return ""
        h = plan.horizons.get(code)
        words = phrase(plan, code, self.lang)
        if self.lang == "en":
            # The plan's own words too: « court terme », « 2 ans et moins ».
            label = f"« {h.label} »" if h else code
            return f"{words} ({code}: {label}" + (f", {h.span})" if h and h.span else ")")
        if h and h.span:
            return f"{words} ({code} : {h.span})"
        return f"{words} ({code})"

    def plans_named(self, plans: list[Plan]) -> str:
        """« « Plan … » et « Plan … » »: the plans the assistant answers about."""
        return f" {self.t['and']} ".join(f"« {p.title} »" for p in plans)

    def examples(self) -> str:
        """« Par exemple : « Qui s'occupe de l'action 37? » ou « … » », from the organisation's file."""
        said = [f"« {e} »" for e in self.org.examples(self.lang)[:2]]
        return self.t["for_instance"].format(examples=f" {self.t['or']} ".join(said)) if said else ""

    def about(self, key: str, plans: list[Plan]) -> str:
        """A text that names the plans and gives examples (greeting, not understood, refusal)."""
        return self.t[key].format(plans=self.plans_named(plans), examples=self.examples())

    def plan_phrase(self, plan: Plan) -> str:
        return self.t["plan_of"].format(title=plan.title, org=plan.meta.organisation)

    def timelines_of(self, plans: list[Plan]) -> str:
        """« : le Plan … (Ville de Québec) donne un échéancier par horizon (en cours, court terme : 2 ans
        et moins, …) », from the plans' legends; nothing when no plan has timelines."""
        sep = " : " if self.lang == "fr" else ": "

        def said(p: Plan, code: str) -> str:
            h = p.horizons[code]
            words = h.label if self.lang == "fr" else phrase(p, code, self.lang)
            return words + (f"{sep}{h.span}" if h.span else "")

        parts = [
            self.t["timelines_of"].format(
                plan=self.plan_phrase(p), horizons=", ".join(said(p, code) for code in p.horizons)
            )
            for p in plans
            if p.horizons
        ]
        return sep + "; ".join(parts) if parts else ""

    def units_lines(self, plan: Plan, node: Node, label_action: bool = True) -> list[str]:
        """The units of a node's objective, said as the plan says them."""
        t = self.t
        obj = plan.objective_of(node)
        m = self.cite(plan, node)
        text = self.full_text(plan, node)
        if isinstance(node, Action) and node.units:  # the plan names the action's own units
            k = len(node.units)
            head = t["action_own_units"].format(n=node.number, text=text, m=m, k=k, s="s" if k > 1 else "")
            return [head, *[f"- {u}" for u in node.units]]
        if not isinstance(obj, Objectif) or obj.kind != Kind.OBJECTIF:
            return [t["no_units_plan"].format(org=plan.meta.organisation, n=node.number, text=text, m=m)]
        if obj.units_scope == UnitsScope.LISTED:
            k = len(obj.units)
            s = "s" if k > 1 else ""
            if node.kind == Kind.ACTION and label_action:
                head = t["action_units"].format(n=node.number, text=text, m=m, obj=short(obj.title), k=k, s=s)
            else:
                head = t["objective_units"].format(obj=short(obj.title), m=self.cite(plan, obj), k=k, s=s)
            return [head, *[f"- {u}" for u in obj.units]]
        if obj.units_scope == UnitsScope.ORGANISATION:
            note = (obj.units_note or "").rstrip(".") + "."
            if node.kind == Kind.ACTION:
                return [t["org_units"].format(n=node.number, text=text, m=m, note=note)]
            return [t["org_units_obj"].format(obj=short(obj.title), m=m, note=note)]
        return [t["unspecified_units"].format(obj=short(obj.title), m=m)]

    # -- the answer's shape: a first sentence that answers, then compact items -------------------
    def the(self, node: Node) -> str:
        """« l'action 28 », « le thème 2 » / « action 28 »: the node's label inside a sentence."""
        label = node.label[:1].lower() + node.label[1:]
        if self.lang == "en":
            return label
        return ("l'" if fold(label[:1]) in "aeiouyh" else "le ") + label

    def full_text(self, plan: Plan, node: Node) -> str:
        """A node's whole text, never cut; a line that continues another's list (« 2.1.2 les aspects
        de sécurité liés au déneigement ») with the stem that gives it its meaning."""
        text = " ".join((node.text or node.title).split()).rstrip(" .;")
        if isinstance(node, Action) and node.continues:
            first = plan.action(node.continues)
            if first is not None:
                stem = first.text.split(":", 1)[0].strip() if ":" in first.text else first.text.rstrip(" .;")
                text = f"{stem} : {text}"
        return text

    def no_timeline(self, plan: Plan) -> str:
        """« le plan du Conseil de quartier … ne donne pas d'échéancier par action (…) » (no capital)."""
        return self.t["no_timeline_plan"].format(org=plan.meta.organisation, period=plan.meta.period or "")

    def when_words(self, plan: Plan, node: Node) -> str:
        code = getattr(node, "horizon", None)
        if code:
            return self.horizon_phrase(plan, code)
        return (
            f"{self.t['no_timeline_short']}, {plan.meta.period}"
            if plan.meta.period
            else self.t["no_timeline_short"]
        )

    def item(self, plan: Plan, node: Node, role: Literal["primary", "related"] = "primary") -> str:
        """« - Action 28 (Ville de Québec, en cours (EC)) : Maintenir et bonifier … [1] »"""
        m = self.cite(plan, node, role)
        sep = ":" if self.lang == "en" else " :"
        return f"- {node.label} ({plan.meta.organisation}, {self.when_words(plan, node)}){sep} {self.full_text(plan, node)}. {m}"

    def aims(self, plan: Plan, node: Node) -> str:
        """« l'action 28 (Ville de Québec) vise à maintenir et bonifier … (en cours) [1] »"""
        m = self.cite(plan, node)
        text = self.full_text(plan, node).replace(" : ", " ")
        label = self.the(node)
        code = getattr(node, "horizon", None)
        h = plan.horizons.get(code) if code else None
        when = ""
        if code:
            words = phrase(plan, code, self.lang)
            when = f" ({words} : {h.span})" if h and h.span else f" ({words})"
        org = plan.meta.organisation
        if self.lang == "fr" and _INFINITIVE.match(fold(text)):
            return (
                self.t["aims"].format(label=label, org=org, when=when, text=text[:1].lower() + text[1:])
                + f" {m}"
            )
        key = "aims" if self.lang == "en" and _INFINITIVE.match(fold(text)) else "aims_noun"
        return self.t[key].format(label=label, org=org, when=when, text=text) + f" {m}"

    def units_compact(self, plan: Plan, node: Node) -> str | None:
        """One line: the units the plan lists for a node (an action's own, else its objective's)."""
        obj = plan.objective_of(node)
        label = self.the(node)
        if isinstance(node, Action) and node.units:
            return self.t["units_own"].format(label=label, units="; ".join(node.units))
        if not isinstance(obj, Objectif):
            return None
        if obj.units_scope == UnitsScope.LISTED and obj.units:
            return self.t["units_compact"].format(label=label, units="; ".join(obj.units))
        if obj.units_scope == UnitsScope.ORGANISATION:
            return self.t["units_compact_org"].format(label=label)
        return None

    def action_item(self, plan: Plan, a: Node, with_horizon: bool = True) -> str:
        m = self.cite(plan, a)
        h = getattr(a, "horizon", None)
        tail = f" — {self.horizon_phrase(plan, h)}" if (with_horizon and h) else ""
        return f"- {a.number}. {self.full_text(plan, a)}{tail} {m}"

    def describe_node(self, plan: Plan, node: Node) -> list[str]:
        """A node with its context: what « l'action 37 » returns."""
        t = self.t
        m = self.cite(plan, node)
        lines = [
            f"{node.label} {m} : {self.full_text(plan, node)}"
            if self.lang == "fr"
            else f"{node.label} {m}: {self.full_text(plan, node)}"
        ]
        crumbs = [plan.node(a) for a in node.path]
        where = " › ".join(
            f"{c.label} « {short(c.title, 90)} »" if c.label != c.title else c.title for c in crumbs
        )
        lines.append(f"{t['in']} {self.plan_phrase(plan)}" + (f" › {where}" if where else "") + ".")
        if isinstance(node, Action):
            if node.horizon:
                lines.append(
                    f"{t['timeline']} : {self.horizon_phrase(plan, node.horizon)}."
                    if self.lang == "fr"
                    else f"{t['timeline']}: {self.horizon_phrase(plan, node.horizon)}."
                )
            elif plan.meta.period:
                lines.append(
                    t["no_timeline_plan"]
                    .format(org=plan.meta.organisation, period=plan.meta.period)
                    .capitalize()
                    + "."
                )
            if node.continues:
                first = plan.action(node.continues)
                if first is not None:
                    lines.append(
                        f"Cette ligne complète la liste de l'action {first.number} "
                        f"(« {self.full_text(plan, first)} ») {self.cite(plan, first)}."
                    )
            obj = plan.objective_of(node)
            if node.units:
                lines.append(self.t["units_own"].format(label=self.the(node), units="; ".join(node.units)))
            elif isinstance(obj, Objectif) and obj.units_scope == UnitsScope.LISTED:
                lines.append(
                    f"{t['units_listed']} : {'; '.join(obj.units)}."
                    if self.lang == "fr"
                    else f"{t['units_listed']}: {'; '.join(obj.units)}."
                )
            elif isinstance(obj, Objectif) and obj.units_scope == UnitsScope.ORGANISATION:
                lines.append(f"{obj.units_note}")
            for f in node.footnotes:
                lines.append(f"Note {f.marker} : {f.text}")
            inds = [c for c in plan.children(node.id) if isinstance(c, Indicateur)]
            if inds:
                lines.append("Résultats/indicateurs : " + " ".join(f"{i.number} {i.title}" for i in inds))
        elif isinstance(node, Objectif):
            if node.visees:
                lines.append("Visées : " + "; ".join(node.visees) + ".")
            lines += (
                self.units_lines(plan, node, label_action=False)[0:1]
                if node.units_scope != UnitsScope.LISTED
                else [f"{t['units_listed']} : {'; '.join(node.units)}."]
            )
            lines += [self.action_item(plan, a) for a in plan.children(node.id) if a.kind == Kind.ACTION]
        elif node.kind in (Kind.ORIENTATION, Kind.AXE, Kind.THEME):
            for child in plan.children(node.id):
                if child.kind in (Kind.AXE, Kind.OBJECTIF):
                    lines.append(f"- {child.label} « {short(child.title, 110)} » {self.cite(plan, child)}")
        elif isinstance(node, Indicateur) and node.parent_id:
            parent = plan.node(node.parent_id)
            lines.append(
                f"Résultat attendu de l'action {parent.number} (« {self.full_text(plan, parent)} ») "
                f"{self.cite(plan, parent)}."
            )
        return lines
