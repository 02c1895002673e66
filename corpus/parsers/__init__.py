"""Parsers turn a plan's source lines into nodes. Each is registered under a name that
a manifest's ``parser`` field refers to; a new layout of plan is a new parser module
registered here like the others."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter

from corpus.model import Footnote, HorizonDef, Kind, Node, Plan, PlanMeta
from corpus.problems import ProblemLog
from corpus.registry import Registry
from corpus.text import excerpt


@dataclass(frozen=True)
class SourceLine:
    no: int  # 1-based line number in the source file
    text: str


ParseFn = Callable[[PlanMeta, list[SourceLine], ProblemLog], Plan]

PARSERS: Registry[ParseFn] = Registry(
    "analyseur",
    builtin=(
        "corpus.parsers.generic",
        "corpus.parsers.neighbourhood_table",
        "corpus.parsers.quebec_action_plan",
    ),
)
register_parser = PARSERS.register


def parser_names() -> list[str]:
    return PARSERS.names()


def parser_descriptions() -> dict[str, str]:
    return PARSERS.descriptions()


def get_parser(name: str) -> ParseFn:
    parse = PARSERS.get(name)
    if parse is None:
        raise KeyError(f"analyseur inconnu « {name} » ; analyseurs : {', '.join(PARSERS.names())}")
    return parse


_NODE = TypeAdapter(Node)


@dataclass
class Draft:
    """A node being built; turned into a frozen model by :class:`PlanBuilder`."""

    kind: Kind
    id: str
    title: str
    line_start: int
    line_end: int
    number: str | None = None
    parent: Draft | None = None
    paragraphs: list[str] = field(default_factory=list)
    attrs: dict[str, Any] = field(default_factory=dict)
    footnotes: list[Footnote] = field(default_factory=list)

    def touch(self, line: int) -> None:
        self.line_end = max(self.line_end, line)
        if self.parent is not None:
            self.parent.touch(line)

    def add_paragraph(self, text: str, line: int) -> None:
        if text:
            self.paragraphs.append(text)
            self.touch(line)

    @property
    def path(self) -> tuple[str, ...]:
        chain: list[str] = []
        p = self.parent
        while p is not None:
            chain.append(p.id)
            p = p.parent
        return tuple(reversed(chain))


class PlanBuilder:
    """The parser kit: records the nodes a parser reads, its actions under their printed numbers,
    checks what every plan must satisfy (numbering, timelines, objectives with actions) and reports
    problems at their line; each parser only reads its format."""

    def __init__(self, meta: PlanMeta, log: ProblemLog):
        self.meta = meta
        self.log = log
        self.drafts: list[Draft] = []
        self._ids: set[str] = set()
        self.horizons: dict[str, HorizonDef] = {}
        self.principles: list[str] = []
        self.actions: list[Draft] = []

    def add(self, draft: Draft) -> Draft:
        if draft.id in self._ids:
            base, n = draft.id, 2
            while f"{base}-{n}" in self._ids:
                n += 1
            draft.id = f"{base}-{n}"
        self._ids.add(draft.id)
        self.drafts.append(draft)
        return draft

    def action(self, number: str, text: str, parent: Draft | None, line: int, **attrs: Any) -> Draft:
        """Record a citable action under its printed number (« 37 », « 2.1.4 »)."""
        if not text:
            self.log.add(line, f"l'action {number} n'a pas de texte")
        d = self.add(
            Draft(
                kind=Kind.ACTION,
                id=f"action-{number.replace('.', '-')}",
                number=number,
                title=text,
                line_start=line,
                line_end=line,
                parent=parent,
            )
        )
        d.paragraphs.append(text)
        d.attrs.update(attrs)
        if parent is not None:
            parent.touch(line)
        self.actions.append(d)
        return d

    def check_numbering(self, from_one: bool = True) -> None:
        """Each printed number once; whole numbers without a gap (from 1 when ``from_one``)."""
        seen: dict[str, int] = {}
        for d in self.actions:
            n = d.number or ""
            if n in seen:
                self.log.add(
                    d.line_start, f"l'action {n} est numérotée deux fois (d'abord à la ligne {seen[n]})"
                )
            else:
                seen[n] = d.line_start
        whole = sorted(int(n) for n in seen if n.isdigit())
        if not whole:
            return
        present = set(whole)
        for missing in range(1 if from_one else whole[0], whole[-1] + 1):
            if missing in present:
                continue
            after = max((k for k in whole if k < missing), default=None)
            following = min(k for k in whole if k > missing)
            self.log.add(
                seen[str(after)] if after is not None else None,
                f"l'action {missing} manque (la numérotation saute de {after if after is not None else 0} à {following})",
            )

    def check_objectives(self, label: Callable[[Draft], str]) -> None:
        """Every objective has at least one action."""
        for o in self.drafts:
            if o.kind == Kind.OBJECTIF and not any(a.parent is o for a in self.actions):
                self.log.add(
                    o.line_start, f"l'objectif {label(o)} (« {excerpt(o.title, 50)} ») n'a aucune action"
                )

    def check_timelines(self, hint: str = "") -> None:
        """Every timeline code an action uses is defined by the plan (``hint`` may name ``{code}``)."""
        used: set[str] = {h for d in self.actions if (h := d.attrs.get("horizon"))}
        for code in sorted(used - set(self.horizons)):
            self.log.add(
                None,
                f"le code d'échéancier {code} est utilisé par des actions mais jamais défini{hint.format(code=code)}",
            )

    def build(self) -> Plan:
        nodes = []
        for d in self.drafts:
            data: dict[str, Any] = {
                "plan_id": self.meta.id,
                "id": d.id,
                "kind": d.kind,
                "number": d.number,
                "title": d.title,
                "text": "\n\n".join(d.paragraphs),
                "parent_id": d.parent.id if d.parent else None,
                "path": d.path,
                "line_start": d.line_start,
                "line_end": d.line_end,
                "footnotes": tuple(d.footnotes),
                **d.attrs,
            }
            nodes.append(_NODE.validate_python(data))
        return Plan(
            meta=self.meta,
            horizons=self.horizons,
            principles=tuple(self.principles),
            nodes=tuple(nodes),
        )


def paragraphs(lines: list[SourceLine]) -> list[list[SourceLine]]:
    """Split lines into blocks separated by blank lines."""
    blocks: list[list[SourceLine]] = []
    cur: list[SourceLine] = []
    for ln in lines:
        if ln.text.strip():
            cur.append(ln)
        elif cur:
            blocks.append(cur)
            cur = []
    if cur:
        blocks.append(cur)
    return blocks
