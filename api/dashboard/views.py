"""What the dashboard page shows, made from :class:`~assistant.questionlog.report.DashboardData`
and the corpus: numbers said in French, references named after the plans, charts and their
tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from markupsafe import Markup

from api.dashboard.charts import Series, bar_chart
from assistant.questionlog.report import (
    COVERAGE_LABELS,
    REASON_LABELS,
    DashboardData,
    Period,
    day_out_of_range,
    percent,
)
from corpus import Corpus

DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Filters:
    """The filters as typed (shown back in the form) and as understood; ``errors``: field → message."""

    du: str
    au: str
    plan: str
    period: Period
    errors: dict[str, str]

    def query(self) -> dict[str, str]:
        return {k: v for k, v in (("du", self.du), ("au", self.au), ("plan", self.plan)) if v}


def read_filters(params: dict[str, str], corpus: Corpus, today: date | None = None) -> Filters:
    """The period (``du``, ``au``: whole UTC days, both included; the last 30 days by default) and
    the plan (one of the corpus's, or all)."""
    today = today or datetime.now(UTC).date()
    errors: dict[str, str] = {}
    given = {k: (params.get(k) or "").strip() for k in ("du", "au", "plan")}
    if not given["du"] and not given["au"]:
        given["du"] = (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
        given["au"] = today.isoformat()
    days: dict[str, date | None] = {}
    for field in ("du", "au"):
        value = given[field]
        days[field] = None
        if value:
            try:
                day = date.fromisoformat(value)
            except ValueError:
                errors[field] = f"Date invalide : « {value[:40]} ». Écrivez-la sous la forme AAAA-MM-JJ."
                continue
            if out := day_out_of_range(day):
                errors[field] = f"{out[0].upper()}{out[1:]}."
            else:
                days[field] = day
    plan = given["plan"]
    if plan and plan not in corpus.plans:
        errors["plan"] = f"Plan inconnu : « {plan[:80]} »."
    period = Period()
    if not errors:
        try:
            period = Period(days["du"], days["au"])
        except ValueError:
            errors["au"] = "La date de fin précède la date de début."
    return Filters(given["du"], given["au"], plan, period, errors)


def _number(n: int) -> str:
    """12345 → « 12 345 » (espace insécable)."""
    return f"{n:,}".replace(",", "\u00a0")


def ref_view(corpus: Corpus, ref: str) -> dict[str, Any]:
    plan_id, _, key = ref.partition(":")
    plan = corpus.plans.get(plan_id)
    node = plan.resolve(key) if plan is not None and key else None
    if plan is None or node is None:
        return {"ref": ref, "label": ref, "title": "", "plan": plan.title if plan else plan_id, "url": None}
    return {"ref": ref, "label": node.label, "title": node.title, "plan": plan.title, "url": plan.url(node)}


def context(data: DashboardData, corpus: Corpus) -> dict[str, Any]:
    r = data.rates
    days = [d.day for d in data.per_day]
    daily_total = sum(d.answers for d in data.per_day)
    busiest = max(data.per_day, key=lambda d: d.answers, default=None)
    daily_summary = (
        f"{len(days)} jour(s) avec des questions, {_number(daily_total)} réponse(s) en tout"
        + (f"; le plus chargé : {busiest.day.isoformat()} ({busiest.answers})" if busiest else "")
        + ". Les nombres sont dans le tableau qui suit."
    )
    cov_days = [c.day for c in data.coverage]
    totals = data.coverage_totals
    cov_summary = (
        f"Réponses par jour selon leur couverture : complète {totals['complete']}, partielle "
        f"{totals['partial']}, aucune {totals['none']}. Les nombres sont dans le tableau qui suit."
    )
    return {
        "data": data,
        "answers": _number(r.answers),
        "entries": _number(data.entries),
        "feedback": _number(r.feedback),
        "helpful": _number(r.helpful),
        "not_helpful": _number(r.not_helpful),
        "feedback_rate": percent(r.feedback_rate),
        "helpful_rate": percent(r.helpful_rate),
        "daily_chart": bar_chart(
            "graphique-jours",
            "Questions par jour",
            daily_summary,
            days,
            [Series("bar", "réponses", [d.answers for d in data.per_day])],
        )
        if days
        else Markup(""),
        "coverage_chart": bar_chart(
            "graphique-couverture",
            "Couverture des réponses par jour",
            cov_summary,
            cov_days,
            [
                Series("cov-complete", "complète", [c.complete for c in data.coverage]),
                Series("cov-partial", "partielle", [c.partial for c in data.coverage]),
                Series("cov-none", "aucune", [c.none for c in data.coverage]),
            ],
        )
        if cov_days
        else Markup(""),
        "coverage_totals": totals,
        "negative": [
            {
                "hour": n.hour.strftime("%Y-%m-%d %H h"),
                "question": n.question,
                "coverage": COVERAGE_LABELS.get(n.coverage, n.coverage),
                "reason": REASON_LABELS.get(n.reason or "", n.reason) if n.reason else None,
                "comment": n.comment,
                "refs": [ref_view(corpus, ref) for ref in n.refs],
            }
            for n in data.negative
        ],
        "top_refs": [{**ref_view(corpus, x.ref), "count": x.count} for x in data.top_refs],
        "coverage_labels": COVERAGE_LABELS,
    }
