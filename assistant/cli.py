"""The ``plan-assistant`` command."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from assistant.settings import get_settings
from corpus import Corpus, Plan

if TYPE_CHECKING:
    from assistant.answer import Answer
    from assistant.service import Assistant
    from index.service import IndexService

app = typer.Typer(
    help="Assistant en français sur les plans d'action municipaux : corpus, index, questions, service web.",
    no_args_is_help=True,
    add_completion=False,
)
corpus_app = typer.Typer(help="Les plans : valider, afficher, exporter.", no_args_is_help=True)
app.add_typer(corpus_app, name="corpus")


def _fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"Erreur : {message}", err=True)
    raise typer.Exit(code)


def _shown(path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return path


def _load() -> Corpus:
    from corpus import CorpusError, load_corpus

    settings = get_settings()
    try:
        return load_corpus(settings.corpus_dir)
    except CorpusError as e:
        for p in e.problems:
            typer.echo(
                f"{_shown(p.path)}:{p.line}: {p.message}" if p.line else f"{_shown(p.path)}: {p.message}",
                err=True,
            )
        _fail("le corpus contient des erreurs ; lancez « plan-assistant corpus validate » pour les voir.")


def _plan(plan_id: str) -> Plan:
    corpus = _load()
    if plan_id not in corpus.plans:
        _fail(f"plan inconnu « {plan_id} ». Plans disponibles : {', '.join(corpus.plans)}")
    return corpus.plan(plan_id)


@corpus_app.command("validate")
def corpus_validate(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="Dossier du corpus, dossier d'un plan ou manifest.yaml (par défaut : le corpus configuré)."
        ),
    ] = None,
) -> None:
    """Vérifie les plans ; affiche chaque problème sous la forme fichier:ligne: message."""
    from corpus import load_corpus, validate
    from corpus.render import summary

    target = path or get_settings().corpus_dir
    problems = validate(target)
    for p in problems:
        where = f"{_shown(p.path)}:{p.line}" if p.line else _shown(p.path)
        typer.echo(f"{where}: {p.message}")
    if problems:
        typer.echo(f"{len(problems)} problème(s) trouvé(s).", err=True)
        raise typer.Exit(1)
    corpus = load_corpus(target)
    for plan in corpus:
        typer.echo(f"✓ {plan.id} : {summary(plan)}")


@corpus_app.command("list")
def corpus_list() -> None:
    """Liste les plans du corpus."""
    from corpus.render import summary

    for plan in _load():
        typer.echo(f"{plan.id}\t{plan.title} — {plan.meta.organisation}\t{summary(plan)}")


@corpus_app.command("show")
def corpus_show(
    plan_id: Annotated[str, typer.Argument(metavar="PLAN", help="Identifiant du plan.")],
    action: Annotated[
        str | None,
        typer.Option(
            "--action", "-a", help="Numéro d'une action (ex. 37 ou 2.1.4), ou identifiant d'un élément."
        ),
    ] = None,
) -> None:
    """Affiche un plan, ou une action avec son contexte."""
    from corpus.render import render_node, render_plan

    plan = _plan(plan_id)
    if action is None:
        typer.echo(render_plan(plan))
        return
    node = plan.resolve(action.strip())
    if node is None:
        _fail(
            f"« {action} » n'existe pas dans {plan.id} (actions : {plan.actions()[0].number} à "
            f"{plan.actions()[-1].number})."
        )
    typer.echo(render_node(plan, node))


@corpus_app.command("export")
def corpus_export(
    plan_id: Annotated[str, typer.Argument(metavar="PLAN", help="Identifiant du plan.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="Format de sortie (json).")] = "json",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Fichier de sortie (par défaut : la sortie standard)."),
    ] = None,
) -> None:
    """Exporte le plan structuré (données ouvertes)."""
    from corpus.render import export_json

    if fmt != "json":
        _fail(f"format « {fmt} » non pris en charge ; formats : json")
    text = export_json(_plan(plan_id))
    if output:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"Exporté dans {output}", err=True)
    else:
        sys.stdout.write(text)


def main() -> None:  # pragma: no cover
    app()


# --------------------------------------------------------------------------- index & search
def _index_service() -> IndexService:
    from index.embeddings import EmbeddingError
    from index.service import IndexService

    try:
        return IndexService.from_settings(get_settings())
    except EmbeddingError as e:
        _fail(str(e))


def _progress_bar(label: str) -> Callable[[int, int], None]:
    from tqdm import tqdm

    bar: dict[str, tqdm] = {}

    def update(done: int, total: int) -> None:
        if "b" not in bar:
            bar["b"] = tqdm(total=total, desc=label, unit="doc", file=sys.stderr, leave=False)
        bar["b"].n = done
        bar["b"].refresh()
        if done >= total:
            bar["b"].close()

    return update


@app.command("index")
def index_command(
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Tout recalculer, même ce qui n'a pas changé.")
    ] = False,
) -> None:
    """Construit ou met à jour l'index (idempotent et atomique)."""
    from index.embeddings import EmbeddingError
    from index.location import IndexError_
    from index.store import StoreUnavailable

    service = _index_service()
    try:
        result = service.build(force=rebuild, progress=_progress_bar("Indexation"))
    except (IndexError_, StoreUnavailable, EmbeddingError) as e:
        _fail(str(e))
    except KeyboardInterrupt:
        typer.echo("Interrompu : l'index précédent est intact et continue de servir.", err=True)
        raise typer.Exit(130) from None
    b = result.build
    where = service.location.describe()
    if not result.changed:
        typer.echo(f"Index à jour : {b.doc_count} documents, modèle {b.model_id} ({where}).")
        return
    typer.echo(
        f"Index construit : {b.doc_count} documents ({b.embedded} calculés, {result.reused} repris) "
        f"en {b.seconds:.1f} s, modèle {b.model_id}, version {b.build_id} ({where})."
    )


@app.command("search")
def search_command(
    query: Annotated[str, typer.Argument(help="La question ou les mots cherchés.")],
    plan: Annotated[str | None, typer.Option("--plan", help="Seulement ce plan (identifiant).")] = None,
    unit: Annotated[
        str | None,
        typer.Option(
            "--unit", help="Seulement les éléments dont l'objectif liste cette unité administrative."
        ),
    ] = None,
    horizon: Annotated[
        str | None, typer.Option("--horizon", help="Seulement cet échéancier : EC, CT ou MT.")
    ] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help="Seulement cette sorte : action, objectif, section…")
    ] = None,
    k: Annotated[int, typer.Option("-k", help="Nombre de résultats.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
) -> None:
    """Recherche hybride (vecteurs + BM25) dans les plans."""
    import json

    from index.embeddings import EmbeddingError
    from index.location import IndexError_
    from index.store import StoreUnavailable

    if not query.strip():
        _fail("la question est vide")
    service = _index_service()
    try:
        searcher = service.ensure(rebuild=True, progress=_progress_bar("Indexation"))
        hits = searcher.search(
            query, k=k, filters={"plan": plan, "unit": unit, "horizon": horizon, "kind": kind}
        )
    except ValueError as e:
        _fail(str(e))
    except (IndexError_, StoreUnavailable, EmbeddingError) as e:
        _fail(str(e))
    if as_json:
        typer.echo(json.dumps([h.as_dict() for h in hits], ensure_ascii=False, indent=2))
        return
    if not hits:
        typer.echo("Aucun résultat.")
    for rank, h in enumerate(hits, 1):
        label = (
            h.title
            if h.kind not in ("action", "objectif")
            else f"{h.kind.capitalize()} {h.number} — {h.title}"
        )
        extra = f" [{h.horizon}]" if h.horizon else ""
        typer.echo(f"{rank}. {label}{extra}  ({h.ref}, score {h.score:.4f})")


eval_app = typer.Typer(help="Mesures sur le jeu de questions fixe.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")


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

    settings = get_settings()
    service = _index_service()
    out = output or settings.reports_dir
    with tempfile.TemporaryDirectory(prefix="plan-assistant-build-") as tmp:
        summary = run(
            service, out, with_naive=naive, fresh_build_dir=Path(tmp), corpus_dir=settings.corpus_dir
        )
    typer.echo(retrieval_markdown(summary))
    typer.echo(f"Rapports écrits dans {out}/retrieval.json, retrieval.md, retrieval.png", err=True)


# --------------------------------------------------------------------------- questions
def _assistant() -> Assistant:
    from assistant.llm import llm_from_settings
    from assistant.service import Assistant
    from index.embeddings import EmbeddingError
    from index.location import IndexError_
    from index.store import StoreUnavailable

    settings = get_settings()
    service = _index_service()
    try:
        service.ensure(rebuild=True, progress=_progress_bar("Indexation"))
    except (IndexError_, StoreUnavailable, EmbeddingError) as e:
        _fail(str(e))
    return Assistant(
        service, max_question_length=settings.max_question_length, llm=llm_from_settings(settings)
    )


def _print_answer(answer: Answer, as_json: bool) -> None:
    if as_json:
        typer.echo(answer.model_dump_json(indent=2))
        return
    lead, _, body = answer.answer.partition("\n")
    typer.secho(lead, bold=True)  # the first sentence, which answers
    if body.strip():
        typer.echo(body.rstrip())
    fr = answer.lang == "fr"
    coverage = {
        "complete": ("les plans répondent", "the plans answer it"),
        "partial": ("les plans en parlent, sans le fait demandé", "the plans address it, not the fact asked"),
        "none": ("les plans n'en traitent pas", "the plans do not address it"),
    }[answer.coverage][0 if fr else 1]
    typer.echo("")
    typer.echo(
        f"Couverture : {answer.coverage} ({coverage})" if fr else f"Coverage: {answer.coverage} ({coverage})"
    )
    if answer.citations:
        typer.echo("Sources :" if fr else "Sources:")
        for i, c in enumerate(answer.citations, 1):
            related = (" (voir aussi)" if fr else " (see also)") if c.role == "related" else ""
            typer.echo(f"[{i}] {c.plan_title} — {c.label}{related} — {c.url}")


@app.command("ask")
def ask_command(
    question: Annotated[str, typer.Argument(help="La question, en français (ou en anglais).")],
    plan: Annotated[str | None, typer.Option("--plan", help="Se limiter à ce plan.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="La réponse au format JSON de l'API.")] = False,
) -> None:
    """Pose une question aux plans; la réponse cite ses sources."""
    from assistant.normalize import QuestionError

    a = _assistant()
    try:
        answer = a.ask(question, filters={"plan": plan} if plan else None)
    except QuestionError as e:
        _fail(str(e))
    _print_answer(answer, as_json)


@app.command("chat")
def chat_command() -> None:
    """Conversation dans le terminal (les questions de suivi sont comprises). /recommencer, /quitter."""
    from assistant.answer import Turn
    from assistant.normalize import QuestionError

    a = _assistant()
    history: list[Turn] = []
    typer.echo(
        "Posez vos questions sur les plans d'action. /recommencer pour repartir de zéro, /quitter pour sortir."
    )
    while True:
        try:
            question = input("\n> ").strip()
        except (EOFError, KeyboardInterrupt):
            typer.echo("")
            return
        if question in ("/quitter", "/q", "/quit", "exit"):
            return
        if question in ("/recommencer", "/reset"):
            history = []
            typer.echo("Nouvelle conversation.")
            continue
        if not question:
            continue
        try:
            answer = a.ask(question, history=history)
        except QuestionError as e:
            typer.echo(f"Erreur : {e}")
            continue
        _print_answer(answer, as_json=False)
        history.append(answer.as_turn())


@eval_app.command("answers")
def eval_answers(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Dossier des rapports (par défaut : DATA/reports).")
    ] = None,
) -> None:
    """Les réponses : citations, unités, échéanciers, listes complètes, hors sujet, latence."""
    from evals.answers import run
    from evals.report import answers_markdown

    settings = get_settings()
    out = output or settings.reports_dir
    summary = run(_assistant(), out)
    typer.echo(answers_markdown(summary))
    typer.echo(f"Rapports écrits dans {out}/answers.json, answers.md, answers.png", err=True)


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

    service = _index_service()
    service.ensure(rebuild=True, progress=_progress_bar("Indexation"))
    result = train(service) if do_train else measure(service, RelevanceModel.load())
    typer.echo(json.dumps(result, ensure_ascii=False, indent=2))


@app.command("serve")
def serve_command(
    host: Annotated[
        str | None, typer.Option("--host", help="Adresse d'écoute (par défaut : réglage HOST).")
    ] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (par défaut : réglage PORT).")] = None,
    workers: Annotated[
        int, typer.Option("--workers", help="Processus uvicorn (plusieurs : mode serveur Chroma requis).")
    ] = 1,
) -> None:
    """Lance le service web (API, visualiseur, widget) ; l'index est construit au premier démarrage."""
    import uvicorn

    settings = get_settings()
    if workers > 1 and not settings.chroma_host:
        _fail(
            "plusieurs processus ne peuvent pas écrire dans le même dossier Chroma : réglez CHROMA_HOST "
            "(mode serveur) ou gardez --workers 1"
        )
    h, p = host or settings.host, port or settings.port
    typer.echo(f"plan-assistant sur http://{h}:{p} (API : /docs, plans : /plans, démo : /demo)", err=True)
    uvicorn.run(
        "api.app:app",
        host=h,
        port=p,
        workers=workers,
        proxy_headers=False,
        timeout_graceful_shutdown=30,
        log_level="info",
    )


@app.command("bench")
def bench_command(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Dossier des rapports (par défaut : DATA/reports).")
    ] = None,
    seconds: Annotated[int, typer.Option("--seconds", help="Durée de chaque palier de charge HTTP.")] = 20,
    sizes: Annotated[
        str, typer.Option("--sizes", help="Nombres de plans pour l'essai d'échelle.")
    ] = "2,10,100",
) -> None:
    """Bancs d'essai : démarrage, construction, latence, charge HTTP, mémoire, échelle (rapport + PNG)."""
    from evals.bench import bench_markdown, run

    out = output or get_settings().reports_dir
    try:
        plan_sizes = [int(x) for x in sizes.split(",") if x.strip()]
    except ValueError:
        _fail(f"--sizes attend des nombres séparés par des virgules, reçu « {sizes} »")
    report = run(out, seconds=seconds, sizes=plan_sizes)
    typer.echo(bench_markdown(report))
    typer.echo(f"Rapports écrits dans {out}/bench.json, bench.md, bench.png", err=True)
