"""The command line in French, its help and its usage errors alike.

typer 0.29 carries its own copy of click, whose texts are English and cannot be translated (no
gettext): the help option's text, the usage line, the headings, the ``[default: …]`` notes and the
usage errors (« Missing argument », « No such option », « Invalid value »…). The root group here gives
every command of the tree a context whose help formatter writes French, and turns each usage error
into the same error in French before typer shows it. The help is written plainly
(``rich_markup_mode=None`` on the root ``Typer``): Rich's panels bring English titles of their own.

This leans on typer's private copy of click (``typer._click``): pyproject.toml pins typer to the
versions it was written for, and tests/test_cli_french.py walks every command's help and the usual
errors, so a typer that changes them fails the tests rather than speaking English again."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import typer
from typer._click.exceptions import (
    BadOptionUsage,
    BadParameter,
    MissingParameter,
    NoArgsIsHelpError,
    NoSuchOption,
    UsageError,
)
from typer._click.formatting import HelpFormatter
from typer.core import TyperGroup

HELP_OPTION_NAMES = ["-h", "--help"]
HELP_TEXT = "Afficher cette aide et quitter."
USAGE = "Utilisation : "
HEADINGS = {"Arguments": "Arguments", "Options": "Options", "Commands": "Commandes"}
TYPES = {
    "str": "texte",
    "int": "entier",
    "int range": "entier",
    "float": "nombre",
    "float range": "nombre",
    "path": "chemin",
    "bool": "oui/non",
    "list[str]": "texte",
}
NOTES = [
    ("Show this message and exit.", HELP_TEXT),
    ("[required]", "[requis]"),
    ("(deprecated)", "(obsolète)"),
]
NOTE_PATTERNS = [
    (re.compile(r"\[default: (.*?)\]"), r"[défaut : \1]"),
    (re.compile(r"\[env var: (.*?)\]"), r"[variable d'environnement : \1]"),
]


def french_note(text: str) -> str:
    """An option's help with typer's English notes in French."""
    for english, french in NOTES:
        text = text.replace(english, french)
    for pattern, french in NOTE_PATTERNS:
        text = pattern.sub(french, text)
    return text


def french_term(term: str) -> str:
    """``--output <path>`` → ``--output <chemin>``."""
    return re.sub(r"<([^<>]+)>", lambda m: f"<{TYPES.get(m.group(1), m.group(1))}>", term)


def french_usage_args(args: str) -> str:
    return args.replace("COMMAND [ARGS]...", "COMMANDE [ARGUMENTS]...")


class FrenchHelpFormatter(HelpFormatter):
    """Click's help formatter, in French."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, french_usage_args(args), USAGE if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        # French puts a space before the colon.
        self.write(f"{'':>{self.current_indent}}{HEADINGS.get(heading, heading)} :\n")

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        super().write_dl(
            [(french_term(term), french_note(text)) for term, text in rows], col_max, col_spacing
        )


class FrenchContext(typer.Context):
    formatter_class = FrenchHelpFormatter


# Usage errors: typer's English sentences, and what they become.
Replacement = str | Callable[[re.Match[str]], str]
ERROR_PATTERNS: list[tuple[re.Pattern[str], Replacement]] = [
    (
        re.compile(r"^No such command '(.+?)'\. Did you mean (.+)\?$"),
        lambda m: (
            f"commande inconnue : « {m.group(1)} ». Vouliez-vous dire "
            + ", ".join(f"« {s} »" for s in re.findall(r"'([^']*)'", m.group(2)))
            + " ?"
        ),
    ),
    (re.compile(r"^No such command '(.+)'\.$"), r"commande inconnue : « \1 »."),
    (re.compile(r"^Missing command\.$"), "commande manquante."),
    (re.compile(r"^Got unexpected extra argument(?:s|\(s\))? \((.*)\)$"), r"argument(s) en trop : \1."),
    (re.compile(r"^Option '(.+)' requires an argument\.$"), r"l'option \1 demande une valeur."),
    (re.compile(r"^Option '(.+)' requires (\d+) arguments\.$"), r"l'option \1 demande \2 valeurs."),
    (re.compile(r"^Option '(.+)' does not take a value\.$"), r"l'option \1 ne prend pas de valeur."),
    (re.compile(r"^Argument '(.+)' takes (\d+) values\.$"), r"l'argument \1 prend \2 valeurs."),
]
VALUE_PATTERNS: list[tuple[re.Pattern[str], Replacement]] = [
    (re.compile(r"^(?:Path|File|Directory) '(.+)' does not exist\.$"), r"« \1 » n'existe pas"),
    (re.compile(r"^(?:Path|File|Directory) '(.+)' is a file\.$"), r"« \1 » est un fichier"),
    (re.compile(r"^(?:Path|File|Directory) '(.+)' is a directory\.$"), r"« \1 » est un dossier"),
    (re.compile(r"^(?:Path|File|Directory) '(.+)' is not readable\.$"), r"« \1 » n'est pas lisible"),
    (re.compile(r"^(?:Path|File|Directory) '(.+)' is not writable\.$"), r"« \1 » n'est pas modifiable"),
    (re.compile(r"^Value (.+) is not a valid (.+)\.$"), r"\1 n'est pas une valeur acceptée"),
]
# pydantic's error types (typer checks values with pydantic), as French reasons.
VALUE_TYPES = {
    "int_parsing": "un nombre entier est attendu",
    "int_type": "un nombre entier est attendu",
    "int_from_float": "un nombre entier est attendu",
    "float_parsing": "un nombre est attendu",
    "float_type": "un nombre est attendu",
    "bool_parsing": "oui ou non est attendu (true, false, 1, 0)",
    "greater_than_equal": "au moins {ge} est attendu",
    "greater_than": "plus de {gt} est attendu",
    "less_than_equal": "au plus {le} est attendu",
    "less_than": "moins de {lt} est attendu",
    "literal_error": "valeurs possibles : {expected}",
    "enum": "valeurs possibles : {expected}",
}


def _sub(patterns: Iterable[tuple[re.Pattern[str], Replacement]], text: str) -> str | None:
    for pattern, french in patterns:
        if pattern.match(text):
            return pattern.sub(french, text)
    return None


def _param_name(e: BadParameter) -> str:
    if e.param_hint is not None:
        hint = e.param_hint
        return " / ".join(hint) if not isinstance(hint, str) else hint
    param = e.param
    if param is None:
        return ""
    opts = list(getattr(param, "opts", []) or [])
    if getattr(param, "param_type_name", "") == "option" and opts:
        return " / ".join(opts)
    return str(getattr(param, "metavar", None) or param.name or "")


def _reason(e: BadParameter) -> str:
    """Why a value was refused, in French: pydantic's error type, typer's checks of paths, or the
    message as the project wrote it (already French)."""
    cause = e.__cause__
    errors = getattr(cause, "errors", None)
    if callable(errors):
        details = errors()
        if details:
            first: dict[str, Any] = dict(details[0])
            template = VALUE_TYPES.get(str(first.get("type")))
            if template is not None:
                try:
                    return template.format(**(first.get("ctx") or {}))
                except (KeyError, IndexError):
                    pass
            return "valeur refusée"
    return _sub(VALUE_PATTERNS, e.message) or e.message


def french_message(e: UsageError) -> str:
    """A usage error of typer's, said in French."""
    if isinstance(e, MissingParameter):
        name = _param_name(e)
        kind = e.param_type or (e.param.param_type_name if e.param is not None else "parameter")
        what = {"argument": "argument manquant", "option": "option manquante"}.get(kind, "paramètre manquant")
        return f"{what} : {name}." if name else f"{what}."
    if isinstance(e, NoSuchOption):
        text = f"option inconnue : {e.option_name}."
        if e.possibilities:
            text += f" Vouliez-vous dire {', '.join(sorted(e.possibilities))} ?"
        return text
    if isinstance(e, BadParameter):
        name = _param_name(e)
        return f"valeur refusée pour {name} : {_reason(e)}." if name else f"valeur refusée : {_reason(e)}."
    if isinstance(e, BadOptionUsage):
        return _sub(ERROR_PATTERNS, e.message) or e.message
    return _sub(ERROR_PATTERNS, e.message) or e.message


class FrenchUsageError(UsageError):
    """A usage error shown in French: the usage line, where to find help, then the error."""

    def __init__(self, original: UsageError) -> None:
        super().__init__(french_message(original), original.ctx)

    def show(self, file: Any = None) -> None:
        lines = []
        ctx = self.ctx
        if ctx is not None:
            lines.append(ctx.get_usage())
            if ctx.command.get_help_option(ctx) is not None:
                lines.append(f"Essayez « {ctx.command_path} {ctx.help_option_names[-1]} » pour l'aide.")
            lines.append("")
        lines.append(f"Erreur : {self.format_message()}")
        typer.echo("\n".join(lines), err=True)


def _in_french(e: UsageError) -> UsageError:
    if isinstance(e, (NoArgsIsHelpError, FrenchUsageError)):
        return e  # the help itself (already in French), or an error already translated
    return FrenchUsageError(e)


class FrenchGroup(TyperGroup):
    """The root group: every command under it gets the French context, and every usage error raised
    under it (by the root's parsing, or by a sub-command's) is shown in French."""

    context_class = FrenchContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pending: list[Any] = list(self.commands.values())
        while pending:
            command = pending.pop()
            command.context_class = FrenchContext
            pending.extend(getattr(command, "commands", {}).values())

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except UsageError as e:
            raise _in_french(e) from e

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as e:
            raise _in_french(e) from e
        except (typer.Abort, EOFError):
            typer.echo("\nInterrompu.", err=True)
            raise typer.Exit(1) from None
