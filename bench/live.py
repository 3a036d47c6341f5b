"""Live benchmarks against a running server: one session answering every clip, and N
simultaneous sessions streaming at real-time pace."""

from __future__ import annotations

import asyncio
import logging
import time
import wave
from dataclasses import dataclass, field

from audio.pcm import FRAME_SAMPLES
from bench.client import BenchClient, TurnResult
from bench.common import Answer, Server, load_average, percentile

log = logging.getLogger("bench.live")

PLAYOUT_SPEED = 5.0  # replies play out faster than real time in the one-session run


async def single_session(
    server: Server, answers: list[Answer], round: str = "behavioral"
) -> list[TurnResult]:
    """Answer each of ``answers`` in turn (new sessions as the interviews end)."""
    results: list[TurnResult] = []
    client = await BenchClient.connect(server.ws_url, round)
    await client.wait_listening(PLAYOUT_SPEED)
    for i, ans in enumerate(answers):
        if client.ended:
            await client.stop()
            client = await BenchClient.connect(server.ws_url, round)
            await client.wait_listening(PLAYOUT_SPEED)
        result = await client.answer(ans, playout_speed=PLAYOUT_SPEED)
        results.append(result)
        lat = f"{result.latency_ms:.0f} ms" if result.latency_ms is not None else "no reply"
        log.info("turn %d/%d (%s, %.1f s): %s", i + 1, len(answers), ans.kind, _s(ans), lat)
    await client.stop()
    return results


def _s(ans: Answer) -> float:
    return ans.audio.size / 16000


@dataclass
class _SessionLog:
    turns: list[TurnResult] = field(default_factory=list)
    sessions: list[tuple[str, int]] = field(default_factory=list)  # (session id, frames sent)
    late: int = 0
    paced: int = 0
    max_lag_s: float = 0.0
    overloaded: int = 0

    def close(self, client: BenchClient) -> None:
        self.sessions.append((client.session_id, client.frames_sent))
        self.late += client.late_frames
        self.paced += client.paced_frames
        self.max_lag_s = max(self.max_lag_s, client.max_lag_s)
        self.overloaded += client.overloaded()


async def _capacity_session(
    server: Server, index: int, answers: list[Answer], seconds: float, delay: float
) -> _SessionLog:
    await asyncio.sleep(delay)
    out = _SessionLog()
    deadline = time.monotonic() + seconds
    client = await BenchClient.connect(server.ws_url, "behavioral")
    await client.wait_listening()
    i = index * 3  # sessions start on different clips
    while time.monotonic() < deadline:
        if client.ended:
            await client.stop()
            out.close(client)
            client = await BenchClient.connect(server.ws_url, "behavioral")
            await client.wait_listening()
        out.turns.append(await client.answer(answers[i % len(answers)]))
        i += 1
    await client.stop()
    out.close(client)
    return out


def stored_frames(server: Server, session_id: str) -> int:
    path = server.data_dir / "recordings" / session_id / "candidate.wav"
    with wave.open(str(path)) as w:
        return w.getnframes() // FRAME_SAMPLES


async def capacity_level(
    server: Server, sessions: int, answers: list[Answer], seconds: float
) -> dict:
    """``sessions`` simultaneous live sessions (starts staggered by 0.7 s), each answering
    for about ``seconds`` after its opening question, at real-time pace throughout."""
    load_start = load_average()
    logs = await asyncio.gather(
        *(_capacity_session(server, i, answers, seconds, 0.7 * i) for i in range(sessions))
    )
    turns = [t for lg in logs for t in lg.turns]
    latencies = [t.latency_ms for t in turns if t.latency_ms is not None]
    waits = [t.eot_wait_ms for t in turns if t.eot_wait_ms is not None]
    sent = stored = 0
    for lg in logs:
        for sid, n in lg.sessions:
            sent += n
            stored += stored_frames(server, sid)
    return {
        "sessions": sessions,
        "p50_ms": _r(percentile(latencies, 50)),
        "p95_ms": _r(percentile(latencies, 95)),
        "max_ms": _r(max(latencies) if latencies else None),
        "eot_wait_p50_ms": _r(percentile(waits, 50)),
        "eot_wait_p95_ms": _r(percentile(waits, 95)),
        "turns": len(turns),
        "no_reply": sum(1 for t in turns if t.latency_ms is None),
        "lost_frames": max(0, sent - stored),
        "frames_sent": sent,
        "frames_stored": stored,
        "late_frames": sum(lg.late for lg in logs),
        "paced_frames": sum(lg.paced for lg in logs),
        "max_send_lag_ms": round(max(lg.max_lag_s for lg in logs) * 1000, 1),
        "overloaded_events": sum(lg.overloaded for lg in logs),
        "rss_peak_mb": round(server.vm_kb("VmHWM") / 1024, 1),
        "load_avg_start": load_start,
        "load_avg_end": load_average(),
    }


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 1)
