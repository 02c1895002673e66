"""What every command of ``plan-assistant`` says the same way: an error (to standard error, with a
non-zero exit), a path as the user typed it."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import typer


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"Erreur : {message}", err=True)
    raise typer.Exit(code)


def shown(path: str) -> str:
    """A path relative to the current folder when it is inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return path
