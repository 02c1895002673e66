"""Where the plans fall short, for the staff dashboard: the gaps grouped by meaning, each question
with the answers as given; what citizens ask about per part of the plans (the objective and the axis
or theme of the actions cited); a period compared with the one before.

A gap is an answer of coverage ``none`` or ``partial``, an answer voted not helpful, or an answer
the staff corrected (a correction in force made from it). The gaps are grouped with
:func:`~assistant.questionlog.clusters.cluster_questions`, as the dashboard's other groups; a group
is not stored: it is made again at every reading, and the staff's reviews cover its answers
(:class:`~assistant.questionlog.records.Review`)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.questionlog.clusters import MAX_TEXTS, cluster_questions
from assistant.questionlog.records import COVERAGES, LoggedAnswer, Review
from assistant.questionlog.report import COVERAGE_LABELS
from corpus import Corpus, Kind

#: Why an answer is a gap, in the order they are shown.
GAP_REASONS = {
    "none": "aucune couverture",
    "partial": "couverture partielle",
    "non": "avis « Non »",
    "corrigee": "corrigée par le personnel",
}
TOP_GAPS = 30
TOP_OBJECTIVES = 5
QUESTIONS_SHOWN = 5
OTHER_PARTS = "autres-parties"  # the key of what is cited outside any objective


def _key(text: str) -> str:
    """A question as the clustering counts it (spaces collapsed)."""
    return " ".join(text.split())


def gap_reasons(answer: LoggedAnswer) -> tuple[str, ...]:
    """Why ``answer`` is a gap (keys of :data:`GAP_REASONS`); empty: it is not one."""
    reasons = [answer.entry.coverage] if answer.entry.coverage in ("none", "partial") else []
    if answer.feedback is not None and not answer.feedback.helpful:
        reasons.append("non")
    if answer.corrected:
        reasons.append("corrigee")
    return tuple(reasons)


def _reasons(answers: Iterable[LoggedAnswer]) -> dict[str, int]:
    counts = Counter(r for a in answers for r in gap_reasons(a))
    return {k: counts[k] for k in GAP_REASONS if counts[k]}


def _latest_mark(answers: Sequence[LoggedAnswer]) -> Review | None:
    """The latest « revu » mark when every answer is covered by one (None otherwise)."""
    marks = [a.reviewed for a in answers]
    if not marks or any(m is None for m in marks):
        return None
    return max((m for m in marks if m is not None), key=lambda r: (r.created, r.review_id))


def _reviews_of(answers: Iterable[LoggedAnswer], scope: str) -> tuple[Review, ...]:
    """The reviews of ``scope`` that cover any of ``answers``, oldest first, each once."""
    found = {r.review_id: r for a in answers for r in a.reviews if r.scope == scope}
    return tuple(sorted(found.values(), key=lambda r: (r.created, r.review_id)))


@dataclass(frozen=True)
class GivenAnswer:
    """One way a question was answered: its lead, coverage and references as given, how many
    times, and the latest answer given so."""

    lead: str | None
    coverage: str
    refs: tuple[str, ...]
    count: int
    latest: LoggedAnswer


@dataclass(frozen=True)
class GapQuestion:
    """One question (its redacted text) and every answer it got among the gaps, most recent first."""

    text: str
    answers: tuple[LoggedAnswer, ...]

    @property
    def count(self) -> int:
        return len(self.answers)

    @property
    def answer_ids(self) -> tuple[str, ...]:
        return tuple(a.entry.answer_id for a in self.answers)

    @property
    def latest(self) -> LoggedAnswer:
        return self.answers[0]

    @property
    def given(self) -> tuple[GivenAnswer, ...]:
        """The distinct answers given (lead, coverage, references), the most recent first."""
        groups: dict[tuple[str | None, str, tuple[str, ...]], list[LoggedAnswer]] = {}
        for a in self.answers:
            groups.setdefault((a.entry.lead, a.entry.coverage, a.entry.refs), []).append(a)
        return tuple(GivenAnswer(k[0], k[1], k[2], len(v), v[0]) for k, v in groups.items())

    @property
    def reasons(self) -> dict[str, int]:
        return _reasons(self.answers)

    @property
    def reviewed(self) -> Review | None:
        return _latest_mark(self.answers)

    @property
    def reviews(self) -> tuple[Review, ...]:
        """The reviews made on this question (not on its group)."""
        return _reviews_of(self.answers, "question")


@dataclass(frozen=True)
class GapCluster:
    """Gap questions that mean the same thing: the representative (the clustering's medoid) and
    each question, most asked first."""

    representative: str
    questions: tuple[GapQuestion, ...]

    @property
    def answers(self) -> tuple[LoggedAnswer, ...]:
        return tuple(a for q in self.questions for a in q.answers)

    @property
    def count(self) -> int:
        return sum(q.count for q in self.questions)

    @property
    def answer_ids(self) -> tuple[str, ...]:
        return tuple(a.entry.answer_id for a in self.answers)

    @property
    def anchor(self) -> str:
        """An id for the page (the latest answer to its representative: random, stable while it is
        the representative)."""
        first = next((q for q in self.questions if q.text == self.representative), self.questions[0])
        return first.latest.entry.answer_id

    @property
    def reasons(self) -> dict[str, int]:
        return _reasons(self.answers)

    @property
    def reviewed(self) -> Review | None:
        """The latest « revu » mark when every answer of the group is covered (by a mark on the group
        or on its questions); None when one is not."""
        return _latest_mark(self.answers)

    @property
    def unreviewed(self) -> int:
        """Answers of the group that no « revu » mark covers (new since a review, or never reviewed)."""
        return sum(1 for a in self.answers if a.reviewed is None)

    @property
    def reviews(self) -> tuple[Review, ...]:
        """The reviews made on the group (as it was then: they cover the answers shown then)."""
        return _reviews_of(self.answers, "cluster")


@dataclass(frozen=True)
class Gaps:
    clusters: tuple[GapCluster, ...]
    answers: int  # gap answers read
    distinct: int  # distinct question texts
    omitted: int  # texts not grouped (beyond the clustering's limit)
    hidden: int  # groups left out by the review filter
    more: int  # groups beyond those shown


def group_gaps(
    answers: Sequence[LoggedAnswer],
    embed: Any,
    reviewed: bool | None = None,
    top: int = TOP_GAPS,
    max_texts: int = MAX_TEXTS,
) -> Gaps:
    """The gap answers grouped by meaning (``embed``: a function texts → vectors, or a model), most
    asked first; with ``reviewed``, only the groups entirely reviewed (True) or not (False)."""
    by_text: dict[str, list[LoggedAnswer]] = defaultdict(list)
    for a in answers:  # most recent first, as read
        by_text[_key(a.entry.question)].append(a)
    clustering = cluster_questions([a.entry.question for a in answers], embed, max_texts=max_texts)
    clusters = [
        GapCluster(
            representative=c.representative,
            questions=tuple(GapQuestion(text, tuple(by_text[_key(text)])) for text, _ in c.questions),
        )
        for c in clustering.clusters
    ]
    kept = [c for c in clusters if reviewed is None or (c.reviewed is not None) == reviewed]
    return Gaps(
        clusters=tuple(kept[:top]),
        answers=len(answers),
        distinct=clustering.distinct,
        omitted=clustering.omitted,
        hidden=len(clusters) - len(kept),
        more=max(0, len(kept) - top),
    )


# ------------------------------------------------------------------ the plans' own structure


@dataclass(frozen=True)
class Part:
    """A part of a plan: an objective (or an axis, a theme, an orientation), its label and title."""

    plan_id: str
    key: str  # the node's id (OTHER_PARTS: what is cited outside any objective)
    label: str
    title: str
    url: str | None


@dataclass(frozen=True)
class ObjectiveTopics:
    """What citizens asked that the answers cited under one objective."""

    objective: Part
    axis: Part | None  # its axis of intervention or theme
    orientation: Part | None
    answers: int  # answers that cited something under it (each once)
    coverage: dict[str, int]
    questions: tuple[tuple[str, int], ...]  # the most asked texts, with their counts


@dataclass(frozen=True)
class AxisTopics:
    axis: Part | None  # None: objectives outside any axis (or what no objective holds)
    orientation: Part | None
    answers: int
    objectives: tuple[ObjectiveTopics, ...]


@dataclass(frozen=True)
class PlanTopics:
    plan_id: str
    title: str
    answers: int
    axes: tuple[AxisTopics, ...]


@dataclass(frozen=True)
class Structure:
    plans: tuple[PlanTopics, ...]
    answers: int  # answers read
    uncited: int  # answers that cited nothing (mostly coverage « none »)


def _part(plan: Any, node: Any) -> Part:
    return Part(plan.id, node.id, node.label, node.title, plan.url(node))


def _places(corpus: Corpus, ref: str) -> tuple[Part, Part | None, Part | None] | None:
    """The objective (or the plan's other parts), axis and orientation a cited reference falls under."""
    found = corpus.resolve(ref)
    if found is None:
        return None
    plan, node = found
    objective = plan.objective_of(node)
    if objective is None:
        other = Part(
            plan.id, OTHER_PARTS, "Autres parties du plan", "sections, rôles, principes, échéances", None
        )
        return other, None, None
    ancestors = [plan.node(a) for a in objective.path]
    axis = next((n for n in reversed(ancestors) if n.kind in (Kind.AXE, Kind.THEME)), None)
    orientation = next((n for n in reversed(ancestors) if n.kind == Kind.ORIENTATION), None)
    return (
        _part(plan, objective),
        _part(plan, axis) if axis is not None else None,
        _part(plan, orientation) if orientation is not None else None,
    )


def objectives_of(
    answer: LoggedAnswer, corpus: Corpus
) -> dict[tuple[str, str], tuple[Part, Part | None, Part | None]]:
    """The objectives an answer cited something under, each once: (plan, key) → its places."""
    found: dict[tuple[str, str], tuple[Part, Part | None, Part | None]] = {}
    for ref in answer.entry.refs:
        places = _places(corpus, ref)
        if places is not None:
            found.setdefault((places[0].plan_id, places[0].key), places)
    return found


def by_structure(answers: Sequence[LoggedAnswer], corpus: Corpus, shown: int = QUESTIONS_SHOWN) -> Structure:
    """The answers counted per plan, axis (or theme) and objective of what they cited, in the
    plans' order; an answer citing two actions of one objective counts once for it."""
    places: dict[tuple[str, str], tuple[Part, Part | None, Part | None]] = {}
    per_objective: dict[tuple[str, str], list[LoggedAnswer]] = defaultdict(list)
    per_plan: dict[str, set[str]] = defaultdict(set)
    uncited = 0
    for a in answers:
        found = objectives_of(a, corpus)
        if not found:
            uncited += 1
        for key, where in found.items():
            places[key] = where
            per_objective[key].append(a)
            per_plan[key[0]].add(a.entry.answer_id)
    plans: list[PlanTopics] = []
    for plan in corpus:
        order = {n.id: i for i, n in enumerate(plan.nodes)}
        keys = sorted(
            (k for k in per_objective if k[0] == plan.id), key=lambda k: order.get(k[1], len(order))
        )
        axes: dict[str | None, list[ObjectiveTopics]] = {}
        axis_parts: dict[str | None, tuple[Part | None, Part | None]] = {}
        for key in keys:
            objective, axis, orientation = places[key]
            items = per_objective[key]
            counts = Counter(_key(a.entry.question) for a in items)
            coverage = Counter(a.entry.coverage for a in items)
            topic = ObjectiveTopics(
                objective=objective,
                axis=axis,
                orientation=orientation,
                answers=len(items),
                coverage={c: coverage[c] for c in COVERAGES},
                questions=tuple(sorted(counts.items(), key=lambda x: (-x[1], x[0]))[:shown]),
            )
            axis_key = axis.key if axis is not None else None
            axes.setdefault(axis_key, []).append(topic)
            axis_parts[axis_key] = (axis, orientation)
        if not axes:
            continue
        plans.append(
            PlanTopics(
                plan_id=plan.id,
                title=plan.title,
                answers=len(per_plan[plan.id]),
                axes=tuple(
                    AxisTopics(
                        axis=axis_parts[k][0],
                        orientation=axis_parts[k][1],
                        answers=len(
                            {
                                a.entry.answer_id
                                for t in topics
                                for a in per_objective[(plan.id, t.objective.key)]
                            }
                        ),
                        objectives=tuple(topics),
                    )
                    for k, topics in axes.items()
                ),
            )
        )
    return Structure(tuple(plans), len(answers), uncited)


# ------------------------------------------------------------------ a period against the one before


@dataclass(frozen=True)
class Change:
    """A count in the period and in the one before."""

    key: str
    label: str
    current: int
    previous: int
    url: str | None = None

    @property
    def delta(self) -> int:
        return self.current - self.previous

    @property
    def words(self) -> str:
        """« +3 (+50 %) », « −2 (−40 %) », « 0 », « +4 (nouveau) »."""
        d = self.delta
        if d == 0:
            return "0"
        sign = "+" if d > 0 else "\u2212"
        if not self.previous:
            return f"{sign}{abs(d)} (nouveau)"
        share = f"{abs(d) / self.previous * 100:.0f}"
        return f"{sign}{abs(d)} ({sign}{share}\u00a0%)"


@dataclass(frozen=True)
class Comparison:
    coverage: tuple[Change, ...]  # complete, partial, none, then the total
    objectives: tuple[Change, ...]  # the most asked objectives of the period (or of the one before)


def compare(
    current: Sequence[LoggedAnswer],
    previous: Sequence[LoggedAnswer],
    corpus: Corpus,
    top: int = TOP_OBJECTIVES,
) -> Comparison:
    """Counts per coverage and per objective (of what the answers cited) in two periods."""
    now, before = Counter(a.entry.coverage for a in current), Counter(a.entry.coverage for a in previous)
    coverage = [Change(c, COVERAGE_LABELS[c], now[c], before[c]) for c in COVERAGES]
    coverage.append(Change("total", "toutes les réponses", len(current), len(previous)))
    parts: dict[tuple[str, str], Part] = {}

    def count(answers: Sequence[LoggedAnswer]) -> Counter[tuple[str, str]]:
        counts: Counter[tuple[str, str]] = Counter()
        for a in answers:
            for key, where in objectives_of(a, corpus).items():
                parts[key] = where[0]
                counts[key] += 1
        return counts

    o_now, o_before = count(current), count(previous)
    chosen = sorted(set(o_now) | set(o_before), key=lambda k: (-o_now[k], -o_before[k], k))[:top]
    objectives = []
    for key in chosen:
        part = parts[key]
        plan = corpus.plans.get(part.plan_id)
        label = f"{part.label} : {part.title}" + (
            f" ({plan.title})" if plan is not None and len(corpus.plans) > 1 else ""
        )
        objectives.append(Change(f"{key[0]}:{key[1]}", label, o_now[key], o_before[key], part.url))
    return Comparison(tuple(coverage), tuple(objectives))
