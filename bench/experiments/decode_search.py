"""Experiment: the search (greedy or beam 5) and the buffer of pause and end-of-turn decodes.

Runs the live transcription path offline (``bench.simulate``: real segmenter, incremental
transcriber and recognizer; flat 1600 ms hangover, captions every 2.5 s) over every clip and
reports the word error rate (all, answers up to 20 s, longer ones) and how long the pause
and end-of-turn decodes took (captions are greedy in every variant and not counted).
"""

from __future__ import annotations

import logging
import statistics

from audio.segmenter import SegmenterConfig
from audio.stt import WhisperRecognizer
from audio.wer import corpus_wer
from bench.common import Clip
from bench.simulate import simulate

log = logging.getLogger("bench.decode_search")

VARIANTS: dict[str, dict] = {
    "beam 5 always (before)": {"greedy_up_to_s": 0.0},
    "greedy up to 12 s, beam 5 past": {"greedy_up_to_s": 12.0},
    "greedy up to 20 s, beam 5 past (default)": {"greedy_up_to_s": 20.0},
    "greedy always": {"greedy_up_to_s": 1e9},
    "greedy up to 12 s, committed audio dropped past 8 s (default 24 s)": {
        "greedy_up_to_s": 12.0,
        "keep_context_s": 8.0,
    },
    "greedy up to 20 s, a whole-answer beam decode replaces captions' words, 28 s kept": {
        "greedy_up_to_s": 20.0,
        "whole_answer_wins": True,
        "keep_context_s": 28.0,
    },
}


def run(clips: list[Clip], threads: int = 2) -> dict:
    rec = WhisperRecognizer(cpu_threads=threads)
    rows = []
    for name, options in VARIANTS.items():
        timings: list[tuple[str, float]] = []
        short, long = [], []
        for clip in clips:
            parts = simulate(
                rec,
                clip.audio,
                config=SegmenterConfig(hangover_ms=1600),
                timings=timings,
                **options,
            )
            (long if clip.seconds > 20 else short).append((clip.reference, " ".join(parts)))
        ms = sorted(t for kind, t in timings if kind != "partial")
        rows.append(
            {
                "variant": name,
                "wer": round(corpus_wer(short + long), 4),
                "wer_short": round(corpus_wer(short), 4),
                "wer_long": round(corpus_wer(long), 4),
                "decodes": len(ms),
                "decode_ms_p50": round(statistics.median(ms)),
                "decode_ms_p90": round(ms[int(0.9 * len(ms))]),
                "decode_s_total": round(sum(ms) / 1000, 1),
            }
        )
        log.info("%s", rows[-1])
    return {
        "clips": len(clips),
        "short_answers": sum(c.seconds <= 20 for c in clips),
        "rows": rows,
    }
