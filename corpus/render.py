"""Plain-text views of a plan for the terminal (``plan-assistant corpus show``)."""

from __future__ import annotations

import json
from typing import Any

from corpus.model import Action, Axe, Indicateur, Kind, Node, Objectif, Plan, Section, UnitsScope

EXPORT_FORMAT_VERSION = 1


def units_line(obj: Objectif) -> str:
    if obj.units_scope == UnitsScope.LISTED:
        return "; ".join(obj.units)
    if obj.units_scope == UnitsScope.ORGANISATION:
        return f"aucune unité nommée : {obj.units_note}"
    return "le plan ne nomme pas d'unité pour cet objectif"


def summary(plan: Plan) -> str:
    counts = []
    for kind, one, many in [
        (Kind.ORIENTATION, "orientation", "orientations"),
        (Kind.THEME, "thème", "thèmes"),
        (Kind.AXE, "axe", "axes"),
        (Kind.OBJECTIF, "objectif", "objectifs"),
        (Kind.ACTION, "action", "actions"),
        (Kind.INDICATEUR, "résultat/indicateur", "résultats/indicateurs"),
    ]:
        n = len(plan.of_kind(kind))
        if n:
            counts.append(f"{n} {one if n == 1 else many}")
    return " · ".join(counts)


def _head(plan: Plan) -> list[str]:
    m = plan.meta
    lines = [f"{m.title} — {m.organisation}" + (f" ({m.period})" if m.period else "")]
    if m.adopted:
        lines.append(f"Adopté le {m.adopted.isoformat()}")
    lines.append(f"{plan.id} · {summary(plan)}")
    return lines


def render_plan(plan: Plan) -> str:
    out = _head(plan)
    for node in plan.nodes:
        indent = "  " * len(node.path)
        if isinstance(node, Action):
            h = f" [{node.horizon} : {plan.horizon_words(node.horizon)}]" if node.horizon else ""
            out.append(f"{indent}{node.number}. {node.title}{h}")
            if node.units:
                out.append(f"{indent}  Unités : {'; '.join(node.units)}")
        elif isinstance(node, Indicateur):
            flag = " (numéroté ainsi dans le plan)" if node.misnumbered else ""
            out.append(f"{indent}↳ {node.number} {node.title}{flag}")
        elif isinstance(node, Objectif):
            out.append("")
            out.append(f"{indent}{node.label} — {node.title}")
            if node.kind == Kind.OBJECTIF and (node.units or node.units_scope != UnitsScope.UNSPECIFIED):
                out.append(f"{indent}  Unités : {units_line(node)}")
        elif isinstance(node, Axe):
            p = f" [{', '.join(node.principles)}]" if node.principles else ""
            out.append("")
            out.append(f"{indent}{node.label} — {node.title}{p}")
        elif node.kind in (Kind.ORIENTATION, Kind.THEME):
            out.append("")
            out.append(f"{indent}{node.label.upper()} — {node.title}")
        else:
            out.append("")
            out.append(f"{indent}§ {node.title}")
    return "\n".join(out)


def render_node(plan: Plan, node: Node) -> str:
    out = [f"{node.label} — {node.title}" if node.label != node.title else node.title]
    out.append(f"Plan : {plan.title} ({plan.meta.organisation})")
    crumbs = [plan.node(a) for a in node.path]
    if crumbs:
        out.append(
            "Dans : "
            + " › ".join(f"{c.label} — {c.title}" if c.label != c.title else c.title for c in crumbs)
        )
    if isinstance(node, Action):
        if node.horizon:
            out.append(f"Échéancier : {node.horizon} — {plan.horizon_words(node.horizon)}")
        if node.continues:
            out.append(f"Complète la liste de l'action {node.continues}")
        obj = plan.objective_of(node)
        if node.units:
            out.append(f"Unités responsables (nommées pour l'action) : {'; '.join(node.units)}")
        if obj is not None and obj.kind == Kind.OBJECTIF:
            out.append(f"Unités administratives concernées (listées pour l'objectif) : {units_line(obj)}")
        for f in node.footnotes:
            out.append(f"Note {f.marker} : {f.text}")
        for ind in plan.children(node.id):
            out.append(f"Résultat/indicateur {ind.number} : {ind.title}")
    elif isinstance(node, Objectif):
        if node.visees:
            out.append("Visées : " + "; ".join(node.visees))
        out.append(f"Unités administratives concernées : {units_line(node)}")
        if node.orientations_municipales:
            out.append("Orientations municipales associées : " + "; ".join(node.orientations_municipales))
        for a in plan.children(node.id):
            out.append(f"  {a.number}. {a.title}")
    elif isinstance(node, Section) and node.text:
        out.append("")
        out.append(node.text)
    elif node.text and node.text != node.title:
        out.append(node.text)
    out.append(f"Source : {plan.meta.source}, lignes {node.line_start}-{node.line_end}")
    return "\n".join(out)


def export_json(plan: Plan) -> str:
    data: dict[str, Any] = {"format_version": EXPORT_FORMAT_VERSION, **plan.model_dump(mode="json")}
    for node in data["nodes"]:  # an action's own units only when the plan names them
        if node["kind"] == Kind.ACTION.value and not node.get("units"):
            node.pop("units", None)
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
