"""Accounts (server-side login sessions) and "try again" attempts on turns and scores.

Revision ID: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Guarded: a database made by create_all during development may have these already.
    existing = sa.inspect(op.get_bind())
    if not existing.has_table("login_session"):
        _create_login_session()
    for table in ("turn", "score"):
        if "attempt" in {c["name"] for c in existing.get_columns(table)}:
            continue
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("attempt", sa.Integer(), nullable=False, server_default="1"))


def _create_login_session() -> None:
    op.create_table(
        "login_session",
        sa.Column("token_hash", sa.String(), primary_key=True),
        sa.Column("user_id", sa.String(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("csrf_token", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_login_session_user_id", "login_session", ["user_id"])
    for table in ("turn", "score"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("attempt", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    for table in ("turn", "score"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("attempt")
    op.drop_table("login_session")
