"""What the dashboard pages show, made from :class:`~assistant.questionlog.report.DashboardData`
and the corpus: numbers said in French, references named after the plans, charts and their
tables, days and times in the organisation's time zone (the question log's); and the filters every page reads from its address (so that a view can be
shared), each refused with a French message that names it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from markupsafe import Markup

from api.dashboard.charts import Series, bar_chart
from assistant.questionlog.gaps import GAP_REASONS, Comparison, Gaps, gap_reasons
from assistant.questionlog.recorder import page_origin
from assistant.questionlog.records import FEEDBACKS, MAX_REVIEWED, LoggedAnswer, LogQuery, Review
from assistant.questionlog.report import (
    COVERAGE_LABELS,
    REASON_LABELS,
    DashboardData,
    Period,
    day_out_of_range,
    local_time,
    percent,
)
from assistant.reading.model import Intent
from corpus import Corpus

DEFAULT_DAYS = 30
MAX_SEARCH = 200
GIVEN_SHOWN = 3  # distinct answers shown beside a question
#: How a question was read, in words (the log keeps the code).
INTENT_LABELS = {
    Intent.ACTION.value: "une action nommée",
    Intent.UNITS.value: "qui s'en occupe",
    Intent.HORIZON.value: "l'échéancier",
    Intent.REVERSE.value: "les actions selon un critère",
    Intent.FILTER.value: "la réponse précédente, filtrée",
    Intent.COUNT.value: "un nombre",
    Intent.STRUCTURE.value: "la structure d'un plan",
    Intent.DEFINITION.value: "une définition",
    Intent.TOPIC.value: "un sujet",
    Intent.MISSING.value: "un numéro inexistant",
    Intent.OFF_TOPIC.value: "hors sujet",
    "consigne": "les consignes de l'assistant (refusée)",
}
LANGUAGE_LABELS = {"fr": "français", "en": "anglais"}
FEEDBACK_LABELS = {"oui": "Oui, utile", "non": "Non, inutile", "aucun": "sans avis"}
REVIEW_LABELS = {"non": "non revus", "oui": "revus"}
assert set(FEEDBACK_LABELS) == set(FEEDBACKS)


@dataclass(frozen=True)
class Filters:
    """The filters as typed (shown back in the form) and as understood; ``errors``: field → message.

    ``du``, ``au``: the period (days of the log's time zone, ``period.zone``); ``plan``; ``q``: words
    of the question; ``couverture``, ``intention``, ``langue``, ``origine`` (the host site), ``avis``
    (oui, non, aucun), ``revue`` (non: not reviewed, oui: reviewed)."""

    du: str
    au: str
    plan: str
    period: Period
    errors: dict[str, str]
    q: str = ""
    couverture: str = ""
    intention: str = ""
    langue: str = ""
    origine: str = ""
    avis: str = ""
    revue: str = ""

    FIELDS = ("q", "couverture", "intention", "langue", "plan", "origine", "avis", "du", "au", "revue")

    def query(self) -> dict[str, str]:
        """The filters as a query string's fields (the empty ones left out)."""
        return {k: v for k in self.FIELDS if (v := getattr(self, k))}

    def period_query(self) -> dict[str, str]:
        """Only the period and the plan (what the synthesis and the export read)."""
        return {k: v for k, v in (("du", self.du), ("au", self.au), ("plan", self.plan)) if v}

    def log_query(self, period: Period | None = None, gaps: bool = False) -> LogQuery:
        """What to read from the log for ``period`` (these filters' by default)."""
        period = period or self.period
        return LogQuery(
            since=period.since,
            until=period.until,
            plan=self.plan or None,
            coverage=self.couverture or None,
            intent=self.intention or None,
            language=self.langue or None,
            origin=self.origine or None,
            feedback=self.avis or None,
            text=self.q or None,
            gaps=gaps,
        )

    @property
    def reviewed(self) -> bool | None:
        return {"oui": True, "non": False}.get(self.revue)


def _choice(errors: dict[str, str], field: str, value: str, allowed: dict[str, str], what: str) -> str:
    """``value`` when it is one of ``allowed`` (or empty); else an error naming the field."""
    if value and value not in allowed:
        words = ", ".join(f"« {k} » ({v})" for k, v in allowed.items())
        errors[field] = f"{what} inconnue : « {value[:40]} ». Valeurs permises : {words}."
        return ""
    return value


def today_in(zone: tzinfo) -> date:
    return datetime.now(zone).date()


def read_filters(params: dict[str, str], corpus: Corpus, zone: tzinfo, today: date | None = None) -> Filters:
    """The period (``du``, ``au``: whole days of ``zone``, the log's, both included; the last 30 days
    by default), the plan (one of the corpus's, or all) and the other filters of :class:`Filters`."""
    today = today or today_in(zone)
    errors: dict[str, str] = {}
    given = {k: (params.get(k) or "").strip() for k in Filters.FIELDS}
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
    period = Period(zone=zone)
    if not errors.keys() & {"du", "au"}:
        try:
            period = Period(days["du"], days["au"], zone)
        except ValueError:
            errors["au"] = "La date de fin précède la date de début."
    search = " ".join(given["q"].split())
    if len(search) > MAX_SEARCH:
        errors["q"] = f"Recherche trop longue : {len(search)} caractères ({MAX_SEARCH} au plus)."
    origin = given["origine"]
    if origin and page_origin(origin) != origin:
        errors["origine"] = (
            f"Site hôte invalide : « {origin[:80]} ». Donnez une origine, comme https://www.exemple-ville.ca "
            "(sans chemin)."
        )
    return Filters(
        given["du"],
        given["au"],
        plan,
        period,
        errors,
        q=search[:MAX_SEARCH],
        couverture=_choice(errors, "couverture", given["couverture"], COVERAGE_LABELS, "Couverture"),
        intention=_choice(errors, "intention", given["intention"], INTENT_LABELS, "Intention"),
        langue=_choice(errors, "langue", given["langue"], LANGUAGE_LABELS, "Langue"),
        origine=origin if "origine" not in errors else "",
        avis=_choice(errors, "avis", given["avis"], FEEDBACK_LABELS, "Valeur d'avis"),
        revue=_choice(errors, "revue", given["revue"], REVIEW_LABELS, "Valeur de revue"),
    )


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
                "hour": local_time(n.hour, data.period.zone),
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


# ------------------------------------------------------------------ answers as given, reviews


def review_view(r: Review, zone: tzinfo) -> dict[str, Any]:
    return {
        "id": r.review_id,
        "scope": r.scope,
        "reviewed": r.reviewed,
        "note": r.note,
        "author": r.author,
        "when": local_time(r.created, zone, minutes=True),
        "answers": len(r.answer_ids),
    }


def vote_words(a: LoggedAnswer) -> str | None:
    """« Oui, utile », « Non, inutile (pas clair) », or None (no vote)."""
    fb = a.feedback
    if fb is None:
        return None
    if fb.helpful:
        return "Oui, utile"
    reason = REASON_LABELS.get(fb.reason or "", fb.reason) if fb.reason else None
    return "Non, inutile" + (f" ({reason})" if reason else "")


def answer_view(corpus: Corpus, a: LoggedAnswer, zone: tzinfo) -> dict[str, Any]:
    """One logged answer as the pages show it (its times in ``zone``, the log's): the question, the
    answer as given (lead, coverage, references) and what came after (vote, correction, reviews)."""
    e = a.entry
    mark = a.reviewed
    return {
        "id": e.answer_id,
        "hour": local_time(e.hour, zone),
        "turn": e.turn,
        "question": e.question,
        "lead": e.lead,
        "coverage": e.coverage,
        "coverage_label": COVERAGE_LABELS.get(e.coverage, e.coverage),
        "refs": [ref_view(corpus, r) for r in e.refs],
        "intent": INTENT_LABELS.get(e.intent, e.intent),
        "language": LANGUAGE_LABELS.get(e.language, e.language),
        "origin": e.origin,
        "vote": vote_words(a),
        "voted_no": a.feedback is not None and not a.feedback.helpful,
        "comment": a.feedback.comment if a.feedback is not None else None,
        "corrected": a.corrected,
        "reasons": [GAP_REASONS[r] for r in gap_reasons(a)],
        "reviewed": review_view(mark, zone) if mark is not None else None,
        "reviews": [review_view(r, zone) for r in a.reviews],
        "conversation": e.conversation_id is not None,
    }


def reasons_words(reasons: dict[str, int]) -> str:
    """{"none": 2, "non": 1} → « aucune couverture : 2 · avis « Non » : 1 »."""
    return " · ".join(f"{GAP_REASONS[k]} : {n}" for k, n in reasons.items())


def gaps_view(corpus: Corpus, gaps: Gaps, zone: tzinfo) -> list[dict[str, Any]]:
    """The gap groups for the page: each with its questions, and beside each question the answers
    as given."""
    out = []
    for c in gaps.clusters:
        mark = c.reviewed
        out.append(
            {
                "anchor": c.anchor,
                "representative": c.representative,
                "count": c.count,
                "reasons": reasons_words(c.reasons),
                "ids": " ".join(c.answer_ids[:MAX_REVIEWED]),
                "reviewed": review_view(mark, zone) if mark is not None else None,
                "unreviewed": c.unreviewed,
                "reviews": [review_view(r, zone) for r in c.reviews],
                "questions": [
                    {
                        "text": q.text,
                        "count": q.count,
                        "reasons": reasons_words(q.reasons),
                        "ids": " ".join(q.answer_ids[:MAX_REVIEWED]),
                        "reviewed": review_view(m, zone) if (m := q.reviewed) is not None else None,
                        "reviews": [review_view(r, zone) for r in q.reviews],
                        "given": [
                            {"count": g.count, **answer_view(corpus, g.latest, zone)}
                            for g in q.given[:GIVEN_SHOWN]
                        ],
                        "more_given": max(0, len(q.given) - GIVEN_SHOWN),
                    }
                    for q in c.questions
                ],
            }
        )
    return out


def comparison_view(
    filters: Filters, comparison: Comparison | None, incomplete: bool
) -> dict[str, Any] | None:
    previous = filters.period.previous()
    if comparison is None or previous is None:
        return None
    return {
        "current": filters.period.words(),
        "previous": previous.words(),
        "days": filters.period.days,
        "coverage": comparison.coverage,
        "objectives": comparison.objectives,
        "incomplete": incomplete,
    }
