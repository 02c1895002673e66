"""``plan-assistant eval privacy``: the redaction measured on the labelled set ``evals/privacy.yaml``.

Definitions, per kind of personal information:

- **recall**: the share of expected items found. An item is found when every character of its value
  (its n-th occurrence in the sentence, for the n-th item with that value) lies inside a redacted
  span of its own kind: nothing of it survives, and its placeholder names it rightly.
- **masked**: the share of expected items of which nothing survives, whatever the placeholder
  (what matters for privacy; recall is stricter).
- **precision**: the share of redacted spans of that kind that overlap an expected item of the same
  kind; a span that overlaps none is a false positive.
- **clean altered**: the share of sentences without personal information whose text the redaction
  changed.

The timing runs ``redact`` over every sentence of the set, several rounds after a warm-up, and
reports the mean and the 50th, 95th and 99th percentiles in microseconds per sentence; the person-
name model's load (time and resident memory added) is measured when the run is the first to load it.

The sets: the tuning set ``evals/privacy.yaml`` (the rules were tuned on it: its report lists every
miss and false positive) and three blind batches, ``evals/privacy_blind.yaml`` (``--set blind``),
``evals/privacy_blind2.yaml`` (``--set blind2``) and ``evals/privacy_blind3.yaml`` (``--set
blind3``), each written by someone else to measure the rules without bias: their reports give
aggregates per type only, never a sentence, so that reading one cannot turn it into a tuning set.
"""

from __future__ import annotations

import re
import resource
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from assistant.privacy import KINDS, Kind, Redaction, Span, redact
from assistant.privacy.persons import model_loaded, name_model
from corpus.manifest import yaml_line

PRIVACY_FILE = Path(__file__).with_name("privacy.yaml")
BLIND_FILE = Path(__file__).with_name("privacy_blind.yaml")
BLIND2_FILE = Path(__file__).with_name("privacy_blind2.yaml")
BLIND3_FILE = Path(__file__).with_name("privacy_blind3.yaml")
SETS: dict[str, Path] = {
    "tuning": PRIVACY_FILE,
    "blind": BLIND_FILE,
    "blind2": BLIND2_FILE,
    "blind3": BLIND3_FILE,
}
#: The sets measured blind: their reports give aggregates only, never a sentence.
BLIND_SETS: frozenset[str] = frozenset({"blind", "blind2", "blind3"})
#: Recall targets on the tuning set (issue 12): structured kinds 0.99; addresses, names, dates of
#: birth 0.95.
RECALL_TARGETS: dict[Kind, float] = {
    "email": 0.99,
    "phone": 0.99,
    "postal_code": 0.99,
    "sin": 0.99,
    "card": 0.99,
    "address": 0.95,
    "name": 0.95,
    "birth_date": 0.95,
}
#: Recall targets on the blind set (issue 19): structured kinds 0.98; addresses, names, dates of
#: birth 0.90.
BLIND_RECALL_TARGETS: dict[Kind, float] = {
    "email": 0.98,
    "phone": 0.98,
    "postal_code": 0.98,
    "sin": 0.98,
    "card": 0.98,
    "address": 0.90,
    "name": 0.90,
    "birth_date": 0.90,
}
#: At most this share of clean sentences may be altered (both sets).
CLEAN_ALTERED_TARGET = 0.03
KIND_NAMES: dict[Kind, str] = {
    "email": "courriel",
    "phone": "téléphone",
    "postal_code": "code postal",
    "sin": "NAS",
    "card": "carte",
    "address": "adresse",
    "name": "nom",
    "birth_date": "date de naissance",
}


class PiiItem(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Kind
    value: str


class PrivacyItem(BaseModel):
    """One sentence and the personal information it holds (none for a clean sentence)."""

    model_config = ConfigDict(extra="forbid")
    text: str
    lang: Literal["fr", "en"]
    pii: list[PiiItem]

    @model_validator(mode="after")
    def _values_in_text(self) -> PrivacyItem:
        for p in self.pii:
            if not p.value.strip():
                raise ValueError("une valeur attendue est vide")
            if p.value not in self.text:
                raise ValueError(f"« {p.value} » ne figure pas dans le texte « {self.text} »")
        self.locate()
        return self

    def locate(self) -> list[tuple[PiiItem, int, int]]:
        """Each expected item with its offsets: the n-th item of a value is its n-th occurrence."""
        seen: dict[str, int] = {}
        out = []
        for p in self.pii:
            start = -1
            for _ in range(seen.get(p.value, 0) + 1):
                start = self.text.find(p.value, start + 1)
                if start < 0:
                    raise ValueError(f"« {p.value} » est attendu plus de fois qu'il ne figure dans le texte")
            seen[p.value] = seen.get(p.value, 0) + 1
            out.append((p, start, start + len(p.value)))
        return out


class DatasetError(ValueError):
    """A malformed labelled set; the message names ``file:line``."""


def load_items(path: Path = PRIVACY_FILE) -> tuple[PrivacyItem, ...]:
    """The labelled set; :class:`DatasetError` with ``file:line`` when it is malformed."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise DatasetError(f"{path}: illisible : {e}") from e
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise DatasetError(f"{where}: YAML invalide : {getattr(e, 'problem', None) or e}") from e
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise DatasetError(f"{path}:1: le fichier est une table avec une liste « items »")
    items = []
    for i, raw in enumerate(data["items"]):
        misplaced = _value_not_in_text(raw)
        if misplaced is not None:
            j, value = misplaced
            line = yaml_line(root, ("items", i, "pii", j, "value"))
            raise DatasetError(f"{path}:{line}: pii.{j}.value : « {value} » ne figure pas dans le texte")
        try:
            items.append(PrivacyItem.model_validate(raw))
        except ValidationError as e:
            err = e.errors()[0]
            loc = ("items", i, *err["loc"])
            field_name = ".".join(str(x) for x in err["loc"]) or "élément"
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "missing":
                msg = "champ obligatoire"
            elif err["type"] == "extra_forbidden":
                msg = "champ inconnu"
            raise DatasetError(f"{path}:{yaml_line(root, loc)}: {field_name} : {msg}") from e
    return tuple(items)


def _value_not_in_text(raw: Any) -> tuple[int, str] | None:
    """The first expected value that is not in its sentence (index and value), before validation,
    so that the error names the value's own line."""
    if (
        not isinstance(raw, dict)
        or not isinstance(raw.get("text"), str)
        or not isinstance(raw.get("pii"), list)
    ):
        return None
    for j, p in enumerate(raw["pii"]):
        if isinstance(p, dict) and isinstance(p.get("value"), str) and p["value"] not in raw["text"]:
            return j, p["value"]
    return None


@dataclass
class KindScore:
    kind: Kind
    expected: int = 0
    found: int = 0
    masked: int = 0
    predicted: int = 0
    false_positives: int = 0
    target: float = 0.0

    @property
    def recall(self) -> float | None:
        return self.found / self.expected if self.expected else None

    @property
    def masked_share(self) -> float | None:
        return self.masked / self.expected if self.expected else None

    @property
    def precision(self) -> float | None:
        return (self.predicted - self.false_positives) / self.predicted if self.predicted else None

    @property
    def meets_target(self) -> bool:
        return self.recall is None or self.recall >= self.target


@dataclass(frozen=True)
class Miss:
    """An expected item not found (``kind`` expected), or a false positive (``predicted``)."""

    text: str
    redacted: str
    kind: Kind
    value: str | None = None


@dataclass
class PrivacyResult:
    scores: dict[Kind, KindScore]
    sentences: int
    clean: int
    clean_altered: int
    mean_us: float = 0.0
    p99_us: float = 0.0
    p50_us: float = 0.0
    p95_us: float = 0.0
    #: The person-name model's load, when this run loaded it: seconds and resident memory added (MiB).
    model_load_s: float | None = None
    model_rss_mib: float | None = None
    misses: list[Miss] = field(default_factory=list)
    false_positives: list[Miss] = field(default_factory=list)
    altered: list[Miss] = field(default_factory=list)

    @property
    def clean_altered_share(self) -> float:
        return self.clean_altered / self.clean if self.clean else 0.0

    def failures(self) -> list[str]:
        """The targets not met, in words (empty when all are met)."""
        out = [
            f"rappel {KIND_NAMES[s.kind]} {s.recall:.3f} < {s.target:.2f}"
            for s in self.scores.values()
            if s.recall is not None and not s.meets_target
        ]
        if self.clean_altered_share > CLEAN_ALTERED_TARGET:
            out.append(
                f"phrases propres modifiées {self.clean_altered_share:.1%} > {CLEAN_ALTERED_TARGET:.0%}"
            )
        return out

    @property
    def passed(self) -> bool:
        return not self.failures()

    def as_dict(self) -> dict[str, Any]:
        return {
            "sentences": self.sentences,
            "clean": self.clean,
            "clean_altered": self.clean_altered,
            "clean_altered_share": self.clean_altered_share,
            "mean_us": self.mean_us,
            "p50_us": self.p50_us,
            "p95_us": self.p95_us,
            "p99_us": self.p99_us,
            "model_load_s": self.model_load_s,
            "model_rss_mib": self.model_rss_mib,
            "kinds": {
                k: {
                    "expected": s.expected,
                    "found": s.found,
                    "recall": s.recall,
                    "masked": s.masked_share,
                    "predicted": s.predicted,
                    "false_positives": s.false_positives,
                    "precision": s.precision,
                    "target": s.target,
                }
                for k, s in self.scores.items()
            },
            "passed": self.passed,
        }


def _covered(start: int, end: int, spans: Sequence[Span]) -> bool:
    """Every character of ``[start, end)`` lies inside one of ``spans``."""
    pos = start
    for s in sorted(spans):
        if s.start <= pos < s.end:
            pos = s.end
            if pos >= end:
                return True
    return pos >= end


def _timing(
    texts: Sequence[str], redactor: Callable[[str], Redaction], rounds: int
) -> tuple[float, float, float, float]:
    """Mean, p50, p95 and p99 of one call, in µs, after a warm-up round."""
    for t in texts:
        redactor(t)
    samples = []
    for _ in range(rounds):
        for t in texts:
            t0 = time.perf_counter_ns()
            redactor(t)
            samples.append((time.perf_counter_ns() - t0) / 1000)
    samples.sort()

    def pct(q: float) -> float:
        return samples[min(len(samples) - 1, int(q * len(samples)))]

    return statistics.fmean(samples), pct(0.50), pct(0.95), pct(0.99)


def _rss_mib() -> float:
    """This process's resident memory now (``/proc``), or its peak where there is no ``/proc``."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * resource.getpagesize() / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def model_load_cost() -> tuple[float, float] | None:
    """Load the person-name model now: seconds and resident MiB added; ``None`` when it is already
    loaded (the figures would be those of an earlier load)."""
    if model_loaded():
        return None
    rss, t0 = _rss_mib(), time.perf_counter()
    name_model()
    return time.perf_counter() - t0, _rss_mib() - rss


def evaluate(
    items: Sequence[PrivacyItem],
    redactor: Callable[[str], Redaction] = redact,
    rounds: int = 5,
    targets: dict[Kind, float] = RECALL_TARGETS,
) -> PrivacyResult:
    scores = {k: KindScore(k, target=targets[k]) for k in KINDS}
    misses: list[Miss] = []
    false_positives: list[Miss] = []
    altered: list[Miss] = []
    clean = clean_altered = 0
    for item in items:
        r = redactor(item.text)
        expected = item.locate()
        for p, start, end in expected:
            score = scores[p.type]
            score.expected += 1
            if _covered(start, end, [s for s in r.found if s.kind == p.type]):
                score.found += 1
            else:
                misses.append(Miss(item.text, r.text, p.type, p.value))
            if _covered(start, end, r.found):
                score.masked += 1
        for span in r.found:
            score = scores[span.kind]
            score.predicted += 1
            if not any(
                p.type == span.kind and start < span.end and span.start < end for p, start, end in expected
            ):
                score.false_positives += 1
                false_positives.append(Miss(item.text, r.text, span.kind))
        if not item.pii:
            clean += 1
            if r.text != item.text:
                clean_altered += 1
                altered.append(Miss(item.text, r.text, r.found[0].kind if r.found else "name"))
    mean_us, p50_us, p95_us, p99_us = (
        _timing([i.text for i in items], redactor, rounds) if rounds else (0.0, 0.0, 0.0, 0.0)
    )
    return PrivacyResult(
        scores,
        len(items),
        clean,
        clean_altered,
        mean_us=mean_us,
        p99_us=p99_us,
        p50_us=p50_us,
        p95_us=p95_us,
        misses=misses,
        false_positives=false_positives,
        altered=altered,
    )


def run(path: Path = PRIVACY_FILE, rounds: int = 5, blind: bool = False) -> PrivacyResult:
    """The labelled set at ``path`` measured (the blind set's targets when ``blind``), with the
    model's load cost when this run is the first to load it."""
    items = load_items(path)
    load = model_load_cost()
    result = evaluate(items, rounds=rounds, targets=BLIND_RECALL_TARGETS if blind else RECALL_TARGETS)
    if load is not None:
        result.model_load_s, result.model_rss_mib = load
    return result


_QUOTED = re.compile(r"«[^»]*»")


def without_quotes(message: str) -> str:
    """A dataset error's message with the quoted sentences and values left out (``file:line`` and
    the field stay): what the blind set's reader may see."""
    return _QUOTED.sub("« … »", message)


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def privacy_markdown(
    result: PrivacyResult, source: str = "evals/privacy.yaml", sentences: bool = True
) -> str:
    """The report; without ``sentences`` (the blind set) only the aggregates, never a sentence,
    a value or a redacted text."""
    lines = [
        "# Évaluation du caviardage des renseignements personnels",
        "",
        f"Jeu étiqueté `{source}` : {result.sentences} phrases, dont {result.clean} sans renseignement "
        "personnel.",
        "",
        "| type | attendus | rappel | masqués | prédits | faux positifs | précision | cible (rappel) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for s in result.scores.values():
        mark = "" if s.meets_target else " ✗"
        lines.append(
            f"| {KIND_NAMES[s.kind]} | {s.expected} | {_fmt(s.recall)}{mark} | {_fmt(s.masked_share)} "
            f"| {s.predicted} | {s.false_positives} | {_fmt(s.precision)} | ≥ {s.target:.2f} |"
        )
    lines += [
        "",
        f"Phrases propres modifiées : {result.clean_altered} / {result.clean} "
        f"({result.clean_altered_share:.1%}, cible ≤ {CLEAN_ALTERED_TARGET:.0%}).",
        "",
        f"Durée de `redact` par phrase (après une ronde d'échauffement) : moyenne {result.mean_us:.0f} µs, "
        f"p50 {result.p50_us:.0f} µs, p95 {result.p95_us:.0f} µs, p99 {result.p99_us:.0f} µs.",
        "",
    ]
    if result.model_load_s is not None and result.model_rss_mib is not None:
        lines += [
            f"Modèle de noms de personnes chargé en {result.model_load_s:.1f} s "
            f"(+{result.model_rss_mib:.0f} Mio de mémoire résidente).",
            "",
        ]
    lines += [
        "Rappel : la valeur attendue est entièrement couverte par un espace caviardé de son type; "
        "masqués : entièrement couverte, quel que soit le type; précision : part des espaces caviardés "
        "qui recouvrent une valeur attendue du même type.",
    ]
    if sentences and result.misses:
        lines += ["", "## Manqués", ""]
        lines += [f"- {KIND_NAMES[m.kind]} « {m.value} » : {m.redacted}" for m in result.misses]
    if sentences and result.false_positives:
        lines += ["", "## Faux positifs", ""]
        lines += [f"- {KIND_NAMES[m.kind]} : {m.redacted}" for m in result.false_positives]
    failures = result.failures()
    lines += ["", "**Cibles atteintes.**" if not failures else "**Cibles manquées :** " + "; ".join(failures)]
    return "\n".join(lines) + "\n"
