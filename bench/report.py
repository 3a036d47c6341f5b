"""Render bench/results.json (and bench/experiments.json, when present) as docs/performance.md.

python -m bench.report   # re-render from the saved JSON without measuring again
"""

from __future__ import annotations

import json
from pathlib import Path

from bench.common import REPO
from bench.experiments import render as tables

EXPERIMENTS = REPO / "bench" / "experiments.json"


def _fmt(x: float | None, unit: str = "", digits: int = 0) -> str:
    if x is None:
        return "n/a"
    return f"{x:,.{digits}f}{unit}"


def _met(ok: bool | None) -> str:
    return "n/a" if ok is None else ("**met**" if ok else "**not met**")


def _level(results: dict, n: int) -> dict | None:
    return next((lv for lv in results["capacity"] if lv["sessions"] == n), None)


def figures_table(r: dict) -> list[str]:
    four = _level(r, 4)
    eot = r["eot"]
    gap = (r["wer_live"] - r["wer_offline"]) * 100
    p50, p95 = r["latency_p50_ms"], r["latency_p95_ms"]
    rows = [
        ("Voice-to-voice latency p50, one session", _fmt(p50, " ms"), "<= 800 ms",
         _met(p50 <= 800 if p50 is not None else None)),
        ("Voice-to-voice latency p95, one session", _fmt(p95, " ms"), "<= 1200 ms",
         _met(p95 <= 1200 if p95 is not None else None)),
        ("Voice-to-voice latency max, one session", _fmt(r["latency_max_ms"], " ms"), "", ""),
        ("Word error rate, live incremental (server, final transcripts)",
         f"{r['wer_live'] * 100:.1f} %", "within 1 point of offline", _met(gap <= 1.0)),
        ("Word error rate, offline whole file (same model, same run)",
         f"{r['wer_offline'] * 100:.1f} %", "", ""),
        ("Live minus offline", f"{gap:+.1f} points", "<= +1.0", ""),
        *(
            [("Word error rate, stored (long answers decoded again as a whole after the reply "
              "starts)", f"{r['wer_stored'] * 100:.1f} %",
              "(not the target's figure)", "")]
            if "wer_stored" in r else []
        ),
        ("Transcription real-time factor (whole file, beam 5)", _fmt(r["stt_rtf"], "", 3), "",
         ""),
        ("Synthesis real-time factor (piper, per sentence)", _fmt(r["tts_rtf"], "", 3), "", ""),
        ("Start-up to ready (process start to /api/health 200)", _fmt(r["startup_s"], " s", 1),
         "<= 10 s", _met(r["startup_s"] <= 10)),
        ("Server peak RSS (VmHWM) after 4 sessions", _fmt(r["rss_peak_mb"], " MB"),
         "<= 1200 MB", _met(r["rss_peak_mb"] <= 1200 if four else None)),
        ("Four sessions: latency p95", _fmt(four and four["p95_ms"], " ms"), "<= 2000 ms",
         _met(four["p95_ms"] <= 2000 if four and four["p95_ms"] is not None else None)),
        ("Four sessions: audio frames lost", str(four["lost_frames"]) if four else "n/a", "0",
         _met(four["lost_frames"] == 0 if four else None)),
        (f"{eot['pause_s']:g} s thinking pause ends the turn",
         f"{eot['cut_in_pause']} of {eot['pause_answers']}", "<= 1 of 10",
         _met(eot["cut_in_pause"] * 10 <= eot["pause_answers"])),
        ("Wait at a real end (last voiced sample -> end of turn decided), p50 / p95",
         f"{_fmt(eot['real_end_wait_p50_ms'])} / {_fmt(eot['real_end_wait_p95_ms'])} ms", "",
         ""),
    ]  # fmt: skip
    out = ["| figure | value | target | |", "|---|---|---|---|"]
    out += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return out


def capacity_table(r: dict) -> list[str]:
    out = [
        "| sessions | turns | p50 | p95 | max | end-of-turn wait p50 / p95 | lost frames "
        "| late frames (>100 ms) | max send lag | `overloaded` | peak RSS "
        "| load avg start -> end |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for lv in r["capacity"]:
        out.append(
            f"| {lv['sessions']} | {lv['turns']} | {_fmt(lv['p50_ms'], ' ms')} "
            f"| {_fmt(lv['p95_ms'], ' ms')} | {_fmt(lv['max_ms'], ' ms')} "
            f"| {_fmt(lv.get('eot_wait_p50_ms'))} / {_fmt(lv.get('eot_wait_p95_ms'))} ms "
            f"| {lv['lost_frames']} of {lv['frames_sent']:,} "
            f"| {lv['late_frames']} of {lv['paced_frames']:,} | {lv['max_send_lag_ms']} ms "
            f"| {lv['overloaded_events']} | {lv['rss_peak_mb']:.0f} MB "
            f"| {lv['load_avg_start'][0]} -> {lv['load_avg_end'][0]} |"
        )
    return out


def per_clip_table(r: dict) -> list[str]:
    out = [
        "| clip | s | latency | end-of-turn wait | parts | WER live | WER stored | WER offline |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for c in r["per_clip"]:
        stored = c.get("wer_stored")
        out.append(
            f"| {c['clip']} | {c['seconds']} | {_fmt(c['latency_ms'], ' ms')} "
            f"| {_fmt(c['eot_wait_ms'], ' ms')} | {c['parts']} | {c['wer_live'] * 100:.1f} % "
            f"| {_fmt(stored * 100 if stored is not None else None, ' %', 1)} "
            f"| {c['wer_offline'] * 100:.1f} % |"
        )
    return out


def node_capacity(r: dict) -> int:
    """Most simultaneous sessions that kept p95 <= 2000 ms and lost no frame."""
    ok = [
        lv["sessions"]
        for lv in r["capacity"]
        if lv["p95_ms"] is not None and lv["p95_ms"] <= 2000 and lv["lost_frames"] == 0
    ]
    return max(ok, default=0)


def render(r: dict, experiments: dict | None) -> str:
    m, s = r["machine"], r["settings"]
    eot = r["eot"]
    la = r["load_avg"]
    lines = [
        "# Performance",
        "",
        "Measured by `make bench` (`python -m bench.run`), which starts the real server on a",
        "loopback port and drives it over the WebSocket protocol the way the browser does:",
        "20 ms frames at real-time pace, the speech clips of `../shared/speech` and",
        "`../shared/speech-bench`. Figures are also in `bench/results.json`. Re-render this",
        "page from the JSON with `python -m bench.report`.",
        "",
        f"Run: {r['date']}, {r['duration_s'] / 60:.1f} min"
        + (
            f", code at commit {r['source']['commit']}"
            + (" with local changes to the server" if r["source"]["server_code_changed"] else "")
            if r.get("source")
            else ""
        )
        + (" (quick run: a subset)" if r["quick"] else "")
        + (f"; server env {r['env']}" if r["env"] else "")
        + ".",
        "",
        "## Machine, models, settings",
        "",
        f"- Machine: {m['nproc']} cores (`nproc`), {m['cpu']}, {m['ram_gb']} GB RAM, Linux "
        f"{m['kernel']}, Python {m['python']}.",
        f"- Load average (1/5/15 min) at start {la['start']}, during the one-session run "
        f"{la['live_one_session'][0]} -> {la['live_one_session'][1]}, at end {la['end']}. "
        "Other jobs shared the machine when the load at start is above ~0.5: figures are "
        "then pessimistic.",
        f"- Models: {r['models']['stt']}; {r['models']['tts']}; {r['models']['vad']}. Versions: "
        + ", ".join(f"{k} {v}" for k, v in r["versions"].items())
        + ".",
        f"- Settings in force: whisper {s['whisper_compute_type']} on {s['whisper_device']}, "
        f"`whisper_threads={s['whisper_threads']}`, `stt_workers={s['stt_workers']}`, "
        f"`tts_threads={s['tts_threads']}`, `tts_workers={s['tts_workers']}`; webrtcvad "
        f"aggressiveness {s['vad_aggressiveness']}; pause decode after {s['pause_ms']} ms; "
        + _end_of_turn_settings(s)
        + f"; caption decode every {s['partial_every_ms']} ms; barge-in after "
        f"{s['barge_in_ms']} ms; answers of {int(s.get('revise_after_ms') or 0) // 1000} s "
        "or more decoded again as a whole after the reply starts. No Claude key (local "
        "grading and follow-ups).",
        "",
        "## Figures",
        "",
        *figures_table(r),
        "",
        "How each figure is taken:",
        "",
        "- **Latency**: from the client-side send time of the frame holding the answer's last "
        "voiced sample (energy above 35 dB under the clip's loud speech and 8 dB over its "
        "noise floor, 10 ms windows) to the arrival of the first binary audio message of the "
        "interviewer's reply. The client keeps streaming silence at real-time pace meanwhile "
        "(the server's clock is the audio it receives), so the end-of-turn wait is included. "
        f"{r['turns']} turns in one session (new interviews started as each one ended): every "
        f"clip once as a plain answer, plus {eot['pause_answers']} answers holding a "
        f"{eot['pause_s']:g} s thinking pause; {r['no_reply']} turns got no reply in 30 s. A "
        "negative latency means the reply began before the answer's last voiced sample: the "
        "turn had ended at an earlier pause and the rest was too short or quiet to barge in.",
        "- **Word error rate**: `audio.wer.corpus_wer` (normalised) of the final `transcript` "
        "events of the plain answers, against the manifests' references; the offline figure "
        "is `WhisperRecognizer.transcribe_file` on each whole file, same model and threads, "
        "same run. Answers with a pause inserted: live WER "
        f"{r['wer_live_pause_answers'] * 100:.1f} %." + _wer_split(r),
        "- **Real-time factors**: processing time / audio duration; transcription over the "
        f"{r['clips_audio_s']:.0f} s of clips (whole files, beam 5), synthesis over the "
        "interviewer's usual sentences one at a time. One pause decode (beam 5) costs "
        + ", ".join(f"{v} ms for {k}" for k, v in r["stt_decode_ms_by_length"].items())
        + f" of audio; the first sentence of a reply synthesises in "
        f"{r['tts_first_sentence_ms_p50']:.0f} ms (median).",
        "- **Start-up**: `coach serve` process start to the first 200 from `/api/health` "
        "(imports, model loading, warm-up, schema), page cache warm.",
        "- **Peak RSS**: `VmHWM` of the server process from `/proc/<pid>/status` after the "
        f"four-session level (after the one-session run: {r['rss_one_session_mb']:.0f} MB).",
        "- **Capacity**: N sessions started 0.7 s apart, each answering clips of at most 17 s "
        "for about 60 s after its opening question, streaming at real-time pace the whole "
        "time (replies play out in real time too). *Lost* = frames sent minus frames in the "
        "stored `recordings/<session>/candidate.wav`; *late* = frames the client could not "
        "send within 100 ms of their slot (the client runs on the same two cores).",
        "",
        "## Capacity",
        "",
        *capacity_table(r),
        "",
        "## End of turn",
        "",
        f"{eot['pause_answers']} answers with a {eot['pause_s']:g} s thinking pause (digital "
        "silence, as a microphone with noise suppression gives): half stretch a word gap "
        "near the middle of one clip (mid-sentence), half join two clips (between "
        "sentences).",
        "",
        "| pause | answers | turn ended in the pause | interviewer heard in the pause |",
        "|---|---|---|---|",
    ]
    for kind, v in eot["by_kind"].items():
        lines.append(
            f"| {kind.replace('_', ' ')} | {v['answers']} | {v['cut_in_pause']} "
            f"| {v['heard_interviewer_in_pause']} |"
        )
    lines += [
        "",
        f"At a real end the server waited {_fmt(eot['real_end_wait_p50_ms'])} ms (p50) / "
        f"{_fmt(eot['real_end_wait_p95_ms'])} ms (p95) from the last voiced sample to "
        f"`state: thinking`; plain answers cut at a pause the reader made: "
        f"{eot['plain_answers_cut']} (the slow sonnet readings pause over a second between lines).",
        "",
        "## What limits each figure",
        "",
        *limits(r),
        "",
    ]
    if experiments:
        lines += experiments_section(experiments, r)
    lines += scale_section(r, experiments)
    lines += ["## Per clip (one session)", "", *per_clip_table(r), ""]
    return "\n".join(lines)


def _wer_split(r: dict) -> str:
    w = r.get("wer_by_length")
    if not w:
        return ""
    short, long = w["short"], w["long"]
    return (
        f" By length: {short['answers']} answers up to 20 s, live "
        f"{short['wer_live'] * 100:.1f} % vs offline {short['wer_offline'] * 100:.1f} %; "
        f"{long['answers']} longer ones, live {long['wer_live'] * 100:.1f} % vs offline "
        f"{long['wer_offline'] * 100:.1f} %."
    )


def _end_of_turn_settings(s: dict) -> str:
    if s.get("end_of_turn") == "smart_turn":
        return (
            f"end of turn judged by smart-turn v3 on the audio (P >= "
            f"{s['smart_turn_threshold']}: {s['smart_turn_complete_ms']} ms of silence, else "
            f"{s['smart_turn_hangover_ms']} ms; {s['hangover_incomplete_ms']} ms when the words "
            "trail off)"
        )
    return (
        f"hangover {s['hangover_complete_ms']} ms (answer sounds complete) / "
        f"{s['hangover_ms']} ms (cannot tell) / {s['hangover_incomplete_ms']} ms (trails off)"
    )


def _capacity_limit(r: dict) -> str:
    levels = [lv for lv in r["capacity"] if lv.get("eot_wait_p50_ms") is not None]
    waits = ", ".join(
        f"{lv['sessions']}: {lv['eot_wait_p50_ms']:.0f} / {lv['eot_wait_p95_ms']:.0f} ms"
        for lv in levels
    )
    return (
        "- **Capacity** is bounded by the single transcription worker (`stt_workers=1`, two "
        "threads): every session's pause, caption, final and re-decode jobs queue on it (by "
        "priority: final, pause, caption, whole-answer re-decode). The end-of-turn wait "
        f"p50 / p95 by sessions ({waits}) barely moves with load, since the wait no longer "
        "depends on when a decode lands; what grows is the decode after it. Frames are never "
        "dropped (reading a frame is microseconds on the event loop)."
    )


def limits(r: dict) -> list[str]:
    eot = r["eot"]
    s = r["settings"]
    post = _post_decision_ms(r)
    decode = _median(
        [c["to_transcript_ms"] for c in r["per_clip"] if c.get("to_transcript_ms") is not None]
    )
    split = (
        f"; {decode:.0f} ms of it until the final transcript, the rest the reply's own work"
        if decode == decode  # not NaN: runs before the split was recorded lack it
        else ""
    )
    return [
        "- **Latency** is the end-of-turn wait plus the decode that finishes the answer. The "
        f"wait at a real end is {_fmt(eot['real_end_wait_p50_ms'])} ms at p50 (smart-turn "
        f"hears a finished answer: {s.get('smart_turn_complete_ms')} ms of silence, plus "
        "webrtcvad's trailing frames) and "
        f"{_fmt(eot['real_end_wait_p95_ms'])} ms at p95 (real ends it does not hear as "
        f"finished, about a third of these read clips, wait {s.get('smart_turn_hangover_ms')}"
        f" ms). After the decision the first audio leaves about {post:.0f} ms later "
        f"(median{split}): the pause decode, started at {s.get('pause_ms')} ms of silence and "
        "redoing the whole answer so far (greedy up to "
        f"{s.get('greedy_up_to_s')} s of audio, beam 5 past that), is often still running "
        "when the wait ends, and the reply waits for it (it is reused, not repeated); "
        "grading, the engine, the database and piper's first sentence "
        f"(median {r['tts_first_sentence_ms_p50']:.0f} ms) add little.",
        "- **Live WER** is bounded by tiny.en itself (the offline figure) on short answers; "
        "what gap there is comes from the long answers, which the live path decodes piece "
        "by piece (words committed once two greedy caption hypotheses agree, committed "
        "audio dropped past 24 s of buffer), and an answer the reader's pauses split into "
        "parts (the sonnets) is decoded part by part. "
        "The stored transcript of an answer of 15 s or more is decoded again as a whole once "
        "the reply has started (the *stored* row); the interviewer's immediate follow-up "
        "uses the live text.",
        "- **Transcription RTF** is tiny.en int8 on two threads; a decode always encodes a "
        "30 s window, so short pause decodes cost a fixed ~0.2-0.3 s whatever their length "
        "(see the fitted-window experiment).",
        _capacity_limit(r),
        "- **Start-up** is Python imports, loading the three models and warming them at "
        "full size (a 28 s beam-5 decode, the longest sentence) on their worker threads.",
        "- **Memory** is the models plus the largest buffers their runtimes ever need, "
        "reached during that warm-up; sessions add little (audio buffers bounded at 28 s).",
        "",
    ]


def _median(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[len(xs) // 2] if xs else float("nan")


def _post_decision_ms(r: dict) -> float:
    gaps = [
        c["latency_ms"] - c["eot_wait_ms"]
        for c in r["per_clip"]
        if c.get("latency_ms") is not None and c.get("eot_wait_ms") is not None
    ]
    gaps.sort()
    return gaps[len(gaps) // 2] if gaps else float("nan")


def _eot_row(x: dict, name: str) -> dict | None:
    return next((r for r in x["eot"]["rows"] if r["policy"] == name), None)


def _cuts(row: dict | None, pause: str = "1.5") -> str:
    if row is None:
        return "n/a"
    m, b = row[f"mid_{pause}"], row[f"between_{pause}"]
    return f"{m[0]}/{m[1]} mid-sentence, {b[0]}/{b[1]} between sentences"


def _wait(row: dict | None) -> str:
    if row is None:
        return "n/a"
    return f"{row['real_end_wait_p50_ms']:.0f} / {row['real_end_wait_p95_ms']:.0f} ms"


def experiments_section(x: dict, r: dict) -> list[str]:
    """Tables of bench/experiments.json with what they mean for the targets."""
    lines = [
        "## Lever experiments",
        "",
        f"`python -m bench.experiments` (standalone, {x.get('date', '')}; load average "
        "during the runs is in `bench/experiments.json`, and other jobs shared the machine, "
        "so times there are noisier than word error rates; those vary a little too, since "
        "faster-whisper samples when it falls back to higher temperatures).",
        "",
    ]
    post = [
        c["latency_ms"] - c["eot_wait_ms"]
        for c in r["per_clip"]
        if c["latency_ms"] is not None and c["eot_wait_ms"] is not None
    ]
    post_ms = sorted(post)[len(post) // 2] if post else 0.0
    if "eot" in x:
        e = x["eot"]
        today = _eot_row(x, "text 600/1000/2000 (words only, earlier default)")
        long = _eot_row(x, "no hint, 1600")
        text_long = _eot_row(x, "text 600/1600/2000")
        short = _eot_row(x, "no hint, 700")
        smart = _eot_row(x, "smart-turn >0.5: 300 / else 1600")
        lines += [
            "### End of turn: hangovers, the text hint, smart-turn v3",
            "",
            "Run before this issue's changes to the segmenter (a pause whose hint was late then "
            "waited 2000 ms); the default adopted since, smart-turn 300 / 1600 ms, is measured "
            "live under *Figures*, against 500 ms in *One-session lever runs*, and against "
            "natural pauses below.",
            "",
            "`bench/experiments/end_of_turn.py` feeds each answer through the real "
            "`TurnSegmenter` (webrtcvad) frame by frame; at each pause the policy's hint "
            "reaches the segmenter only after the time its model really took (the pause "
            "decode for the text rule; smart-turn's inference). *Real end*: every clip "
            f"followed by silence ({e['cases']['real_end']} answers); the wait runs from the "
            "last voiced sample to the decision. Pauses: a word gap near the middle of a clip "
            "stretched to 1.0 / 1.5 / 2.0 s (mid-sentence), or two clips joined by the pause "
            "(between sentences). *Ends inside plain answers*: turn ends decided before the "
            "last voiced sample of the plain clips, counted over all of them (the sonnet "
            "readings pause a second and more between lines). smart-turn: "
            f"`{e['smart_turn_model']}` from `pipecat-ai` (BSD-2), 8.7 MB, "
            f"{e['smart_turn_ms']:.0f} ms per call on one thread in this run (about 50 ms on "
            "an idle machine), fed the last 8 s of the turn as 80x800 Whisper log-mel "
            "features (waveform normalised first).",
            "",
            *tables.eot_markdown(e),
            "",
            f"Reading it (voice-to-voice = wait + about {post_ms:.0f} ms measured after the "
            "decision in the live run: grading, engine, database, first sentence of piper):",
            "",
            "- The words-only rule (the default before smart-turn) waits "
            f"{_wait(today)} (p50 / p95) at a real end and ends the turn "
            f"in a 1.5 s pause in {_cuts(today)} answers. Whisper ends nearly every fragment "
            "with a full stop, so the hint is mostly *cannot tell* and the 1000 ms hangover "
            "decides both.",
            f"- A fixed hangover cannot meet both targets: 700 ms waits {_wait(short)} and cuts "
            f"{_cuts(short)}; 1600 ms cuts none of the 1.5 s pauses ({_cuts(long)}) but waits "
            f"{_wait(long)}. The text rule with a 1600 ms *cannot tell* hangover "
            f"({_wait(text_long)}, {_cuts(text_long)}) is that rule made safe for 1.5 s "
            "pauses, at +600 ms of latency.",
            f"- smart-turn v3 gives the short wait the latency target needs ({_wait(smart)} "
            f"with 300 ms when it says complete, 1600 ms otherwise: voice-to-voice p50 about "
            f"{smart['real_end_wait_p50_ms'] + post_ms:.0f} ms) but on these clips it calls "
            f"most clause-boundary pauses complete too ({_cuts(smart)}), at every threshold "
            "from 0.3 to 0.9. These clips are read speech (audiobooks, ARCTIC prompts, LJ "
            "Speech): a reader's pause at a comma carries falling, final-sounding intonation, "
            "where a candidate thinking mid-sentence usually does not; smart-turn is trained on "
            "conversational speech. Its p95 comes from real ends it calls incomplete (about a "
            "third of the clips, all three sonnets among them), which then wait the long "
            "hangover."
            if smart
            else "- smart-turn v3 was not installed for this run.",
            "",
        ]
    if "fitted" in x:
        f = x["fitted"]
        lines += [
            "### Fitted encoder window",
            "",
            "`bench/experiments/fitted_window.py`: faster-whisper pads every segment to 3000 "
            "mel frames (30 s) before the encoder; CTranslate2 accepts fewer. The prototype "
            "pads to the audio length + 1.5 s (at least 6 s or 10 s) by swapping "
            "`faster_whisper.transcribe.pad_or_trim` during each call, so prompts, beams and "
            "word timestamps take the usual path. Median decode time by audio length "
            "(recognizers take turns, 5 repeats):",
            "",
            *tables.fitted_markdown(f),
            "",
            "Short decodes get about twice as fast (the 2-5 s rows: what pause decodes "
            "mostly are), but the fitted window makes tiny.en less sure of itself: some "
            "decodes (the 8 s beam and 12 s greedy rows, same words out) fail faster-whisper's "
            "log-probability / compression checks and are decoded again at higher "
            "temperatures, taking 2-3x longer than with the full window; and the word error "
            "rate rises on the live path and, where the last window of a long clip is short, "
            "much more on whole files.",
            "",
        ]
    if "live_wer" in x:
        lw = x["live_wer"]
        lines += [
            "### Where the live path loses words",
            "",
            "`bench/experiments/live_wer.py`: the live path (`bench.simulate`, flat hangover, "
            f"no hint) over the {len(lw['clips'])} long answers (the three sonnets, the two "
            "MFA monologues, LJ001-0003), as today and without its two suspects: caption "
            "decodes (LocalAgreement commits during unbroken speech) and turn splits at the "
            "reader's own pauses (a longer hangover).",
            "",
            *tables.live_wer_markdown(lw),
            "",
        ]
    if "natural_pauses" in x:
        npz = x["natural_pauses"]
        ps = npz["p_finished_spontaneous"]
        lines += [
            "### Natural pauses: spontaneous speech against read speech",
            "",
            "`bench/experiments/natural_pauses.py`: every pause of "
            f"{npz['min_pause_ms']} ms or more that speakers really made inside the shared "
            f"clips ({npz['spontaneous_pauses']} in the two spontaneous monologues, "
            f"{npz['read_pauses']} in the readings), found by the real segmenter (webrtcvad), "
            "with smart-turn asked at each as the server asks it. A pause ends the turn when "
            "it is at least as long as the hangover it gets (timers alone; the words' "
            "trailing-off hint can only lengthen waits).",
            "",
            "| policy | spontaneous pauses that end the turn | read pauses that end the turn |",
            "|---|---|---|",
            *[
                f"| {row['policy']} | {row['spontaneous_cut']} of {npz['spontaneous_pauses']} "
                f"| {row['read_cut']} of {npz['read_pauses']} |"
                for row in npz["rows"]
            ],
            "",
            "smart-turn's P(finished) at the spontaneous pauses (up to "
            f"{max(p[1] for c in npz['spontaneous_clips'] for p in npz['pauses'][c]):,} ms "
            f"long): {', '.join(f'{p:.2f}' for p in ps)} - every one under 0.5, so none "
            "gets the short wait. The readers' pauses are mostly sentence ends with a final "
            "fall (the sonnets' line ends), which it calls finished.",
            "",
        ]
    if "decode_search" in x:
        lines += _decode_search_section(x["decode_search"])
    if x.get("latency_levers"):
        lines += _latency_levers_section(x["latency_levers"])
    lines += recommendations(x, r, post_ms)
    return lines


def _decode_search_section(d: dict) -> list[str]:
    rows = d["rows"]
    return [
        "### Search and buffer of the pause and end-of-turn decodes",
        "",
        "`bench/experiments/decode_search.py`: the live transcription path run offline "
        "(`bench.simulate`: real segmenter, incremental transcriber and recognizer; flat "
        f"1600 ms hangover, captions every 2.5 s) over all {d['clips']} clips "
        f"({d['short_answers']} of up to 20 s). Word error rate, and the time of the pause "
        "and end-of-turn decodes (captions are greedy in every variant and not counted).",
        "",
        "| variant | WER all | up to 20 s | longer | decodes | decode p50 | decode p90 | total |",
        "|---|---|---|---|---|---|---|---|",
        *[
            f"| {row['variant']} | {row['wer'] * 100:.1f} % | {row['wer_short'] * 100:.1f} % "
            f"| {row['wer_long'] * 100:.1f} % | {row['decodes']} | {row['decode_ms_p50']:,} ms "
            f"| {row['decode_ms_p90']:,} ms | {row['decode_s_total']} s |"
            for row in rows
        ],
        "",
        "Greedy search is as accurate as beam 5 on audio of up to 20 s and cheaper, so "
        "pause and end-of-turn decodes of up to 20 s are greedy (`COACH_GREEDY_UP_TO_S`; "
        "12 s at first, 20 s gave the same words in less time); greedy on everything loses "
        "words on the long answers, so beam 5 stays past 20 s. "
        "Dropping committed audio sooner (decoding only the last ~8 s at a pause) saves "
        "little time and costs words: whisper hears the audio after a cut without its "
        "beginning. The other way round helps the words: keeping up to 28 s of an answer's "
        "audio and letting a full-beam decode of the whole answer replace the words the "
        "greedy captions had committed (`COACH_WHOLE_ANSWER_CONTEXT_S=28`) brings the long "
        "answers closer to the offline figure. It is not the default: live, an answer of "
        "20-28 s then waits for a beam-5 decode of all of it (one spontaneous 25.7 s answer: "
        "1.8 -> 3.2 s, its live WER 15.5 -> 8.6 %; *One-session lever runs*), and the "
        "stored transcript of such an answer is decoded again as a whole anyway. Letting "
        "greedy whole-answer decodes replace the captions' words too was worse on the short "
        "answers (measured once with a throwaway variant: 5.1 % against 4.3 % on answers up "
        "to 20 s).",
        "",
    ]


def _latency_levers_section(levers: list[dict]) -> list[str]:
    return [
        "### One-session lever runs",
        "",
        "`python -m bench.run --levels '' [--env ...]` (the one-session part of the benchmark: "
        "the same 37 answers, real server, real time), recorded with `python -m "
        "bench.experiments latency RESULTS.json LABEL`. One run each, and runs spread: the "
        "full run under *Figures* (p50 886 ms) and the row of the words rule differ only by "
        "that rule. Their p50s are about 100 ms apart: the plain answers stayed within tens "
        'of ms of that run, except one 1.6 s answer ("Will we ever forget it?") that '
        "waited 2.1 s instead of 0.4 s in every run since, and the pause answers moved. "
        'The cause, found later: the words hint counted a final "it" as trailing off '
        "(2 s). Before the words rule the turn had ended on smart-turn's verdict before the "
        "words came; with it, the words and their hint arrive together. Object pronouns no "
        "longer count as trailing off (that answer: 0.67 s). The rows before the last predate that "
        "fix. Differences under ~100 ms at p50 are noise.",
        "",
        "| run | latency p50 / p95 | wait at a real end p50 / p95 | live WER "
        "| plain answers cut at a reader's pause | 1.5 s pauses that end the turn | date |",
        "|---|---|---|---|---|---|---|",
        *[
            f"| {lv['label']} | {_fmt(lv['latency_p50_ms'])} / {_fmt(lv['latency_p95_ms'])} ms "
            f"| {_fmt(lv['eot_wait_p50_ms'])} / {_fmt(lv['eot_wait_p95_ms'])} ms "
            f"| {lv['wer_live'] * 100:.1f} % | {lv['plain_answers_cut']} "
            f"| {lv['pause_answers_cut']} of {lv['pause_answers']} | {lv['date']} |"
            for lv in levers
        ],
        "",
    ]


def recommendations(x: dict, r: dict, post_ms: float) -> list[str]:
    eot = r["eot"]
    text_long = _eot_row(x, "text 600/1600/2000") if "eot" in x else None
    s = r["settings"]
    return [
        "### What was adopted, and what is left",
        "",
        "Adopted (defaults now): smart-turn v3 judges each pause "
        f"({s.get('smart_turn_complete_ms')} ms when it hears a finished answer, else "
        f"{s.get('smart_turn_hangover_ms')} ms; words that trail off 2000 ms); a judge that "
        "is late no longer makes the turn wait as long as a trailing-off answer; the end of "
        "turn reuses the pause decode in flight; pause and end-of-turn decodes of up to "
        f"{s.get('greedy_up_to_s')} s of audio are greedy; answers of 15 s or more are "
        "decoded again as a whole for the record; models are warmed at full size on their "
        "own threads. Measured and not adopted: the fitted encoder window (word error rate); "
        "decoding only the last ~8 s at a pause; a pause decode at 160 ms of silence "
        "instead of 240 (more decodes thrown away when speech goes on, which then hold up "
        "the one that counts); webrtcvad at aggressiveness 3 (ends the pause clock sooner, "
        "but hears quiet word endings as silence: words lost and more answers cut at a "
        "reader's pause); a full-beam decode of the whole answer replacing the captions' words "
        "(better long transcripts live, +1.4 s on answers of 20-28 s); two transcription "
        "workers of one thread each (below).",
        "",
        "1. **After the wait comes the decode.** After the turn is decided the first audio "
        f"leaves a median {post_ms:.0f} ms later per plain answer "
        f"({_fmt(_minus(r['latency_p50_ms'], eot['real_end_wait_p50_ms']), ' ms')} between "
        "the two p50s), mostly the pause decode finishing (it starts at "
        f"{s.get('pause_ms')} ms of silence, the turn ends at "
        f"{s.get('smart_turn_complete_ms')} ms); the end-of-turn wait itself is at p50 "
        f"{_fmt(eot['real_end_wait_p50_ms'], ' ms')}: webrtcvad (aggressiveness 2) hears "
        "the end of the last word a median 100 ms after the energy threshold does (20 ms "
        "with aggressiveness 3, which loses words: *One-session lever runs*), and smart-turn's "
        f"verdict, asked at {s.get('pause_ms')} ms of silence, lands after its inference. "
        "What is left on this CPU: a faster encoder "
        "(the 30 s window costs ~220 ms of every decode; the fitted window saves it but "
        "costs words with tiny.en), or a GPU (`COACH_WHISPER_DEVICE=cuda`).",
        "2. **The p95 and the 1.5 s pause target pull against each other.** A real end that "
        f"smart-turn does not hear as finished waits {s.get('smart_turn_hangover_ms')} ms "
        "(about a third of these read clips), which sets the p95; shortening that wait "
        "below 1.5 s would end the turn in every 1.5 s pause it does not hear as finished. "
        f"This run ends {eot['cut_in_pause']} of {eot['pause_answers']} pause answers in "
        "the pause. They are built from read clips, and a reader's sentence-final fall "
        "sounds finished to smart-turn; in the spontaneous monologues every natural "
        "mid-answer pause (up to 1.3 s) sounds unfinished to it and none ends the turn "
        "(*Natural pauses* above). Where long silent pauses after complete sentences are "
        "the norm, `COACH_END_OF_TURN=text COACH_HANGOVER_MS=1600` meets the pause target"
        + (f" ({_cuts(text_long)}, waiting {_wait(text_long)})" if text_long else "")
        + " at the cost of latency; either way a reply is taken back when the candidate "
        "goes on within 2.5 s.",
        "3. **Capacity**: four sessions stay under the 2 s p95 target with the defaults, "
        "with little margin; eight get `overloaded` notices." + _workers_lever(x, r),
        "",
    ]


def _minus(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def _workers_lever(x: dict, r: dict) -> str:
    """Two one-thread transcription workers, if measured (``bench.experiments lever``)."""
    env = {"COACH_STT_WORKERS": "2", "COACH_WHISPER_THREADS": "1"}
    run = next((lv for lv in x.get("capacity_levers", []) if lv["env"] == env), None)
    if run is None:
        return (
            " Next to measure: two transcription workers of one thread each "
            "(`python -m bench.run --env COACH_STT_WORKERS=2 --env COACH_WHISPER_THREADS=1`)."
        )
    parts = []
    for lv in run["capacity"]:
        base = _level(r, lv["sessions"])
        was = f" (defaults: {_fmt(base['p95_ms'], ' ms')})" if base else ""
        parts.append(
            f"{lv['sessions']} sessions p95 {_fmt(lv['p95_ms'], ' ms')}{was}, "
            f"p50 {_fmt(lv['p50_ms'], ' ms')}, {lv['lost_frames']} frames lost, "
            f"{lv.get('overloaded_events', 0)} `overloaded`"
        )
    better = any(
        (base := _level(r, lv["sessions"])) is not None
        and lv["p95_ms"] is not None
        and base["p95_ms"] is not None
        and lv["p95_ms"] < base["p95_ms"] - 100
        for lv in run["capacity"]
    )
    verdict = (
        " Worth adopting once one session's latency is checked with them (each decode then "
        "runs on one thread)."
        if better
        else " The p95 does not improve, so the default stays one worker of two threads."
    )
    return (
        " Two transcription workers of one thread each (`COACH_STT_WORKERS=2 "
        f"COACH_WHISPER_THREADS=1`, {run['date']}): " + "; ".join(parts) + "." + verdict
    )


def scale_section(r: dict, x: dict | None = None) -> list[str]:
    n = node_capacity(r)
    ok50 = [
        lv["sessions"]
        for lv in r["capacity"]
        if lv["p50_ms"] is not None and lv["p50_ms"] <= 1500 and lv["lost_frames"] == 0
    ]
    over = {lv["sessions"]: lv.get("overloaded_events", 0) for lv in r["capacity"]}
    return [
        "## Scale past one machine",
        "",
        f"With the default settings one 2-core node kept p95 <= 2 s for **{n}** simultaneous "
        f"session(s), p50 <= 1.5 s for **{max(ok50, default=0)}**, and lost no frame at any "
        "level up to 8. The transcription worker is the shared resource: at 8 sessions it "
        f"fell behind at times ({over.get(8, 0)} `overloaded` notices) and the p95 sits at "
        "the edge of the target, so plan on **4** live sessions per 2 cores (fewer when "
        "answers are long and unbroken; a coding run in the sandbox takes a core for up to "
        "5 s of CPU). Past one node:",
        "",
        "- Run several identical app servers (`coach serve`, or uvicorn on `server.app`) "
        "behind a reverse proxy that speaks WebSocket and routes each connection stickily "
        "(a live session is one socket held by one node for its whole life; nothing else "
        "needs affinity).",
        "- Point every node at one PostgreSQL with `COACH_DATABASE_URL` and at shared "
        "storage for recordings with `COACH_DATA_DIR` (NFS, or a mounted bucket).",
        "- A node keeps no state another node needs beyond the live connection: the "
        "interviewer engine's snapshot and every turn are in the database after each turn, "
        "and the tracks are flushed every 500 ms (docs/design.md). If a node dies, the "
        "client sends `resume` with its session id and lands on any other node, which "
        "continues at the same question; the 30 s heartbeat lets a node refuse a session "
        "still live elsewhere (`busy`).",
        "- Scale on live sessions per node (`/api/health` reports `live_sessions` and the "
        "transcription queue depth `stt_queue`): add a node before the count reaches the "
        "figure above; a GPU node (`COACH_WHISPER_DEVICE=cuda`) holds many more.",
        "",
    ]


def write_report(results: dict, path: Path) -> None:
    experiments = json.loads(EXPERIMENTS.read_text()) if EXPERIMENTS.is_file() else None
    path.write_text(render(results, experiments))


if __name__ == "__main__":
    write_report(
        json.loads((REPO / "bench" / "results.json").read_text()), REPO / "docs" / "performance.md"
    )
