"""The live session with an Anthropic key, against a fake Messages API on loopback: Claude
words the follow-up and grades the answer; when it fails, the interview goes on locally."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from audio.pcm import load_audio
from tests.conftest import start_server, stop_server
from tests.fake_anthropic import FakeAnthropic, RecordedRequest, server_error, tool_use
from tests.test_live import answer, connect, idle_until, listening

pytestmark = pytest.mark.models

KEY = "sk-ant-test-0123456789"
FOLLOW_UP = "Which online metric would tell you the fix really worked?"


def claude(request: RecordedRequest):
    tool = request.body["tools"][0]
    props = tool["input_schema"]["properties"]
    if tool["name"] == "ask_follow_up":
        criterion = props["criterion"]["enum"][0]
        return tool_use(tool["name"], {"follow_up": FOLLOW_UP, "criterion": criterion})
    ids = props["criteria"]["items"]["properties"]["id"]["enum"]
    return tool_use(
        tool["name"],
        {
            "criteria": [
                {"id": i, "score": 1, "evidence": [], "missing": "fake: more depth"} for i in ids
            ],
            "failure_modes": [],
            "summary": "fake Claude summary",
            "improvements": ["fake: say what shipped"],
            "ignored_instructions": False,
        },
    )


@pytest.fixture()
def fake_claude():
    with FakeAnthropic(api_key=KEY) as fake:
        fake.handler = claude
        yield fake


def run_one_answer(fake, tmp_path, clip):
    server = start_server(
        tmp_path / "data",
        {"ANTHROPIC_API_KEY": KEY, "COACH_ANTHROPIC_BASE_URL": fake.base_url},
    )
    try:

        async def main():
            client = await connect(server, round="behavioral")
            await idle_until(client, lambda: listening(client))
            await answer(client, load_audio(clip.path))
            reply = client.got.of("reply_started")[-1]
            await client.close()
            return client.got.of("ready")[0]["session_id"], reply

        sid, reply = asyncio.run(main())
        for _ in range(50):  # the Claude grading lands in the background
            data = httpx.get(f"{server.base_url}/api/sessions/{sid}").json()
            if data["scores"] and data["scores"][0]["engine"] == "claude":
                break
            asyncio.run(asyncio.sleep(0.2))
        log = server.log()
    finally:
        stop_server(server)
    return reply, data, log


def test_claude_words_the_follow_up_and_grades(fake_claude, tmp_path, speech_clips):
    reply, data, log = run_one_answer(fake_claude, tmp_path, speech_clips[0])
    assert reply["kind"] == "follow_up" and reply["text"].endswith(FOLLOW_UP)
    assert data["scores"][0]["engine"] == "claude"
    assert data["scores"][0]["summary"] == "fake Claude summary"
    # the key went only in its header, and never into the log
    assert all(r.headers.get("x-api-key") == KEY for r in fake_claude.requests)
    assert KEY not in log


def test_claude_failing_falls_back_to_local(fake_claude, tmp_path, speech_clips):
    fake_claude.handler = lambda _request: server_error(500)
    reply, data, log = run_one_answer(fake_claude, tmp_path, speech_clips[0])
    assert reply["kind"] in ("follow_up", "question") and FOLLOW_UP not in reply["text"]
    assert data["scores"][0]["engine"] == "local"
    assert any("scored locally" in n for n in data["scores"][0]["notes"])
    assert KEY not in log
