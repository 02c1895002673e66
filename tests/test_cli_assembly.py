"""The ``plan-assistant`` command is assembled from each layer's declared sub-commands (entry points),
so that the service's layer never imports the evaluations (the import contract has no exception)."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

from typer.testing import CliRunner

from api.cli import COMMANDS_GROUP, app

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_no_module_of_the_service_layer_imports_the_evaluations() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "api").rglob("*.py")
        if any(m == "evals" or m.startswith("evals.") for m in _imports(p))
    ]
    assert offenders == []


def test_the_layer_contract_has_no_exception() -> None:
    (contract,) = PYPROJECT["tool"]["importlinter"]["contracts"]
    assert contract["type"] == "layers"
    assert contract["layers"] == ["api | evals", "assistant", "index", "corpus"]
    assert "ignore_imports" not in contract and "exhaustive_ignores" not in contract


def test_every_layer_s_commands_are_in_the_assembled_command() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "entry-points"
    ][COMMANDS_GROUP]
    assert set(declared) == {"corpus", "index", "assistant", "questionlog", "evals", "dashboard"}
    help_text = CliRunner().invoke(app, ["--help"]).output
    for command in ("corpus", "index", "search", "ask", "chat", "eval", "bench", "log", "dashboard", "serve"):
        assert f"  {command} " in help_text, command
    # The evaluations' command runs through the assembled command (its own help, in French).
    assert "Mesures sur les jeux de questions" in CliRunner().invoke(app, ["eval", "--help"]).output
