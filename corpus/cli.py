"""``plan-assistant corpus …``: validate, list, show, export and import the plans."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from corpus import Corpus, Plan
from corpus.console import fail, fail_corpus, shown
from corpus.settings import CorpusSettings

corpus_app = typer.Typer(help="Les plans : valider, afficher, exporter, importer.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(corpus_app, name="corpus")


def load() -> Corpus:
    from corpus import CorpusError, load_corpus

    try:
        return load_corpus(CorpusSettings().corpus_dir)
    except CorpusError as e:
        fail_corpus(e.problems)


def bank_summary(corpus: Corpus) -> str:
    """« 2 398 questions : 1 420 sur le plan …, 375 hors plan; 3 actions sans question : … »"""
    from corpus import Kind

    counts = corpus.bank.counts()
    parts = []
    for plan in corpus:
        n = sum(v for k, v in counts.items() if k.startswith(f"{plan.id}:"))
        parts.append(f"{n} sur {plan.id}")
    hors = sum(1 for q in corpus.bank if q.coverage != "complete")
    missing = [
        plan.ref(n)
        for plan in corpus
        for n in plan.nodes
        if n.kind == Kind.ACTION and not counts[plan.ref(n)]
    ]
    text = f"{len(corpus.bank)} questions ({', '.join(parts)}, {hors} hors plan ou partielles)"
    if missing:
        text += f"; {len(missing)} action(s) sans question : {', '.join(missing[:10])}"
    return text


def lexicon_summary(corpus: Corpus) -> str:
    """« 90 concepts (85 sur …, 51 sur …; 46 partagés); sans lexique : … »"""
    lexicons = corpus.lexicon.plans
    plans = Counter(e.id for entries in lexicons.values() for e in entries)
    parts = [f"{len(lexicons[p.id])} sur {p.id}" for p in corpus if p.id in lexicons]
    shared = sum(1 for n in plans.values() if n > 1)
    text = f"{len(plans)} concepts ({', '.join(parts)}; {shared} partagés)"
    without = [p.id for p in corpus if p.id not in lexicons]
    if without:
        text += f"; sans lexique : {', '.join(without)}"
    return text


def _plan(plan_id: str) -> Plan:
    corpus = load()
    if plan_id not in corpus.plans:
        fail(f"plan inconnu « {plan_id} ». Plans disponibles : {', '.join(corpus.plans)}")
    return corpus.plan(plan_id)


@corpus_app.command("validate")
def corpus_validate(
    path: Annotated[
        Path | None,
        typer.Argument(
            metavar="CHEMIN",
            help="Dossier du corpus, dossier d'un plan ou manifest.yaml (par défaut : le corpus configuré).",
        ),
    ] = None,
) -> None:
    """Vérifie les plans ; affiche chaque problème sous la forme fichier:ligne: message."""
    from corpus import load_corpus, validate
    from corpus.render import summary

    target = path or CorpusSettings().corpus_dir
    problems = validate(target)
    for p in problems:
        where = f"{shown(p.path)}:{p.line}" if p.line else shown(p.path)
        typer.echo(f"{where}: {p.message}")
    if problems:
        typer.echo(f"{len(problems)} problème(s) trouvé(s).", err=True)
        raise typer.Exit(1)
    corpus = load_corpus(target)
    for plan in corpus:
        typer.echo(f"✓ {plan.id} : {summary(plan)}")
    if len(corpus.bank):
        typer.echo(f"✓ banque de questions : {bank_summary(corpus)}")
    if corpus.lexicon.plans:
        typer.echo(f"✓ lexique : {lexicon_summary(corpus)}")
    for w in corpus.lexicon.warnings:  # to review; the corpus serves as it is
        where = f"{shown(w.path)}:{w.line}" if w.line else shown(w.path)
        typer.echo(f"attention : {where}: {w.message}")


@corpus_app.command("list")
def corpus_list() -> None:
    """Liste les plans du corpus."""
    from corpus.render import summary

    for plan in load():
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
        fail(
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
        fail(f"format « {fmt} » non pris en charge ; formats : json")
    text = export_json(_plan(plan_id))
    if output:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"Exporté dans {output}", err=True)
    else:
        sys.stdout.write(text)


@corpus_app.command("import")
def corpus_import(
    pdf: Annotated[Path, typer.Argument(metavar="FICHIER.pdf", help="Le PDF publié du plan.")],
    plan_id: Annotated[
        str, typer.Option("--id", help="Identifiant du nouveau plan (ex. limoilou-2025-2027).")
    ],
    folder: Annotated[
        Path | None,
        typer.Option(
            "--dossier", help="Dossier où créer le plan (par défaut : le dossier des plans du corpus)."
        ),
    ] = None,
    replace: Annotated[
        bool, typer.Option("--remplacer", help="Écraser le dossier du plan s'il existe déjà.")
    ] = False,
) -> None:
    """Importe un plan depuis son PDF : texte converti et manifeste à vérifier, dans DOSSIER/ID/."""
    from corpus.pdf import PdfError, import_pdf

    plans_dir = folder or CorpusSettings().corpus_dir
    try:
        result = import_pdf(pdf, plan_id, plans_dir, replace=replace)
    except PdfError as e:
        fail(str(e), code=2)
    for line in result.report_lines(shown(str(pdf))):
        typer.echo(line, err=True)
    n = len(result.layout.unplaced)
    typer.echo(f"Plan importé dans {shown(str(result.folder))} (analyseur « {result.layout.parser} ») :")
    typer.echo(f"  {shown(str(result.source))} — le texte converti")
    typer.echo(f"  {shown(str(result.manifest))} — le manifeste, à compléter (organisation, alias)")
    if n:
        typer.echo(f"{n} ligne(s) du PDF n'ont pas pu être placées (ci-dessus) : reportez-les à la main.")
    typer.echo(f"Lancez maintenant « plan-assistant corpus validate {shown(str(result.folder))} ».")
