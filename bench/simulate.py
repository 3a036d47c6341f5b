"""Run the live transcription path (segmenter + incremental transcriber, with the same pause and
caption decodes as a live session) over a clip, without a server: fast, for comparing policies.
The real-time benchmark with a server is bench/run.py."""

from __future__ import annotations

import time

from audio.incremental import IncrementalTranscriber
from audio.pcm import FRAME_BYTES, float_to_int16
from audio.segmenter import SegmenterConfig, SpeechPaused, SpeechStarted, TurnEnded, TurnSegmenter
from audio.stt import SpeechRecognizer
from audio.vad import webrtc_classifier


def simulate(
    recognizer: SpeechRecognizer,
    audio,
    *,
    partial_every_ms: int = 2500,
    config: SegmenterConfig | None = None,
    correct=None,
    greedy_up_to_s: float = 20.0,
    keep_context_s: float = 24.0,
    whole_answer_wins: bool = False,
    timings: list[tuple[str, float]] | None = None,
) -> list[str]:
    """Return the final transcript of each turn found in ``audio`` (float32, 16 kHz);
    ``timings`` (if given) receives (kind, milliseconds) for every decode."""
    pcm = float_to_int16(audio).tobytes()
    pcm += bytes(FRAME_BYTES * 150)  # 3 s of silence so the last turn ends
    seg = TurnSegmenter(webrtc_classifier(2), config or SegmenterConfig())
    tx = IncrementalTranscriber(
        correct=correct,
        greedy_up_to_s=greedy_up_to_s,
        keep_context_s=keep_context_s,
        whole_answer_wins=whole_answer_wins,
    )
    turns: list[str] = []
    last_partial = 0

    def decode(kind: str, job) -> list:
        t0 = time.perf_counter()
        segments = recognizer.recognize(job.audio, prompt=job.prompt, fast=job.fast)
        if timings is not None:
            timings.append((kind, (time.perf_counter() - t0) * 1000))
        return segments

    def run(kind: str) -> None:
        job = tx.prepare(kind)  # type: ignore[arg-type]
        if job is not None:
            tx.apply(job, decode(kind, job))

    for i in range(0, len(pcm) - FRAME_BYTES + 1, FRAME_BYTES):
        frame = pcm[i : i + FRAME_BYTES]
        at = seg.now_ms
        events = seg.push(frame)
        tx.push(frame, at_ms=at, voiced=seg.last_voiced)
        for event in events:
            match event:
                case SpeechStarted(at_ms=onset):
                    tx.begin_turn(onset)
                    last_partial = onset
                case SpeechPaused():
                    run("pause")
                case TurnEnded():
                    closed = tx.close_turn(event.start_ms, event.end_ms)
                    segments = []
                    if closed.job is not None:
                        segments = decode("final", closed.job)
                    turns.append(closed.complete(segments).text)
        if seg.in_turn and seg.silence_ms < 60 and seg.now_ms - last_partial >= partial_every_ms:
            last_partial = seg.now_ms
            run("partial")
    return turns
