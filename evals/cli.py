"""``plan-assistant eval …`` and ``plan-assistant bench``: the measures, with their reports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assistant.cli import build_assistant
from assistant.settings import AssistantSettings
from corpus.console import fail
from index.cli import index_service, progress_bar

eval_app = typer.Typer(help="Mesures sur les jeux de questions.", no_args_is_help=True)
bench_app = typer.Typer()


def register(root: typer.Typer) -> None:
    root.add_typer(eval_app, name="eval")
    root.registered_commands += bench_app.registered_commands


def _settings() -> AssistantSettings:
    return AssistantSettings()


@eval_app.command("retrieval")
def eval_retrieval(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Dossier des rapports (par défaut : DATA/reports).")
    ] = None,
    naive: Annotated[bool, typer.Option("--naive/--no-naive", help="Mesurer aussi la base naïve.")] = True,
) -> None:
    """hit@1, hit@5 et MRR par catégorie : vectoriel, BM25, hybride et base naïve."""
    import tempfile

    from evals.report import retrieval_markdown
    from evals.retrieval import run

    settings = _settings()
    service = index_service()
    out = output or settings.reports_dir
    with tempfile.TemporaryDirectory(prefix="plan-assistant-build-") as tmp:
        summary = run(
            service, out, with_naive=naive, fresh_build_dir=Path(tmp), corpus_dir=settings.corpus_dir
        )
    typer.echo(retrieval_markdown(summary))
    typer.echo(f"Rapports écrits dans {out}/retrieval.json, retrieval.md, retrieval.png", err=True)


@eval_app.command("answers")
def eval_answers(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Dossier des rapports (par défaut : DATA/reports).")
    ] = None,
) -> None:
    """Les réponses : citations, unités, échéanciers, listes complètes, hors sujet, latence."""
    from evals.answers import run
    from evals.report import answers_markdown

    settings = _settings()
    out = output or settings.reports_dir
    summary = run(build_assistant(), out)
    typer.echo(answers_markdown(summary))
    typer.echo(f"Rapports écrits dans {out}/answers.json, answers.md, answers.png", err=True)


@eval_app.command("bank")
def eval_bank(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Dossier des rapports (par défaut : DATA/reports).")
    ] = None,
) -> None:
    """La banque de questions : exactitude hors pli par classe, et les paires d'actions qui se confondent."""
    from evals.bank import bank_markdown, run

    settings = _settings()
    service = index_service()
    service.ensure(rebuild=True, progress=progress_bar("Indexation"))
    out = output or settings.reports_dir
    summary = run(service.searcher(), out)
    typer.echo(bank_markdown(summary))
    typer.echo(f"Rapports écrits dans {out}/bank.json, bank.md", err=True)


@eval_app.command("relevance")
def eval_relevance(
    do_train: Annotated[
        bool,
        typer.Option("--train", help="Réapprendre le juge sur le jeu de questions et écrire relevance.json."),
    ] = False,
) -> None:
    """Le juge de pertinence : mesures hors pli sur le jeu de réglage; --train le réapprend."""
    import json

    from assistant.relevance import RelevanceModel
    from evals.relevance import measure, train

    # Training reads the candidates with no model: the shipped one may not fit the signals any more.
    assistant = build_assistant(RelevanceModel.untrained() if do_train else None)
    result = train(assistant) if do_train else measure(assistant, RelevanceModel.load())
    typer.echo(json.dumps(result, ensure_ascii=False, indent=2))


@eval_app.command("privacy")
def eval_privacy(
    questions: Annotated[
        Path | None,
        typer.Option("--questions", help="Jeu étiqueté (par défaut : celui de --set)."),
    ] = None,
    which: Annotated[
        str,
        typer.Option(
            "--set",
            help="tuning : evals/privacy.yaml, le jeu de réglage (chaque manqué listé); blind, blind2, "
            "blind3 : evals/privacy_blind.yaml, privacy_blind2.yaml, privacy_blind3.yaml, les trois lots "
            "à l'aveugle (agrégats par type seulement, aucune phrase).",
        ),
    ] = "tuning",
    report: Annotated[
        Path | None, typer.Option("--report", help="Écrire aussi le rapport Markdown dans ce fichier.")
    ] = None,
) -> None:
    """Caviardage des renseignements personnels : rappel et précision par type, phrases propres
    modifiées, durée, chargement du modèle de noms; code de sortie non nul sous les cibles."""
    from evals.privacy import BLIND_SETS, SETS, DatasetError, privacy_markdown, run, without_quotes

    if which not in SETS:
        fail(f"--set {which} : inconnu; choisir parmi {', '.join(SETS)}", code=2)
    blind = which in BLIND_SETS
    path = questions or SETS[which]
    if not path.is_file():
        fail(f"{path} : introuvable; donner un jeu étiqueté avec --questions", code=2)
    try:
        result = run(path, blind=blind)
    except DatasetError as e:
        # The blind set's sentences and values never reach the screen, not even in an error.
        fail(without_quotes(str(e)) if blind else str(e), code=2)
    source = str(questions) if questions else f"evals/{SETS[which].name}"
    markdown = privacy_markdown(result, source=source, sentences=not blind)
    typer.echo(markdown)
    if report:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(markdown, encoding="utf-8")
        typer.echo(f"Rapport écrit dans {report}", err=True)
    failures = result.failures()
    if failures:
        fail("cibles manquées : " + "; ".join(failures))


@eval_app.command("clusters")
def eval_clusters(
    which: Annotated[
        str | None,
        typer.Option(
            "--set",
            help="dev : evals/gap_clusters_dev.yaml, le jeu de réglage; held : evals/gap_clusters.yaml, "
            "le jeu tenu à part (agrégats seulement). Sans --set ni --questions : les deux, et le rapport "
            "evals/reports/clusters.md et .json.",
        ),
    ] = None,
    questions: Annotated[
        Path | None,
        typer.Option("--questions", help="Un autre jeu étiqueté (YAML : topics, chacun avec ses questions)."),
    ] = None,
    details: Annotated[
        bool,
        typer.Option(
            "--details", help="Lister les groupes qui mêlent des sujets (refusé sur le jeu tenu à part)."
        ),
    ] = False,
    fit: Annotated[
        bool,
        typer.Option(
            "--ajuster-espace",
            help="Réajuster d'abord l'espace des questions (moyenne et directions principales des vecteurs "
            "de la banque de questions de l'index) et l'écrire dans assistant/questionlog/question_space.json.",
        ),
    ] = False,
) -> None:
    """Regroupement des questions du tableau de bord : pureté, pureté inverse, précision et rappel
    par paires, Rand ajusté, groupes mêlés; avant et après (méthode brute, espace des questions)."""
    import json

    from evals.clusters import (
        HELD_FILE,
        METHODS,
        SETS,
        DatasetError,
        clusters_markdown,
        evaluate,
        fit_space,
        mixed_groups,
        run,
        write_report,
    )
    from index.settings import IndexSettings

    if which is not None and which not in SETS:
        fail(f"--set {which} : inconnu; choisir parmi {', '.join(SETS)}", code=2)
    from assistant.questionlog.clusters import CachedEmbed
    from index.embeddings import make_embedder

    try:
        if fit:
            space = fit_space()
            typer.echo(
                f"Espace des questions ajusté : {space.model}, {len(space.directions)} directions", err=True
            )
        embedder = make_embedder(IndexSettings().embeddings)
        embedder.warm_up()
        if which is None and questions is None:
            report = run(embedder)
            typer.echo(clusters_markdown(report))
            written = write_report(report)
            typer.echo("Rapports écrits dans " + ", ".join(str(p) for p in written), err=True)
            return
        path = questions or SETS[str(which)]
        if not path.is_file():
            fail(f"{path} : introuvable", code=2)
        if details and path.resolve() == HELD_FILE.resolve():
            fail("--details : le jeu tenu à part ne se lit pas (agrégats seulement)", code=2)
        cached = CachedEmbed(embedder)  # each text embedded once for both methods
        for method, options in METHODS.items():
            metrics = evaluate(path, cached, **options).as_dict()
            typer.echo(f"{method} :")
            typer.echo(json.dumps(metrics, ensure_ascii=False, indent=2))
        if details:
            for group in mixed_groups(path, cached):
                typer.echo("—")
                for topic, question in group:
                    typer.echo(f"  [{topic}] {question}")
    except DatasetError as e:
        fail(str(e), code=2)


@eval_app.command("scale")
def eval_scale(
    plans: Annotated[
        int, typer.Option("--plans", min=2, help="Nombre de plans : les deux plans livrés et leurs copies.")
    ] = 30,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Dossier des rapports (par défaut : DATA/reports).")
    ] = None,
) -> None:
    """Échelle : un corpus de N plans (les plans livrés et des copies sans banque de questions),
    construit à froid; mémoire, latence et débit des questions distinctes, comparés à 2 plans."""
    from evals.scale import run, scale_markdown

    out = output or _settings().reports_dir
    report = run(out, plans=plans, say=lambda m: typer.echo(m, err=True))
    typer.echo(scale_markdown(report))
    typer.echo(f"Rapports écrits dans {out}/scale.json, scale.md", err=True)


@bench_app.command("bench")
def bench_command(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Dossier des rapports (par défaut : DATA/reports).")
    ] = None,
    seconds: Annotated[int, typer.Option("--seconds", help="Durée de chaque palier de charge HTTP.")] = 20,
    sizes: Annotated[
        str, typer.Option("--sizes", help="Nombres de plans pour l'essai d'échelle.")
    ] = "2,10,100",
    deployment: Annotated[
        bool,
        typer.Option(
            "--deployment/--no-deployment",
            help="Mesurer aussi le déploiement de référence (nginx, attaques, 2 processus, réindexations).",
        ),
    ] = True,
) -> None:
    """Bancs d'essai : démarrage, construction, latence, charge HTTP, mémoire, échelle, déploiement
    de référence (rapport + PNG)."""
    from evals.bench import bench_markdown, run

    out = output or _settings().reports_dir
    try:
        plan_sizes = [int(x) for x in sizes.split(",") if x.strip()]
    except ValueError:
        fail(f"--sizes attend des nombres séparés par des virgules, reçu « {sizes} »")
    report = run(out, seconds=seconds, sizes=plan_sizes, deployment=deployment)
    typer.echo(bench_markdown(report))
    typer.echo(f"Rapports écrits dans {out}/bench.json, bench.md, bench.png", err=True)
