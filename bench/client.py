"""A protocol-v1 client for benchmarks: streams frames on a fixed real-time schedule, notes
when each frame left and when each event and each reply's first audio arrived, and speaks
one answer at a time the way a person would (then keeps the microphone open: silence)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import websockets

from audio.pcm import FRAME_MS, FRAME_SAMPLES, SAMPLE_RATE
from bench.common import Answer, to_frames

SILENCE = bytes(FRAME_SAMPLES * 2)
FRAME_S = FRAME_MS / 1000
LATE_S = 0.1  # a frame sent more than this after its slot is late
LEAD_S = 0.3  # silence before each answer


@dataclass
class ReplyInfo:
    reply_id: int
    kind: str
    started_t: float
    first_audio_t: float | None = None
    stopped: bool = False


@dataclass
class TurnResult:
    """One answer: its latency and how its end of turn went (no transcript text kept here
    beyond what the WER needs; the caller scores it and drops it)."""

    name: str
    kind: str
    latency_ms: float | None  # last voiced sample sent -> first interviewer audio received
    eot_wait_ms: float | None  # last voiced sample sent -> "thinking" (end of turn decided)
    parts: int  # transcripts the answer came back in (1 = never cut)
    cut_in_pause: bool  # the turn was ended inside the thinking pause
    heard_in_pause: bool  # interviewer audio arrived while the candidate was still thinking
    text: str  # final transcript, joined as the interviewer joins continued answers
    reply_kind: str | None
    stored_text: str = ""  # the same after the server's whole-answer re-decode (if any)
    to_transcript_ms: float | None = None  # "thinking" -> its final transcript (the decode)


@dataclass
class BenchClient:
    ws: websockets.ClientConnection
    session_id: str = ""
    events: list[tuple[float, dict]] = field(default_factory=list)
    replies: dict[int, ReplyInfo] = field(default_factory=dict)
    frames_sent: int = 0  # after ready: the server's clock in frames
    late_frames: int = 0
    paced_frames: int = 0
    max_lag_s: float = 0.0
    closed: bool = False
    _current: int | None = None
    _next_t: float = 0.0
    _reader: asyncio.Task | None = None

    @classmethod
    async def connect(cls, url: str, round: str = "behavioral") -> BenchClient:
        ws = await websockets.connect(url, max_size=None)
        client = cls(ws)
        client._reader = asyncio.create_task(client._read())
        await ws.send(json.dumps({"type": "start", "protocol": 1, "round": round}))
        ready = await client.wait_event("ready", timeout=30)
        client.session_id = ready["session_id"]
        client._next_t = time.monotonic()
        return client

    async def _read(self) -> None:
        try:
            async for msg in self.ws:
                now = time.monotonic()
                if isinstance(msg, bytes):
                    info = self.replies.get(self._current or -1)
                    if info is not None and info.first_audio_t is None:
                        info.first_audio_t = now
                    continue
                event = json.loads(msg)
                self.events.append((now, event))
                match event.get("type"):
                    case "reply_started":
                        rid = event["reply_id"]
                        self.replies[rid] = ReplyInfo(rid, event["kind"], now)
                        self._current = rid
                    case "stop_playback":
                        if event["reply_id"] in self.replies:
                            self.replies[event["reply_id"]].stopped = True
        except websockets.ConnectionClosed:
            pass
        finally:
            self.closed = True

    # -- events --------------------------------------------------------------------------
    def of(self, kind: str, since: float = 0.0) -> list[tuple[float, dict]]:
        return [(t, e) for t, e in self.events if e.get("type") == kind and t >= since]

    @property
    def ended(self) -> bool:
        return self.closed or bool(self.of("session_ended"))

    def listening(self) -> bool:
        states = self.of("state")
        return bool(states) and states[-1][1]["state"] == "listening"

    def overloaded(self) -> int:
        return sum(1 for _, e in self.of("error") if e.get("code") == "overloaded")

    async def wait_event(self, kind: str, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            hits = self.of(kind)
            if hits:
                return hits[-1][1]
            if self.closed:
                break
            await asyncio.sleep(0.01)
        raise TimeoutError(f"no {kind} event in {timeout} s")

    # -- sending -------------------------------------------------------------------------
    async def send_frame(self, frame: bytes, speed: float = 1.0) -> float:
        """Send one frame in its slot of the schedule; return when it left. ``speed`` > 1
        sends faster than real time (used only while a reply plays out)."""
        now = time.monotonic()
        if self._next_t > now:
            await asyncio.sleep(self._next_t - now)
        sent = time.monotonic()
        if self.closed:
            return sent
        try:
            await self.ws.send(frame)
        except websockets.ConnectionClosed:
            self.closed = True
            return sent
        self.frames_sent += 1
        if speed == 1.0:
            lag = sent - self._next_t
            self.paced_frames += 1
            self.max_lag_s = max(self.max_lag_s, lag)
            if lag > LATE_S:
                self.late_frames += 1
            self._next_t += FRAME_S  # keep the schedule: a late sender catches up
        else:
            self._next_t = sent + FRAME_S / speed
        return sent

    async def idle_until(
        self, done: Callable[[], bool], timeout: float, speed: float = 1.0
    ) -> bool:
        """Stream silence until ``done()``; False on timeout or when the socket closed."""
        deadline = time.monotonic() + timeout
        while not done():
            if self.closed or time.monotonic() > deadline:
                return False
            await self.send_frame(SILENCE, speed)
        if speed != 1.0:
            self._next_t = time.monotonic()
        return True

    async def stop(self) -> None:
        """End the session (everything sent before is stored) and close the socket."""
        if not self.closed:
            try:
                await self.ws.send(json.dumps({"type": "stop"}))
                await self.wait_event("session_ended", timeout=60)
            except (TimeoutError, websockets.ConnectionClosed):
                pass
        await self.ws.close()
        if self._reader is not None:
            await asyncio.wait([self._reader], timeout=5)

    # -- one answer ----------------------------------------------------------------------
    async def answer(
        self, ans: Answer, *, playout_speed: float = 1.0, revise_ms: int = 15000
    ) -> TurnResult:
        """Speak ``ans`` at real-time pace, keep streaming silence until the interviewer's
        reply arrives, then until it has played out."""
        lead = int(LEAD_S * SAMPLE_RATE)
        frames = to_frames(np.concatenate([np.zeros(lead, np.float32), ans.audio]))
        last_idx = (lead + ans.last_voiced - 1) // FRAME_SAMPLES
        first_clock = self.frames_sent
        t_start = time.monotonic()
        sent: list[float] = []
        for frame in frames:
            sent.append(await self.send_frame(frame))
        t_last = sent[last_idx]
        pause_ms = None
        heard_in_pause = False
        if ans.pause is not None:
            a, b = ans.pause
            pause_ms = (
                (first_clock + (lead + a) // FRAME_SAMPLES) * FRAME_MS,
                (first_clock + (lead + b) // FRAME_SAMPLES) * FRAME_MS,
            )
            ta, tb = sent[(lead + a) // FRAME_SAMPLES], sent[(lead + b) // FRAME_SAMPLES]
            heard_in_pause = any(
                r.first_audio_t is not None and ta <= r.first_audio_t <= tb
                for r in self.replies.values()
            )

        def reply_ready() -> ReplyInfo | None:
            for r in sorted(self.replies.values(), key=lambda r: r.started_t):
                if r.started_t < t_start or r.stopped or r.first_audio_t is None:
                    continue
                if r.started_t > t_last or time.monotonic() > t_last + 0.5:
                    return r
            return None

        await self.idle_until(lambda: reply_ready() is not None, timeout=30)
        reply = reply_ready()
        latency = eot = to_transcript = None
        if reply is not None and reply.first_audio_t is not None:
            latency = (reply.first_audio_t - t_last) * 1000
            thinking = [t for t, e in self.of("state", t_start) if e["state"] == "thinking"]
            thinking = [t for t in thinking if t <= reply.started_t]
            if thinking:
                eot = (thinking[-1] - t_last) * 1000
                done = [t for t, _ in self.of("transcript", thinking[-1]) if t <= reply.started_t]
                if done:
                    to_transcript = (done[0] - thinking[-1]) * 1000
        cutoff = reply.started_t if reply is not None else time.monotonic()
        transcripts = [e for t, e in self.of("transcript", t_start) if t <= cutoff]
        parts = [e for e in transcripts if e.get("text")]
        cut = pause_ms is not None and any(
            pause_ms[0] - 300 <= e["end_ms"] <= pause_ms[1] for e in transcripts
        )
        if reply is not None and reply.kind == "closing":
            await self.stop()
        elif reply is not None:
            await self.idle_until(
                lambda: self.ended or (self.listening() and self.of("state", reply.started_t)),
                timeout=120,
                speed=playout_speed,
            )
        # Long parts are decoded again as a whole once the reply has started
        # (``transcript_revised``); give that a little while to land, streaming silence.
        long_parts = {e["turn_index"] for e in parts if e["end_ms"] - e["start_ms"] >= revise_ms}

        def revised() -> dict[int, str]:
            return {e["turn_index"]: e["text"] for _, e in self.of("transcript_revised", t_start)}

        if long_parts and not self.ended:
            await self.idle_until(lambda: long_parts <= revised().keys(), timeout=20)
        stored = revised()
        return TurnResult(
            name=ans.name,
            kind=ans.kind,
            latency_ms=latency,
            eot_wait_ms=eot,
            parts=len(parts),
            cut_in_pause=cut,
            heard_in_pause=heard_in_pause,
            text=" ".join(e["text"] for e in parts),
            reply_kind=reply.kind if reply is not None else None,
            stored_text=" ".join(stored.get(e["turn_index"], e["text"]) for e in parts),
            to_transcript_ms=to_transcript,
        )

    async def wait_listening(self, speed: float = 1.0, timeout: float = 120) -> bool:
        """Stream silence until the interviewer has finished speaking (the opening question)."""
        return await self.idle_until(
            lambda: self.ended or (bool(self.replies) and self.listening()), timeout, speed
        )
