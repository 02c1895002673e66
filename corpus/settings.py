"""Settings, declared by the layer that uses them, each with its default and help text, read from
the environment (prefix ``PLAN_ASSISTANT_``). Each higher layer extends the one below it:
:class:`CorpusSettings` < :class:`index.settings.IndexSettings` <
:class:`assistant.settings.AssistantSettings` < :class:`api.settings.Settings`, the service's one
settings object. The settings table of docs/reglages.md is checked against it by the test suite."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from corpus.loader import DEFAULT_CORPUS_DIR

ENV_PREFIX = "PLAN_ASSISTANT_"


class CorpusSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="ignore", populate_by_name=True
    )

    corpus_dir: Path = Field(
        default=DEFAULT_CORPUS_DIR,
        description="Dossier des plans (un sous-dossier par plan avec son manifest.yaml).",
    )


def settings_problem(e: ValidationError) -> str:
    """A settings error as one line per bad setting, named as in the environment."""
    lines = []
    for err in e.errors():
        name = ENV_PREFIX + "__".join(str(x) for x in err.get("loc", ())).upper()
        msg = str(err.get("msg", "")).removeprefix("Value error, ")
        lines.append(f"réglage {name} : {msg}")
    return "; ".join(lines) or str(e)
