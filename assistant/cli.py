"""``plan-assistant ask`` and ``plan-assistant chat``: questions to the plans, from the terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from corpus.console import fail, fail_corpus

if TYPE_CHECKING:
    from assistant.answer import Answer
    from assistant.relevance import RelevanceModel
    from assistant.service import Assistant

assistant_app = typer.Typer()


def register(root: typer.Typer) -> None:
    root.registered_commands += assistant_app.registered_commands


def build_assistant(relevance: RelevanceModel | None = None) -> Assistant:
    from assistant.application import build_application
    from assistant.settings import AssistantSettings
    from corpus import CorpusError
    from index.cli import progress_bar
    from index.embeddings import EmbeddingError
    from index.location import IndexError_
    from index.store import StoreUnavailable

    try:
        return build_application(
            AssistantSettings(), progress=progress_bar("Indexation"), relevance=relevance
        ).assistant
    except (IndexError_, StoreUnavailable, EmbeddingError) as e:
        fail(str(e))
    except CorpusError as e:
        fail_corpus(e.problems)


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


@assistant_app.command("ask")
def ask_command(
    question: Annotated[
        str, typer.Argument(metavar="QUESTION", help="La question, en français (ou en anglais).")
    ],
    plan: Annotated[str | None, typer.Option("--plan", help="Se limiter à ce plan.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="La réponse au format JSON de l'API.")] = False,
) -> None:
    """Pose une question aux plans; la réponse cite ses sources."""
    from assistant.normalize import QuestionError

    a = build_assistant()
    try:
        answer = a.ask(question, filters={"plan": plan} if plan else None)
    except QuestionError as e:
        fail(str(e))
    _print_answer(answer, as_json)


@assistant_app.command("chat")
def chat_command() -> None:
    """Conversation dans le terminal (les questions de suivi sont comprises). /recommencer, /quitter."""
    from assistant.answer import Turn
    from assistant.normalize import QuestionError

    a = build_assistant()
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
