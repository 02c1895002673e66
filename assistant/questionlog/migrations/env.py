"""Alembic's environment for the question log. :func:`assistant.questionlog.migrations.upgrade`
passes an open connection, already inside a transaction that holds the migration lock; offline
(``--sql``) mode renders the SQL for the URL in the configuration."""

from __future__ import annotations

from alembic import context

from assistant.questionlog.migrations import VERSION_TABLE
from assistant.questionlog.schema import Base

config = context.config

if context.is_offline_mode():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=Base.metadata,
        version_table=VERSION_TABLE,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("migrations du journal : passez par assistant.questionlog.upgrade(url)")
    context.configure(connection=connection, target_metadata=Base.metadata, version_table=VERSION_TABLE)
    with context.begin_transaction():
        context.run_migrations()
