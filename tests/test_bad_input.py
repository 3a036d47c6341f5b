"""Bad input over a real socket: each gets a named error or a clean close, other sessions keep
going, and what was received before the fault stays stored."""

from __future__ import annotations

import asyncio
import json
import wave

import httpx
import pytest
import websockets

from audio.pcm import load_audio
from tests.conftest import start_server, stop_server
from tests.test_live import answer, connect, idle_until, listening
from tests.wsclient import LiveClient, pcm_frames

pytestmark = pytest.mark.models


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory):
    """A server with a short start timeout, so the silent-client case is quick to test."""
    server = start_server(
        tmp_path_factory.mktemp("strict"),
        {"COACH_START_TIMEOUT_S": "2", "COACH_IDLE_TIMEOUT_S": "20"},
    )
    yield server
    stop_server(server)


def run(coro):
    return asyncio.run(coro)


def test_bad_frames_and_messages_get_named_errors(strict_server):
    async def main():
        client = await connect(strict_server)
        bad = [
            b"\x00" * 641,  # odd length
            b"\x00" * 320,  # half a frame
            b"\x00" * 1280,  # two frames glued
            b"",
        ]
        for frame in bad:
            await client.ws.send(frame)
        for text in [
            "this is not json",
            "[1, 2, 3]",
            json.dumps({"type": "teleport"}),
            json.dumps({"no_type": 1}),
            json.dumps({"type": "start", "protocol": 1}),
            json.dumps({"type": "ping", "id": "x"}),
            "x" * (70 * 1024),
        ]:
            await client.ws.send(text)
        await client.wait_for("pong", id="x")
        await asyncio.sleep(0.5)
        codes = [e["code"] for e in client.got.of("error")]
        # the session is still alive and serving
        await client.ws.send(bytes(640))
        await client.send_json({"type": "ping", "id": "still-here"})
        await client.wait_for("pong", id="still-here")
        await client.close()
        return codes, client.got.of("error")

    codes, errors = run(main())
    assert codes.count("bad_frame") == 4
    assert codes.count("bad_json") == 2
    assert "unknown_type" in codes and "bad_message" in codes and "too_large" in codes
    assert any("641 bytes" in e["message"] for e in errors)


def test_audio_before_start_and_silent_client(strict_server):
    async def main():
        ws = await websockets.connect(strict_server.ws_url)
        client = LiveClient(ws)
        await ws.send(bytes(640))
        err = await client.wait_for("error", code="not_started")
        timeout = await client.wait_for("error", code="timeout", timeout=10)
        await asyncio.wait([client._reader], timeout=5)
        return err, timeout, ws.close_code

    err, timeout, close_code = run(main())
    assert "start" in err["message"]
    assert timeout["fatal"] is True
    assert close_code == 1008


def test_protocol_mismatch_closes_cleanly(strict_server):
    async def main():
        ws = await websockets.connect(strict_server.ws_url)
        client = LiveClient(ws)
        await client.send_json({"type": "start", "protocol": 99})
        err = await client.wait_for("error", code="protocol_mismatch")
        await asyncio.wait([client._reader], timeout=5)
        return err, ws.close_code

    err, code = run(main())
    assert "99" in err["message"] and code == 1002


def test_oversized_message_closes_with_1009_and_server_lives(strict_server):
    async def main():
        ws = await websockets.connect(strict_server.ws_url, max_size=None)
        await ws.send(json.dumps({"type": "start", "protocol": 1}))
        await ws.send(b"\x00" * (2 << 20))
        try:
            async for _ in ws:
                pass
        except websockets.ConnectionClosed:
            pass
        return ws.close_code

    assert run(main()) == 1009
    assert httpx.get(strict_server.base_url + "/api/health").status_code == 200


def test_resume_unknown_and_garbage_session(strict_server):
    async def main():
        ws = await websockets.connect(strict_server.ws_url)
        client = LiveClient(ws)
        await client.send_json({"type": "resume", "protocol": 1, "session_id": "deadbeef"})
        nf = await client.wait_for("error", code="not_found")
        await client.send_json({"type": "resume", "protocol": 1, "session_id": "../../etc/passwd"})
        bad = await client.wait_for("error", code="bad_message")
        await client.close()
        return nf, bad

    nf, bad = run(main())
    assert "start" in nf["message"] and "session_id" in bad["message"]


def test_disconnect_mid_answer_keeps_audio_and_transcript_while_others_go_on(
    strict_server, speech_clips
):
    clip, other_clip = speech_clips[3], speech_clips[4]

    async def main():
        victim = await connect(strict_server, round="behavioral")
        other = await connect(strict_server, round="behavioral")
        await idle_until(victim, lambda: listening(victim))
        await idle_until(other, lambda: listening(other))
        audio = load_audio(clip.path)
        frames = pcm_frames(audio)
        sid = victim.got.of("ready")[0]["session_id"]
        # The victim drops mid-answer, while the other session is answering.
        other_task = asyncio.create_task(answer(other, load_audio(other_clip.path)))
        await victim.stream(frames)
        victim.ws.transport.abort()  # no close handshake: a dropped connection
        transcript = await other_task
        await other.close()
        return sid, len(frames), transcript

    sid, n_frames, other_transcript = run(main())
    assert other_transcript["text"]
    # The partial answer is stored as a disconnect turn, and its audio is on disk.
    for _ in range(100):
        data = httpx.get(f"{strict_server.base_url}/api/sessions/{sid}").json()
        if data["status"] != "active":
            break
        asyncio.run(asyncio.sleep(0.2))
    assert data["status"] == "interrupted"
    cand = [t for t in data["turns"] if t["speaker"] == "candidate"]
    assert cand and cand[-1]["reason"] == "disconnect" and len(cand[-1]["text"].split()) >= 5
    with wave.open(str(strict_server.data_dir / "recordings" / sid / "candidate.wav")) as w:
        assert w.getnframes() >= n_frames * 320 * 0.95


def test_resume_after_disconnect_goes_on_from_the_same_question(strict_server):
    async def main():
        first = await connect(strict_server, round="ml_depth")
        sid = first.got.of("ready")[0]["session_id"]
        q1 = (await first.wait_for("reply_started"))["question_id"]
        await first.close()
        await asyncio.sleep(0.5)
        ws = await websockets.connect(strict_server.ws_url)
        second = LiveClient(ws)
        await second.send_json({"type": "resume", "protocol": 1, "session_id": sid})
        ready = await second.wait_for("ready")
        reply = await second.wait_for("reply_started")
        await second.close()
        return q1, ready, reply

    q1, ready, reply = run(main())
    assert ready["resumed"] is True
    assert reply["question_id"] == q1


def test_resume_at_once_after_a_drop_mid_answer_waits_for_the_answer_to_be_stored(
    strict_server, speech_clips
):
    """A reload or a network blip mid-answer: the new connection's resume arrives while the old
    one is still transcribing and storing the cut answer. It gets the session, not "busy"."""
    clip = max(speech_clips, key=lambda c: c.seconds)

    async def main():
        first = await connect(strict_server, round="behavioral")
        await idle_until(first, lambda: listening(first))
        sid = first.got.of("ready")[0]["session_id"]
        question = first.got.of("reply_started")[-1]["question_id"]
        audio = load_audio(clip.path)
        await first.stream(pcm_frames(audio[: int(len(audio) * 0.75)]))  # cut mid-sentence
        await first.close()  # at once: the cut answer is still being transcribed
        ws = await websockets.connect(strict_server.ws_url)
        second = LiveClient(ws)
        await second.send_json({"type": "resume", "protocol": 1, "session_id": sid})
        ready = await second.wait_for("ready", timeout=60)
        reply = await second.wait_for("reply_started")
        errors = second.got.of("error")
        await second.send_json({"type": "stop"})
        await second.wait_for("session_ended")
        await second.close()
        return sid, question, ready, reply, errors

    sid, question, ready, reply, errors = run(main())
    assert not errors, errors
    assert ready["resumed"] is True and reply["question_id"] == question
    data = httpx.get(f"{strict_server.base_url}/api/sessions/{sid}").json()
    cand = [t for t in data["turns"] if t["speaker"] == "candidate"]
    assert cand and cand[-1]["reason"] == "disconnect", [(t["reason"], t["end_ms"]) for t in cand]
