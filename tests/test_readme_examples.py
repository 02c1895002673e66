"""The README's examples run as written: its Python blocks (twice, as a user would call them again)
and its command lines, against a real index (the bundled model, embedded Chroma)."""

from __future__ import annotations

import re
import shlex

import pytest
from typer.testing import CliRunner

from api.cli import app

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.fixture
def configured(built, monkeypatch):  # type: ignore[no-untyped-def]
    """The environment a user would have: the data folder of a built index."""
    import assistant
    import index

    monkeypatch.setenv("PLAN_ASSISTANT_DATA_DIR", str(built.location.root.parent))
    monkeypatch.setattr(index, "_default", None)
    monkeypatch.setattr(assistant, "_default", None)
    yield


def test_python_examples_run_repeatedly(configured) -> None:  # type: ignore[no-untyped-def]
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    assert len(blocks) >= 2
    for code in blocks:
        for _ in range(2):  # a second call must work too (no module shadowing a function)
            scope: dict[str, object] = {}
            exec(compile(code, "README.md", "exec"), scope)
    import assistant
    import index

    assert index.search("trouver un appartement", k=5)[0].number == "28"
    answer = assistant.ask("La Ville m'aide-t-elle à trouver un appartement?")
    assert answer.refs[0].endswith(":28") and answer.coverage == "complete"


COMMANDS = [
    "plan-assistant corpus list",
    "plan-assistant corpus show saint-sacrement-2024-2026 --action 2.1.4",
    'plan-assistant search "trouver un appartement" -k 3',
    "plan-assistant ask \"Qui s'occupe de l'action 37?\"",
]


def test_command_line_examples_are_in_the_readme_and_run(configured) -> None:  # type: ignore[no-untyped-def]
    for line in COMMANDS:
        head = " ".join(line.split()[:3])
        assert head in README, f"« {line} » n'est pas un exemple du README"
        result = CliRunner().invoke(app, shlex.split(line)[1:])
        assert result.exit_code == 0, (line, result.output)
    result = CliRunner().invoke(app, shlex.split(COMMANDS[-1])[1:])
    assert "- Police" in result.stdout
