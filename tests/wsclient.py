"""A protocol-v1 test client: streams audio at real-time pace and records what comes back."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field

import numpy as np
import websockets

from audio.pcm import FRAME_BYTES, FRAME_SAMPLES, SAMPLE_RATE, float_to_int16


@dataclass
class Received:
    events: list[dict] = field(default_factory=list)
    audio_bytes: int = 0
    first_audio_at: list[float] = field(default_factory=list)  # monotonic time per reply

    def of(self, kind: str) -> list[dict]:
        return [e for e in self.events if e.get("type") == kind]


def pcm_frames(audio: np.ndarray) -> list[bytes]:
    """float32 16 kHz audio -> 640-byte int16 frames (last one zero-padded)."""
    pcm = float_to_int16(audio)
    pad = (-len(pcm)) % FRAME_SAMPLES
    pcm = np.concatenate([pcm, np.zeros(pad, dtype="<i2")])
    data = pcm.tobytes()
    return [data[i : i + FRAME_BYTES] for i in range(0, len(data), FRAME_BYTES)]


class LiveClient:
    def __init__(self, ws) -> None:
        self.ws = ws
        self.got = Received()
        self._reader = asyncio.create_task(self._read())
        self._waiting_reply_audio = False

    async def _read(self) -> None:
        try:
            async for msg in self.ws:
                if isinstance(msg, bytes):
                    if self._waiting_reply_audio:
                        self.got.first_audio_at.append(time.monotonic())
                        self._waiting_reply_audio = False
                    self.got.audio_bytes += len(msg)
                else:
                    event = json.loads(msg)
                    if event.get("type") == "reply_started":
                        self._waiting_reply_audio = True
                    self.got.events.append(event)
        except websockets.ConnectionClosed:
            pass

    async def send_json(self, obj: dict) -> None:
        await self.ws.send(json.dumps(obj))

    async def stream(self, frames: list[bytes], *, realtime: bool = True) -> float:
        """Send frames paced at 20 ms each; returns the monotonic time the last one was sent."""
        start = time.monotonic()
        for i, frame in enumerate(frames):
            await self.ws.send(frame)
            if realtime:
                delay = start + (i + 1) * 0.02 - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
        return time.monotonic()

    async def wait_for(self, kind: str, count: int = 1, timeout: float = 30.0, **match) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            hits = [e for e in self.got.of(kind) if all(e.get(k) == v for k, v in match.items())]
            if len(hits) >= count:
                return hits[count - 1]
            if self._reader.done():
                break
            await asyncio.sleep(0.02)
        raise AssertionError(f"no {kind} {match} (x{count}) in {timeout} s; got {self.got.events}")

    async def close(self) -> None:
        await self.ws.close()
        await asyncio.wait([self._reader], timeout=5)


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SAMPLE_RATE), dtype=np.float32)
