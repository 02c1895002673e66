"""``plan-assistant dashboard hash-password``: the argon2id hash to put in
``PLAN_ASSISTANT_DASHBOARD_PASSWORD_HASH`` (the password itself is never stored)."""

from __future__ import annotations

from typing import Annotated

import typer

from corpus.console import fail

dashboard_app = typer.Typer(help="Tableau de bord du personnel (/admin).", no_args_is_help=True)
MIN_PASSWORD = 12


def register(root: typer.Typer) -> None:
    root.add_typer(dashboard_app, name="dashboard")


@dashboard_app.command("hash-password")
def hash_password(
    stdin: Annotated[
        bool,
        typer.Option(
            "--stdin", help="Lire le mot de passe sur l'entrée standard (une ligne) plutôt que le demander."
        ),
    ] = False,
) -> None:
    """Demande le mot de passe du tableau de bord et écrit son empreinte argon2id, à mettre dans
    PLAN_ASSISTANT_DASHBOARD_PASSWORD_HASH (avec une clé PLAN_ASSISTANT_DASHBOARD_SECRET)."""
    import sys

    from argon2 import PasswordHasher

    if stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Mot de passe", hide_input=True, confirmation_prompt="Encore une fois")
    if len(password) < MIN_PASSWORD:
        fail(f"mot de passe trop court : {len(password)} caractères (au moins {MIN_PASSWORD})")
    typer.echo(PasswordHasher().hash(password))
    typer.echo(
        "Mettez cette empreinte dans PLAN_ASSISTANT_DASHBOARD_PASSWORD_HASH (entre apostrophes : elle "
        "contient des $), et une clé dans PLAN_ASSISTANT_DASHBOARD_SECRET : "
        'python -c "import secrets; print(secrets.token_urlsafe(32))"',
        err=True,
    )
