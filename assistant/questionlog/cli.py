"""``plan-assistant log purge``: apply the retention period to the question log now (the service
also does it at start-up and every day). ``plan-assistant log report``: the staff dashboard as
Markdown with PNG charts."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from assistant.questionlog.retention import RETENTION_DAYS
from corpus.console import fail

if TYPE_CHECKING:
    from assistant.questionlog.store import QuestionLog
    from assistant.settings import AssistantSettings

log_app = typer.Typer(help="Journal privé des questions.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    from corpus.cli import corpus_app

    root.add_typer(log_app, name="log")
    register_bank(corpus_app)


def _settings() -> AssistantSettings:
    """The settings of the environment; a bad one, or a bad time zone in the organisation's file,
    ends the command naming it and its value."""
    from pydantic import ValidationError

    from assistant.settings import AssistantSettings
    from corpus.settings import settings_problem

    try:
        settings = AssistantSettings()
        settings.log_zone()
    except ValidationError as e:
        fail(settings_problem(e))
    except ValueError as e:  # organisation.yaml, named with its field
        fail(str(e))
    return settings


def _open_log(url: str | None, settings: AssistantSettings) -> QuestionLog:
    """The question log at ``url`` (by default the LOG_URL setting, else the data folder's SQLite
    file), in the organisation's time zone; a log that cannot be opened ends the command with its
    reason."""
    from sqlalchemy.exc import SQLAlchemyError

    from assistant.questionlog.store import QuestionLog, default_url

    zone = settings.log_zone()  # checked by _settings
    try:
        return QuestionLog(url or settings.log_url or default_url(settings.data_dir), zone=zone)
    except (ValueError, SQLAlchemyError) as e:
        fail(f"journal des questions inaccessible ({type(e).__name__}) : {e}")


#: The ``--url`` option of every command that opens the log (:func:`_open_log` reads it).
LogUrl = Annotated[
    str | None,
    typer.Option(
        "--url",
        help="Base du journal (par défaut : réglage LOG_URL, sinon sqlite:///DATA/questions.sqlite3 ; "
        "PostgreSQL : postgresql+psycopg://…).",
    ),
]


@log_app.command("purge")
def purge_command(
    url: LogUrl = None,
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

    from assistant.questionlog.retention import purge_expired

    settings = _settings()
    days = days or settings.log_retention_days
    store = _open_log(url, settings)
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
    url: LogUrl = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Premier jour (AAAA-MM-JJ, dans le fuseau du journal, inclus)."),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", help="Dernier jour (AAAA-MM-JJ, dans le fuseau du journal, inclus)."),
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

    from assistant.questionlog.report import Period, build_dashboard, write_report
    from index.embeddings import EmbeddingError, make_embedder

    settings = _settings()
    try:
        period = Period(_day(since, "--since"), _day(until, "--until"))
    except ValueError as e:
        fail(str(e))
    try:
        embedder = make_embedder(settings.embeddings)
    except EmbeddingError as e:
        fail(str(e))
    store = _open_log(url, settings)
    period = dataclasses.replace(period, zone=store.zone)  # the days the log counts
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


bank_app = typer.Typer(help="La banque de questions des plans.", no_args_is_help=True)


def register_bank(corpus_app: typer.Typer) -> None:
    corpus_app.add_typer(bank_app, name="bank")


@bank_app.command("export")
def bank_export(
    url: LogUrl = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Afficher les changements sans écrire les fichiers.")
    ] = False,
) -> None:
    """Ajoute les corrections du personnel à la banque de questions des plans (questions.yaml de chaque
    plan, hors-plan.yaml du corpus) et affiche les changements à relire (diff unifié)."""
    import difflib

    from sqlalchemy.exc import SQLAlchemyError

    from assistant.corrections import normalised
    from corpus import CorpusError, load_corpus
    from corpus.bank import HORS_PLAN, added_questions

    settings = _settings()
    corpus_dir = Path(settings.corpus_dir)
    try:
        corpus = load_corpus(corpus_dir)
    except CorpusError as e:
        fail(f"le corpus contient des erreurs ; lancez « plan-assistant corpus validate » :\n{e}")
    store = _open_log(url, settings)
    try:
        corrections = store.corrections()
    except SQLAlchemyError as e:
        fail(f"journal des questions inaccessible ({type(e).__name__}) : {e}")
    finally:
        store.close()
    known = {normalised(q.text) for q in corpus.bank}
    by_file: dict[Path, list[tuple[str, tuple[str, ...], str]]] = {}
    plans_of: dict[Path, str | None] = {}
    skipped = 0
    for c in corrections:
        if normalised(c.question) in known:
            skipped += 1
            continue
        known.add(normalised(c.question))
        origin = f"correction du personnel : {c.author}, {c.created.date().isoformat()}"
        if c.hors_plan:
            file, plan_id = corpus.bank.places[HORS_PLAN], None
        else:
            plan_id = c.refs[0].partition(":")[0]
            if corpus.resolve(c.refs[0]) is None:
                typer.echo(f"« {c.question} » : {c.refs[0]} n'existe plus dans le corpus; ignorée.", err=True)
                continue
            file = corpus.bank.places[plan_id]
        by_file.setdefault(file, []).append((c.question, c.refs, origin))
        plans_of[file] = plan_id
    changed = 0
    for file, items in by_file.items():
        plan_id = plans_of[file]
        before = file.read_text(encoding="utf-8") if file.is_file() else ""
        after = added_questions(file, corpus.plan(plan_id) if plan_id else None, items)
        typer.echo(
            "".join(
                difflib.unified_diff(
                    before.splitlines(keepends=True), after.splitlines(keepends=True), str(file), str(file)
                )
            ),
            nl=False,
        )
        if not dry_run:
            file.write_text(after, encoding="utf-8")
        changed += len(items)
    verb = "à ajouter" if dry_run else "ajoutée(s)"
    typer.echo(f"{changed} correction(s) {verb}; {skipped} déjà dans la banque.", err=True)
    if not dry_run and changed:
        try:
            load_corpus(corpus_dir)
        except CorpusError as e:
            fail(f"la banque modifiée ne passe pas la validation :\n{e}")
