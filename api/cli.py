"""The ``plan-assistant`` command: each layer declares its own sub-commands (``corpus``, ``index`` and
``search``, ``ask`` and ``chat``, ``eval`` and ``bench``), assembled here with ``serve``."""

from __future__ import annotations

from typing import Annotated

import typer

import assistant.cli
import corpus.cli
import evals.cli
import index.cli
from api.settings import get_settings
from corpus.console import fail

app = typer.Typer(
    help="Assistant en français sur les plans d'action municipaux : corpus, index, questions, service web.",
    no_args_is_help=True,
    add_completion=False,
)


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
        fail(
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


for layer in (corpus.cli, index.cli, assistant.cli, evals.cli):
    layer.register(app)


def main() -> None:  # pragma: no cover
    app()
