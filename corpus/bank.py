"""The question bank: questions people ask, each labelled with the node of a plan that answers it,
or as one the plans do not answer (« hors plan »). Plan data beside the plan text, written from the
plans' texts (never from an evaluation set), read by the index to learn which action a new question
is about and whether the plans address it at all.

Two kinds of files:

- ``<plan folder>/questions.yaml``: for each action or objective (by printed number or node id),
  the questions it answers::

      version: 1
      plan: ville-de-quebec-developpement-social-2025-2030
      nodes:
        "23":
          - "y a tu de l'aide pour l'épicerie quand on a pas une cenne"
          - {q: "aide alimentaire et logement", also: ["26"]}   # another node answers it too

- ``<corpus folder>/hors-plan.yaml``: questions the plans do not answer (``coverage: none``) or
  answer only in part (``partial``: the subject is in a plan, the fact asked is not; ``asked`` says
  which fact, ``refs`` the nodes on the subject)::

      version: 1
      questions:
        - {q: "c quand le déneigement de ma rue", coverage: none, kind: service-municipal}
        - {q: "Combien coûte ÉquiMobilité?", coverage: partial, asked: amount, refs: [PLAN:37]}

Every problem is reported as ``file:line: message`` (:func:`load_bank`), like the plans' own.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from corpus.manifest import read_yaml, yaml_line
from corpus.model import PROSE_KINDS, Kind, Plan
from corpus.problems import Problem, ProblemLog

BANK_NAME = "questions.yaml"
HORS_PLAN_NAME = "hors-plan.yaml"
#: The class of questions the plans do not answer.
HORS_PLAN = "hors-plan"
BankCoverage = Literal["complete", "partial", "none"]
ASKED_FACTS = ("amount", "date", "place", "person", "hours", "target", "facility", "other")
#: The kinds of questions the plans do not answer; each has its own way of being answered.
HORS_PLAN_KINDS = {
    "service-municipal": "un service municipal que les plans ne décrivent pas (311, site de la Ville)",
    "autre-gouvernement": "un service d'un autre gouvernement ou organisme",
    "politique": "la politique municipale, des personnes ou des opinions",
    "situation-personnelle": "une situation personnelle",
    "sante-securite": "la santé, la sécurité ou une détresse (911, 811, 1 866 APPELLE)",
    "premisse-inventee": "un fait inventé au sujet des plans",
    "fait-manquant": "un fait que les plans ne donnent pas (montant, date, lieu, personne…)",
    "hors-sujet": "une question sans rapport avec la Ville",
}
#: Node kinds a bank question may be about.
BANK_KINDS = frozenset({Kind.ACTION, Kind.OBJECTIF, Kind.THEME, Kind.AXE, Kind.ORIENTATION, *PROSE_KINDS})


@dataclass(frozen=True)
class BankQuestion:
    """One question of the bank and what answers it."""

    text: str
    #: The references that answer it, best first (``PLAN:NUMBER`` / ``PLAN:NODE_ID``); empty when
    #: the plans do not address it.
    refs: tuple[str, ...]
    coverage: BankCoverage = "complete"
    asked: str | None = None  # for a partial question: the fact the plans do not give
    kind: str | None = None  # for a hors-plan question: its kind (:data:`HORS_PLAN_KINDS`)
    where: str = ""  # file:line

    @property
    def label(self) -> str:
        """The node it is about, or :data:`HORS_PLAN`."""
        return self.refs[0] if self.refs and self.coverage != "none" else HORS_PLAN


@dataclass(frozen=True)
class QuestionBank:
    questions: tuple[BankQuestion, ...] = ()
    files: tuple[str, ...] = field(default=())  # the bank files read
    #: Where each plan's bank is, or goes (by plan id), and the « hors plan » one (HORS_PLAN).
    places: Mapping[str, Path] = field(default_factory=dict)

    def __iter__(self) -> Iterator[BankQuestion]:
        return iter(self.questions)

    def __len__(self) -> int:
        return len(self.questions)

    def for_ref(self, ref: str) -> list[BankQuestion]:
        return [q for q in self.questions if q.refs and q.refs[0] == ref]

    def counts(self) -> Counter[str]:
        return Counter(q.label for q in self.questions)


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return " ".join(value.split())
    return None


def _resolve(plan: Plan, ref: str) -> str | None:
    """The full reference of a node of ``plan`` named by printed number or node id."""
    node = plan.resolve(str(ref))
    if node is None or node.kind not in BANK_KINDS:
        return None
    return plan.ref(node)


def load_plan_bank(path: Path, plan: Plan, log: ProblemLog) -> list[BankQuestion]:
    """The questions of one plan's bank file; every problem logged at its line."""
    data, root = read_yaml(path, log)
    if data is None:
        return []
    if not isinstance(data, dict) or not isinstance(data.get("nodes"), dict):
        log.add(yaml_line(root, []), "attendu « nodes: » : pour chaque action ou objectif, ses questions")
        return []
    if data.get("plan") not in (None, plan.id):
        log.add(yaml_line(root, ["plan"]), f"plan : « {data['plan']} » au lieu de « {plan.id} »")
    out: list[BankQuestion] = []
    for key, items in data["nodes"].items():
        line = yaml_line(root, ["nodes", key])
        ref = _resolve(plan, str(key))
        if ref is None:
            log.add(line, f"« {key} » ne désigne aucune action ni aucun objectif du plan {plan.id}")
            continue
        if not isinstance(items, list) or not items:
            log.add(line, f"« {key} » : attendu une liste de questions")
            continue
        for i, item in enumerate(items):
            where = yaml_line(root, ["nodes", key, i])
            also: list[str] = []
            text = _text(item)
            if isinstance(item, dict):
                text = _text(item.get("q"))
                extra = set(item) - {"q", "also"}
                if extra:
                    log.add(where, f"champs inconnus {sorted(extra)} (attendu q, also)")
                for other in item.get("also") or []:
                    resolved = _resolve(plan, str(other))
                    if resolved is None:
                        log.add(where, f"also : « {other} » ne désigne aucune action ni aucun objectif")
                    else:
                        also.append(resolved)
            if text is None:
                log.add(where, "question vide")
                continue
            out.append(BankQuestion(text, (ref, *also), "complete", where=f"{path}:{where}"))
    return out


def load_hors_plan(path: Path, plans: dict[str, Plan], log: ProblemLog) -> list[BankQuestion]:
    """The corpus's questions the plans do not answer, or answer only in part."""
    data, root = read_yaml(path, log)
    if data is None:
        return []
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        log.add(yaml_line(root, []), "attendu « questions: » : une liste de {q, coverage, kind}")
        return []
    out: list[BankQuestion] = []
    for i, item in enumerate(data["questions"]):
        where = yaml_line(root, ["questions", i])
        if not isinstance(item, dict):
            log.add(where, "attendu {q, coverage, kind}")
            continue
        extra = set(item) - {"q", "coverage", "kind", "asked", "refs", "lang"}
        if extra:
            log.add(where, f"champs inconnus {sorted(extra)} (attendu q, coverage, kind, asked, refs)")
        text = _text(item.get("q"))
        coverage = item.get("coverage", "none")
        kind = item.get("kind")
        asked = item.get("asked")
        if text is None:
            log.add(where, "question vide")
            continue
        if coverage not in ("none", "partial"):
            log.add(where, f"coverage : « {coverage} » (attendu none ou partial)")
            continue
        if kind is not None and kind not in HORS_PLAN_KINDS:
            log.add(where, f"kind : « {kind} » inconnu (attendu {', '.join(HORS_PLAN_KINDS)})")
        if asked is not None and asked not in ASKED_FACTS:
            log.add(where, f"asked : « {asked} » inconnu (attendu {', '.join(ASKED_FACTS)})")
        refs: list[str] = []
        for r in item.get("refs") or []:
            plan_id, _, rest = str(r).partition(":")
            plan = plans.get(plan_id)
            resolved = _resolve(plan, rest) if plan is not None and rest else None
            if resolved is None:
                log.add(where, f"refs : « {r} » ne désigne aucune action ni aucun objectif (PLAN:NUMÉRO)")
            else:
                refs.append(resolved)
        if coverage == "partial" and not refs:
            log.add(where, "une question partielle nomme les actions du sujet (refs)")
            continue
        if coverage == "none" and refs:
            log.add(where, "une question non couverte ne nomme aucune action (refs)")
            continue
        out.append(BankQuestion(text, tuple(refs), coverage, asked, kind, where=f"{path}:{where}"))
    return out


def check_duplicates(questions: Iterable[BankQuestion]) -> list[Problem]:
    """A question written twice with different labels teaches nothing but noise."""
    seen: dict[str, BankQuestion] = {}
    problems = []
    for q in questions:
        key = " ".join(q.text.lower().split())
        first = seen.get(key)
        if first is not None and first.label != q.label:
            path, _, line = q.where.rpartition(":")
            problems.append(
                Problem(
                    path,
                    int(line) if line.isdigit() else None,
                    f"« {q.text} » est aussi à {first.where} avec une autre réponse ({first.label})",
                )
            )
        seen.setdefault(key, q)
    return problems


def _yaml_string(text: str) -> str:
    return json.dumps(" ".join(text.split()), ensure_ascii=False)  # a valid YAML double-quoted scalar


def added_questions(path: Path, plan: Plan | None, items: Iterable[tuple[str, tuple[str, ...], str]]) -> str:
    """The text of a bank file with these questions added at the end of their node's list (or of the
    hors-plan list), each with a comment saying where it comes from; what the file has already is
    kept as written. ``items``: (question, refs, origin); refs empty for a question the plans do not
    answer (``plan`` None: the hors-plan file)."""
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    lines = text.split("\n") if text else []
    if plan is None:
        if not lines:
            lines = [
                "# Banque hors plan — questions auxquelles les plans ne répondent pas (corrections du personnel).",
                "version: 1",
                "questions:",
            ]
        while lines and not lines[-1].strip():
            lines.pop()
        indent = _list_indent(yaml.compose("\n".join(lines)), "questions")
        for question, _refs, origin in items:
            lines += [f"{indent}# {origin}", f"{indent}- {{q: {_yaml_string(question)}, coverage: none}}"]
        return "\n".join(lines) + "\n"
    if not lines:
        lines = [
            f"# Banque de questions — {plan.title} (corrections du personnel).",
            "version: 1",
            f"plan: {plan.id}",
            "nodes:",
        ]
    for question, refs, origin in items:
        root = yaml.compose("\n".join(lines)) if lines else None
        key = plan.resolve(refs[0].partition(":")[2])
        assert key is not None
        name = key.number if key.kind == Kind.ACTION and key.number else key.id
        also = [r.partition(":")[2] for r in refs[1:] if r.partition(":")[0] == plan.id]
        entry = (
            f"{{q: {_yaml_string(question)}, also: [{', '.join(_yaml_string(a) for a in also)}]}}"
            if also
            else _yaml_string(question)
        )
        where = _node_end(root, name)
        if where is None:
            while lines and not lines[-1].strip():
                lines.pop()
            lines += [f'  "{name}":', f"    # {origin}", f"    - {entry}"]
        else:
            at, indent = where
            lines[at:at] = [f"{indent}# {origin}", f"{indent}- {entry}"]
    return "\n".join(lines).rstrip("\n") + "\n"


def _list_indent(root: yaml.Node | None, key: str) -> str:
    """The indentation of the items of the list under ``key`` (two spaces when it has none)."""
    if isinstance(root, yaml.MappingNode):
        for k, v in root.value:
            if k.value == key and isinstance(v, yaml.SequenceNode) and v.value:
                return " " * max(0, v.value[-1].start_mark.column - 2)
    return "  "


def _node_end(root: yaml.Node | None, name: str) -> tuple[int, str] | None:
    """Where the list of questions of ``name`` ends in a bank file (0-based line), with its indent."""
    if not isinstance(root, yaml.MappingNode):
        return None
    for k, v in root.value:
        if k.value != "nodes" or not isinstance(v, yaml.MappingNode):
            continue
        for nk, nv in v.value:
            if str(nk.value) == name and isinstance(nv, yaml.SequenceNode) and nv.value:
                last = nv.value[-1]
                return last.end_mark.line + (1 if last.end_mark.column else 0), " " * (
                    last.start_mark.column - 2
                )
    return None
