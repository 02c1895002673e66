"""``plan-assistant log purge``: apply the retention period to the question log now (the service
also does it at start-up and every day). ``plan-assistant log report``: the staff dashboard as
Markdown with PNG charts."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from assistant.questionlog.retention import RETENTION_DAYS
from corpus.console import fail

log_app = typer.Typer(help="Journal privé des questions.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(log_app, name="log")


@log_app.command("purge")
def purge_command(
    url: Annotated[
        str | None,
        typer.Option(
            "--url",
            help="Base du journal (par défaut : réglage LOG_URL, sinon sqlite:///DATA/questions.sqlite3 ; "
            "PostgreSQL : postgresql+psycopg://…).",
        ),
    ] = None,
    days: Annotated[
        int | None,
        typer.Option(
            "--days",
            min=1,
            help=f"Durée de conservation (par défaut : réglage LOG_RETENTION_DAYS, {RETENTION_DAYS}) : les "
            "entrées plus anciennes sont supprimées.",
        ),
    ] = None,
) -> None:
    """Supprime les entrées du journal plus anciennes que la durée de conservation (les agrégats restent)."""
    from sqlalchemy.exc import SQLAlchemyError

    from assistant.questionlog.retention import purge_expired
    from assistant.questionlog.store import QuestionLog, default_url
    from assistant.settings import AssistantSettings

    settings = AssistantSettings()
    target = url or settings.log_url or default_url(settings.data_dir)
    days = days or settings.log_retention_days
    try:
        store = QuestionLog(target)
    except (ValueError, SQLAlchemyError) as e:
        fail(f"journal des questions inaccessible ({type(e).__name__}) : {e}")
    try:
        deleted = purge_expired(store, days)
    finally:
        store.close()
    typer.echo(f"{deleted} entrée(s) de plus de {days} jours supprimée(s) ; les agrégats sont conservés.")


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option} : date attendue sous la forme AAAA-MM-JJ, reçu « {value} »")


@log_app.command("report")
def report_command(
    url: Annotated[
        str | None,
        typer.Option(
            "--url",
            help="Base du journal (par défaut : sqlite:///DATA/questions.sqlite3 ; "
            "PostgreSQL : postgresql+psycopg://…).",
        ),
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Premier jour (AAAA-MM-JJ, UTC, inclus).")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Dernier jour (AAAA-MM-JJ, UTC, inclus).")
    ] = None,
    plan: Annotated[
        str | None, typer.Option("--plan", help="Seulement les réponses de ce plan (id).")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", help="Dossier du rapport (par défaut : DATA/reports/questions)."),
    ] = None,
) -> None:
    """Écrit le rapport du journal (report.md et graphiques PNG) : questions par jour, couverture,
    questions les plus posées regroupées par sens, questions non couvertes, avis négatifs,
    actions les plus citées."""
    from sqlalchemy.exc import SQLAlchemyError

    from assistant.questionlog.report import Period, build_dashboard, write_report
    from assistant.questionlog.store import QuestionLog, default_url
    from assistant.settings import AssistantSettings
    from index.embeddings import EmbeddingError, make_embedder

    settings = AssistantSettings()
    try:
        period = Period(_day(since, "--since"), _day(until, "--until"))
    except ValueError as e:
        fail(str(e))
    try:
        embedder = make_embedder(settings.embeddings)
    except EmbeddingError as e:
        fail(str(e))
    target = url or settings.log_url or default_url(settings.data_dir)
    try:
        store = QuestionLog(target)
    except (ValueError, SQLAlchemyError) as e:
        fail(f"journal des questions inaccessible ({type(e).__name__}) : {e}")
    try:
        data = build_dashboard(store, embedder, period, plan)
    finally:
        store.close()
    folder = output or settings.reports_dir / "questions"
    written = write_report(data, folder)
    typer.echo(
        f"{data.answers} réponse(s), {len(data.asked.clusters)} groupe(s) de questions, "
        f"{len(data.negative)} avis négatif(s) : {', '.join(str(p) for p in written)}"
    )
