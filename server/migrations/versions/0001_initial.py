"""The first schema: users, interview sessions, turns, scores.

Revision ID: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("email", sa.String(), nullable=False),
        sa.Column("password_hash", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_user_email", "user", ["email"], unique=True)
    op.create_table(
        "interview_session",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("user_id", sa.String(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("round", sa.String(), nullable=False),
        sa.Column("mode", sa.String(), nullable=False),
        sa.Column("profile", sa.String(), nullable=False),
        sa.Column("job_description", sa.String(), nullable=False),
        sa.Column("engine_state", sa.String(), nullable=False),
        sa.Column("clock_ms", sa.Integer(), nullable=False),
        sa.Column("live_node", sa.String(), nullable=True),
        sa.Column("live_heartbeat", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_interview_session_user_id", "interview_session", ["user_id"])
    op.create_table(
        "turn",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("session_id", sa.String(), sa.ForeignKey("interview_session.id"), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("speaker", sa.String(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("start_ms", sa.Integer(), nullable=False),
        sa.Column("end_ms", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(), nullable=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("interrupted", sa.Boolean(), nullable=False),
        sa.Column("words_json", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_turn_session_id", "turn", ["session_id"])
    op.create_table(
        "score",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("session_id", sa.String(), sa.ForeignKey("interview_session.id"), nullable=False),
        sa.Column("turn_id", sa.Integer(), sa.ForeignKey("turn.id"), nullable=True),
        sa.Column("question_id", sa.String(), nullable=False),
        sa.Column("overall", sa.Integer(), nullable=False),
        sa.Column("result_json", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_score_session_id", "score", ["session_id"])


def downgrade() -> None:
    for table in ("score", "turn", "interview_session", "user"):
        op.drop_table(table)
