"""Loading plans: manifest → source lines (errata applied, exclusions removed) → parser → Plan."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from corpus.bank import (
    BANK_NAME,
    HORS_PLAN,
    HORS_PLAN_NAME,
    QuestionBank,
    check_duplicates,
    load_hors_plan,
    load_plan_bank,
)
from corpus.lexicon import (
    LEXICON_NAME,
    ORDER_NAME,
    ConceptEntry,
    CorpusLexicon,
    check_order,
    plan_text,
    read_lexicon,
    read_order,
)
from corpus.manifest import MANIFEST_NAME, Manifest, load_manifest
from corpus.model import Node, Plan, PlanMeta
from corpus.parsers import SourceLine, get_parser
from corpus.problems import CorpusError, Problem, ProblemLog

DEFAULT_CORPUS_DIR = Path(__file__).resolve().parent / "plans"


def read_source(path: Path, log: ProblemLog) -> list[SourceLine] | None:
    """The file's lines, or None (with a problem logged) when it is unreadable or empty."""
    try:
        data = path.read_bytes()
    except OSError as e:
        log.add(None, f"fichier illisible : {e.strerror or e}")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        log.add(
            line, f"le fichier n'est pas en UTF-8 valide (octet {data[e.start]:#x}) : enregistrez-le en UTF-8"
        )
        return None
    if not text.strip():
        log.add(None, "le fichier est vide")
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [SourceLine(i, t) for i, t in enumerate(text.split("\n"), start=1)]


def _apply_manifest(
    lines: list[SourceLine], manifest: Manifest, log: ProblemLog, mlog: ProblemLog
) -> list[SourceLine]:
    by_no = {ln.no: ln for ln in lines}
    for i, e in enumerate(manifest.errata):
        ln = by_no.get(e.line)
        if ln is None or e.find not in ln.text:
            mlog.add(
                None, f"errata[{i}] : « {e.find} » ne figure pas à la ligne {e.line} de {manifest.source}"
            )
            continue
        by_no[e.line] = SourceLine(e.line, ln.text.replace(e.find, e.replace))
    excluded: set[int] = set()
    last = lines[-1].no if lines else 0
    for i, x in enumerate(manifest.exclude):
        if x.lines[1] > last:
            mlog.add(
                None,
                f"exclude[{i}] : les lignes {x.lines[0]}-{x.lines[1]} dépassent la fin de "
                f"{manifest.source} ({last} lignes)",
            )
        excluded.update(range(x.lines[0], x.lines[1] + 1))
    return [by_no[ln.no] for ln in lines if ln.no not in excluded]


def parse_text(text: str, meta: PlanMeta, path: str = "<text>") -> tuple[Plan | None, list[Problem]]:
    """Parse a plan given as a string (used by tests and fuzzing)."""
    log = ProblemLog(path)
    lines = [SourceLine(i, t) for i, t in enumerate(text.replace("\r\n", "\n").split("\n"), start=1)]
    if not text.strip():
        log.add(None, "le fichier est vide")
        return None, log.problems
    plan = get_parser(meta.parser)(meta, lines, log)
    return plan, log.problems


def meta_from(manifest: Manifest) -> PlanMeta:
    start, end = manifest.period_bounds
    return PlanMeta(
        id=manifest.id,
        title=manifest.title,
        subtitle=manifest.subtitle,
        organisation=manifest.organisation,
        period_start=start,
        period_end=end,
        adopted=manifest.adopted,
        source=manifest.source,
        parser=manifest.parser,
        language=manifest.language,
        url=manifest.url,
        aliases=tuple(manifest.aliases),
        unit_aliases={k: tuple(v) for k, v in manifest.unit_aliases.items()},
        principle_aliases={k: tuple(v) for k, v in manifest.principle_aliases.items()},
        order=manifest.order,
        default_scope=manifest.default_scope,
    )


def load_plan_checked(manifest_path: Path) -> tuple[Plan | None, list[Problem]]:
    """Load one plan from its manifest; returns the plan (None when it cannot be built) and
    every problem found, each with ``file:line``."""
    manifest, problems = load_manifest(manifest_path)
    if manifest is None:
        return None, problems
    source = manifest_path.parent / manifest.source
    log = ProblemLog(str(source))
    mlog = ProblemLog(str(manifest_path))
    lines = read_source(source, log)
    if lines is None:
        return None, log.problems
    lines = _apply_manifest(lines, manifest, log, mlog)
    plan = get_parser(manifest.parser)(meta_from(manifest), lines, log)
    plan = plan.model_copy(
        update={"excluded_lines": tuple((x.lines[0], x.lines[1], x.reason) for x in manifest.exclude)}
    )
    return plan, mlog.problems + log.problems


def find_manifests(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(path.rglob(MANIFEST_NAME))


def _load_all(path: Path) -> tuple[list[Plan], QuestionBank, CorpusLexicon, list[Problem]]:
    if not path.exists():
        return (
            [],
            QuestionBank(),
            CorpusLexicon(),
            [Problem(str(path), None, "fichier ou dossier introuvable")],
        )
    manifests = find_manifests(path)
    if not manifests:
        return (
            [],
            QuestionBank(),
            CorpusLexicon(),
            [
                Problem(
                    str(path),
                    None,
                    f"aucun {MANIFEST_NAME} trouvé (chaque plan en a un à côté de son fichier source)",
                )
            ],
        )
    problems: list[Problem] = []
    plans: list[Plan] = []
    ids: dict[str, Path] = {}
    folders: dict[str, Path] = {}
    for m in manifests:
        plan, found = load_plan_checked(m)
        problems += found
        if plan is not None:
            if plan.id in ids:
                problems.append(
                    Problem(
                        str(m), None, f"id : l'identifiant {plan.id!r} est déjà utilisé par {ids[plan.id]}"
                    )
                )
            ids[plan.id] = m
            folders[plan.id] = m.parent
            plans.append(plan)
    bank, found = _load_bank(path, plans, folders)
    problems += found
    lexicon, found = _load_lexicons(path, plans, folders)
    problems += found
    return plans, bank, lexicon, sorted(problems, key=lambda p: (p.path, p.line or 0))


def _load_lexicons(
    path: Path, plans: list[Plan], folders: dict[str, Path]
) -> tuple[CorpusLexicon, list[Problem]]:
    """Each plan's lexicon (beside its manifest; each plan term looked for in the plan's text) and the
    order of shared concepts' terms (in the corpus folder), checked: what cannot be read as a lexicon
    is a problem, a term to review a warning."""
    problems: list[Problem] = []
    warnings: list[Problem] = []
    found: dict[str, tuple[ConceptEntry, ...]] = {}
    files = []
    for plan in plans:
        file = folders[plan.id] / LEXICON_NAME
        if not file.is_file():
            continue
        log, review = ProblemLog(str(file)), ProblemLog(str(file))
        try:
            text = plan_text((folders[plan.id] / plan.meta.source).read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError):
            text = None  # the plan's own problem, reported with its source
        found[plan.id] = tuple(read_lexicon(file, log, text, plan.id, review))
        problems += log.problems
        warnings += review.problems
        files.append(str(file))
    order: dict[str, tuple[str, ...]] = {}
    root = path if path.is_dir() else path.parent
    file = root / ORDER_NAME
    if file.is_file():
        log, review = ProblemLog(str(file)), ProblemLog(str(file))
        order, tree = read_order(file, log)
        check_order(order, found.values(), tree, review)
        problems += log.problems
        warnings += review.problems
        files.append(str(file))
    return CorpusLexicon(found, order, tuple(files), tuple(warnings)), problems


def _load_bank(path: Path, plans: list[Plan], folders: dict[str, Path]) -> tuple[QuestionBank, list[Problem]]:
    """Each plan's question bank (beside its manifest) and the corpus's hors-plan bank (in the corpus
    folder), checked: every reference exists, no question written twice with two answers."""
    questions = []
    files = []
    problems: list[Problem] = []
    root = path if path.is_dir() else path.parent
    places = {plan.id: folders[plan.id] / BANK_NAME for plan in plans} | {HORS_PLAN: root / HORS_PLAN_NAME}
    for plan in plans:
        file = places[plan.id]
        if file.is_file():
            log = ProblemLog(str(file))
            questions += load_plan_bank(file, plan, log)
            problems += log.problems
            files.append(str(file))
    file = places[HORS_PLAN]
    if file.is_file():
        log = ProblemLog(str(file))
        questions += load_hors_plan(file, {p.id: p for p in plans}, log)
        problems += log.problems
        files.append(str(file))
    problems += check_duplicates(questions)
    return QuestionBank(tuple(questions), tuple(files), places), problems


def validate(path: Path) -> list[Problem]:
    """Every problem in the plans under ``path`` (a corpus folder, a plan folder or a manifest)."""
    return _load_all(path)[3]


@dataclass
class Corpus:
    """All plans, by id, in a stable order."""

    plans: dict[str, Plan] = field(default_factory=dict)
    #: The questions people ask and what answers them (the plans' banks and the hors-plan bank).
    bank: QuestionBank = field(default_factory=QuestionBank)
    #: The plans' lexicons: everyday words for what they speak of (merged by ``index/lexicon.py``).
    lexicon: CorpusLexicon = field(default_factory=CorpusLexicon)

    def plan(self, plan_id: str) -> Plan:
        return self.plans[plan_id]

    def __iter__(self) -> Iterator[Plan]:
        return iter(self.plans.values())

    def __len__(self) -> int:
        return len(self.plans)

    def resolve(self, reference: str) -> tuple[Plan, Node] | None:
        """``PLAN_ID:NUMBER`` or ``PLAN_ID:NODE_ID`` → (plan, node)."""
        plan_id, _, rest = reference.partition(":")
        plan = self.plans.get(plan_id)
        if plan is None or not rest:
            return None
        node = plan.resolve(rest)
        return (plan, node) if node is not None else None

    def nodes(self) -> Iterable[tuple[Plan, Node]]:
        for p in self.plans.values():
            for n in p.nodes:
                yield p, n


def load_corpus(path: Path | None = None) -> Corpus:
    """Load every plan under ``path`` (default: the plans shipped in ``corpus/plans``).

    Raises :class:`CorpusError` listing every problem when any plan is malformed."""
    plans, bank, lexicon, problems = _load_all(path or DEFAULT_CORPUS_DIR)
    if problems:
        raise CorpusError(problems)
    return Corpus({p.id: p for p in sorted(plans, key=lambda p: (p.meta.order, p.id))}, bank, lexicon)
