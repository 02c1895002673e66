"""The question log's Alembic migrations, shipped inside the package: no ``alembic.ini``, the
configuration is built here. :func:`upgrade` brings a database to the latest revision; it is the
only way the log's tables are created.

Several workers may start at once: the upgrade runs in one transaction that first takes a lock
(``BEGIN IMMEDIATE`` on SQLite, an advisory lock on PostgreSQL), so the others wait, then find
the database already at head."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

FOLDER = Path(__file__).resolve().parent
LOCK_KEY = 0x51_4C_4F_47  # « QLOG »: PostgreSQL advisory lock held while migrating
# Its own name, so the log can share a PostgreSQL database with another Alembic-managed application.
VERSION_TABLE = "questionlog_version"


def alembic_config(url: str | None = None) -> Config:
    """The Alembic configuration of the log (``url`` only for offline SQL rendering)."""
    config = Config()
    config.set_main_option("script_location", str(FOLDER))
    config.set_main_option("path_separator", "os")
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head() -> str:
    """The latest revision shipped."""
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert revision is not None
    return revision


def current(connection: Connection) -> str | None:
    """The revision a database is at (``None`` before the first migration)."""
    return MigrationContext.configure(
        connection, opts={"version_table": VERSION_TABLE}
    ).get_current_revision()


def upgrade(target: str | Engine) -> None:
    """Migrate the database at ``target`` (a URL or an engine of :func:`~assistant.questionlog.store.make_engine`)
    to the latest revision; does nothing when it is already there."""
    from assistant.questionlog.store import make_engine, writing

    engine = make_engine(target) if isinstance(target, str) else target
    try:
        with writing(engine).begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
            if current(connection) == head():
                return
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        if isinstance(target, str):
            engine.dispose()
