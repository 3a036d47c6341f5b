"""Alembic environment: run by ``server.migrate.upgrade`` with a connection handed over in
``config.attributes["connection"]`` (no alembic.ini, no URL in a file)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from server import auth, models  # noqa: F401 - the tables, for comparisons

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER much
)
with context.begin_transaction():
    context.run_migrations()
