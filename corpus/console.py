"""What every command of ``plan-assistant`` says the same way: an error (to standard error, with a
non-zero exit), a path as the user typed it."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import NoReturn

import typer

from corpus.problems import Problem


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"Erreur : {message}", err=True)
    raise typer.Exit(code)


def fail_corpus(problems: Iterable[Problem]) -> NoReturn:
    """A corpus that does not load (a plan, its bank or its lexicon): each problem as
    ``file:line: message``, then the error."""
    for p in problems:
        typer.echo(
            f"{shown(p.path)}:{p.line}: {p.message}" if p.line else f"{shown(p.path)}: {p.message}", err=True
        )
    fail("le corpus contient des erreurs ; lancez « plan-assistant corpus validate » pour les voir.")


def shown(path: str) -> str:
    """A path relative to the current folder when it is inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return path
