"""Schema migrations (Alembic) on SQLite and PostgreSQL: an upgrade keeps existing sessions,
and the migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel

from server.db import make_engine
from server.migrate import current_revision, upgrade
from server.models import CodeRun, CodeSnapshot
from server.store import Store

HEAD = "0003"


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
    assert current_revision(engine) == HEAD
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
    assert current_revision(engine) == HEAD
    engine.dispose()


def test_code_workspace_migration_keeps_sessions_and_adds_the_code_tables(database_url):
    """0002 -> 0003: a session with turns and a grading made before the coding workspace
    is kept as it was, and the new tables take snapshots and runs for it."""
    engine = make_engine(database_url)
    upgrade(engine, "0002")
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
                "('s2', 'u1', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'interrupted', 'coding', "
                "'study', 'big_tech', '', '{\"question_ids\": [\"kmeans-from-scratch\"]}', 7000)"
            )
        )
        conn.execute(
            text(
                'INSERT INTO turn (session_id, "index", speaker, text, start_ms, end_ms, kind, '
                "reason, interrupted, words_json, attempt, created_at) VALUES ('s2', 0, "
                "'candidate', 'first try', 0, 900, 'answer', 'silence', false, '[]', 2, "
                "CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO score (session_id, question_id, attempt, overall, result_json, "
                "created_at) VALUES ('s2', 'kmeans-from-scratch', 2, 40, '{}', CURRENT_TIMESTAMP)"
            )
        )
    upgrade(engine)
    assert current_revision(engine) == HEAD
    store = Store(engine)
    row = store.get_session("s2")
    assert row is not None and row.clock_ms == 7000 and row.status == "interrupted"
    assert "kmeans-from-scratch" in row.engine_state
    [turn] = store.list_turns("s2")
    assert turn.text == "first try" and turn.attempt == 2
    assert [s.overall for s in store.list_scores("s2")] == [40]
    assert store.list_code_snapshots("s2") == [] and store.list_code_runs("s2") == []
    store.add_code_snapshot(
        CodeSnapshot(session_id="s2", question_id="kmeans-from-scratch", attempt=2, at_ms=10)
    )
    store.add_code_run(
        CodeRun(session_id="s2", question_id="kmeans-from-scratch", attempt=2, at_ms=20, total=3)
    )
    assert store.latest_code_run("s2", "kmeans-from-scratch", 2).total == 3
    store.delete_session("s2")
    assert store.list_code_snapshots("s2") == [] and store.list_code_runs("s2") == []
    assert store.get_session("s2") is None
    engine.dispose()
