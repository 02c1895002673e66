"""The README documents every setting, and the two set-up commands that CI runs."""

from __future__ import annotations

import re

from api.settings import ENV_PREFIX, Settings
from index.config import RetrievalConfig

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    documented = set(re.findall(r"`(PLAN_ASSISTANT_[A-Z_]+)`", README))
    for name in Settings.model_fields:
        assert f"{ENV_PREFIX}{name.upper()}" in documented or name == "retrieval", name
    section = README[README.index("`PLAN_ASSISTANT_RETRIEVAL__") :].split("\n", 1)[0]
    for name in RetrievalConfig.model_fields:
        assert f"`{name.upper()}`" in section, name
    # And nothing documented that does not exist.
    known = {f"{ENV_PREFIX}{n.upper()}" for n in Settings.model_fields}
    assert {d for d in documented if not d.startswith("PLAN_ASSISTANT_RETRIEVAL")} <= known


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one() -> None:
    assert "make serve" in README and "make test" in README
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
