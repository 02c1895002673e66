"""The command line speaks French throughout: every command's help (`-h` and `--help`) and the usage
errors a person makes (an unknown option or command, a missing argument, a value of the wrong kind),
with none of typer's or click's English sentences left."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from api.cli import app

# typer's and click's own English texts (help, usage line, notes, errors).
ENGLISH = [
    "Show this message",
    "Usage:",
    "Options:",
    "Arguments:",
    "Commands:",
    "COMMAND [ARGS]",
    "[default:",
    "[required]",
    "env var",
    "Try '",
    "for help",
    "Error",
    "Missing argument",
    "Missing option",
    "Missing parameter",
    "Missing command",
    "No such option",
    "No such command",
    "Invalid value",
    "Got unexpected",
    "requires an argument",
    "does not take a value",
    "Did you mean",
    "Possible options",
    "Aborted",
    "(deprecated)",
    "Input should be",
    "does not exist",
    "<str>",
    "<int>",
    "<path>",
    "<float>",
]


def walk(command: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from walk(sub, [*path, name])


COMMANDS = list(walk(typer.main.get_command(app), []))


def english_in(text: str) -> list[str]:
    return [s for s in ENGLISH if s in text]


def run(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(app, args, prog_name="plan-assistant")
    return result.exit_code, result.output


def test_every_command_is_walked() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"", "serve", "corpus validate", "corpus bank export", "deploy nginx", "eval answers"} <= names
    assert len(names) >= 25


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=lambda p: " ".join(p) or "plan-assistant")
def test_help_is_in_french(path: list[str]) -> None:
    for flag in ("--help", "-h"):
        code, out = run([*path, flag])
        assert code == 0, out
        assert out.startswith("Utilisation : plan-assistant"), out
        assert "Afficher cette aide et quitter." in out and "Options :" in out
        assert not english_in(out), (path, flag, english_in(out), out)


def test_usage_errors_are_in_french() -> None:
    cases: list[tuple[list[str], str]] = [
        (["commande-inconnue"], "Erreur : commande inconnue : « commande-inconnue »."),
        (["corpus", "valdate"], "Vouliez-vous dire « validate » ?"),
        (["--inconnue"], "Erreur : option inconnue : --inconnue."),
        (["search"], "Erreur : argument manquant : QUESTION."),
        (["search", "logement", "--jsn"], "Erreur : option inconnue : --jsn. Vouliez-vous dire --json ?"),
        (["search", "logement", "-k", "beaucoup"], "valeur refusée pour -k : un nombre entier est attendu."),
        (["search", "logement", "--plan"], "Erreur : l'option --plan demande une valeur."),
        (["search", "logement", "encore"], "Erreur : argument(s) en trop : encore."),
        (["log", "purge", "--days", "0"], "valeur refusée pour --days : au moins 1 est attendu."),
        (["deploy", "nginx"], "Erreur : option manquante : --server-name."),
    ]
    for args, expected in cases:
        code, out = run(args)
        assert code == 2, (args, out)
        assert expected in out, (args, out)
        assert not english_in(out), (args, english_in(out), out)
    code, out = run(["search"])
    assert out.startswith("Utilisation : plan-assistant search [OPTIONS] {QUESTION}")
    assert "Essayez « plan-assistant search --help » pour l'aide." in out


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=lambda p: " ".join(p) or "plan-assistant")
def test_an_unknown_option_is_refused_in_french(path: list[str]) -> None:
    code, out = run([*path, "--option-inexistante"])
    assert code == 2 and "option inconnue : --option-inexistante" in out, out
    assert not english_in(out), (path, english_in(out), out)


def test_a_group_without_its_command_shows_its_help_in_french() -> None:
    for path, command in COMMANDS:
        if path and getattr(command, "commands", None):
            code, out = run(path)
            assert code == 2 and out.startswith(f"Utilisation : plan-assistant {' '.join(path)}"), out
            assert "Commandes :" in out and not english_in(out), out
