"""Property-based: the parsers never raise on arbitrary text; they report problems instead."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus.loader import parse_text
from corpus.model import PlanMeta
from corpus.parsers import parser_names
from corpus.problems import Problem

from .conftest import ROOT

REAL_LINES = [
    line
    for f in (ROOT / "corpus" / "plans").rglob("*.txt")
    for line in f.read_text(encoding="utf-8").split("\n")
]
FRAGMENTS = [
    "\t",
    "✓",
    "# ",
    "## Objectif 1",
    "Orientation",
    "Axe d'intervention 2",
    "Actions\tÉchéancier",
    "\tEC\tCT\tMT",
    "1. ",
    "2.1.1 ",
    "3.6.1.3 ",
    "<b>",
    "</b>",
    "<sup>1</sup>",
    "**",
    "- ▶ ",
    "Thème 2 : ",
    "Objectifs\tActions\tRésultats",
    "(CT)",
    "EC = en cours",
    "Annexe 4",
    "===",
    "\r",
    "\x00",
    "é",
    "’",
]

line = st.one_of(
    st.sampled_from(REAL_LINES),
    st.text(max_size=80),
    st.lists(st.sampled_from([*FRAGMENTS, "", " ", "x"]), max_size=6).map("".join),
)
document = st.lists(line, max_size=60).map("\n".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=document, parser=st.sampled_from(parser_names()))
def test_parsers_never_raise(text: str, parser: str) -> None:
    meta = PlanMeta(id="fuzz", title="Fuzz", organisation="Tests", source="fuzz.txt", parser=parser)
    plan, problems = parse_text(text, meta)
    assert all(isinstance(p, Problem) and p.message for p in problems)
    if plan is not None:
        ids = [n.id for n in plan.nodes]
        assert len(ids) == len(set(ids))  # anchors stay unique whatever the input
