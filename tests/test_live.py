"""The live loop over a real socket: the real server with the real models, a websockets client
streaming the shared speech clips at real-time pace."""

from __future__ import annotations

import asyncio
import wave

import httpx
import numpy as np
import pytest
import websockets

from audio.pcm import load_audio
from audio.wer import corpus_wer, wer
from tests.wsclient import LiveClient, pcm_frames, silence

pytestmark = pytest.mark.models

SILENCE_FRAME = bytes(640)


async def connect(server, **start) -> LiveClient:
    ws = await websockets.connect(server.ws_url, max_size=None)
    client = LiveClient(ws)
    await client.send_json({"type": "start", "protocol": 1, **start})
    await client.wait_for("ready")
    return client


async def idle_until(client: LiveClient, predicate, timeout: float = 60.0, speed: float = 4.0):
    """Stream silence (faster than real time) until ``predicate()`` holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out; events: {client.got.events[-8:]}")
        await client.ws.send(SILENCE_FRAME)
        await asyncio.sleep(0.02 / speed)


def listening(client: LiveClient) -> bool:
    states = client.got.of("state")
    return bool(states) and states[-1]["state"] == "listening"


async def answer(client: LiveClient, audio: np.ndarray) -> dict:
    """Speak one answer at real-time pace, then wait for its transcript and the reply.

    If the server ended the turn in a pause (a reader's pause after a sentence can sound
    finished) and the rest came as a continuation, the parts are joined, as the interviewer
    joins them: the answer is over once a transcript that came after the last audio sent
    has been replied to."""
    n_transcripts = len(client.got.of("transcript"))
    await client.stream(pcm_frames(np.concatenate([silence(0.3), audio, silence(0.2)])))
    sent = len(client.got.events)

    def replied() -> bool:
        kinds = [e.get("type") for e in client.got.events[sent:]]
        if "transcript" not in kinds:
            return False
        last = len(kinds) - 1 - kinds[::-1].index("transcript")
        return "reply_started" in kinds[last:]

    await idle_until(client, replied, speed=1.0)
    parts = client.got.of("transcript")[n_transcripts:]
    return {**parts[0], "text": " ".join(p["text"] for p in parts), "parts": len(parts)}


def test_speech_clips_are_transcribed_live_and_the_interviewer_answers(live_server, speech_clips):
    async def main():
        results = []
        client = await connect(live_server, round="behavioral")
        await idle_until(client, lambda: listening(client))
        assert client.got.audio_bytes > 16000 * 2, "the opening question was not spoken"
        for clip in speech_clips:
            if client.got.of("session_ended"):
                await client.close()
                client = await connect(live_server, round="star")
                await idle_until(client, lambda c=client: listening(c))
            audio_before = client.got.audio_bytes
            transcript = await answer(client, load_audio(clip.path))
            await idle_until(
                client, lambda c=client: listening(c) or bool(c.got.of("session_ended"))
            )
            assert client.got.audio_bytes > audio_before, "no interviewer audio after the answer"
            results.append((clip, transcript))
        await client.close()
        return results

    results = asyncio.run(main())
    pairs = []
    for clip, transcript in results:
        clip_wer = wer(clip.transcript, transcript["text"])
        print(f"{clip.path.name}: WER {clip_wer:.1%}")  # noqa: T201 - reported per clip
        assert clip_wer < 0.35, (clip.path.name, transcript["text"])
        assert transcript["reason"] == "silence"
        pairs.append((clip.transcript, transcript["text"]))
    total = corpus_wer(pairs)
    print(f"live corpus WER over {len(pairs)} clips: {total:.1%}")  # noqa: T201
    assert total < 0.12


def test_turns_and_both_tracks_are_stored(live_server, speech_clips):
    clip = speech_clips[0]

    async def main():
        client = await connect(live_server, round="coding")
        await idle_until(client, lambda: listening(client))
        transcript = await answer(client, load_audio(clip.path))
        await idle_until(client, lambda: listening(client))
        await client.send_json({"type": "stop"})
        await client.wait_for("session_ended")
        await client.close()
        return client.got.of("ready")[0]["session_id"], transcript

    sid, transcript = asyncio.run(main())
    data = httpx.get(f"{live_server.base_url}/api/sessions/{sid}").json()
    speakers = [t["speaker"] for t in data["turns"]]
    assert speakers[:3] == ["interviewer", "candidate", "interviewer"]
    cand = data["turns"][1]
    assert cand["text"] == transcript["text"] and cand["end_ms"] > cand["start_ms"]
    assert data["turns"][0]["question_id"]
    assert data["status"] == "completed"
    for track in ("candidate", "interviewer"):
        path = live_server.data_dir / "recordings" / sid / f"{track}.wav"
        with wave.open(str(path)) as w:
            assert w.getframerate() == 16000 and w.getnchannels() == 1
            assert w.getnframes() > 16000 * 2
    # Both tracks share the session clock: the interviewer's reply starts after the answer.
    reply = data["turns"][2]
    assert reply["start_ms"] >= cand["end_ms"]
    audio = httpx.get(f"{live_server.base_url}/api/sessions/{sid}/audio/interviewer.wav")
    assert audio.status_code == 200 and audio.content[:4] == b"RIFF"


def test_im_done_button_ends_the_turn_without_waiting(live_server, speech_clips):
    clip = speech_clips[1]
    audio = load_audio(clip.path)
    # Press the button as the last word ends: the file's own trailing silence could
    # otherwise outlast the short wait of a finished-sounding answer.
    loud = np.flatnonzero(np.abs(audio) > 0.05 * np.abs(audio).max())
    audio = audio[: loud[-1] + 800]

    async def main():
        client = await connect(live_server, round="ml_depth")
        await idle_until(client, lambda: listening(client))
        await client.stream(pcm_frames(audio))
        await client.send_json({"type": "end_turn"})
        event = await client.wait_for("transcript", timeout=20)
        await client.close()
        return event

    event = asyncio.run(main())
    assert event["reason"] == "button"
    assert wer(clip.transcript, event["text"]) < 0.35


def test_barge_in_stops_the_interviewer(live_server, speech_clips):
    clip = speech_clips[2]

    async def main():
        client = await connect(live_server, round="system_design")
        await client.wait_for("reply_started")
        await client.wait_for("reply_sentence")
        # Speak over the interviewer's opening question.
        await client.stream(pcm_frames(load_audio(clip.path)[: 16000 * 3]))
        stop = await client.wait_for("stop_playback", timeout=10)
        done = await client.wait_for("reply_done", reply_id=stop["reply_id"])
        await client.close()
        return done

    done = asyncio.run(main())
    assert done["interrupted"] is True


def test_going_on_after_a_long_pause_continues_the_same_answer(live_server, speech_clips):
    """A pause long enough to end the turn, then more speech right as the reply starts: the
    reply is taken back, and the interviewer answers the whole answer once."""
    first = load_audio(speech_clips[5].path)
    second = load_audio(speech_clips[6].path)

    async def main():
        client = await connect(live_server, round="coding")
        await idle_until(client, lambda: listening(client))
        q = client.got.of("reply_started")[-1]["question_id"]
        n = len(client.got.of("reply_started"))
        await client.stream(pcm_frames(np.concatenate([silence(0.3), first])))
        # Keep quiet until the interviewer starts replying, then go on talking.
        await idle_until(client, lambda: len(client.got.of("reply_started")) > n, speed=1.0)
        await client.stream(pcm_frames(np.concatenate([second, silence(0.2)])))
        await idle_until(client, lambda: len(client.got.of("reply_started")) > n + 1, speed=1.0)
        await client.close()
        return q, client.got

    q, got = asyncio.run(main())
    replies = got.of("reply_started")
    assert got.of("stop_playback"), "the early reply was not stopped"
    # The taken-back reply and the final one answer the same question the same way: the
    # engine was rolled back, so it did not count the first half as a full answer.
    assert replies[-1]["question_id"] == q
    assert replies[-1]["kind"] == replies[-2]["kind"] == "follow_up"
    assert replies[-1]["text"] == replies[-2]["text"]


def test_a_long_answer_is_decoded_again_as_a_whole_for_the_record(tmp_path, speech_clips):
    """An answer past the live buffer (28 s) is decoded piece by piece live; once the reply
    has started, the server decodes the recording of the whole answer again, updates the
    stored turn and tells the client (``transcript_revised``)."""
    from tests.conftest import start_server, stop_server

    by_name = {c.path.name: c for c in speech_clips}
    names = ["1221-135766-0001.wav", "1272-141231-0002.wav", "1089-134686-0001.wav"]
    audio = np.concatenate(
        [np.concatenate([load_audio(by_name[n].path), silence(0.15)]) for n in names]
    )
    reference = " ".join(by_name[n].transcript for n in names)
    # One turn for the whole answer: a patient end of turn, so the clips' gaps never end it.
    env = {
        "COACH_END_OF_TURN": "text",
        "COACH_HANGOVER_MS": "2500",
        "COACH_HANGOVER_COMPLETE_MS": "2500",
        "COACH_REVISE_AFTER_MS": "15000",
    }
    server = start_server(tmp_path / "data", env)

    async def main():
        client = await connect(server, round="behavioral")
        await idle_until(client, lambda: listening(client))
        live = await answer(client, audio)
        await idle_until(client, lambda: bool(client.got.of("transcript_revised")), speed=1.0)
        revised = client.got.of("transcript_revised")[0]
        session_id = client.got.of("ready")[0]["session_id"]
        await client.close()
        return session_id, live, revised

    try:
        session_id, live, revised = asyncio.run(main())

        async def turns():
            async with httpx.AsyncClient(base_url=server.base_url) as http:
                return (await http.get(f"/api/sessions/{session_id}/turns")).json()

        stored = [t for t in asyncio.run(turns()) if t["speaker"] == "candidate"]
    finally:
        stop_server(server)
    assert live["parts"] == 1
    assert revised["turn_index"] == live["turn_index"]
    assert stored[0]["text"] == revised["text"]
    live_wer, revised_wer = wer(reference, live["text"]), wer(reference, revised["text"])
    seconds = len(audio) / 16000
    print(f"{seconds:.1f} s answer: WER live {live_wer:.1%}, whole {revised_wer:.1%}")  # noqa: T201
    assert revised_wer < 0.06  # whole-file quality (offline tiny.en: ~6 % on these clips)
