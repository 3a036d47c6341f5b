"""The coding workspace: editor snapshots and test runs, on the session clock.

Revision ID: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Guarded: a database made by create_all during development may have these already.
    existing = sa.inspect(op.get_bind())
    if not existing.has_table("code_snapshot"):
        op.create_table(
            "code_snapshot",
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column(
                "session_id", sa.String(), sa.ForeignKey("interview_session.id"), nullable=False
            ),
            sa.Column("question_id", sa.String(), nullable=False),
            sa.Column("attempt", sa.Integer(), nullable=False),
            sa.Column("at_ms", sa.Integer(), nullable=False),
            sa.Column("text", sa.String(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        )
        op.create_index("ix_code_snapshot_session_id", "code_snapshot", ["session_id"])
    if not existing.has_table("code_run"):
        op.create_table(
            "code_run",
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column(
                "session_id", sa.String(), sa.ForeignKey("interview_session.id"), nullable=False
            ),
            sa.Column("question_id", sa.String(), nullable=False),
            sa.Column("attempt", sa.Integer(), nullable=False),
            sa.Column("at_ms", sa.Integer(), nullable=False),
            sa.Column("code", sa.String(), nullable=False),
            sa.Column("passed", sa.Integer(), nullable=False),
            sa.Column("failed", sa.Integer(), nullable=False),
            sa.Column("total", sa.Integer(), nullable=False),
            sa.Column("cases_json", sa.String(), nullable=False),
            sa.Column("stdout", sa.String(), nullable=False),
            sa.Column("stderr", sa.String(), nullable=False),
            sa.Column("limits_hit", sa.String(), nullable=True),
            sa.Column("error", sa.String(), nullable=True),
            sa.Column("seconds", sa.Float(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        )
        op.create_index("ix_code_run_session_id", "code_run", ["session_id"])


def downgrade() -> None:
    op.drop_table("code_run")
    op.drop_table("code_snapshot")
