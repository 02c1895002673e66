"""A plan's manifest: who published it, which source file holds it, which parser reads it.

Manifests are YAML files named ``manifest.yaml`` beside the plan's source file. Errors
name the manifest's line and the field (``manifest.yaml:7: parser: …``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from corpus.problems import Problem, ProblemLog

MANIFEST_NAME = "manifest.yaml"
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class Erratum(BaseModel):
    """A correction of the source text, declared rather than made in the file."""

    model_config = ConfigDict(extra="forbid")
    line: int = Field(gt=0)
    find: str = Field(min_length=1)
    replace: str
    reason: str = Field(min_length=1)


class Exclusion(BaseModel):
    """Lines that are not part of the plan (OCR debris…), excluded on purpose and said so."""

    model_config = ConfigDict(extra="forbid")
    lines: tuple[int, int]
    reason: str = Field(min_length=1)

    @field_validator("lines")
    @classmethod
    def _ordered(cls, v: tuple[int, int]) -> tuple[int, int]:
        if v[0] < 1 or v[1] < v[0]:
            raise ValueError(f"attendu [première, dernière] avec 1 <= première <= dernière, reçu {list(v)}")
        return v


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    title: str = Field(min_length=1)
    subtitle: str | None = None
    organisation: str = Field(min_length=1)
    period: str | None = None  # "2025-2030"
    adopted: dt.date | None = None
    source: str = Field(min_length=1)
    parser: str = Field(min_length=1)
    language: str = "fr"
    url: str | None = None
    aliases: list[str] = []  # how people name the plan or its author in a question
    # Other names people use for the units and principles the plan names (name → names).
    unit_aliases: dict[str, list[str]] = {}
    principle_aliases: dict[str, list[str]] = {}
    order: int = 100  # where the plan comes when several answer (the City's own plans first)
    # False: searched only when a question names the plan (or a filter asks for it).
    default_scope: bool = True
    errata: list[Erratum] = []
    exclude: list[Exclusion] = []

    @field_validator("id")
    @classmethod
    def _id_is_slug(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError(
                f"des mots en minuscules reliés par des traits d'union sont attendus (ex. saint-sacrement-2024-2026), reçu {v!r}"
            )
        return v

    @field_validator("period")
    @classmethod
    def _period(cls, v: str | None) -> str | None:
        if v is not None:
            m = re.fullmatch(r"(\d{4})-(\d{4})", v)
            if not m or int(m.group(1)) > int(m.group(2)):
                raise ValueError(f"format attendu « AAAA-AAAA », reçu {v!r}")
        return v

    @field_validator("parser")
    @classmethod
    def _known_parser(cls, v: str) -> str:
        from corpus.parsers import parser_names

        if v not in parser_names():
            raise ValueError(f"analyseur inconnu {v!r} ; analyseurs connus : {', '.join(parser_names())}")
        return v

    @property
    def period_bounds(self) -> tuple[int | None, int | None]:
        if not self.period:
            return None, None
        a, b = self.period.split("-")
        return int(a), int(b)


#: libyaml's loader when PyYAML has it (ten times faster on a bank of thousands of questions).
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path, log: ProblemLog) -> tuple[Any, yaml.Node | None]:
    """A YAML data file's content and its node tree (for :func:`yaml_line`); ``(None, None)`` and the
    problem logged when it cannot be read or parsed."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        log.add(None, f"fichier illisible : {e}")
        return None, None
    try:
        return yaml.load(text, Loader=YAML_LOADER), yaml.compose(text, Loader=YAML_LOADER)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        log.add(mark.line + 1 if mark else None, f"YAML invalide : {getattr(e, 'problem', e)}")
        return None, None


def yaml_line(node: yaml.Node | None, loc: Sequence[Any]) -> int | None:
    """The line (1-based) of the YAML node at ``loc`` (or of its nearest existing parent)."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for key in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == key:
                    child = v
                    line = k.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            child = node.value[key]
            line = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return line


def load_manifest(path: Path) -> tuple[Manifest | None, list[Problem]]:
    """Read and check a manifest; problems carry ``manifest.yaml:line``."""
    where = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        return None, [Problem(where, None, f"manifeste illisible : {e}")]
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        return None, [
            Problem(where, mark.line + 1 if mark else None, f"YAML invalide : {getattr(e, 'problem', e)}")
        ]
    if not isinstance(data, dict):
        return None, [
            Problem(
                where, 1, "un manifeste est une table de champs (id, title, organisation, source, parser…)"
            )
        ]
    try:
        return Manifest.model_validate(data), []
    except ValidationError as e:
        problems = []
        for err in e.errors():
            loc = tuple(err["loc"])
            field = ".".join(str(x) for x in loc) or "manifest"
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "missing":
                msg = "champ obligatoire"
            elif err["type"] == "extra_forbidden":
                msg = "champ inconnu"
            problems.append(Problem(where, yaml_line(root, loc), f"{field} : {msg}"))
        return None, problems
