"""Crash safety: the server killed with SIGKILL mid-answer loses at most the last second of
audio, comes back with a clean database, marks the session interrupted, transcribes what was
said after the last stored turn, and lets the candidate resume at the same question."""

from __future__ import annotations

import asyncio
import signal
import time
import wave

import httpx
import numpy as np
import pytest
import websockets

from audio.pcm import load_audio
from audio.wer import wer
from tests.conftest import start_server, stop_server
from tests.test_live import connect, idle_until, listening
from tests.wsclient import LiveClient, pcm_frames, silence

pytestmark = pytest.mark.models


def test_sigkill_mid_answer_then_restart_and_resume(tmp_path, speech_clips):
    clip = next(c for c in speech_clips if c.seconds > 12)
    data_dir = tmp_path / "data"
    server = start_server(data_dir)
    audio = load_audio(clip.path)

    async def speak_and_get_killed():
        client = await connect(server, round="behavioral")
        await idle_until(client, lambda: listening(client))
        sid = client.got.of("ready")[0]["session_id"]
        question = client.got.of("reply_started")[-1]["question_id"]
        frames = pcm_frames(np.concatenate([silence(0.3), audio]))
        sent_before = len(client.got.events)  # noqa: F841 - for debugging a failure
        await client.stream(frames)  # the whole answer, no pause at the end
        server.proc.send_signal(signal.SIGKILL)  # mid-answer: the turn never ended
        server.proc.wait(10)
        await asyncio.wait([client._reader], timeout=5)
        return sid, question, len(frames)

    try:
        sid, question, n_frames = asyncio.run(speak_and_get_killed())
    finally:
        if server.proc.poll() is None:
            server.proc.kill()

    wav = data_dir / "recordings" / sid / "candidate.wav"
    on_disk = (wav.stat().st_size - 44) // 2
    lead_in = on_disk - n_frames * 320  # frames sent before the answer (the opening's silence)
    assert lead_in >= -16000, "more than a second of the answer was lost"

    restarted = start_server(data_dir)
    try:
        data = httpx.get(f"{restarted.base_url}/api/sessions/{sid}").json()
        assert data["status"] == "interrupted"
        recovered = [t for t in data["turns"] if t["reason"] == "recovered"]
        assert recovered, data["turns"]
        assert recovered[0]["question_id"] == question
        # A reader's pause can end the turn early (it sounds finished); the parts stored before
        # the kill plus the recovered tail are then the whole answer.
        answer = [
            t["text"]
            for t in data["turns"]
            if t["speaker"] == "candidate" and t["question_id"] == question
        ]
        assert wer(clip.transcript, " ".join(answer)) < 0.35
        with wave.open(str(wav)) as w:  # the header was repaired: the whole file plays
            assert w.getnframes() == on_disk
        audio_resp = httpx.get(f"{restarted.base_url}/api/sessions/{sid}/audio/candidate.wav")
        assert audio_resp.status_code == 200

        async def resume():
            ws = await websockets.connect(restarted.ws_url)
            client = LiveClient(ws)
            await client.send_json({"type": "resume", "protocol": 1, "session_id": sid})
            ready = await client.wait_for("ready")
            reply = await client.wait_for("reply_started")
            await client.close()
            return ready, reply

        ready, reply = asyncio.run(resume())
        assert ready["resumed"] and reply["question_id"] == question
    finally:
        stop_server(restarted)
    time.sleep(0.1)
