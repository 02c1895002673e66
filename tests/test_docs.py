"""The README stays short and gives the two commands CI runs; the documentation site (docs/) documents
every setting, includes every evaluation report, names only commands and options that exist, writes
commands that work on Debian (python3), and states the widget's size as it is served."""

from __future__ import annotations

import gzip
import re
import shlex
from pathlib import Path

import typer.main
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.cli import app
from api.settings import ENV_PREFIX, Settings
from index.config import RetrievalConfig

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = ROOT / "docs"
PAGES = {p: p.read_text(encoding="utf-8") for p in sorted(DOCS.rglob("*.md"))}
SETTINGS_PAGE = (DOCS / "reglages.md").read_text(encoding="utf-8")
WORD_LIMIT = 1500


def test_the_readme_reads_in_ten_minutes() -> None:
    words = len(README.split())  # as `wc -w` counts them
    assert words < WORD_LIMIT, f"README.md : {words} mots (au plus {WORD_LIMIT - 1})"


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one() -> None:
    section = README.split("## Les deux commandes", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, flags=re.S)
    assert block, "la section « Les deux commandes » n'a pas de bloc de commandes"
    commands = [line.split("#", 1)[0].strip() for line in block[1].splitlines() if line.strip()]
    assert commands == ["make serve", "make test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^serve:", makefile, flags=re.M)
    test_rule = re.search(r"^test: (.*)$", makefile, flags=re.M)
    assert test_rule and "docs" in test_rule[1].split(), "make test doit construire la documentation"
    assert "mkdocs build --strict" in makefile


def test_every_setting_is_documented() -> None:
    documented = set(re.findall(r"`(PLAN_ASSISTANT_[A-Z_]+)`", SETTINGS_PAGE))
    for name in Settings.model_fields:
        assert f"{ENV_PREFIX}{name.upper()}" in documented or name == "retrieval", name
    section = SETTINGS_PAGE[SETTINGS_PAGE.index("`PLAN_ASSISTANT_RETRIEVAL__") :].split("\n", 1)[0]
    for name in RetrievalConfig.model_fields:
        assert f"`{name.upper()}`" in section, name
    # And nothing documented, anywhere, that does not exist.
    known = {f"{ENV_PREFIX}{n.upper()}" for n in Settings.model_fields}
    for text in [README, *PAGES.values()]:
        named = set(re.findall(r"(PLAN_ASSISTANT_[A-Z_]*[A-Z])", text))
        assert {d for d in named if not d.startswith("PLAN_ASSISTANT_RETRIEVAL")} <= known, named - known


def test_every_report_is_in_the_docs() -> None:
    """The measurement pages include the reports at build time (docs/hooks/reports.py): every report
    of evals/reports/ is included somewhere, and every inclusion names a report that exists."""
    included = {
        m for text in PAGES.values() for m in re.findall(r"^<!-- rapport : (\S+) -->$", text, flags=re.M)
    }
    reports = {p.name for p in (ROOT / "evals" / "reports").glob("*.md")}
    assert reports <= included, reports - included
    assert included <= reports, included - reports
    assert "<!-- synthèse des réponses -->" in (DOCS / "mesures" / "index.md").read_text(encoding="utf-8")
    assert (ROOT / "evals" / "reports" / "answers.json").is_file()


def test_commands_work_on_debian() -> None:
    """Debian has `python3`, not `python` (outside a virtual environment)."""
    texts = {"README.md": README} | {str(p.relative_to(ROOT)): t for p, t in PAGES.items()}
    for f in (ROOT / "deploy").iterdir():
        texts[str(f.relative_to(ROOT))] = f.read_text(encoding="utf-8")
    for name, text in texts.items():
        bare = re.findall(r"(?:^|[\s\"'`(;&|$])python -[cm]\b", text)
        assert not bare, f"{name} : « python » au lieu de « python3 »"


def command_lines(text: str) -> list[str]:
    """The plan-assistant command lines a reader would type: in shell blocks and in inline code."""
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        joined = block.replace("\\\n", " ")
        lines += [line.strip() for line in joined.splitlines()]
    lines += re.findall(r"`([^`\n]*plan-assistant [^`\n]*)`", text)
    out = []
    for line in lines:
        m = re.search(
            r"(?:^|&& |\| )(?:\.venv/bin/|/opt/plan-assistant/\.venv/bin/)?plan-assistant( .*)?$", line
        )
        if m:
            out.append("plan-assistant" + (m[1] or ""))
    return out


def check_command(line: str) -> None:
    text = re.split(r"\s(?:#|>|\||&&)\s?", line)[0]
    tokens = [t.strip("[]") for t in shlex.split(text)[1:]]
    command = typer.main.get_command(app)
    path: list[str] = []
    while tokens and hasattr(command, "commands") and not tokens[0].startswith("-"):
        name = tokens.pop(0)
        assert name in command.commands, f"« {line} » : pas de commande « {' '.join([*path, name])} »"
        command = command.commands[name]
        path.append(name)
    options = {"-h", "--help"}
    for param in command.params:
        options |= set(getattr(param, "opts", [])) | set(getattr(param, "secondary_opts", []))
    for token in tokens:
        if token.startswith("-"):
            assert token in options, f"« {line} » : « {' '.join(path)} » n'a pas d'option {token}"


def test_every_command_in_the_docs_exists() -> None:
    checked = 0
    for name, text in [("README.md", README), *((str(p), t) for p, t in PAGES.items())]:
        for line in command_lines(text):
            try:
                check_command(line)
            except AssertionError as e:
                raise AssertionError(f"{name} : {e}") from None
            checked += 1
    assert checked >= 40


def test_the_widget_snippet_is_the_one_the_service_gives() -> None:
    from api.pages import widget_snippet

    snippet = widget_snippet("https://assistant.ville.quebec.qc.ca")
    assert snippet in README and snippet in (DOCS / "widget.md").read_text(encoding="utf-8")


def test_the_widget_weighs_what_the_docs_say() -> None:
    """« moins de 30 Ko transférés » (gzip, from `plan-assistant serve` itself), « moins de 50 Ko » raw."""
    from api import pages

    widget_page = (DOCS / "widget.md").read_text(encoding="utf-8")
    assert "moins de 30 Ko transférés" in widget_page and "moins de 50 Ko" in widget_page
    assert "moins de 30 Ko compressé" in README
    web = FastAPI()
    web.include_router(pages.router)
    with TestClient(web) as client:
        zipped = client.get("/widget.js", headers={"Accept-Encoding": "gzip, deflate, br"})
        assert (
            zipped.headers["content-encoding"] == "gzip"
            and "accept-encoding" in zipped.headers["vary"].lower()
        )
        sent = int(zipped.headers["content-length"])
        assert sent < 30 * 1024, sent
        raw = client.get("/widget.js", headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in raw.headers
        assert len(raw.content) < 50 * 1024, len(raw.content)
        assert zipped.content == raw.content == pages.widget_source()
        assert gzip.decompress(pages.widget_gzip()) == raw.content
        refused = client.get("/widget.js", headers={"Accept-Encoding": "gzip;q=0"})
        assert "content-encoding" not in refused.headers


def test_the_docs_are_in_the_navigation() -> None:
    """Every page of docs/ is in mkdocs.yml's navigation (mkdocs --strict says it too, at build)."""
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for page in PAGES:
        rel = page.relative_to(DOCS).as_posix()
        assert Path(rel).parts[0] == "hooks" or rel in config, rel
