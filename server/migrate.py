"""Schema migrations with Alembic (server/migrations): every start upgrades the database to
the newest schema, keeping what is in it. A database made before migrations existed (by
``create_all``) is recognised and brought under Alembic first."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

log = logging.getLogger("coach.migrate")
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _config(connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (default: the newest)."""
    with engine.begin() as conn:
        tables = set(inspect(conn).get_table_names())
        if "interview_session" in tables and "alembic_version" not in tables:
            # Made by create_all before migrations: it has 0001's tables, maybe more.
            command.stamp(_config(conn), "0001")
            log.info("existing database brought under migrations at 0001")
        command.upgrade(_config(conn), revision)
