"""Staff corrections: the actions that answer a question (or none), who decided it and when.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "corrections",
        sa.Column("correction_id", sa.String(64), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("refs", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("author", sa.String(120), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("answer_id", sa.String(64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("correction_id", name=op.f("pk_corrections")),
    )
    op.create_index(op.f("ix_corrections_created"), "corrections", ["created"])


def downgrade() -> None:
    op.drop_index(op.f("ix_corrections_created"), table_name="corrections")
    op.drop_table("corrections")
