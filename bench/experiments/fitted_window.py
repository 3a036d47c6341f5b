"""Experiment: encode only as much of whisper's 30 s window as the audio needs.

faster-whisper pads every segment's features to 3000 frames (30 s) before the encoder, so a
2 s pause decode costs nearly as much as a 30 s one. CTranslate2's encoder accepts shorter
inputs; here the features are padded to the audio's length + ``margin_s`` (at least
``min_s``, at most 30 s) instead, by swapping ``faster_whisper.transcribe.pad_or_trim`` for
the duration of each call. Word timestamps, prompts and beams go through the usual code.
"""

from __future__ import annotations

import logging
import time

import faster_whisper.transcribe as fw_transcribe
import numpy as np

from audio.pcm import SAMPLE_RATE
from audio.stt import Segment, WhisperRecognizer
from audio.wer import corpus_wer
from bench.common import Clip
from bench.simulate import simulate

log = logging.getLogger("bench.fitted")

FRAMES_PER_S = 100
_ORIGINAL = fw_transcribe.pad_or_trim


class FittedWhisperRecognizer(WhisperRecognizer):
    """``WhisperRecognizer`` with the encoder window fitted to the audio."""

    def __init__(self, *args, min_s: float = 6.0, margin_s: float = 1.5, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.min_frames = int(min_s * FRAMES_PER_S)
        self.margin_frames = int(margin_s * FRAMES_PER_S)

    def _run(self, audio: np.ndarray, kwargs: dict) -> list[Segment]:
        def fitted(array: np.ndarray, length: int = 3000, *, axis: int = -1) -> np.ndarray:
            n = array.shape[axis]
            want = min(length, max(self.min_frames, n + self.margin_frames))
            return _ORIGINAL(array, want, axis=axis)

        fw_transcribe.pad_or_trim = fitted
        try:
            return super()._run(audio, kwargs)
        finally:
            fw_transcribe.pad_or_trim = _ORIGINAL


def _timed(fn, *args, **kwargs) -> tuple[object, float]:
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, (time.perf_counter() - t0) * 1000


def decode_costs(
    recs: dict[str, WhisperRecognizer], audio: np.ndarray, repeats: int = 5
) -> list[dict]:
    """Median time of one decode by audio length, beam 5 and greedy. The recognizers take
    turns within each repeat, so a change in the machine's load hits them alike."""
    rows = []
    for seconds in (1, 2, 3, 5, 8, 12, 20):
        x = audio[: seconds * SAMPLE_RATE]
        if x.size < seconds * SAMPLE_RATE:
            break
        times: dict[str, list[float]] = {}
        words: dict[str, int] = {}
        for _ in range(repeats):
            for name, rec in recs.items():
                for fast in (False, True):
                    key = f"{name}{' greedy' if fast else ''}"
                    segments, ms = _timed(rec.recognize, x, fast=fast)
                    times.setdefault(key, []).append(ms)
                    words[key] = len(_text(segments).split())  # type: ignore[arg-type]
        row: dict = {"seconds": seconds}
        row.update({k: round(float(np.median(v))) for k, v in times.items()})
        row["words"] = words
        rows.append(row)
    return rows


def _text(segments: list[Segment]) -> str:
    return " ".join(s.text for s in segments)


def live_path(recs: dict[str, WhisperRecognizer], clips: list[Clip]) -> list[dict]:
    """WER and total decode time of the live path (bench.simulate) per recognizer, and the
    whole-file WER with the same recognizer."""
    rows = []
    for name, rec in recs.items():
        t0 = time.perf_counter()
        live = [(c.reference, " ".join(simulate(rec, c.audio))) for c in clips]
        live_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        whole = [
            (c.reference, " ".join(s.text for s in rec.transcribe_file(c.audio))) for c in clips
        ]
        whole_s = time.perf_counter() - t0
        audio_s = sum(c.seconds for c in clips)
        rows.append(
            {
                "recognizer": name,
                "wer_live_sim": round(corpus_wer(live), 4),
                "live_sim_decode_s": round(live_s, 1),
                "wer_whole_file": round(corpus_wer(whole), 4),
                "whole_file_rtf": round(whole_s / audio_s, 4),
            }
        )
        log.info("%s: %s", name, rows[-1])
    return rows


def recognizers(threads: int = 2) -> dict[str, WhisperRecognizer]:
    recs: dict[str, WhisperRecognizer] = {
        "30 s window (today)": WhisperRecognizer(cpu_threads=threads),
        "fitted, min 6 s": FittedWhisperRecognizer(cpu_threads=threads, min_s=6.0),
        "fitted, min 10 s": FittedWhisperRecognizer(cpu_threads=threads, min_s=10.0),
    }
    for rec in recs.values():
        rec.recognize(np.zeros(SAMPLE_RATE, np.float32) + 1e-3)
    return recs


def costs(clips: list[Clip], recs: dict[str, WhisperRecognizer]) -> list[dict]:
    longest = max(clips, key=lambda c: c.seconds if c.seconds <= 30 else 0)
    rows = decode_costs(recs, np.concatenate([longest.audio, clips[0].audio]))
    log.info("decode costs: %s", rows)
    return rows


def run(clips: list[Clip], threads: int = 2) -> dict:
    recs = recognizers(threads)
    return {"decode_ms": costs(clips, recs), "live_path": live_path(recs, clips)}
