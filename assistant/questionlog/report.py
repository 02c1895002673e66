"""What the staff dashboard shows, read once from the question log for a period and a plan
(:class:`DashboardData`), and ``plan-assistant log report``: the same as Markdown with PNG charts.

Counts per day, coverage, rates and cited references come from the daily aggregates (whole days,
kept after the purge); the questions, gaps and negative feedback from the entries still in the log
(their redacted text). Every day and time is in the organisation's time zone, the log's ``zone``
(the period's)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any, Protocol

from assistant.questionlog.clusters import MAX_TEXTS, CachedEmbed, Clustering, cluster_questions
from assistant.questionlog.records import (
    CoverageDay,
    DayCount,
    LoggedAnswer,
    LogQuery,
    NegativeFeedback,
    Rates,
    RefCount,
)

REASON_LABELS = {
    "mauvaise_action": "pas la bonne action",
    "pas_clair": "pas clair",
    "incomplet": "incomplet",
    "autre": "autre",
}
COVERAGE_LABELS = {"complete": "complète", "partial": "partielle", "none": "aucune"}
GAP_LIMIT = 5000  # gap answers grouped at most (the most recent)
TOP_CLUSTERS = 20
TOP_REFS = 15
NEGATIVE_LIMIT = 100
DAILY_CHART = "questions-par-jour.png"
COVERAGE_CHART = "couverture.png"


class LogReader(Protocol):
    """What the report reads of a :class:`~assistant.questionlog.store.QuestionLog`."""

    zone: tzinfo  # the time zone whose days its aggregates count

    def per_day(
        self, since: datetime | None = ..., until: datetime | None = ..., plan: str | None = ...
    ) -> list[DayCount]: ...

    def coverage_over_time(
        self, since: datetime | None = ..., until: datetime | None = ..., plan: str | None = ...
    ) -> list[CoverageDay]: ...

    def rates(
        self, since: datetime | None = ..., until: datetime | None = ..., plan: str | None = ...
    ) -> Rates: ...

    def top_refs(
        self,
        since: datetime | None = ...,
        until: datetime | None = ...,
        plan: str | None = ...,
        limit: int = ...,
    ) -> list[RefCount]: ...

    def count_entries(
        self, since: datetime | None = ..., until: datetime | None = ..., plan: str | None = ...
    ) -> int: ...

    def negative_feedback(
        self,
        since: datetime | None = ...,
        until: datetime | None = ...,
        plan: str | None = ...,
        limit: int = ...,
    ) -> list[NegativeFeedback]: ...

    def questions(
        self,
        since: datetime | None = ...,
        until: datetime | None = ...,
        plan: str | None = ...,
        coverage: str | None = ...,
    ) -> list[str]: ...

    def find(self, query: LogQuery, limit: int = ...) -> list[LoggedAnswer]: ...


#: The days a period may name: a log has nothing before, and a day past the calendar's last one
#: cannot be turned into the midnight that ends it.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2999, 12, 31)


def day_out_of_range(day: date) -> str | None:
    """Why ``day`` cannot bound a period of the log (None: it can)."""
    if FIRST_DAY <= day <= LAST_DAY:
        return None
    return (
        f"date hors des limites : {day.isoformat()} (entre {FIRST_DAY.isoformat()} et {LAST_DAY.isoformat()})"
    )


def local_time(moment: datetime, zone: tzinfo, minutes: bool = False) -> str:
    """A time as the staff read it, in ``zone`` (the organisation's): « 2025-06-11 12 h » (the log
    keeps hours), or « 2025-06-11 12 h 05 »."""
    moment = moment.astimezone(zone)
    return moment.strftime("%Y-%m-%d %H h %M" if minutes else "%Y-%m-%d %H h")


@dataclass(frozen=True)
class Period:
    """Whole days of ``zone`` (the log's), both ends included (``None``: unbounded)."""

    first: date | None = None
    last: date | None = None
    zone: tzinfo = UTC

    def __post_init__(self) -> None:
        for day in (self.first, self.last):
            if day is not None and (message := day_out_of_range(day)):
                raise ValueError(message)
        if self.first and self.last and self.first > self.last:
            raise ValueError(
                f"période vide : du {self.first.isoformat()} au {self.last.isoformat()} (le début suit la fin)"
            )

    @property
    def since(self) -> datetime | None:
        """Midnight at the start of the first day, in the period's zone."""
        return datetime.combine(self.first, time(), self.zone) if self.first else None

    @property
    def until(self) -> datetime | None:
        """The end, excluded (midnight after the last day, in the period's zone)."""
        return datetime.combine(self.last + timedelta(days=1), time(), self.zone) if self.last else None

    @property
    def days(self) -> int | None:
        """How many days it holds (None: unbounded)."""
        return (self.last - self.first).days + 1 if self.first and self.last else None

    def previous(self) -> Period | None:
        """The period of the same length that ends the day before this one starts (None when this
        one is unbounded, or the one before would start before the log's first possible day)."""
        if self.first is None or self.days is None:
            return None
        first = self.first - timedelta(days=self.days)
        if day_out_of_range(first):
            return None
        return Period(first, self.first - timedelta(days=1), self.zone)

    def words(self) -> str:
        if self.first and self.last:
            return f"du {self.first.isoformat()} au {self.last.isoformat()}"
        if self.first:
            return f"depuis le {self.first.isoformat()}"
        if self.last:
            return f"jusqu'au {self.last.isoformat()}"
        return "toute la période conservée"


@dataclass(frozen=True)
class DashboardData:
    period: Period
    plan: str | None
    per_day: tuple[DayCount, ...]
    coverage: tuple[CoverageDay, ...]
    rates: Rates
    entries: int  # entries with their text still in the log (the rest was purged)
    asked: Clustering  # all questions, grouped by meaning
    gaps: Clustering  # where the plans fall short (none, partial, voted « Non », corrected), grouped
    negative: tuple[NegativeFeedback, ...]
    top_refs: tuple[RefCount, ...]

    @property
    def answers(self) -> int:
        return self.rates.answers

    @property
    def coverage_totals(self) -> dict[str, int]:
        return {
            "complete": sum(d.complete for d in self.coverage),
            "partial": sum(d.partial for d in self.coverage),
            "none": sum(d.none for d in self.coverage),
        }


def build_dashboard(
    log: LogReader,
    embed: Any,
    period: Period | None = None,
    plan: str | None = None,
    top_clusters: int = TOP_CLUSTERS,
    max_texts: int = MAX_TEXTS,
) -> DashboardData:
    """Read the log for ``period`` and ``plan`` and group its questions with ``embed`` (a function
    texts → vectors, or an embedding model)."""
    period = period or Period(zone=log.zone)
    since, until = period.since, period.until
    if not isinstance(embed, CachedEmbed):  # the gaps are mostly among the questions: embedded once
        embed = CachedEmbed(embed)
    asked = cluster_questions(log.questions(since, until, plan), embed, max_texts=max_texts)
    shortfalls = log.find(LogQuery(since, until, plan, gaps=True), limit=GAP_LIMIT)
    gaps = cluster_questions([a.entry.question for a in shortfalls], embed, max_texts=max_texts)
    return DashboardData(
        period=period,
        plan=plan,
        per_day=tuple(log.per_day(since, until, plan)),
        coverage=tuple(log.coverage_over_time(since, until, plan)),
        rates=log.rates(since, until, plan),
        entries=log.count_entries(since, until, plan),
        asked=_top(asked, top_clusters),
        gaps=_top(gaps, top_clusters),
        negative=tuple(log.negative_feedback(since, until, plan, limit=NEGATIVE_LIMIT)),
        top_refs=tuple(log.top_refs(since, until, plan, limit=TOP_REFS)),
    )


def _top(c: Clustering, n: int) -> Clustering:
    return Clustering(c.clusters[:n], c.total, c.distinct, c.omitted)


def percent(rate: float | None) -> str:
    """0.125 → « 12,5 % »; ``None`` → « — »."""
    if rate is None:
        return "—"
    return f"{rate * 100:.1f}".replace(".", ",").removesuffix(",0") + " %"


# ------------------------------------------------------------------ Markdown and PNG


def _cell(text: object) -> str:
    """A Markdown table cell: one line, pipes and markup characters escaped."""
    s = " ".join(str(text).split())
    for ch in "\\|`*_<>[]":
        s = s.replace(ch, "\\" + ch)
    return s


def _table(head: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "| " + " | ".join("---" for _ in head) + " |"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def report_markdown(d: DashboardData) -> str:
    r = d.rates
    scope = f"plan `{d.plan}`" if d.plan else "tous les plans"
    out = [
        "# Journal des questions : rapport",
        "",
        f"Période : {d.period.words()} (jours et heures du fuseau {d.period.zone}) ; {scope}. Les questions "
        "sont caviardées avant l'enregistrement.",
        "",
        "## Synthèse",
        "",
        *_table(
            ["mesure", "valeur"],
            [
                ["réponses", r.answers],
                ["entrées encore au journal (texte conservé)", d.entries],
                ["avis reçus", r.feedback],
                ["taux de rétroaction", percent(r.feedback_rate)],
                [
                    "réponses utiles (parmi les avis)",
                    f"{percent(r.helpful_rate)} ({r.helpful} sur {r.feedback})",
                ],
                ["réponses jugées inutiles", r.not_helpful],
            ],
        ),
        "",
        "## Questions par jour",
        "",
        f"![Questions par jour]({DAILY_CHART})",
        "",
        *_table(["jour", "réponses"], [[x.day.isoformat(), x.answers] for x in d.per_day]),
        "",
        "## Couverture",
        "",
        f"![Couverture par jour]({COVERAGE_CHART})",
        "",
        *_table(
            ["jour", "complète", "partielle", "aucune", "total"],
            [[c.day.isoformat(), c.complete, c.partial, c.none, c.total] for c in d.coverage],
        ),
        "",
        "## Questions les plus posées",
        "",
        *_clusters(d.asked),
        "",
        "## Là où les plans ne répondent pas",
        "",
        "Réponses de couverture aucune ou partielle, jugées inutiles par un citoyen ou corrigées par le "
        "personnel, regroupées par sens.",
        "",
        *_clusters(d.gaps),
        "",
        "## Réponses jugées inutiles",
        "",
        *(
            _table(
                ["heure locale", "question", "couverture", "raison", "commentaire", "références"],
                [
                    [
                        local_time(n.hour, d.period.zone),
                        n.question,
                        COVERAGE_LABELS.get(n.coverage, n.coverage),
                        REASON_LABELS.get(n.reason or "", n.reason or "—"),
                        n.comment or "—",
                        ", ".join(n.refs) or "—",
                    ]
                    for n in d.negative
                ],
            )
            if d.negative
            else ["Aucune."]
        ),
        "",
        "## Actions les plus citées",
        "",
        *(
            _table(["référence", "réponses qui la citent"], [[x.ref, x.count] for x in d.top_refs])
            if d.top_refs
            else ["Aucune."]
        ),
        "",
    ]
    return "\n".join(out)


def _clusters(c: Clustering) -> list[str]:
    if not c.clusters:
        return ["Aucune."]
    lines = _table(
        ["question représentative", "fois", "formulations voisines"],
        [
            [
                k.representative,
                k.count,
                " ; ".join(f"{q} ({n})" for q, n in k.variants[:5]) or "—",
            ]
            for k in c.clusters
        ],
    )
    note = f"{c.total} question(s), {c.distinct} formulation(s) distincte(s)"
    if c.omitted:
        note += f" ; {c.omitted} formulation(s) parmi les moins fréquentes non regroupée(s)"
    return [*lines, "", note + "."]


def write_report(data: DashboardData, folder: Path) -> list[Path]:
    """Write ``report.md`` and its PNG charts in ``folder``; the files written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.ticker import MaxNLocator

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    md = folder / "report.md"
    md.write_text(report_markdown(data), encoding="utf-8")
    written.append(md)

    fig, ax = plt.subplots(figsize=(8, 3.5), dpi=110)
    days = np.array([x.day for x in data.per_day], dtype="datetime64[D]")
    ax.bar(days, [x.answers for x in data.per_day], color="#0b4f8a")
    ax.set_title("Questions par jour")
    ax.set_ylabel("réponses")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(folder / DAILY_CHART)
    plt.close(fig)
    written.append(folder / DAILY_CHART)

    fig, ax = plt.subplots(figsize=(8, 3.5), dpi=110)
    days = np.array([c.day for c in data.coverage], dtype="datetime64[D]")
    complete = [c.complete for c in data.coverage]
    partial = [c.partial for c in data.coverage]
    none = [c.none for c in data.coverage]
    ax.bar(days, complete, color="#0b4f8a", label="complète")
    ax.bar(days, partial, bottom=complete, color="#b35900", label="partielle", hatch="//")
    ax.bar(
        days,
        none,
        bottom=[a + b for a, b in zip(complete, partial, strict=True)],
        color="#8a1c1c",
        label="aucune",
    )
    ax.set_title("Couverture des réponses par jour")
    ax.set_ylabel("réponses")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=8)
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(folder / COVERAGE_CHART)
    plt.close(fig)
    written.append(folder / COVERAGE_CHART)
    return written
