"""Run the lever experiments and write bench/experiments.json (rendered by bench/report.py).

python -m bench.experiments [eot] [fitted] [wer] [pauses] [search]  # default: eot, fitted, wer
python -m bench.experiments lever RESULTS.json     # record a capacity lever run (bench.run --env)
python -m bench.experiments latency RESULTS.json LABEL   # record a one-session run (--levels '')
"""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

from bench.common import REPO, load_average, load_clips, machine, setup_logging

log = logging.getLogger("bench.experiments")
OUT = REPO / "bench" / "experiments.json"


def main() -> None:
    setup_logging()
    for noisy in ("faster_whisper", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if sys.argv[1:2] == ["lever"]:
        data = json.loads(OUT.read_text()) if OUT.is_file() else {}
        run = json.loads(Path(sys.argv[2]).read_text())
        levers = [lv for lv in data.get("capacity_levers", []) if lv["env"] != run["env"]]
        levers.append({"env": run["env"], "capacity": run["capacity"], "date": run["date"]})
        data["capacity_levers"] = levers
        OUT.write_text(json.dumps(data, indent=2) + "\n")
        return
    if sys.argv[1:2] == ["latency"]:
        data = json.loads(OUT.read_text()) if OUT.is_file() else {}
        run = json.loads(Path(sys.argv[2]).read_text())
        eot = run["eot"]
        row = {
            "label": sys.argv[3],
            "env": run["env"],
            "date": run["date"],
            "commit": run["source"].get("commit"),
            "latency_p50_ms": run["latency_p50_ms"],
            "latency_p95_ms": run["latency_p95_ms"],
            "wer_live": run["wer_live"],
            "eot_wait_p50_ms": eot["real_end_wait_p50_ms"],
            "eot_wait_p95_ms": eot["real_end_wait_p95_ms"],
            "plain_answers_cut": eot["plain_answers_cut"],
            "pause_answers_cut": eot["cut_in_pause"],
            "pause_answers": eot["pause_answers"],
            "load_avg": run["load_avg"]["live_one_session"],
        }
        levers = [lv for lv in data.get("latency_levers", []) if lv["label"] != row["label"]]
        data["latency_levers"] = [*levers, row]
        OUT.write_text(json.dumps(data, indent=2) + "\n")
        return
    which = set(sys.argv[1:]) or {"eot", "fitted", "wer"}
    data = json.loads(OUT.read_text()) if OUT.is_file() else {}
    clips = load_clips()
    if "eot" in which:
        from audio.stt import WhisperRecognizer
        from bench.experiments import end_of_turn

        load = load_average()
        data["eot"] = end_of_turn.run(clips, WhisperRecognizer(cpu_threads=2))
        data["eot"]["load_avg"] = [load, load_average()]
    if "fitted-costs" in which and "fitted" in data:
        from bench.experiments import fitted_window

        data["fitted"]["decode_ms"] = fitted_window.costs(clips, fitted_window.recognizers())
    if "wer" in which:
        from bench.experiments import live_wer

        load = load_average()
        data["live_wer"] = live_wer.run(clips)
        data["live_wer"]["load_avg"] = [load, load_average()]
    if "eot-more" in which and "eot" in data:
        from audio.stt import WhisperRecognizer
        from bench.experiments import end_of_turn

        done = frozenset(r["policy"] for r in data["eot"]["rows"])
        more = end_of_turn.run(clips, WhisperRecognizer(cpu_threads=2), skip=done)
        data["eot"]["rows"] += more["rows"]
    if "search" in which:
        from bench.experiments import decode_search

        load = load_average()
        data["decode_search"] = decode_search.run(clips)
        data["decode_search"]["load_avg"] = [load, load_average()]
    if "pauses" in which:
        from bench.experiments import natural_pauses

        data["natural_pauses"] = natural_pauses.run(clips)
    if "fitted" in which:
        from bench.experiments import fitted_window

        load = load_average()
        data["fitted"] = fitted_window.run(clips)
        data["fitted"]["load_avg"] = [load, load_average()]
    data["machine"] = machine()
    data["date"] = time.strftime("%Y-%m-%d %H:%M %Z")
    OUT.write_text(json.dumps({k: v for k, v in data.items() if k != "markdown"}, indent=2) + "\n")
    log.info("wrote %s", OUT)


if __name__ == "__main__":
    main()
