"""The structured model every plan is parsed into.

One node shape fits any plan: a node has a plan id, a kind, the number printed in
the plan (when it has one), a title and a body text, the id of its parent and the
ids of all its ancestors, and the span of source lines it comes from. Each kind adds
its own attributes (an objective's units, an action's timeline…).

Node ids are stable anchors, unique within a plan (``action-37``,
``objectif-2-2-2``, ``theme-2``): the source viewer, the citations and the index all
use them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class Kind(StrEnum):
    ORIENTATION = "orientation"
    AXE = "axe"
    OBJECTIF = "objectif"
    ACTION = "action"
    THEME = "theme"
    INDICATEUR = "indicateur"
    SECTION = "section"
    ROLE = "role"
    ECHEANCE = "echeance"
    PRINCIPE = "principe"


#: The plans' prose: sections and what they define (roles, timelines, principles). A question about
#: one of them is answered by it, not by an action.
PROSE_KINDS: frozenset[Kind] = frozenset({Kind.SECTION, Kind.ROLE, Kind.ECHEANCE, Kind.PRINCIPE})
PROSE = frozenset(k.value for k in PROSE_KINDS)

# Kinds whose printed number identifies a node within a plan, most specific first.
# A reference ``PLAN:NUMBER`` resolves to the first kind that has a node with that number.
NUMBERED_KINDS: tuple[Kind, ...] = (Kind.ACTION, Kind.INDICATEUR, Kind.OBJECTIF, Kind.THEME)


class UnitsScope(StrEnum):
    """How an objective designates the administrative units concerned."""

    LISTED = "listed"  # the plan lists the units
    ORGANISATION = "organisation"  # the plan says the whole municipal organisation is concerned
    UNSPECIFIED = "unspecified"  # the plan says nothing about units


class _Base(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class HorizonDef(_Base):
    """A timeline code as the plan defines it (« CT = court terme (2 ans et moins) »)."""

    code: str
    label: str  # « court terme »
    span: str | None = None  # « 2 ans et moins »
    description: str = ""

    @property
    def words(self) -> str:
        """The timeline in words: « court terme (2 ans et moins) »."""
        return f"{self.label} ({self.span})" if self.span else self.label


class Footnote(_Base):
    marker: str
    text: str
    line: int


class NodeBase(_Base):
    plan_id: str
    id: str
    kind: Kind
    number: str | None = None
    title: str
    text: str = ""
    parent_id: str | None = None
    path: tuple[str, ...] = ()  # ancestor ids, outermost first
    line_start: int
    line_end: int
    footnotes: tuple[Footnote, ...] = ()

    @property
    def anchor(self) -> str:
        return self.id

    @property
    def label(self) -> str:
        """A short French label: « Action 37 », « Objectif 2.1 », « Mise en contexte »."""
        names = {
            Kind.ORIENTATION: "Orientation",
            Kind.AXE: "Axe d'intervention",
            Kind.OBJECTIF: "Objectif",
            Kind.ACTION: "Action",
            Kind.THEME: "Thème",
            Kind.INDICATEUR: "Résultat/indicateur",
        }
        if self.kind in names and self.number:
            return f"{names[self.kind]} {self.number}"
        return self.title


class Orientation(NodeBase):
    kind: Literal[Kind.ORIENTATION] = Kind.ORIENTATION


class Axe(NodeBase):
    kind: Literal[Kind.AXE] = Kind.AXE
    principles: tuple[str, ...] = ()


class Objectif(NodeBase):
    kind: Literal[Kind.OBJECTIF] = Kind.OBJECTIF

    @property
    def label(self) -> str:
        """« Objectif 2.2.2 »: the key says where it stands (the plan prints « Objectif 2 »)."""
        return f"Objectif {self.key or self.number}"

    # The key that makes the objective unique in its plan, e.g. "2.2.2" for Orientation 2,
    # Axe 2, Objectif 2 (the plan prints only "Objectif 2").
    key: str = ""
    visees: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    units_scope: UnitsScope = UnitsScope.UNSPECIFIED
    units_note: str | None = None  # the plan's own words when it names no unit
    orientations_municipales: tuple[str, ...] = ()


class Action(NodeBase):
    kind: Literal[Kind.ACTION] = Kind.ACTION
    horizon: str | None = None  # EC / CT / MT
    # The units the plan names for this action itself (« Responsable : Service des loisirs »); most
    # plans list units per objective instead (see :meth:`Plan.units_for`).
    units: tuple[str, ...] = ()
    continues: str | None = None  # number of the action whose list this line continues
    continued_by: tuple[str, ...] = ()


class Theme(NodeBase):
    kind: Literal[Kind.THEME] = Kind.THEME


class Indicateur(NodeBase):
    kind: Literal[Kind.INDICATEUR] = Kind.INDICATEUR
    # True when the printed number names another action than the one it is attached to.
    misnumbered: bool = False


class Section(NodeBase):
    kind: Literal[Kind.SECTION, Kind.ROLE, Kind.ECHEANCE, Kind.PRINCIPE] = Kind.SECTION
    items: tuple[str, ...] = ()  # list items of the section, in order


Node = Annotated[
    Orientation | Axe | Objectif | Action | Theme | Indicateur | Section,
    Field(discriminator="kind"),
]


class PlanMeta(_Base):
    id: str
    title: str
    subtitle: str | None = None
    organisation: str
    period_start: int | None = None
    period_end: int | None = None
    adopted: dt.date | None = None
    source: str
    parser: str
    language: str = "fr"
    url: str | None = None
    aliases: tuple[str, ...] = ()
    unit_aliases: dict[str, tuple[str, ...]] = {}
    principle_aliases: dict[str, tuple[str, ...]] = {}
    order: int = 100
    default_scope: bool = True

    @property
    def period(self) -> str | None:
        if self.period_start and self.period_end:
            return f"{self.period_start}-{self.period_end}"
        return None


class Plan(_Base):
    meta: PlanMeta
    horizons: dict[str, HorizonDef] = {}
    principles: tuple[str, ...] = ()
    nodes: tuple[Node, ...] = ()
    excluded_lines: tuple[tuple[int, int, str], ...] = ()  # (start, end, reason) declared in the manifest

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def title(self) -> str:
        return self.meta.title

    # --- look-ups -----------------------------------------------------------------
    @cached_property
    def _by_id(self) -> dict[str, Node]:
        return {n.id: n for n in self.nodes}

    @cached_property
    def _by_number(self) -> dict[str, Node]:
        found: dict[str, Node] = {}
        for kind in reversed(NUMBERED_KINDS):  # most specific kind written last wins
            for n in self.nodes:
                if n.kind == kind and n.number:
                    found[n.number] = n
        return found

    def node(self, node_id: str) -> Node:
        return self._by_id[node_id]

    def get(self, node_id: str) -> Node | None:
        try:
            return self.node(node_id)
        except KeyError:
            return None

    def of_kind(self, *kinds: Kind) -> list[Node]:
        return [n for n in self.nodes if n.kind in kinds]

    def actions(self) -> list[Action]:
        return [n for n in self.nodes if isinstance(n, Action)]

    def objectives(self) -> list[Objectif]:
        return [n for n in self.nodes if isinstance(n, Objectif)]

    def children(self, node_id: str | None) -> list[Node]:
        return [n for n in self.nodes if n.parent_id == node_id]

    def descendants(self, node_id: str) -> Iterator[Node]:
        for n in self.nodes:
            if node_id in n.path:
                yield n

    def ancestors(self, node: NodeBase) -> list[Node]:
        return [self.node(a) for a in node.path]

    def by_number(self, number: str) -> Node | None:
        """The node a printed number designates (an action first, see NUMBERED_KINDS)."""
        return self._by_number.get(number)

    def action(self, number: str) -> Action | None:
        n = self._by_number.get(number)
        return n if isinstance(n, Action) else None

    def resolve(self, ref: str) -> Node | None:
        """A node by id (``objectif-2-1-2``) or by printed number (``37``, ``2.1.4``)."""
        return self.get(ref) or self.by_number(ref)

    def objective_of(self, node: NodeBase) -> Objectif | None:
        for a in [*reversed(node.path)]:
            n = self.node(a)
            if isinstance(n, Objectif):
                return n
        return node if isinstance(node, Objectif) else None

    def units_for(self, node: NodeBase) -> tuple[str, ...]:
        """Units the plan lists for a node: an action's own (« Responsable : … ») when the plan names
        them, else those of its objective (the City's plan lists units per objective)."""
        if isinstance(node, Action) and node.units:
            return node.units
        obj = self.objective_of(node)
        return obj.units if obj else ()

    def ref(self, node: NodeBase) -> str:
        """The reference of a node: ``PLAN_ID:NUMBER`` when its printed number designates it
        (``…:37``, ``…:2.1.4``), ``PLAN_ID:ID`` otherwise (``…:objectif-2-1-2``)."""
        if node.number and self.by_number(node.number) is node:
            return f"{self.id}:{node.number}"
        return f"{self.id}:{node.id}"

    def url(self, node: NodeBase | None = None) -> str:
        """Where the viewer shows the plan, or one of its nodes (its anchor): ``/plans/ID#action-37``."""
        return f"/plans/{self.id}#{node.id}" if node is not None else f"/plans/{self.id}"

    def horizon_words(self, code: str | None) -> str | None:
        if code is None:
            return None
        h = self.horizons.get(code)
        return h.words if h else code

    @cached_property
    def _units(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for n in self.nodes:
            for u in n.units if isinstance(n, Objectif | Action) else ():
                seen.setdefault(u, None)
        return tuple(sorted(seen, key=_unit_sort_key))

    def units(self) -> list[str]:
        """Every unit named in the plan's objectives and actions, in alphabetical order (accents ignored)."""
        return list(self._units)

    def breadcrumb(self, node: NodeBase) -> list[str]:
        """Titles of the node's ancestors (orientation, axe, objective…), outermost first."""
        return [self.node(a).title for a in node.path]


def _unit_sort_key(name: str) -> str:
    from corpus.text import fold

    return fold(name)
