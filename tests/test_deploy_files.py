"""The reference deployment's files (deploy/): the systemd units pass `systemd-analyze verify` and an
offline security review, the environment file names real settings, and the container recipe is
linted, since this machine has no container daemon to build it: an official Debian Python base, every
COPY source in the repository and enough for `pip install .` to carry the service's data, a user that
is not root, the port the service listens on, a health check on a route the service defines."""

from __future__ import annotations

import io
import json
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from dockerfile_parse import DockerfileParser

from api.settings import ENV_PREFIX, Settings

from .conftest import ROOT

DEPLOY = ROOT / "deploy"
UNITS = ("plan-assistant.service", "plan-assistant-chroma.service")
INSTALLED_VENV = "/opt/plan-assistant/.venv/bin/"
SYSTEMD_ANALYZE = shutil.which("systemd-analyze") or "/usr/bin/systemd-analyze"


def unit_settings(name: str) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for line in (DEPLOY / name).read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", ";", "[")):
            key, _, value = line.partition("=")
            values.setdefault(key.strip(), []).append(value.strip())
    return values


def env_file() -> dict[str, str]:
    pairs = {}
    for line in (DEPLOY / "plan-assistant.env").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            pairs[key] = value
    return pairs


@pytest.fixture
def units_here(tmp_path: Path) -> list[Path]:
    """The units as written, with ExecStart pointing to this checkout's venv (verify requires the
    program to exist) instead of the installed /opt/plan-assistant/.venv."""
    venv_bin = str(Path(sys.executable).parent) + "/"
    copies = []
    for name in UNITS:
        text = (DEPLOY / name).read_text(encoding="utf-8")
        assert INSTALLED_VENV in text, name
        (tmp_path / name).write_text(text.replace(INSTALLED_VENV, venv_bin), encoding="utf-8")
        copies.append(tmp_path / name)
    return copies


@pytest.mark.skipif(not Path(SYSTEMD_ANALYZE).exists(), reason="systemd-analyze absent (paquet systemd)")
def test_the_units_pass_systemd_analyze_verify(units_here: list[Path]) -> None:
    done = subprocess.run(
        [SYSTEMD_ANALYZE, "verify", "--man=no", *map(str, units_here)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=units_here[0].parent,
    )
    # verify exits 0 on an unknown key or a bad value, only warning: any word from it is a failure.
    assert done.returncode == 0 and not done.stdout.strip() and not done.stderr.strip(), done


@pytest.mark.skipif(not Path(SYSTEMD_ANALYZE).exists(), reason="systemd-analyze absent (paquet systemd)")
def test_the_units_are_confined(units_here: list[Path]) -> None:
    """`systemd-analyze security`, offline: an exposure of 4.0 or less (« OK ») for both units."""
    done = subprocess.run(
        [SYSTEMD_ANALYZE, "security", "--offline=yes", "--threshold=40", *map(str, units_here)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=units_here[0].parent,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr


def test_the_service_unit_runs_the_service_as_documented() -> None:
    unit = unit_settings("plan-assistant.service")
    assert unit["ExecStart"] == [f"{INSTALLED_VENV}plan-assistant serve"]
    assert unit["User"] == ["plan-assistant"] and unit["Restart"] == ["on-failure"]
    assert unit["EnvironmentFile"] == ["/etc/plan-assistant/plan-assistant.env"]
    assert "PLAN_ASSISTANT_DATA_DIR=/var/lib/plan-assistant" in unit["Environment"][0]
    assert unit["StateDirectory"] == ["plan-assistant"]
    # Longer than the graceful shutdown of api/server.py, so that SIGKILL never cuts it short.
    graceful = re.search(r"timeout_graceful_shutdown=(\d+)", (ROOT / "api" / "server.py").read_text())
    assert graceful and int(unit["TimeoutStopSec"][0]) > int(graceful[1])
    chroma = unit_settings("plan-assistant-chroma.service")
    argv = shlex.split(chroma["ExecStart"][0])
    assert argv[0] == f"{INSTALLED_VENV}chroma" and argv[1] == "run"
    env = env_file()
    assert argv[argv.index("--port") + 1] == env["PLAN_ASSISTANT_CHROMA_PORT"]
    assert argv[argv.index("--host") + 1] == env["PLAN_ASSISTANT_CHROMA_HOST"]


def test_the_environment_file_names_real_settings() -> None:
    known = {f"{ENV_PREFIX}{name.upper()}" for name in Settings.model_fields}
    env = env_file()
    assert env and set(env) <= known, set(env) - known
    assert env["PLAN_ASSISTANT_TRUSTED_PROXIES"] == "127.0.0.1"
    assert int(env["PLAN_ASSISTANT_WORKERS"]) > 1 and env["PLAN_ASSISTANT_CHROMA_HOST"]
    assert env["PLAN_ASSISTANT_RATE_LIMIT_STORAGE"].startswith("redis://")
    assert env["PLAN_ASSISTANT_LOG_URL"].startswith("postgresql://")
    # Several workers with these values are accepted by the service's settings.
    Settings.model_validate({k.removeprefix(ENV_PREFIX).lower(): v for k, v in env.items() if v})


def containerfile() -> DockerfileParser:
    return DockerfileParser(fileobj=io.BytesIO((DEPLOY / "Containerfile").read_bytes()))


def instructions(parser: DockerfileParser, name: str) -> list[str]:
    return [i["value"] for i in parser.structure if i["instruction"] == name]


def test_the_container_recipe_is_sound() -> None:
    parser = containerfile()
    # An official image: Debian's Python, from the Docker library.
    assert re.fullmatch(
        r"(docker\.io/library/)?python:3\.1[1-9][.\d]*-slim-(bookworm|trixie)", parser.baseimage
    )
    sources = []
    for value in instructions(parser, "COPY"):
        args = [a for a in shlex.split(value) if not a.startswith("--")]
        sources += args[:-1]
    for source in sources:
        assert (ROOT / source).exists(), f"COPY {source} : absent du dépôt"
    # A user that is not root runs the service (the last USER before CMD).
    users = instructions(parser, "USER")
    assert users and users[-1].split(":")[0] not in ("root", "0")
    structure = [i["instruction"] for i in parser.structure]
    assert structure.index("USER") < structure.index("CMD")
    # The port it listens on: the service's setting, on every interface of the container.
    env = parser.envs
    assert env["PLAN_ASSISTANT_HOST"] == "0.0.0.0"
    assert instructions(parser, "EXPOSE") == [env["PLAN_ASSISTANT_PORT"]]
    assert env["PLAN_ASSISTANT_DATA_DIR"] in instructions(parser, "VOLUME")
    assert json.loads(instructions(parser, "CMD")[0]) == ["plan-assistant", "serve"]
    # The health check asks a route the service defines, on that port, with Python (no curl in slim).
    (check,) = instructions(parser, "HEALTHCHECK")
    argv = json.loads(check[check.index("CMD") + 3 :].strip())
    assert argv[:2] == ["python3", "-c"]
    compile(argv[2], "HEALTHCHECK", "exec")
    url = re.search(r"http://127\.0\.0\.1:(\d+)(/\w+)", argv[2])
    assert url and url[1] == env["PLAN_ASSISTANT_PORT"]
    from api.routes import router

    paths = {getattr(r, "path", None) for r in router.routes}
    assert url[2] in ("/readyz", "/healthz") and url[2] in paths


def test_what_the_container_copies_is_enough_to_install_the_service(tmp_path: Path) -> None:
    """The files the recipe copies, alone, build a package that carries what the service reads at run
    time (the plans and their banks, the relevance judge, the widget, the log's migrations)."""
    context = tmp_path / "context"
    context.mkdir()
    for value in instructions(containerfile(), "COPY"):
        args = [a for a in shlex.split(value) if not a.startswith("--")]
        for source in args[:-1]:
            src = ROOT / source
            if src.is_dir():
                shutil.copytree(src, context / source, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(src, context / source)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            ".",
        ],
        cwd=context,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (wheel,) = tmp_path.glob("plan_assistant-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "corpus/plans/hors-plan.yaml",
        "corpus/plans/saint-sacrement-2024-2026/manifest.yaml",
        "corpus/plans/ville-de-quebec-developpement-social-2025-2030/questions.yaml",
        "assistant/relevance.json",
        "api/static/widget.js",
        "api/deploy/nginx.conf",
        "assistant/questionlog/migrations/env.py",
        "index/lexicon.yaml",
        "corpus/plans/saint-sacrement-2024-2026/lexicon.yaml",
        "corpus/plans/ville-de-quebec-developpement-social-2025-2030/lexicon.yaml",
        "corpus/plans/lexicon-order.yaml",
    ):
        assert needed in names, needed
