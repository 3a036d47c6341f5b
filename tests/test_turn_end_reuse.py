"""With a short hangover the turn often ends while the pause decode is still running; the end
of turn then waits for that decode instead of queueing the same audio again behind it."""

from __future__ import annotations

import asyncio
import threading
import time

import numpy as np
import websockets

from audio.pcm import SAMPLE_RATE, load_audio
from audio.stt import Segment, Word
from server.config import Settings
from tests.conftest import SHARED, free_port
from tests.fakes import stand_in_services
from tests.test_live import idle_until, listening
from tests.threadserver import ThreadServer
from tests.wsclient import LiveClient, pcm_frames, silence

WORDS = [
    "after",
    "early",
    "nightfall",
    "the",
    "yellow",
    "lamps",
    "would",
    "light",
    "up",
    "here",
    "and",
    "there",
]
DECODE_S = 0.8  # slower than the hangover: the turn ends while a decode runs


class SlowRecognizer:
    """Hears WORDS spread over any speech, taking DECODE_S per call; records each call."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, float, bool]] = []  # (monotonic start, seconds, fast)
        self.lock = threading.Lock()

    def is_common_word(self, word: str) -> bool:
        return True

    def recognize(self, audio, *, prompt=None, fast=False) -> list[Segment]:
        with self.lock:
            self.calls.append((time.monotonic(), len(audio) / SAMPLE_RATE, fast))
        time.sleep(DECODE_S)
        seconds = len(audio) / SAMPLE_RATE
        step = seconds / len(WORDS)
        timed = tuple(Word(w, i * step, (i + 1) * step) for i, w in enumerate(WORDS))
        return [Segment(" ".join(WORDS), 0.0, seconds, timed)]


def test_the_end_of_turn_reuses_the_pause_decode_in_flight(tmp_path):
    recognizer = SlowRecognizer()

    services = stand_in_services(recognizer)

    settings = Settings(
        data_dir=tmp_path / "data",
        port=free_port(),
        warm_models=False,
        end_of_turn="text",
        hangover_ms=500,
        hangover_complete_ms=500,
        hangover_incomplete_ms=500,
        partial_every_ms=60_000,  # no caption decodes: only pause and final ones
    )
    clip = load_audio(SHARED / "speech" / "1089-134686-0001.wav")

    async def main() -> dict:
        ws = await websockets.connect(f"ws://127.0.0.1:{settings.port}/ws", max_size=None)
        client = LiveClient(ws)
        await client.send_json({"type": "start", "protocol": 1, "round": "behavioral"})
        await client.wait_for("ready")
        await idle_until(client, lambda: listening(client))
        await client.stream(pcm_frames(np.concatenate([silence(0.3), clip])))
        await idle_until(client, lambda: bool(client.got.of("transcript")), speed=1.0)
        transcript = client.got.of("transcript")[0]
        await idle_until(client, lambda: bool(client.got.of("reply_started")), speed=1.0)
        await client.close()
        return transcript

    with ThreadServer(settings, services):
        transcript = asyncio.run(main())
    assert transcript["text"].split() == WORDS
    # Decodes that cover the whole answer: the last pause decode (still running when the
    # 500 ms hangover ended the turn: it takes 800 ms) and no second one queued behind it.
    # (Captions are off, so every call is a pause or final decode; this short answer's are
    # greedy, per greedy_up_to_s.)
    calls = recognizer.calls
    longest = max(c[1] for c in calls)
    assert longest >= len(clip) / SAMPLE_RATE - 1.0  # it covered the answer
    assert sum(1 for c in calls if c[1] >= longest - 0.5) == 1, calls
    assert all(c[2] for c in calls)
