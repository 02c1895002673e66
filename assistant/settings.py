"""The one settings object. Every setting is declared here once, with its default and its
help text, and read from the environment (prefix ``PLAN_ASSISTANT_``). The README's
settings table is checked against this declaration by the test suite."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from corpus.loader import DEFAULT_CORPUS_DIR

ENV_PREFIX = "PLAN_ASSISTANT_"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", populate_by_name=True)

    data_dir: Path = Field(
        default=Path("data"),
        description="Dossier des données produites : index vectoriel, rapports d'évaluation et de bancs d'essai.",
    )
    corpus_dir: Path = Field(
        default=DEFAULT_CORPUS_DIR,
        description="Dossier des plans (un sous-dossier par plan avec son manifest.yaml).",
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
