"""Experiment: where the live path loses words on long answers (bench.simulate, offline).

The live word error rate matches the whole-file one on short answers; the gap comes from the
long ones (over 20 s, plus one 10 s clip with a sentence break). Each variant runs the live
transcription path over them: as today, without caption decodes (no LocalAgreement commits
mid-speech), and with a 1600 ms hangover (fewer turns split at the reader's pauses).
"""

from __future__ import annotations

import logging
import time

from audio.segmenter import SegmenterConfig
from audio.stt import WhisperRecognizer
from audio.wer import corpus_wer
from bench.common import Clip
from bench.simulate import simulate

log = logging.getLogger("bench.live_wer")

NO_CAPTIONS = 10**9
VARIANTS: dict[str, dict] = {
    "today (captions every 2.5 s, hangover 1000 ms)": {},
    "no caption decodes": {"partial_every_ms": NO_CAPTIONS},
    "hangover 1600 ms": {"config": SegmenterConfig(hangover_ms=1600)},
    "no caption decodes, hangover 1600 ms": {
        "partial_every_ms": NO_CAPTIONS,
        "config": SegmenterConfig(hangover_ms=1600),
    },
}


def run(clips: list[Clip], threads: int = 2) -> dict:
    long = [c for c in clips if c.seconds > 20 or c.name.endswith("LJ001-0003.wav")]
    rec = WhisperRecognizer(cpu_threads=threads)
    whole = [(c.reference, " ".join(s.text for s in rec.transcribe_file(c.audio))) for c in long]
    rows = [{"variant": "whole file (offline)", "wer": round(corpus_wer(whole), 4)}]
    for name, kwargs in VARIANTS.items():
        t0 = time.perf_counter()
        pairs, turns = [], []
        for clip in long:
            parts = simulate(rec, clip.audio, **kwargs)
            turns.append(len(parts))
            pairs.append((clip.reference, " ".join(parts)))
        rows.append(
            {
                "variant": name,
                "wer": round(corpus_wer(pairs), 4),
                "turns": sum(turns),
                "seconds": round(time.perf_counter() - t0),
            }
        )
        log.info("%s", rows[-1])
    return {"clips": [c.name for c in long], "rows": rows}
