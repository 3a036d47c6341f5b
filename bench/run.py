"""``make bench``: every benchmark against a real server on a loopback port.

Order: offline transcription and synthesis (no server running), server start-up, one live
session answering every clip (latency, live word error rate, end of turn), then 1, 2, 4 and
8 simultaneous sessions. Writes bench/results.json and docs/performance.md.

    python -m bench.run [--quick] [--env COACH_HANGOVER_MS=800 ...] [--out FILE] [--report FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import tempfile
import time
from pathlib import Path

from audio.wer import corpus_wer, wer
from bench import offline
from bench.common import (
    REPO,
    load_average,
    load_clips,
    machine,
    models,
    pause_answers,
    percentile,
    plain_answer,
    settings_in_force,
    setup_logging,
    source_version,
    start_server,
    versions,
)
from bench.live import capacity_level, single_session
from bench.report import write_report

log = logging.getLogger("bench")

PAUSE_S = 1.5
CAPACITY_LEVELS = (1, 2, 4, 8)
CAPACITY_SECONDS = 60.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few clips, levels 1 and 2")
    parser.add_argument("--env", action="append", default=[], help="KEY=VALUE for the server")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results.json")
    parser.add_argument("--report", type=Path, default=REPO / "docs" / "performance.md")
    parser.add_argument(
        "--levels", default=None, help="capacity levels, e.g. 4,8 ('' to skip capacity)"
    )
    parser.add_argument(
        "--no-single", action="store_true", help="skip the one-session run (lever checks)"
    )
    args = parser.parse_args()
    setup_logging()
    for noisy in ("faster_whisper", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    env = dict(kv.split("=", 1) for kv in args.env)
    if args.levels is not None:
        levels = tuple(int(x) for x in args.levels.split(",") if x.strip())
    else:
        levels = (1, 2) if args.quick else CAPACITY_LEVELS
    results = run(env, quick=args.quick, levels=levels, single=not args.no_single)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    write_report(results, args.report)
    log.info("wrote %s and %s", args.out, args.report)


def run(
    env: dict[str, str],
    *,
    quick: bool = False,
    levels: tuple[int, ...] = CAPACITY_LEVELS,
    single: bool = True,
) -> dict:
    t_run = time.monotonic()
    load_start = load_average()
    settings = settings_in_force(env)
    clips = load_clips()
    if quick:
        clips = [c for c in clips if c.seconds <= 12][:8]
    log.info("load average at start: %s; %d clips", load_start, len(clips))

    log.info("offline transcription of %d whole files", len(clips))
    stt = offline.transcription(clips, settings)
    tts = offline.synthesis(settings)

    plain = [plain_answer(c) for c in clips]
    paused = pause_answers(clips, PAUSE_S, 4 if quick else 10)
    capacity_answers = [a for a in plain if a.audio.size <= 17 * 16000]
    if not single:
        plain, paused = [], []
    with tempfile.TemporaryDirectory(prefix="coach-bench-") as tmp:
        log.info("starting the server")
        server = start_server(Path(tmp) / "data", env)
        log.info("ready in %.2f s", server.startup_s)
        try:
            log.info("one session: %d plain answers, %d with pauses", len(plain), len(paused))
            load_live = load_average()
            turns = asyncio.run(single_session(server, plain + paused)) if single else []
            load_live_end = load_average()
            rss_one = server.vm_kb("VmHWM") / 1024
            capacity: list[dict] = []
            if levels:
                for n in levels:
                    log.info("capacity: %d simultaneous sessions", n)
                    level = asyncio.run(
                        capacity_level(
                            server, n, capacity_answers, 20.0 if quick else CAPACITY_SECONDS
                        )
                    )
                    capacity.append(level)
                    log.info(
                        "  p50 %s ms, p95 %s ms, lost %d, late %d, peak RSS %.0f MB",
                        level["p50_ms"],
                        level["p95_ms"],
                        level["lost_frames"],
                        level["late_frames"],
                        level["rss_peak_mb"],
                    )
        finally:
            server.stop()

    plain_turns = turns[: len(plain)]
    pause_turns = turns[len(plain) :]
    latencies = [t.latency_ms for t in turns if t.latency_ms is not None]
    live_pairs = [(a.reference, t.text) for a, t in zip(plain, plain_turns, strict=True)]
    wer_live = corpus_wer(live_pairs)
    wer_stored = corpus_wer(
        [(a.reference, t.stored_text) for a, t in zip(plain, plain_turns, strict=True)]
    )
    log.info(
        "live WER %.1f%% (stored after re-decode %.1f%%), offline %.1f%%",
        wer_live * 100,
        wer_stored * 100,
        stt["wer"] * 100,
    )
    rss_four = next((lv["rss_peak_mb"] for lv in capacity if lv["sessions"] == 4), None)
    return {
        "latency_p50_ms": _r(percentile(latencies, 50)),
        "latency_p95_ms": _r(percentile(latencies, 95)),
        "latency_max_ms": _r(max(latencies) if latencies else None),
        "wer_live": round(wer_live, 4),
        "wer_offline": round(stt["wer"], 4),
        "wer_stored": round(wer_stored, 4),
        "stt_rtf": round(stt["rtf"], 4),
        "tts_rtf": round(tts["rtf"], 4),
        "startup_s": round(server.startup_s, 2),
        "rss_peak_mb": rss_four if rss_four is not None else round(rss_one, 1),
        "capacity": capacity,
        "turns": len(turns),
        "no_reply": sum(1 for t in turns if t.latency_ms is None),
        "eot": _end_of_turn(plain_turns, pause_turns),
        "wer_by_length": _wer_by_length(plain, plain_turns, stt["hypotheses"]),
        "wer_live_pause_answers": round(
            corpus_wer([(a.reference, t.text) for a, t in zip(paused, pause_turns, strict=True)]),
            4,
        ),
        "per_clip": [
            {
                "clip": a.name,
                "seconds": round(a.audio.size / 16000, 2),
                "latency_ms": _r(t.latency_ms),
                "eot_wait_ms": _r(t.eot_wait_ms),
                "to_transcript_ms": _r(t.to_transcript_ms),
                "parts": t.parts,
                "wer_live": round(wer(a.reference, t.text), 4),
                "wer_stored": round(wer(a.reference, t.stored_text), 4),
                "wer_offline": round(wer(a.reference, stt["hypotheses"][a.name]), 4),
            }
            for a, t in zip(plain, plain_turns, strict=True)
        ],
        "rss_one_session_mb": round(rss_one, 1),
        "stt_decode_ms_by_length": stt["decode_ms_by_length"],
        "tts_first_sentence_ms_p50": tts["first_sentence_ms_p50"],
        "clips_audio_s": stt["audio_s"],
        "machine": machine(),
        "source": source_version(),
        "versions": versions(),
        "models": models(),
        "settings": {k: (str(v) if v is not None else None) for k, v in settings.items()},
        "env": env,
        "quick": quick,
        "load_avg": {
            "start": load_start,
            "offline": stt["load_avg"],
            "live_one_session": [load_live, load_live_end],
            "end": load_average(),
        },
        "duration_s": round(time.monotonic() - t_run, 1),
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
    }


def _end_of_turn(plain: list, paused: list) -> dict:
    """How often a thinking pause ended the turn, and how long a real end waited."""
    waits = [t.eot_wait_ms for t in plain if t.eot_wait_ms is not None]
    by_kind: dict[str, dict] = {}
    for kind in ("mid_sentence", "between_sentences"):
        ts = [t for t in paused if t.kind == kind]
        by_kind[kind] = {
            "answers": len(ts),
            "cut_in_pause": sum(t.cut_in_pause for t in ts),
            "heard_interviewer_in_pause": sum(t.heard_in_pause for t in ts),
        }
    return {
        "pause_s": PAUSE_S,
        "pause_answers": len(paused),
        "cut_in_pause": sum(t.cut_in_pause for t in paused),
        "heard_interviewer_in_pause": sum(t.heard_in_pause for t in paused),
        "by_kind": by_kind,
        "plain_answers_cut": sum(1 for t in plain if t.parts > 1),
        "real_end_wait_p50_ms": _r(percentile(waits, 50)),
        "real_end_wait_p95_ms": _r(percentile(waits, 95)),
    }


def _wer_by_length(plain: list, turns: list, offline: dict[str, str]) -> dict:
    """Live and offline WER of the short (<= 20 s) and the long answers apart."""
    out = {}
    for label, keep in (("short", lambda a: a.audio.size <= 20 * 16000), ("long", None)):
        sel = [
            (a, t)
            for a, t in zip(plain, turns, strict=True)
            if (keep(a) if keep else a.audio.size > 20 * 16000)
        ]
        out[label] = {
            "answers": len(sel),
            "wer_live": round(corpus_wer([(a.reference, t.text) for a, t in sel]), 4),
            "wer_offline": round(corpus_wer([(a.reference, offline[a.name]) for a, _ in sel]), 4),
        }
    return out


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 1)


if __name__ == "__main__":
    main()
