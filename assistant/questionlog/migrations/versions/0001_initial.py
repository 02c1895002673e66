"""The question log: answers with their references and plans, one vote per answer, and the daily
aggregates that outlive the entries.

Revision ID: 0001
Revises:
Create Date: 2025-06-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "answers",
        sa.Column("answer_id", sa.String(64), nullable=False),
        sa.Column("conversation_id", sa.String(64), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("intent", sa.String(64), nullable=False),
        sa.Column("coverage", sa.String(16), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("build_id", sa.String(128), nullable=False),
        sa.Column("origin", sa.String(255), nullable=True),
        sa.Column("hour", sa.DateTime(), nullable=False),
        sa.CheckConstraint("coverage IN ('complete', 'partial', 'none')", name=op.f("ck_answers_coverage")),
        sa.PrimaryKeyConstraint("answer_id", name=op.f("pk_answers")),
    )
    op.create_index(op.f("ix_answers_conversation_id"), "answers", ["conversation_id"])
    op.create_index(op.f("ix_answers_hour"), "answers", ["hour"])

    for child, column, width in (("answer_refs", "ref", 255), ("answer_plans", "plan_id", 128)):
        op.create_table(
            child,
            sa.Column("answer_id", sa.String(64), nullable=False),
            sa.Column("rank", sa.Integer(), nullable=False),
            sa.Column(column, sa.String(width), nullable=False),
            sa.ForeignKeyConstraint(
                ["answer_id"],
                ["answers.answer_id"],
                name=op.f(f"fk_{child}_answer_id_answers"),
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("answer_id", "rank", name=op.f(f"pk_{child}")),
        )
        op.create_index(op.f(f"ix_{child}_{column}"), child, [column])

    op.create_table(
        "feedback",
        sa.Column("answer_id", sa.String(64), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(32), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("hour", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "reason IS NULL OR reason IN ('mauvaise_action', 'pas_clair', 'incomplet', 'autre')",
            name=op.f("ck_feedback_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["answer_id"],
            ["answers.answer_id"],
            name=op.f("fk_feedback_answer_id_answers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("answer_id", name=op.f("pk_feedback")),
    )

    op.create_table(
        "daily_aggregates",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("plan_id", sa.String(128), nullable=False),
        sa.Column("coverage", sa.String(16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("helpful", sa.Integer(), nullable=False),
        sa.Column("not_helpful", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "plan_id", "coverage", name=op.f("pk_daily_aggregates")),
    )
    op.create_table(
        "ref_aggregates",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("ref", sa.String(255), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "ref", name=op.f("pk_ref_aggregates")),
    )


def downgrade() -> None:
    op.drop_table("ref_aggregates")
    op.drop_table("daily_aggregates")
    op.drop_table("feedback")
    for child, column in (("answer_plans", "plan_id"), ("answer_refs", "ref")):
        op.drop_index(op.f(f"ix_{child}_{column}"), table_name=child)
        op.drop_table(child)
    op.drop_index(op.f("ix_answers_hour"), table_name="answers")
    op.drop_index(op.f("ix_answers_conversation_id"), table_name="answers")
    op.drop_table("answers")
