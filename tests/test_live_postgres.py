"""A live interview with PostgreSQL as the database: turns and state land there."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from audio.pcm import load_audio
from tests.conftest import start_server, stop_server
from tests.test_live import answer, connect, idle_until, listening

pytestmark = pytest.mark.models


def test_live_session_on_postgresql(postgres_url, tmp_path, speech_clips):
    from sqlalchemy import create_engine, text

    engine = create_engine(postgres_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    server = start_server(tmp_path / "data", {"COACH_DATABASE_URL": postgres_url})
    try:

        async def main():
            client = await connect(server, round="behavioral")
            await idle_until(client, lambda: listening(client))
            got = await answer(client, load_audio(speech_clips[0].path))
            await client.send_json({"type": "stop"})
            await client.wait_for("session_ended")
            await client.close()
            return client.got.of("ready")[0]["session_id"], got

        sid, transcript = asyncio.run(main())
        data = httpx.get(f"{server.base_url}/api/sessions/{sid}").json()
    finally:
        stop_server(server)
    first_answer = next(t for t in data["turns"] if t["speaker"] == "candidate")
    assert first_answer["text"] == transcript["text"]
    with engine.connect() as conn:
        count = conn.execute(
            text("SELECT count(*) FROM turn WHERE session_id = :sid"), {"sid": sid}
        ).scalar()
    engine.dispose()
    assert count >= 3
