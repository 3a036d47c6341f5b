"""Experiment: end-of-turn policies against thinking pauses, offline and fast.

Each answer runs through the real ``TurnSegmenter`` (webrtcvad), frame by frame. At every
pause the policy gives a hint (complete / trailing off / cannot tell) that reaches the
segmenter only after the time its model really took, as it would live:

- ``text``: the words-only rule, the pause decode's words through ``audio.endpoint``;
- ``none``: no hint, one fixed hangover;
- ``smart``: smart-turn v3 on the turn's audio; ``smart_text``: smart-turn, but words that
  trail off ("and", "the", "um") always mean incomplete.

Scored on every clip as a real end (how long after the last voiced sample the turn ends,
and whether the reader's own pauses cut it) and on answers with a 1.0 / 1.5 / 2.0 s thinking
pause inserted (whether the turn ends inside the pause).
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from typing import Literal

import numpy as np

from audio.endpoint import completion_hint
from audio.incremental import DecodeJob, IncrementalTranscriber
from audio.pcm import FRAME_BYTES, SAMPLE_RATE, float_to_int16
from audio.segmenter import (
    SegmenterConfig,
    SpeechPaused,
    SpeechResumed,
    SpeechStarted,
    TurnEnded,
    TurnSegmenter,
)
from audio.stt import Segment, SpeechRecognizer
from audio.vad import webrtc_classifier
from bench.common import (
    Answer,
    Clip,
    between_sentences_pause,
    last_voiced_sample,
    mid_sentence_pause,
    percentile,
    room_tone,
)
from bench.experiments.smart_turn import SmartTurn

log = logging.getLogger("bench.eot")

LEAD_S = 0.3
TAIL_S = 3.0
PREROLL_MS = 300


@dataclass(frozen=True)
class Policy:
    name: str
    hint: Literal["none", "text", "smart", "smart_text"]
    complete_ms: int = 600
    unknown_ms: int = 1000
    incomplete_ms: int = 2000
    threshold: float = 0.5
    recheck_ms: int | None = None  # smart-turn asked again at this much silence

    def config(self) -> SegmenterConfig:
        return SegmenterConfig(
            hangover_ms=self.unknown_ms,
            hangover_complete_ms=self.complete_ms,
            hangover_incomplete_ms=self.incomplete_ms,
        )


POLICIES = (
    Policy("text 600/1000/2000 (words only, earlier default)", "text"),
    Policy("text 600/1600/2000", "text", unknown_ms=1600),
    Policy("text 400/700/2000", "text", complete_ms=400, unknown_ms=700),
    Policy("no hint, 700", "none", unknown_ms=700),
    Policy("no hint, 1000", "none", unknown_ms=1000),
    Policy("no hint, 1600", "none", unknown_ms=1600),
    Policy("smart-turn >0.5: 300 / else 2000", "smart", 300, 2000, 2000, 0.5),
    Policy("smart-turn >0.5: 400 / else 2000", "smart", 400, 2000, 2000, 0.5),
    Policy("smart-turn >0.7: 300 / else 2000", "smart", 300, 2000, 2000, 0.7),
    Policy("smart-turn >0.3: 300 / else 2000", "smart", 300, 2000, 2000, 0.3),
    Policy("smart-turn+text >0.5: 300 / else 2000", "smart_text", 300, 2000, 2000, 0.5),
    Policy("smart-turn >0.5: 300 / else 1600", "smart", 300, 1600, 1600, 0.5),
    Policy("smart-turn >0.5: 200 / else 1600", "smart", 200, 1600, 1600, 0.5),
    Policy("smart-turn >0.3: 300 / else 1600", "smart", 300, 1600, 1600, 0.3),
    Policy(
        "smart-turn >0.5: 300 / else ask again at 800, 1600", "smart", 300, 1600, 1600, 0.5, 800
    ),
    Policy("smart-turn >0.9: 300 / else 1600", "smart", 300, 1600, 1600, 0.9),
)


class CachedRecognizer:
    """The same decode asked again (another policy, same audio) costs nothing; the time the
    first one took is kept, as the delay of the hint it gives."""

    def __init__(self, recognizer: SpeechRecognizer) -> None:
        self.recognizer = recognizer
        self._cache: dict[tuple[str, str, bool], tuple[list[Segment], float]] = {}

    def run(self, job: DecodeJob, fast: bool) -> tuple[list[Segment], float]:
        key = (hashlib.sha1(job.audio.tobytes()).hexdigest(), job.prompt, fast)
        if key not in self._cache:
            t0 = time.perf_counter()
            segs = self.recognizer.recognize(job.audio, prompt=job.prompt, fast=fast)
            self._cache[key] = (segs, (time.perf_counter() - t0) * 1000)
        return self._cache[key]


@dataclass(frozen=True)
class Ended:
    start_ms: int
    end_ms: int
    decided_ms: int


def run_answer(
    audio: np.ndarray,
    policy: Policy,
    rec: CachedRecognizer | None,
    smart: SmartTurn | None,
) -> list[Ended]:
    """Every turn end the segmenter decides over ``audio`` (float32, 16 kHz)."""
    pcm = float_to_int16(audio).tobytes()
    seg = TurnSegmenter(webrtc_classifier(2), policy.config())
    tx = IncrementalTranscriber()
    ends: list[Ended] = []
    pending: tuple[int, int, bool | None] | None = None  # (due ms, pause id, hint)
    pause_id = 0
    onset = 0
    last_partial = 0
    for i in range(0, len(pcm) - FRAME_BYTES + 1, FRAME_BYTES):
        frame = pcm[i : i + FRAME_BYTES]
        at = seg.now_ms
        events = seg.push(frame)
        tx.push(frame, at_ms=at, voiced=seg.last_voiced)
        for event in events:
            match event:
                case SpeechStarted(at_ms=at_ms):
                    tx.begin_turn(at_ms)
                    onset = last_partial = at_ms
                case SpeechPaused():
                    pause_id += 1
                    hint, delay = _hint(policy, tx, rec, smart, audio, onset, seg.now_ms)
                    if policy.hint != "none":
                        pending = (seg.now_ms + int(delay), pause_id, hint)
                case SpeechResumed():
                    pending = None
                case TurnEnded():
                    ends.append(Ended(event.start_ms, event.end_ms, event.decided_ms))
                    tx.close_turn(event.start_ms, event.end_ms)
                    pending = None
        if pending is not None and seg.now_ms >= pending[0] and pending[1] == pause_id:
            seg.set_completion_hint(pending[2])
            pending = None
        if (
            smart is not None
            and policy.recheck_ms is not None
            and seg.in_turn
            and seg.silence_ms == policy.recheck_ms
        ):
            start = max(0, (onset - PREROLL_MS) * SAMPLE_RATE // 1000)
            prob, ms = smart.predict(audio[start : seg.now_ms * SAMPLE_RATE // 1000])
            pending = (seg.now_ms + int(ms), pause_id, prob >= policy.threshold)
        if (
            rec is not None
            and policy.hint in ("text", "smart_text")
            and seg.in_turn
            and seg.silence_ms < 60
            and seg.now_ms - last_partial >= 2500
        ):
            last_partial = seg.now_ms
            job = tx.prepare("partial")
            if job is not None:
                tx.apply(job, rec.run(job, fast=True)[0])
    return ends


def _hint(
    policy: Policy,
    tx: IncrementalTranscriber,
    rec: CachedRecognizer | None,
    smart: SmartTurn | None,
    audio: np.ndarray,
    onset_ms: int,
    now_ms: int,
) -> tuple[bool | None, float]:
    text_hint: bool | None = None
    text_ms = 0.0
    if policy.hint in ("text", "smart_text") and rec is not None:
        job = tx.prepare("pause")
        caption = tx.caption()
        if job is not None:
            segments, text_ms = rec.run(job, fast=False)
            caption = tx.apply(job, segments)
        text_hint = completion_hint(caption)
    if policy.hint == "text":
        return text_hint, text_ms
    if policy.hint == "none" or smart is None:
        return None, 0.0
    start = max(0, (onset_ms - PREROLL_MS) * SAMPLE_RATE // 1000)
    prob, smart_ms = smart.predict(audio[start : now_ms * SAMPLE_RATE // 1000])
    hint = prob >= policy.threshold
    if policy.hint == "smart_text" and text_hint is False:
        hint = False
    return hint, max(smart_ms, text_ms)


# -- the answers ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    answer: Answer
    audio: np.ndarray  # lead + answer + tail, what the segmenter hears
    last_voiced_ms: int
    pause_ms: tuple[int, int] | None


def _case(ans: Answer, seed: int) -> Case:
    lead = room_tone(ans.audio, LEAD_S, seed)
    tail = room_tone(ans.audio, TAIL_S, seed + 1)
    audio = np.concatenate([lead, ans.audio, tail])
    off = lead.size
    pause = None
    if ans.pause is not None:
        pause = (
            (off + ans.pause[0]) * 1000 // SAMPLE_RATE,
            (off + ans.pause[1]) * 1000 // SAMPLE_RATE,
        )
    return Case(ans, audio, (off + ans.last_voiced) * 1000 // SAMPLE_RATE, pause)


def build_cases(clips: list[Clip], pauses: tuple[float, ...]) -> dict[str, list[Case]]:
    real = [
        _case(Answer(c.name, c.audio, c.reference, last_voiced_sample(c.audio)), i)
        for i, c in enumerate(clips)
    ]
    short = [c for c in clips if 3.0 <= c.seconds <= 20.0]
    cases: dict[str, list[Case]] = {"real_end": real}
    for p in pauses:
        mids = [a for i, c in enumerate(short) if (a := mid_sentence_pause(c, p, seed=i))]
        betweens = [
            between_sentences_pause(short[i], short[(i + 1) % len(short)], p, seed=50 + i)
            for i in range(len(short))
        ]
        cases[f"mid_{p:g}"] = [_case(a, 200 + i) for i, a in enumerate(mids)]
        cases[f"between_{p:g}"] = [_case(a, 300 + i) for i, a in enumerate(betweens)]
    return cases


def score(policy: Policy, cases: dict[str, list[Case]], rec, smart) -> dict:
    out: dict = {"policy": policy.name}
    waits: list[float] = []
    cut_inside = 0
    for case in cases["real_end"]:
        ends = run_answer(case.audio, policy, rec, smart)
        final = [e for e in ends if e.decided_ms >= case.last_voiced_ms]
        cut_inside += sum(1 for e in ends if e.decided_ms < case.last_voiced_ms - 100)
        if final:
            waits.append(final[0].decided_ms - case.last_voiced_ms)
    out["real_end_wait_p50_ms"] = percentile(waits, 50)
    out["real_end_wait_p95_ms"] = percentile(waits, 95)
    out["real_answers_cut"] = cut_inside
    out["real_answers"] = len(cases["real_end"])
    for key, group in cases.items():
        if key == "real_end":
            continue
        cut = 0
        for case in group:
            assert case.pause_ms is not None
            a, b = case.pause_ms
            ends = run_answer(case.audio, policy, rec, smart)
            cut += any(a <= e.decided_ms <= b for e in ends)
        out[key] = [cut, len(group)]
    return out


def run(
    clips: list[Clip],
    recognizer: SpeechRecognizer,
    pauses: tuple[float, ...] = (1.0, 1.5, 2.0),
    skip: frozenset[str] = frozenset(),
) -> dict:
    """Score every policy not in ``skip``; smart-turn ones are skipped when pipecat-ai is
    not installed."""
    try:
        smart: SmartTurn | None = SmartTurn()
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        log.warning("smart-turn unavailable (%s); its policies are skipped", exc)
        smart = None
    rec = CachedRecognizer(recognizer)
    cases = build_cases(clips, pauses)
    rows = []
    for policy in POLICIES:
        if policy.name in skip or (policy.hint in ("smart", "smart_text") and smart is None):
            continue
        t0 = time.perf_counter()
        rows.append(score(policy, cases, rec, smart))
        log.info("%s: %s (%.0f s)", policy.name, rows[-1], time.perf_counter() - t0)
    smart_ms = None
    if smart is not None:
        probe = np.concatenate([clips[0].audio, np.zeros(SAMPLE_RATE // 4, np.float32)])
        smart_ms = float(np.median([smart.predict(probe)[1] for _ in range(10)]))
    return {
        "rows": rows,
        "pauses": list(pauses),
        "cases": {k: len(v) for k, v in cases.items()},
        "smart_turn_model": smart.model_path.name if smart else None,
        "smart_turn_ms": smart_ms,
    }
