"""The answer as given and the staff's reviews: each answer's lead (the first line the citizen read,
redacted like the question) and its place in its conversation; « revu » marks and notes on the
answers they cover.

Also from this revision on, the daily aggregates count Québec days (America/Montreal) instead of
UTC days: the code writes them so, the table does not change. Rows written before count UTC days
and are read as the Québec day of the same date (19 or 20 of its 24 hours); they cannot be split
again, the entries they counted being purged after the retention period.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-14
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # Nullable columns: SQLite adds them in place (no table rebuild), PostgreSQL without a rewrite.
    op.add_column("answers", sa.Column("lead", sa.Text(), nullable=True))
    op.add_column("answers", sa.Column("turn", sa.Integer(), nullable=True))
    op.create_table(
        "reviews",
        sa.Column("review_id", sa.String(64), nullable=False),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("reviewed", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("author", sa.String(120), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.CheckConstraint("scope IN ('question', 'cluster')", name=op.f("ck_reviews_scope")),
        sa.PrimaryKeyConstraint("review_id", name=op.f("pk_reviews")),
    )
    op.create_table(
        "review_answers",
        sa.Column("review_id", sa.String(64), nullable=False),
        sa.Column("answer_id", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.review_id"],
            name=op.f("fk_review_answers_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["answer_id"],
            ["answers.answer_id"],
            name=op.f("fk_review_answers_answer_id_answers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("review_id", "answer_id", name=op.f("pk_review_answers")),
    )
    op.create_index(op.f("ix_review_answers_answer_id"), "review_answers", ["answer_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_review_answers_answer_id"), table_name="review_answers")
    op.drop_table("review_answers")
    op.drop_table("reviews")
    # In place (SQLite 3.35 and later): a rebuilt « answers » would cascade its deletion to the
    # references, plans and votes.
    op.drop_column("answers", "turn")
    op.drop_column("answers", "lead")
