"""What is indexed: the plans' nodes written as documents with their context.

- one document per action, with its context (plan › orientation › axe › objective), the
  objective's visées and units and the timeline in words, so that both the vectors and
  the keywords see it; the neighbourhood plan's actions carry their results/indicators;
- one per objective (title, visées, units, associated municipal orientations, its actions);
- the prose sections (roles, timeline definitions, principles, annexes…) split with a
  LangChain text splitter.

Each document has a content-hash id: the same text and metadata give the same id, so an
unchanged document is never embedded twice.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from langchain_text_splitters import RecursiveCharacterTextSplitter

from corpus import Corpus, Kind, Plan
from corpus.bank import HORS_PLAN, BankQuestion
from corpus.model import Action, Axe, Indicateur, Node, Objectif, Section, UnitsScope
from corpus.text import slug

DOC_FORMAT = 4  # bump when the way documents are written changes: every id changes with it


@dataclass(frozen=True)
class IndexDocument:
    id: str
    text: str  # what is shown and what BM25 reads: the node with all its context
    metadata: dict[str, Any] = field(default_factory=dict)
    embed_text: str = ""  # what is embedded, when shorter than ``text`` (empty: ``text``)

    @property
    def dense_text(self) -> str:
        return self.embed_text or self.text

    @property
    def ref(self) -> str:
        return str(self.metadata["ref"])

    @property
    def is_question(self) -> bool:
        """A question of the bank (embedded as a question, never a search result)."""
        return self.metadata.get("kind") == QUESTION_KIND


CORE_KEY = "core_text"
#: The kind of the bank's questions among the index's documents.
QUESTION_KIND = "question"


def stored_metadata(doc: IndexDocument) -> dict[str, Any]:
    """Metadata as stored in the vector store: with the embedded text when it differs from the
    shown text, so a loaded index has everything the keyword side needs."""
    return {**doc.metadata, CORE_KEY: doc.embed_text} if doc.embed_text else dict(doc.metadata)


def loaded_document(doc_id: str, text: str, metadata: dict[str, Any]) -> IndexDocument:
    md = dict(metadata)
    core = str(md.pop(CORE_KEY, "") or "")
    return IndexDocument(doc_id, text, md, core)


def unit_flag(unit: str) -> str:
    """Metadata key that marks a document whose objective lists ``unit`` (Chroma filters on it)."""
    return "unit__" + slug(unit).replace("-", "_")


def _hash(text: str, metadata: dict[str, Any], embed_text: str = "") -> str:
    h = hashlib.sha256()
    h.update(str(DOC_FORMAT).encode())
    h.update(text.encode("utf-8"))
    h.update(b"\x00" + embed_text.encode("utf-8"))
    h.update(json.dumps(metadata, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    return h.hexdigest()[:24]


def units_sentence(obj: Objectif | None) -> str:
    if obj is None:
        return ""
    if obj.units_scope == UnitsScope.LISTED:
        return "Unités administratives concernées : " + "; ".join(obj.units) + "."
    if obj.units_scope == UnitsScope.ORGANISATION and obj.units_note:
        return f"Unités administratives concernées : toute l'organisation municipale. {obj.units_note}"
    return ""


def _structure_numbers(plan: Plan, node: Node) -> dict[str, str]:
    out = {"orientation": "", "axe": "", "objective": "", "theme": ""}
    for a in [*(plan.node(p) for p in node.path), node]:
        if a.kind == Kind.ORIENTATION:
            out["orientation"] = a.number or ""
        elif isinstance(a, Axe):
            out["axe"] = f"{out['orientation']}.{a.number}" if out["orientation"] else (a.number or "")
        elif isinstance(a, Objectif):
            out["objective"] = a.key or a.number or ""
        elif a.kind == Kind.THEME:
            out["theme"] = a.number or ""
    return out


def _metadata(plan: Plan, node: Node, chunk: int = 0) -> dict[str, Any]:
    obj = plan.objective_of(node) if node.kind != Kind.OBJECTIF else node
    own = isinstance(node, Action) and bool(node.units)  # the plan names the action's own units
    units = plan.units_for(node)
    md: dict[str, Any] = {
        "plan_id": plan.id,
        "kind": node.kind.value,
        "number": node.number or "",
        "node_id": node.id,
        "ref": plan.ref(node),
        "title": node.title,
        "horizon": getattr(node, "horizon", None) or "",
        "units": "; ".join(units),
        "units_scope": "listed" if own else obj.units_scope.value if isinstance(obj, Objectif) else "",
        "url": plan.url(node),
        "chunk": chunk,
        **_structure_numbers(plan, node),
    }
    for u in units:
        md[unit_flag(u)] = True
    return md


def _context_line(plan: Plan, node: Node) -> str:
    crumbs = [plan.node(a) for a in node.path]
    parts = [f"{plan.title} ({plan.meta.organisation})"]
    for c in crumbs:
        parts.append(f"{c.label} : {c.title}" if c.label != c.title else c.title)
    return " › ".join(parts)


def action_text(plan: Plan, a: Action) -> str:
    obj = plan.objective_of(a)
    head = a.text
    if a.continues:
        first = plan.action(a.continues)
        if first is not None:
            intro = first.text.split(":")[0].strip() if ":" in first.text else first.text
            head = f"{intro} : {a.text}"
    lines = [f"Action {a.number} : {head}", _context_line(plan, a)]
    if isinstance(obj, Objectif) and obj.visees:
        lines.append("Visées : " + "; ".join(obj.visees) + ".")
    us = (
        "Unités administratives concernées : " + "; ".join(a.units) + "."
        if a.units
        else units_sentence(obj if isinstance(obj, Objectif) else None)
    )
    if us:
        lines.append(us)
    if a.horizon:
        lines.append(f"Échéancier : {plan.horizon_words(a.horizon)}.")
    for f in a.footnotes:
        lines.append(f"Note : {f.text}")
    indicators = [c for c in plan.children(a.id) if isinstance(c, Indicateur)]
    if indicators:
        lines.append("Résultats attendus : " + " ".join(i.title for i in indicators))
    return "\n".join(lines)


def objective_text(plan: Plan, o: Objectif, with_actions: bool = False) -> str:
    lines = [f"{o.label} : {o.title}", _context_line(plan, o)]
    if o.visees:
        lines.append("Visées : " + "; ".join(o.visees) + ".")
    us = units_sentence(o)
    if us:
        lines.append(us)
    if o.orientations_municipales:
        lines.append("Orientations municipales associées : " + "; ".join(o.orientations_municipales) + ".")
    if with_actions:
        actions = [c for c in plan.children(o.id) if isinstance(c, Action)]
        lines.append("Actions : " + " ".join(f"{a.number}. {a.text}" for a in actions))
    return "\n".join(lines)


def action_embed_text(plan: Plan, a: Action) -> str:
    """The short text that is embedded: the action and its objective, without the lists that
    would pull every action of an objective towards the same vector."""
    first = action_text(plan, a).split("\n", 1)[0].split(" : ", 1)[1]
    obj = plan.objective_of(a)
    return f"{first}. {obj.title}." if obj is not None else first


DOC_OPTIONS: dict[str, Any] = {"action_embed": "short", "objective_actions": False, "objective_embed": "full"}


def build_documents(corpus: Corpus, chunk_size: int = 700, chunk_overlap: int = 80) -> list[IndexDocument]:
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=chunk_size, chunk_overlap=chunk_overlap, separators=["\n\n", "\n", ". ", " ", ""]
    )
    docs: list[IndexDocument] = []
    opt = DOC_OPTIONS

    def add(plan: Plan, node: Node, text: str, chunk: int = 0, embed: str = "") -> None:
        md = _metadata(plan, node, chunk)
        embed = "" if embed == text else embed
        docs.append(IndexDocument(_hash(text, md, embed), text, md, embed))

    for plan in corpus:
        for node in plan.nodes:
            if isinstance(node, Action):
                embed = action_embed_text(plan, node) if opt["action_embed"] == "short" else ""
                add(plan, node, action_text(plan, node), embed=embed)
            elif isinstance(node, Objectif):
                text = objective_text(plan, node, with_actions=opt["objective_actions"])
                embed = ""
                if opt["objective_embed"] == "short":
                    embed = f"{node.title}. " + " ".join(node.visees)
                add(plan, node, text, embed=embed)
            elif node.kind in (Kind.ORIENTATION, Kind.AXE, Kind.THEME):
                extra = f" Principes : {', '.join(node.principles)}." if isinstance(node, Axe) else ""
                add(plan, node, f"{node.label} : {node.title}.{extra}\n{_context_line(plan, node)}")
            elif isinstance(node, Section):
                body = node.text.strip()
                head = f"{node.title}\n{_context_line(plan, node)}"
                if not body:
                    add(plan, node, head)
                    continue
                for i, chunk in enumerate(splitter.split_text(body)):
                    add(plan, node, f"{head}\n{chunk}", i)
    return docs


def bank_classes(corpus: Corpus, q: BankQuestion) -> list[str]:
    """What a bank question teaches the classifier: the actions it is about (an objective stands
    for its actions), or :data:`~corpus.bank.HORS_PLAN` when the plans do not address it."""
    if q.coverage == "none":
        return [HORS_PLAN]
    out: list[str] = []
    for ref in q.refs:
        found = corpus.resolve(ref)
        if found is None:
            continue
        plan, node = found
        if node.kind == Kind.ACTION:
            out.append(ref)
        else:
            below = [plan.ref(n) for n in plan.nodes if n.kind == Kind.ACTION and node.id in n.path]
            out += below or [ref]
    return list(dict.fromkeys(out)) or [HORS_PLAN]


def bank_documents(corpus: Corpus) -> list[IndexDocument]:
    """The bank's questions as documents of the index (embedded as questions, stored with the
    build, never returned by a search): what they are about and how the plans answer them."""
    docs = []
    for q in corpus.bank:
        md: dict[str, Any] = {
            "plan_id": q.refs[0].partition(":")[0] if q.refs else "",
            "kind": QUESTION_KIND,
            "ref": q.refs[0] if q.refs else HORS_PLAN,
            "classes": ";".join(bank_classes(corpus, q)),
            "refs": ";".join(q.refs),
            "coverage": q.coverage,
            "asked": q.asked or "",
            "bank_kind": q.kind or "",
        }
        docs.append(IndexDocument(_hash(q.text, md), q.text, md))
    return docs


def index_documents(corpus: Corpus, chunk_size: int = 700) -> list[IndexDocument]:
    """Everything a build stores: the plans' documents, then the bank's questions."""
    return build_documents(corpus, chunk_size=chunk_size) + bank_documents(corpus)
