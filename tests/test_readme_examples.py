"""The README's and the documentation's examples run as written: the Python blocks (twice, as a user
would call them again), the command lines and the README's curl, against a real index (the bundled
model, embedded Chroma)."""

from __future__ import annotations

import json
import re
import shlex
import subprocess

import pytest
from typer.testing import CliRunner

from api.cli import app

from .conftest import ROOT
from .servers import uvicorn_server

README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = {p: p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").rglob("*.md"))}


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
    blocks = [
        (str(name), code)
        for name, text in [("README.md", README), *DOCS.items()]
        for code in re.findall(r"```python\n(.*?)```", text, flags=re.S)
    ]
    assert len(blocks) >= 2
    for name, code in blocks:
        for _ in range(2):  # a second call must work too (no module shadowing a function)
            scope: dict[str, object] = {}
            exec(compile(code, name, "exec"), scope)
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


def test_the_readme_curl_asks_a_question(built) -> None:  # type: ignore[no-untyped-def]
    """The README's curl, as written, against `plan-assistant serve` on another port."""
    block = re.search(r"```sh\n(curl -s http://127\.0\.0\.1:8000/api/ask .*?)```", README, flags=re.S)
    assert block, "le README n'a plus son exemple curl"
    env = {"PLAN_ASSISTANT_DATA_DIR": str(built.location.root.parent), "PLAN_ASSISTANT_LOG_ENABLED": "false"}
    with uvicorn_server(env) as server:
        command = block[1].replace("http://127.0.0.1:8000", server.url)
        done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["coverage"] == "complete" and "37" in answer["lead"], answer["lead"]
    assert answer["citations"][0]["number"] == "37" and answer["answer"].startswith(answer["lead"])
