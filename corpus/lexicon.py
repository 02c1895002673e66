"""A plan's lexicon: the everyday words people use for what the plan speaks of, and the plan's own
words for it. Plan data beside the plan text, like its question bank; read and checked here, merged
with the other plans' and analysed by ``index/lexicon.py`` (whose general file describes the format).

- ``<plan folder>/lexicon.yaml``: the concepts whose ``plan_terms`` are this plan's wording (each
  occurs in its text, whatever the case and accents)::

      version: 1
      plan: saint-sacrement-2024-2026
      concepts:
        - id: patinoire_couverte
          plan_terms: [patinoire couverte, patinoire]
          triggers: [patinoire avec un toit, aréna]       # French
          triggers_en: [covered rink, arena]              # English

  A concept several plans speak of is in each of their files under the same ``id``, each with its
  own plan's terms; :func:`merge` joins them.
- ``<corpus folder>/lexicon-order.yaml`` (optional): for a concept several plans share, the order of
  its merged terms when it is not the plans' order (the first ones go with the question into the
  dense search)::

      version: 1
      plan_terms:
        immigration: [immigration, communautés culturelles, accueillir]

Every problem is reported as ``file:line: message``, like the plans' own; a plan without a lexicon
is fine. A file that cannot be read as a lexicon stops the corpus; a plan term its plan's text does
not write (the text was edited since) and a term of the order no plan gives are only to review
(:attr:`CorpusLexicon.warnings`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from corpus.manifest import read_yaml, yaml_line
from corpus.problems import Problem, ProblemLog
from corpus.text import fold

LEXICON_NAME = "lexicon.yaml"
ORDER_NAME = "lexicon-order.yaml"
#: The fields of a concept: its identifier, the plans' words, the everyday words in French and English.
CONCEPT_FIELDS = ("id", "plan_terms", "triggers", "triggers_en")
_TOP_FIELDS = ("version", "plan", "description", "concepts")
_ID = re.compile(r"[a-z0-9_]+")


@dataclass(frozen=True)
class ConceptEntry:
    """One concept of one lexicon file (or several, merged)."""

    id: str
    plan_terms: tuple[str, ...]
    triggers: tuple[str, ...] = ()  # in French
    triggers_en: tuple[str, ...] = ()  # in English
    where: str = field(default="", compare=False)  # file:line, for messages


@dataclass
class CorpusLexicon:
    """The lexicons of a corpus's plans (by plan id) and the order of shared concepts' terms."""

    plans: dict[str, tuple[ConceptEntry, ...]] = field(default_factory=dict)
    order: dict[str, tuple[str, ...]] = field(default_factory=dict)
    files: tuple[str, ...] = ()
    #: What to review, that does not stop the corpus: a plan term its plan's text no longer writes, a
    #: term the order names that no plan gives (``corpus validate`` lists them).
    warnings: tuple[Problem, ...] = ()


def plan_text(text: str) -> str:
    """A plan's text as a plan term is looked for in it: folded, spaces and line breaks as one space."""
    return " ".join(fold(text).split())


def occurs(term: str, folded_text: str) -> bool:
    """``term`` is written in the text (case, accents and line breaks aside)."""
    return plan_text(term) in folded_text


def _words(
    value: Any, name: str, loc: list[Any], root: yaml.Node | None, log: ProblemLog, label: str
) -> tuple[str, ...] | None:
    """A list of words or phrases, or None (logged at the bad item's line)."""
    if value is None:
        return ()
    if not isinstance(value, list):
        log.add(yaml_line(root, loc), f"{label} : {name} : attendu une liste de mots ou d'expressions")
        return None
    out = []
    ok = True
    for j, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            shown = "vide" if isinstance(item, str) or item is None else f"« {item} »"
            log.add(
                yaml_line(root, [*loc, j]),
                f"{label} : {name}[{j}] : {shown}, attendu un mot ou une expression (un nombre entre "
                'guillemets : "311")',
            )
            ok = False
            continue
        out.append(item)
    return tuple(out) if ok else None


def read_lexicon(
    path: Path,
    log: ProblemLog,
    text: str | None = None,
    plan_id: str | None = None,
    warnings: ProblemLog | None = None,
) -> list[ConceptEntry]:
    """The concepts of a lexicon file, checked; every problem logged at its line. ``text``: the plan's
    text (:func:`plan_text`), in which each plan term should occur (a term it lacks, after an edit of
    the text, is logged in ``warnings``: to review, the concept still serves); ``plan_id``: the plan
    it belongs to."""
    before = len(log.problems)
    data, root = read_yaml(path, log)
    if len(log.problems) > before:  # unreadable: said
        return []
    if not isinstance(data, dict) or not isinstance(data.get("concepts"), list):
        log.add(
            yaml_line(root, []),
            "attendu « concepts: » : une liste de concepts {id, plan_terms, triggers, triggers_en}",
        )
        return []
    extra = sorted(str(k) for k in set(data) - set(_TOP_FIELDS))
    if extra:
        log.add(yaml_line(root, [extra[0]]), f"champs inconnus {extra} (attendu {', '.join(_TOP_FIELDS)})")
    if plan_id is not None and data.get("plan") not in (None, plan_id):
        log.add(yaml_line(root, ["plan"]), f"plan : « {data['plan']} » au lieu de « {plan_id} »")
    out: list[ConceptEntry] = []
    seen: dict[str, int | None] = {}
    for i, item in enumerate(data["concepts"]):
        loc: list[Any] = ["concepts", i]
        line = yaml_line(root, loc)
        if not isinstance(item, dict):
            log.add(line, f"concepts[{i}] : attendu {{{', '.join(CONCEPT_FIELDS)}}}")
            continue
        cid = item.get("id")
        if not isinstance(cid, str) or not _ID.fullmatch(cid):
            shown = "champ obligatoire" if cid is None else f"« {cid} » : minuscules, chiffres et _ seulement"
            log.add(yaml_line(root, [*loc, "id"]), f"concepts[{i}].id : {shown}")
            continue
        label = f"concept « {cid} »"
        if cid in seen:
            log.add(line, f"{label} : déjà défini à la ligne {seen[cid]} de ce fichier")
            continue
        seen[cid] = line
        extra = sorted(str(k) for k in set(item) - set(CONCEPT_FIELDS))
        if extra:
            log.add(
                yaml_line(root, [*loc, extra[0]]),
                f"{label} : champs inconnus {extra} (attendu {', '.join(CONCEPT_FIELDS)})",
            )
        fields = {
            name: _words(item.get(name), name, [*loc, name], root, log, label) for name in CONCEPT_FIELDS[1:]
        }
        terms, triggers, triggers_en = fields["plan_terms"], fields["triggers"], fields["triggers_en"]
        if terms is None or triggers is None or triggers_en is None:
            continue
        if not terms:
            log.add(line, f"{label} : plan_terms : champ obligatoire (les mots du plan pour ce concept)")
            continue
        if text is not None:
            for j, t in enumerate(terms):
                if not occurs(t, text):
                    (warnings if warnings is not None else log).add(
                        yaml_line(root, [*loc, "plan_terms", j]),
                        f"{label} : plan_terms : « {t} » ne figure pas dans le texte du plan",
                    )
        out.append(ConceptEntry(cid, terms, triggers, triggers_en, where=f"{path}:{line}"))
    return out


def read_order(path: Path, log: ProblemLog) -> tuple[dict[str, tuple[str, ...]], yaml.Node | None]:
    """The order of shared concepts' terms (``lexicon-order.yaml``), checked for its form, and the
    file's node tree (where :func:`check_order` finds its lines)."""
    before = len(log.problems)
    data, root = read_yaml(path, log)
    if len(log.problems) > before:  # unreadable: said
        return {}, None
    if not isinstance(data, dict) or not isinstance(data.get("plan_terms"), dict):
        log.add(yaml_line(root, []), "attendu « plan_terms: » : pour un concept, ses termes dans l'ordre")
        return {}, root
    extra = sorted(str(k) for k in set(data) - {"version", "description", "plan_terms"})
    if extra:
        log.add(
            yaml_line(root, [extra[0]]), f"champs inconnus {extra} (attendu version, description, plan_terms)"
        )
    out: dict[str, tuple[str, ...]] = {}
    for cid, terms in data["plan_terms"].items():
        words = _words(terms, "plan_terms", ["plan_terms", cid], root, log, f"concept « {cid} »")
        if words is not None:
            out[str(cid)] = words
    return out, root


def check_order(
    order: Mapping[str, Sequence[str]],
    lexicons: Iterable[Sequence[ConceptEntry]],
    root: yaml.Node | None,
    log: ProblemLog,
) -> None:
    """Each concept of ``order`` is one the plans' lexicons have, each of its terms one of their terms
    (else logged: a term no plan gives is left out of the order)."""
    terms: dict[str, set[str]] = {}
    for entries in lexicons:
        for e in entries:
            terms.setdefault(e.id, set()).update(e.plan_terms)
    for cid, listed in order.items():
        if cid not in terms:
            log.add(yaml_line(root, ["plan_terms", cid]), f"concept « {cid} » : aucun plan n'a ce concept")
            continue
        for j, t in enumerate(listed):
            if t not in terms[cid]:
                log.add(
                    yaml_line(root, ["plan_terms", cid, j]),
                    f"concept « {cid} » : « {t} » n'est un plan_term de ce concept dans aucun plan",
                )


def _placed(merged: list[str], added: Iterable[str]) -> list[str]:
    """``merged`` with the ids of ``added`` it lacks, each placed right after the one it follows in
    ``added`` (first when it is first there)."""
    out = list(merged)
    at = 0
    for x in added:
        if x in out:
            at = out.index(x) + 1
        else:
            out.insert(at, x)
            at += 1
    return out


def merge(
    sources: Iterable[Sequence[ConceptEntry]], order: Mapping[str, Sequence[str]] | None = None
) -> list[ConceptEntry]:
    """The concepts of several lexicons (the general one, then each plan's in the corpus's order) as
    one list, concepts of the same ``id`` merged:

    - the concepts keep each file's order: one that only a later file has comes right after the
      concept it follows there;
    - a concept's ``plan_terms``, ``triggers`` and ``triggers_en`` are those of every file, file after
      file, each once; ``order`` (``lexicon-order.yaml``) gives the order of a concept's terms
      instead (those it does not list come after, file after file)."""
    ids: list[str] = []
    found: dict[str, list[ConceptEntry]] = {}
    for entries in sources:
        ids = _placed(ids, [e.id for e in entries])
        for e in entries:
            found.setdefault(e.id, []).append(e)
    order = order or {}
    out = []
    for cid in ids:
        parts = found[cid]
        terms = list(dict.fromkeys(t for e in parts for t in e.plan_terms))
        if cid in order:
            first = [t for t in dict.fromkeys(order[cid]) if t in terms]
            terms = first + [t for t in terms if t not in first]
        out.append(
            ConceptEntry(
                cid,
                tuple(terms),
                tuple(dict.fromkeys(t for e in parts for t in e.triggers)),
                tuple(dict.fromkeys(t for e in parts for t in e.triggers_en)),
                where=parts[0].where,
            )
        )
    return out
