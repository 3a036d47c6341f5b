"""Schema migrations (Alembic) on SQLite and PostgreSQL: an upgrade keeps existing sessions,
and the migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel

from server.db import make_engine
from server.migrate import current_revision, upgrade
from server.store import Store


def test_upgrade_keeps_existing_sessions(database_url):
    engine = make_engine(database_url)
    upgrade(engine, "0001")  # the first released schema
    with engine.begin() as conn:
        conn.execute(
            text(
                'INSERT INTO "user" (id, email, password_hash, created_at) '
                "VALUES ('u1', 'a@b.c', '', CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO interview_session (id, user_id, created_at, updated_at, status, "
                "round, mode, profile, job_description, engine_state, clock_ms) VALUES "
                "('s1', 'u1', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'completed', 'coding', "
                "'study', 'big_tech', '', '{}', 5000)"
            )
        )
        conn.execute(
            text(
                'INSERT INTO turn (session_id, "index", speaker, text, start_ms, end_ms, kind, '
                "reason, interrupted, words_json, created_at) VALUES ('s1', 0, 'candidate', "
                "'my old answer', 0, 900, 'answer', 'silence', false, '[]', CURRENT_TIMESTAMP)"
            )
        )
    upgrade(engine)
    assert current_revision(engine) == "0002"
    store = Store(engine)
    row = store.get_session("s1")
    assert row is not None and row.clock_ms == 5000
    turns = store.list_turns("s1")
    assert turns[0].text == "my old answer" and turns[0].attempt == 1
    engine.dispose()


def test_migrations_match_the_models(database_url):
    engine = make_engine(database_url)
    upgrade(engine)
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    engine.dispose()
    # Types and nullability are checked; server defaults are not compared by alembic.
    assert diffs == [], diffs


def test_a_database_made_before_migrations_is_adopted(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    SQLModel.metadata.create_all(engine)  # how the first versions made the schema
    upgrade(engine)
    assert current_revision(engine) == "0002"
    engine.dispose()
