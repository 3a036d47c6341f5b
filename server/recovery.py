"""After a crash: make the recordings of interrupted sessions whole again and transcribe what
the candidate said after the last stored turn, so nothing they said is lost."""

from __future__ import annotations

import json
import logging
import os
import wave
from pathlib import Path

import numpy as np

from audio.pcm import SAMPLE_RATE, int16_to_float
from audio.stt import SpeechRecognizer
from audio.track import repair
from audio.vad import webrtc_classifier
from server.models import Turn, utcnow
from server.store import Store

log = logging.getLogger("coach.recovery")

MIN_SPEECH_MS = 600


def dead_sessions(store: Store, *, this_node: str, stale_after_s: float) -> list[str]:
    """Sessions marked live whose server is gone: a process on this host that no longer runs
    (a restart after a crash), or any node that stopped heartbeating. Marked interrupted."""
    host = this_node.rsplit(":", 1)[0]
    now = utcnow()
    dead = []
    for row in store.active_sessions():
        node = row.live_node or ""
        node_host, _, pid = node.rpartition(":")
        beat_age = (now - row.live_heartbeat).total_seconds() if row.live_heartbeat else 1e9
        if (
            not node
            or beat_age > stale_after_s
            or (node_host == host and pid.isdigit() and not _alive(int(pid)))
        ):
            dead.append(row.id)
    for session_id in dead:
        store.update_session(session_id, status="interrupted", live_node=None)
    return dead


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_session(
    store: Store, recognizer: SpeechRecognizer, recordings: Path, session_id: str
) -> bool:
    """Repair one interrupted session's tracks; store an untranscribed tail as a turn.

    Returns True when a recovered turn was added.
    """
    folder = recordings / session_id
    for name in ("candidate.wav", "interviewer.wav"):
        if (folder / name).is_file():
            repair(folder / name)
    candidate = folder / "candidate.wav"
    if not candidate.is_file():
        return False
    turns = store.list_turns(session_id)
    done_ms = max(
        [t.end_ms for t in turns if t.speaker == "candidate"]
        + [t.start_ms for t in turns if t.speaker == "interviewer"]
        + [0]
    )
    with wave.open(str(candidate)) as w:
        w.setpos(min(w.getnframes(), done_ms * SAMPLE_RATE // 1000))
        tail = w.readframes(w.getnframes())
    voiced = _voiced_ms(tail)
    if voiced is None or voiced[1] - voiced[0] < MIN_SPEECH_MS:
        return False
    start, end = voiced
    audio = int16_to_float(tail)
    segments = recognizer.recognize(audio[max(0, (start - 300) * SAMPLE_RATE // 1000) :])
    offset = done_ms + max(0, start - 300)
    words = [
        [w.text, offset + int(w.start * 1000), offset + int(w.end * 1000)]
        for seg in segments
        for w in seg.words
    ]
    text = " ".join(seg.text for seg in segments).strip()
    asked = next((t for t in reversed(turns) if t.speaker == "interviewer"), None)
    question_id = asked.question_id if asked else None
    store.add_turn(
        Turn(
            session_id=session_id,
            index=(turns[-1].index + 1) if turns else 0,
            speaker="candidate",
            text=text,
            start_ms=done_ms + start,
            end_ms=done_ms + end,
            question_id=question_id,
            attempt=asked.attempt if asked else 1,
            kind="answer",
            reason="recovered",
            words_json=json.dumps(words),
        )
    )
    log.info("session %s: recovered %d ms of speech after a crash", session_id, end - start)
    return True


def _voiced_ms(pcm: bytes) -> tuple[int, int] | None:
    """First and last voiced 20 ms frame (ms from the start of ``pcm``), by webrtcvad."""
    is_speech = webrtc_classifier(2)
    frames = len(pcm) // 640
    flags = np.array([is_speech(pcm[i * 640 : (i + 1) * 640]) for i in range(frames)])
    if flags.sum() < 5:
        return None
    idx = np.flatnonzero(flags)
    return int(idx[0]) * 20, int(idx[-1] + 1) * 20
