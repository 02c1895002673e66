"""The assistant: reads a question, answers it exactly from the structured plans when it can
(an action by its number, units, timelines, reverse look-ups, counts, definitions), by hybrid
retrieval otherwise, and says so when the plans do not cover it."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from contextvars import ContextVar
from typing import Any

from assistant.answer import Answer, Filters, Turn
from assistant.compose import Composer, short
from assistant.normalize import clean_question, detect_language, strip_instructions
from assistant.scope import ScopeConfig, ScopeDecision, decide
from assistant.understanding import Intent, Understanding, content_words, understand
from corpus import Corpus, Kind
from corpus.model import Action, Axe, Node, Objectif, Plan, Section
from corpus.text import fold
from index.search import Hit, HybridSearcher, SearchResult
from index.service import IndexService, Snapshot

MAX_HISTORY_TURNS = 10
_SNAPSHOT: ContextVar[Snapshot | None] = ContextVar("plan_assistant_snapshot", default=None)
TOPIC_MAX_ITEMS = 6
TOPIC_RATIO = 0.7
OBJECTIVE_FILL = 1  # actions shown for an objective found without any of its actions


class Assistant:
    def __init__(
        self,
        index: IndexService,
        max_question_length: int = 1000,
        scope: ScopeConfig | None = None,
        llm: Any = None,
        cache_size: int = 1024,
    ):
        self.index = index
        self.max_question_length = max_question_length
        self.scope = scope or ScopeConfig()
        # Plans named in a question override the out-of-scope list (the City's own plan, named by
        # « la ville », does not: every question says « la ville »).
        first = min((p.meta.order for p in self.corpus), default=0)
        self.local_plans = frozenset(p.id for p in self.corpus if p.meta.order > first)
        self.llm = llm
        # How many retrieved nodes a topical answer shows (tuned on the question set).
        self.topic_ratio = TOPIC_RATIO
        self.topic_max = TOPIC_MAX_ITEMS
        self.objective_fill = OBJECTIVE_FILL
        self._cache: OrderedDict[tuple[Any, ...], Answer] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    @property
    def corpus(self) -> Corpus:
        """The corpus of the request's snapshot (outside a request: the index's current one)."""
        snap = _SNAPSHOT.get()
        return snap.corpus if snap is not None else self.index.corpus

    def _searcher(self) -> HybridSearcher:
        snap = _SNAPSHOT.get()
        return snap.searcher if snap is not None else self.index.searcher()

    # ------------------------------------------------------------------ entry point
    def ask(
        self,
        question: str,
        history: list[Turn] | list[dict[str, Any]] | None = None,
        filters: Filters | dict[str, Any] | None = None,
    ) -> Answer:
        q = clean_question(question, self.max_question_length)
        turns = [t if isinstance(t, Turn) else Turn.model_validate(t) for t in (history or [])][
            -MAX_HISTORY_TURNS:
        ]
        f = filters if isinstance(filters, Filters) else Filters.model_validate(filters or {})
        snap = self.index.snapshot()
        key = (
            snap.build_id,
            q,
            tuple((t.question, tuple(t.refs)) for t in turns[-2:]),
            f.model_dump_json(),
        )
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        token = _SNAPSHOT.set(snap)  # the whole answer reads one corpus and one index
        try:
            answer = self._answer(q, turns, f)
        finally:
            _SNAPSHOT.reset(token)
        if self.llm is not None and answer.found:
            answer = self.llm.rewrite(answer, turns)
        with self._lock:
            self._cache[key] = answer
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return answer

    def clear_caches(self) -> None:
        """Forget cached answers and query embeddings (the index clears them on a new build)."""
        with self._lock:
            self._cache.clear()
        self.index.embedder.clear_cache()

    def _answer(self, q: str, turns: list[Turn], f: Filters) -> Answer:
        read, instructed = strip_instructions(q)
        if instructed and len(content_words(fold(read))) < 2 and not any(ch.isdigit() for ch in read):
            return self._refusal(q)
        u = understand(read, self.corpus, turns)
        if instructed:
            u.notes.append("consignes adressées à l'assistant retirées de la question")
        if f.plan and f.plan in self.corpus.plans:
            u.plans = [f.plan]
        c = Composer(u.lang)
        handler = {
            Intent.ACTION: self._action,
            Intent.UNITS: self._units,
            Intent.HORIZON: self._horizon,
            Intent.REVERSE: self._reverse,
            Intent.COUNT: self._count,
            Intent.STRUCTURE: self._structure,
            Intent.DEFINITION: self._definition,
            Intent.TOPIC: self._topic,
            Intent.MISSING: self._missing,
        }[u.intent]
        found = handler(u, c, f)
        if u.missing and u.intent not in (Intent.MISSING,) and found:
            c.add("", self._missing_sentence(u))
        notes = [f"intention : {u.intent.value}", *u.notes]
        if u.followup:
            notes.append("question de suivi lue avec le tour précédent")
        return Answer(
            question=q,
            answer=c.text(),
            found=(found and bool(c.citations)) or (found and u.intent in (Intent.COUNT, Intent.REVERSE)),
            citations=c.citations if found else [],
            lang=c.lang,
            intent=u.intent.value,
            notes=notes,
        )

    def _refusal(self, q: str) -> Answer:
        lang = detect_language(q)
        text = (
            "Je réponds seulement aux questions sur les plans d'action, à partir de leur texte, et mes consignes "
            "ne changent pas. Vous pouvez demander par exemple : « Qui s'occupe de l'action 37? » ou « Quelles "
            "actions concernent le logement? »"
            if lang == "fr"
            else "I only answer questions about the action plans, from their text, and my rules do not change. You can "
            'ask for instance: "Which departments are involved in action 37?"'
        )
        return Answer(
            question=q,
            answer=text,
            found=False,
            citations=[],
            lang="en" if lang == "en" else "fr",
            intent="consigne",
            notes=["question adressée aux consignes de l'assistant"],
        )

    # ------------------------------------------------------------------ helpers
    def _search(self, u: Understanding, f: Filters, k: int = 8, kind: str | None = None) -> SearchResult:
        filters = {"plan": f.plan, "unit": f.unit, "horizon": f.horizon, "kind": kind or f.kind}
        return self._searcher().search_details(u.search_query, k=k, filters=filters)

    def _node(self, hit: Hit) -> tuple[Plan, Node]:
        plan = self.corpus.plan(hit.plan_id)
        return plan, plan.node(hit.node_id)

    def _covered(self, u: Understanding, result: SearchResult) -> ScopeDecision:
        decision = decide(
            u.search_query if not u.followup else u.question, result, self.scope, self.local_plans
        )
        u.notes.append(f"portée : {decision.reason}")
        return decision

    def _subject_targets(self, u: Understanding, f: Filters, c: Composer) -> list[tuple[Plan, Node]] | None:
        """The node a question is about when it names none: the best action found by retrieval (or
        None, with the out-of-scope answer written, when the plans do not cover it)."""
        if u.targets:
            return u.targets
        result = self._search(u, f)
        decision = self._covered(u, result)
        if not decision.covered or not result.hits:
            self._out_of_scope(u, c, decision)
            return None
        for hit in result.hits:
            if hit.kind in ("action", "objectif"):
                return [self._node(hit)]
        return [self._node(result.hits[0])]

    def _out_of_scope(self, u: Understanding, c: Composer, decision: ScopeDecision | None) -> None:
        t = c.t
        plans = f" {t['and']} ".join(f"« {p.title} »" for p in self.corpus)
        topic = t["oos_default"]
        if decision is not None and decision.topic is not None:
            label = decision.topic.label if c.lang == "fr" else decision.topic.label_en
            topic = t["oos_topic"].format(label=label)
        c.add(t["oos"].format(plans=plans, topic=topic), "", t["oos_tail"])

    def _missing_sentence(self, u: Understanding) -> str:
        c = Composer(u.lang)
        parts = []
        for n in u.missing:
            plan = next((p for p in self.corpus if p.id in u.plans), None)
            if plan is None:
                plan = next(
                    (
                        p
                        for p in self.corpus
                        if ("." in n) == any("." in (a.number or "") for a in p.actions())
                    ),
                    None,
                )
            actions = plan.actions() if plan else []
            if plan is not None and actions and not n.startswith(("objectif", "axe", "orientation", "thème")):
                parts.append(
                    c.t["missing_action"].format(
                        title=plan.title,
                        k=len(actions),
                        first=actions[0].number,
                        last=actions[-1].number,
                        n=n,
                    )
                )
            else:
                parts.append(c.t["missing_generic"].format(n=n))
        return " ".join(parts)

    # ------------------------------------------------------------------ intents
    def _missing(self, u: Understanding, c: Composer, f: Filters) -> bool:
        c.add(self._missing_sentence(u), "", c.t["missing_tail"])
        return False

    def _action(self, u: Understanding, c: Composer, f: Filters) -> bool:
        for i, (plan, node) in enumerate(u.targets[:10]):
            if i:
                c.add("")
            c.add(*c.describe_node(plan, node))
        return True

    def _units(self, u: Understanding, c: Composer, f: Filters) -> bool:
        targets = self._subject_targets(u, f, c)
        if targets is None:
            return False
        c.add(c.t["units_per_objective"], "")
        seen_objectives: set[str] = set()
        for plan, node in targets[:6]:
            obj = plan.objective_of(node)
            if obj is not None and obj.id in seen_objectives and node.kind == Kind.ACTION:
                c.add(
                    f"L'action {node.number} {c.cite(plan, node)} relève du même objectif."
                    if c.lang == "fr"
                    else f"Action {node.number} {c.cite(plan, node)} has the same objective."
                )
                continue
            if obj is not None:
                seen_objectives.add(obj.id)
            c.add(*c.units_lines(plan, node))
            c.add("")
        return True

    def _horizon(self, u: Understanding, c: Composer, f: Filters) -> bool:
        targets = self._subject_targets(u, f, c)
        if targets is None:
            return False
        t = c.t
        for plan, node in targets[:6]:
            if isinstance(node, Objectif):
                c.add(t["objective_horizons"].format(obj=short(node.title), m=c.cite(plan, node)))
                c.add(*[c.action_item(plan, a) for a in plan.children(node.id) if a.kind == Kind.ACTION])
                continue
            if not isinstance(node, Action):
                c.add(*c.describe_node(plan, node))
                continue
            m = c.cite(plan, node)
            if not node.horizon:
                c.add(
                    f"L'action {node.number} (« {short(node.text)} ») {m} : "
                    + t["no_timeline_plan"].format(org=plan.meta.organisation, period=plan.meta.period or "")
                    + "."
                )
                continue
            asserted = [h for h in u.horizons if h in plan.horizons]
            prefix = ""
            if len(asserted) == 1:
                prefix = t["yes"] if asserted[0] == node.horizon else t["no"]
            h = plan.horizons[node.horizon]
            if node.horizon == "EC":
                line = t["horizon_ec"].format(
                    n=node.number,
                    text=short(node.text),
                    m=m,
                    desc=h.description[:1].lower() + h.description[1:],
                )
            else:
                line = t["horizon_is"].format(
                    n=node.number, text=short(node.text), m=m, words=c.horizon_phrase(plan, node.horizon)
                )
            c.add(prefix + (line[0].lower() + line[1:] if prefix else line))
        return True

    def _reverse_set(self, u: Understanding, f: Filters) -> tuple[list[tuple[Plan, Action]], list[str]]:
        """Every action meeting all the constraints of the question (complete, not cut)."""
        what: list[str] = []
        plans = [p for p in self.corpus if not u.plans or p.id in u.plans]
        if f.plan:
            plans = [p for p in plans if p.id == f.plan]
        scopes: list[tuple[Plan, Node]] = list(u.structure)
        if u.topic_objective and not scopes:
            result = self._search(u, f, k=3, kind="objectif")
            if result.hits:
                scopes.append(self._node(result.hits[0]))
        if scopes:
            plans = [p for p in plans if any(p is sp for sp, _ in scopes)] or plans
        units = list(u.units) + ([f.unit] if f.unit else [])
        horizons = list(u.horizons) + ([f.horizon] if f.horizon else [])
        out: list[tuple[Plan, Action]] = []
        for plan in plans:
            for a in plan.actions():
                if scopes and not any(sp is plan and (n.id in a.path) for sp, n in scopes):
                    continue
                if units and not all(un in plan.units_for(a) for un in units):
                    continue
                if horizons and a.horizon not in horizons:
                    continue
                if u.principles:
                    axe = next((plan.node(x) for x in a.path if plan.node(x).kind == Kind.AXE), None)
                    if not isinstance(axe, Axe) or not all(p in axe.principles for p in u.principles):
                        continue
                out.append((plan, a))
        return out, what

    def _constraint_words(
        self, u: Understanding, c: Composer, f: Filters, scopes: list[tuple[Plan, Node]]
    ) -> str:
        fr = c.lang == "fr"
        parts = []
        units = list(u.units) + ([f.unit] if f.unit else [])
        for un in units:
            parts.append(
                f"dont l'objectif liste l'unité « {un} »" if fr else f"whose objective lists « {un} »"
            )
        for code in list(u.horizons) + ([f.horizon] if f.horizon else []):
            plan = next((p for p in self.corpus if code in p.horizons), None)
            parts.append(c.horizon_phrase(plan, code) if plan else code)
        for _plan, node in scopes:
            parts.append(
                f"de {node.label.lower() if fr else node.label} « {short(node.title, 90)} »"
                if node.label != node.title
                else f"« {node.title} »"
            )
        for p in u.principles:
            parts.append(f"des axes associés au principe « {p} »" if fr else f"of the axes tied to « {p} »")
        return ", ".join(parts)

    def _reverse(self, u: Understanding, c: Composer, f: Filters) -> bool:
        actions, _ = self._reverse_set(u, f)
        scopes = list(u.structure)
        if u.topic_objective and not scopes and actions:
            plan, a = actions[0]
            obj = plan.objective_of(a)
            if obj is not None:
                scopes = [(plan, obj)]
        what = self._constraint_words(u, c, f, scopes)
        k = len(actions)
        if not k:
            c.add(c.t["reverse_none"].format(what=what))
        else:
            c.add(c.t["reverse_header"].format(what=what, k=k, s="s" if k > 1 else ""))
        current: str | None = None
        for plan, a in actions:
            obj = plan.objective_of(a)
            group = obj.id if obj else plan.id
            if group != current and obj is not None:
                current = group
                c.add("", f"{obj.label} « {short(obj.title, 110)} » {c.cite(plan, obj)} :")
            c.add(c.action_item(plan, a))
        if u.units or f.unit:
            org = [o for p in self.corpus for o in p.objectives() if o.units_scope.value == "organisation"]
            if org:
                plan = next(p for p in self.corpus if org[0] in p.nodes)
                acts = [a for o in org for a in plan.children(o.id) if a.kind == Kind.ACTION]
                axe = plan.node(org[0].parent_id) if org[0].parent_id else None
                if axe is not None and acts:
                    c.add(
                        "", c.t["org_note"].format(axe=axe.title, first=acts[0].number, last=acts[-1].number)
                    )
        return True

    def _count(self, u: Understanding, c: Composer, f: Filters) -> bool:
        what = u.count_of or "actions"
        constrained = bool(u.units or u.structure or u.principles or u.horizons)
        if what == "actions" and constrained:
            actions, _ = self._reverse_set(u, f)
            scopes = list(u.structure)
            desc = self._constraint_words(u, c, f, scopes)
            k = len(actions)
            c.add(c.t["reverse_header"].format(what=desc, k=k, s="s" if k > 1 else ""))
            for plan, a in actions:
                c.add(c.action_item(plan, a))
            return True
        kinds = {
            "actions": Kind.ACTION,
            "objectifs": Kind.OBJECTIF,
            "orientations": Kind.ORIENTATION,
            "axes": Kind.AXE,
            "themes": Kind.THEME,
            "indicateurs": Kind.INDICATEUR,
            "resultats": Kind.INDICATEUR,
        }
        plans = [p for p in self.corpus if not u.plans or p.id in u.plans]
        for plan in plans:
            parts = []
            for name, kind in [
                ("actions", Kind.ACTION),
                ("objectifs", Kind.OBJECTIF),
                ("axes", Kind.AXE),
                ("orientations", Kind.ORIENTATION),
                ("themes", Kind.THEME),
                ("indicateurs", Kind.INDICATEUR),
            ]:
                n = len(plan.of_kind(kind))
                if n:
                    one, many = c.t["kinds"][name]
                    parts.append(f"{n} {one if n == 1 else many}")
            if what in ("principes", "unites"):
                items = plan.principles if what == "principes" else tuple(plan.units())
                if not items:
                    continue
                one, many = c.t["kinds"][what]
                parts = [f"{len(items)} {many}"]
            elif what in kinds and kinds[what] != Kind.ACTION:
                # Put what was asked first.
                first = [
                    p
                    for p in parts
                    if c.t["kinds"].get(what, ("", ""))[1] in p or c.t["kinds"].get(what, ("", ""))[0] in p
                ]
                parts = first + [p for p in parts if p not in first]
            if parts:
                joined = ", ".join(parts[:-1]) + f" {c.t['and']} {parts[-1]}" if len(parts) > 1 else parts[0]
                c.add(c.t["count"].format(title=plan.title, org=plan.meta.organisation, parts=joined))
                top = plan.of_kind(Kind.ORIENTATION) or plan.of_kind(Kind.THEME)
                if top:
                    c.add(" ".join(f"{n.label} « {short(n.title, 80)} » {c.cite(plan, n)}." for n in top))
                c.add("")
        return True

    def _structure(self, u: Understanding, c: Composer, f: Filters) -> bool:
        what = u.list_of or "orientations"
        plans = [p for p in self.corpus if not u.plans or p.id in u.plans]
        if what == "roles":
            return self._definition(u, c, f, "roles")
        if what == "principes":
            return self._definition(u, c, f, "principes")
        kinds = {
            "orientations": Kind.ORIENTATION,
            "axes": Kind.AXE,
            "themes": Kind.THEME,
            "objectifs": Kind.OBJECTIF,
        }
        for plan in plans:
            if what == "unites":
                units = plan.units()
                if not units:
                    continue
                annex = next(
                    (
                        n
                        for n in plan.nodes
                        if n.kind == Kind.SECTION
                        and "unites administratives" in fold(n.title)
                        and isinstance(n, Section)
                        and n.items
                    ),
                    None,
                )
                m = c.cite(plan, annex) if annex else ""
                c.add(c.t["units_intro"].format(m=m), *[f"- {x}" for x in units], "")
                continue
            nodes = plan.of_kind(kinds.get(what, Kind.ORIENTATION))
            if not nodes:
                continue
            name = c.t["kinds"].get(what, (what, what))[1]
            c.add(c.t["list_intro"].format(what=name[:1].upper() + name[1:], title=plan.title))
            for n in nodes:
                c.add(f"- {n.label} « {n.title} » {c.cite(plan, n)}")
            c.add("")
        return bool(c.citations)

    def _definition(self, u: Understanding, c: Composer, f: Filters, term: str | None = None) -> bool:
        term = term or u.definition or ""
        t = c.t
        for plan in self.corpus:
            if term.startswith("echeance-") and plan.get(term):
                node = plan.node(term)
                code = term.split("-", 1)[1].upper()
                h = plan.horizons.get(code)
                if h is None:
                    continue
                m = c.cite(plan, node)
                if c.lang == "fr":
                    span = f" ({h.span})" if h.span else ""
                    c.add(
                        f"Dans l'échéancier du plan, {code} veut dire « {h.label} »{span} {m} : {h.description}"
                    )
                else:
                    span = f" ({h.span})" if h.span else ""
                    c.add(f"In the plan's timeline, {code} means « {h.label} »{span} {m}: {h.description}")
                intro = plan.get("presentation-de-l-echeancier")
                if intro is not None:
                    c.add("", f"{short(intro.text, 300).rstrip(' :')}. {c.cite(plan, intro)}")
                return True
            if term.startswith("principe:"):
                name = term.split(":", 1)[1]
                principle = next((n for n in plan.of_kind(Kind.PRINCIPE) if n.title == name), None)
                if principle is None:
                    continue
                c.add(f"{principle.title} {c.cite(plan, principle)} : {principle.text}")
                for sub in plan.children(principle.id):
                    c.add(f"- {sub.title} : {sub.text}")
                return True
            if term in ("roles", "principes") or term.startswith("role:"):
                if term == "principes":
                    nodes = plan.of_kind(Kind.PRINCIPE)
                    if not nodes:
                        continue
                    intro = plan.get("adequation-avec-les-principes-de-la-politique")
                    c.add(t["principles_intro"].format(m=c.cite(plan, intro) if intro else ""))
                    c.add(*[f"- {n.title} {c.cite(plan, n)} : {short(n.text, 220)}" for n in nodes])
                    return True
                roles = plan.of_kind(Kind.ROLE)
                if not roles:
                    continue
                wanted = term.split(":", 1)[1].split(",") if term.startswith("role:") else []
                chosen = [r for r in roles if not wanted or fold(r.title) in wanted]
                parent = plan.get("roles-de-la-ville")
                c.add(t["roles_intro"].format(m=c.cite(plan, parent) if parent else ""))
                c.add(*[f"- {r.title} {c.cite(plan, r)} : {r.text}" for r in chosen])
                return True
            if term == "food-desert":
                a = plan.action("23")
                if a is None or not a.footnotes:
                    continue
                c.add(t["food_desert"].format(m=c.cite(plan, a), text=a.footnotes[0].text))
                c.add("", f"Action 23 : {a.text} — {c.horizon_phrase(plan, a.horizon)}.")
                return True
        return self._topic(u, c, f)

    def _topic(self, u: Understanding, c: Composer, f: Filters) -> bool:
        result = self._search(u, f, k=10)
        decision = self._covered(u, result)
        if not decision.covered or not result.hits:
            self._out_of_scope(u, c, decision)
            return False
        top = result.hits[0].score
        chosen = [h for h in result.hits if h.score >= self.topic_ratio * top][: self.topic_max]
        # A question that names several plans (« le conseil de quartier pis la Ville ») hears from each:
        # the best hits of every named plan, judged against that plan's own best.
        for pid in u.named:
            if any(h.plan_id == pid for h in chosen) or (f.plan and f.plan != pid):
                continue
            mine = [h for h in result.hits if h.plan_id == pid]
            if not mine:  # its best hits are further down: ask that plan alone
                mine = self._searcher().search(u.search_query, k=6, filters={"plan": pid})
            if mine:
                chosen += [h for h in mine if h.score >= self.topic_ratio * mine[0].score][:3]
        # Group by plan (named plan first), then by objective.
        order = list(dict.fromkeys([*u.plans, *[h.plan_id for h in chosen]]))
        first = True
        for pid in order:
            hits = [h for h in chosen if h.plan_id == pid]
            if not hits:
                continue
            plan = self.corpus.plan(pid)
            key = "topic_intro" if first else "topic_also"
            c.add(c.t[key].format(title=plan.title, org=plan.meta.organisation))
            first = False
            groups: dict[str, Sequence[Node]] = {}  # objective id → its actions found
            singles: list[Node] = []
            for h in hits:
                node = plan.node(h.node_id)
                obj = plan.objective_of(node) if node.kind == Kind.ACTION else None
                if obj is not None:
                    groups[obj.id] = [*groups.get(obj.id, []), node]
                elif node.kind == Kind.OBJECTIF:
                    groups.setdefault(node.id, [])
                else:
                    singles.append(node)
            for obj_id, actions in groups.items():
                group = plan.node(obj_id)
                units = ""
                if isinstance(group, Objectif) and group.units:
                    units = c.t["units_short"].format(units="; ".join(group.units))
                elif isinstance(group, Objectif) and group.units_scope.value == "organisation":
                    units = c.t["units_org"]
                head = c.t["objective_line"].format(obj=short(group.title, 120), units=units).rstrip(" :")
                m = c.cite(plan, group)
                c.add("", f"{head} {m} :" if c.lang == "fr" else f"{head} {m}:")
                if not actions and self.objective_fill:
                    actions = [n for n in plan.children(obj_id) if isinstance(n, Action)][
                        : self.objective_fill
                    ]
                for item in actions:
                    c.add(c.action_item(plan, item))
            for node in singles:
                m = c.cite(plan, node)
                body = short(node.text or node.title, 400)
                c.add(
                    "",
                    f"{node.title} {m} : {body}"
                    if node.text and node.text != node.title
                    else f"{node.label} « {node.title} » {m}",
                )
            c.add("")
        return True


_default: Assistant | None = None
_default_lock = threading.Lock()


def default_assistant() -> Assistant:
    """The process-wide assistant of the configured settings (index built on first use)."""
    global _default
    with _default_lock:
        if _default is None:
            from assistant.llm import llm_from_settings
            from assistant.settings import get_settings
            from index.service import default_service

            settings = get_settings()
            _default = Assistant(
                default_service(),
                max_question_length=settings.max_question_length,
                llm=llm_from_settings(settings),
            )
        return _default
