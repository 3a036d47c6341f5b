"""The persistence layer on SQLite and on PostgreSQL."""

from __future__ import annotations

import json

from server.db import create_schema, make_engine
from server.models import LOCAL_USER_ID, Turn
from server.store import Store


def store_for(url: str) -> Store:
    engine = make_engine(url)
    create_schema(engine)
    store = Store(engine)
    store.ensure_local_user()
    return store


def test_sessions_turns_scores_round_trip(database_url):
    store = store_for(database_url)
    row = store.create_session(
        user_id=LOCAL_USER_ID,
        round="coding",
        mode="study",
        profile="ai_lab",
        engine_state={"question_ids": ["kmeans-from-scratch"]},
    )
    assert json.loads(store.get_session(row.id).engine_state)["question_ids"]
    for i, speaker in enumerate(["interviewer", "candidate"]):
        store.add_turn(
            Turn(
                session_id=row.id,
                index=i,
                speaker=speaker,
                text=f"t{i}",
                start_ms=i * 1000,
                end_ms=i * 1000 + 500,
                question_id="kmeans-from-scratch",
                words_json=json.dumps([["t", 0, 10]]),
            )
        )
    turns = store.list_turns(row.id)
    assert [t.speaker for t in turns] == ["interviewer", "candidate"]
    assert store.next_turn_index(row.id) == 2
    store.upsert_score(session_id=row.id, question_id="kmeans-from-scratch", result={"overall": 40})
    store.upsert_score(session_id=row.id, question_id="kmeans-from-scratch", result={"overall": 70})
    scores = store.list_scores(row.id)
    assert len(scores) >= 1 and max(s.overall for s in scores) == 70
    assert [s.id for s in store.list_sessions(user_id=LOCAL_USER_ID)] == [row.id]
    store.update_session(row.id, status="completed", clock_ms=1234)
    assert store.get_session(row.id).status == "completed"
    store.delete_session(row.id)
    assert store.get_session(row.id) is None and store.list_turns(row.id) == []
    store.engine.dispose()


def test_unicode_and_long_text(database_url):
    store = store_for(database_url)
    row = store.create_session(
        user_id=LOCAL_USER_ID,
        round="star",
        mode="interview",
        profile="big_tech",
        job_description="Ingénieur ML — 数据 " * 500,
    )
    store.add_turn(Turn(session_id=row.id, index=0, speaker="candidate", text="naïve café " * 2000))
    assert store.list_turns(row.id)[0].text.startswith("naïve café")
    store.engine.dispose()
