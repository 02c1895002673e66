"""``plan-assistant log purge``: apply the retention period to the question log now (the service
also does it at start-up and every day)."""

from __future__ import annotations

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
            help="Base du journal (par défaut : sqlite:///DATA/questions.sqlite3 ; "
            "PostgreSQL : postgresql+psycopg://…).",
        ),
    ] = None,
    days: Annotated[
        int,
        typer.Option(
            "--days", min=1, help="Durée de conservation : les entrées plus anciennes sont supprimées."
        ),
    ] = RETENTION_DAYS,
) -> None:
    """Supprime les entrées du journal plus anciennes que la durée de conservation (les agrégats restent)."""
    from sqlalchemy.exc import SQLAlchemyError

    from assistant.questionlog.retention import purge_expired
    from assistant.questionlog.store import QuestionLog, default_url
    from index.settings import IndexSettings

    target = url or default_url(IndexSettings().data_dir)
    try:
        store = QuestionLog(target)
    except (ValueError, SQLAlchemyError) as e:
        fail(f"journal des questions inaccessible ({type(e).__name__}) : {e}")
    try:
        deleted = purge_expired(store, days)
    finally:
        store.close()
    typer.echo(f"{deleted} entrée(s) de plus de {days} jours supprimée(s) ; les agrégats sont conservés.")
