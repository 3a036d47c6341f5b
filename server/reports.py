"""Review of stored sessions: feedback cards, delivery metrics, the mixed replay track, progress
over time, and Markdown/JSON export. Built only from what the live session stored (rows and
WAV tracks), so it reads the same after a server restart.

Blocking (file and database reads): routes call these from FastAPI's thread pool, except
``ensure_disfluency``, which queues decodes on the speech worker at the lowest priority.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import threading
import wave
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from audio.incremental import TimedWord
from audio.pcm import FRAME_BYTES, SAMPLE_RATE, int16_to_float
from audio.stt import SpeechRecognizer
from audio.vad import webrtc_classifier
from interviewer.bank import Bank, UnknownIdError
from interviewer.delivery import (
    FILLER_PROMPT,
    AnswerDelivery,
    VoiceActivity,
    measure_answer,
    measure_session,
    spoken_words,
)
from server.inference import ModelWorker
from server.live import STALE_HEARTBEAT_S
from server.models import CodeRun, CodeSnapshot, InterviewSession, Score, Turn, utcnow

TRACKS = ("candidate", "interviewer", "mix")
RECENT_SESSIONS = 5  # weakest criteria are judged on this many recent sessions
PRIORITY_REVIEW = 9  # below every live job on the speech worker
DISFLUENCY_FILE = "disfluency.json"
MAX_DECODE_MS = 25_000

# --------------------------------------------------------------------------- rows as JSON


def turn_json(t: Turn, *, words: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "index": t.index,
        "speaker": t.speaker,
        "text": t.text,
        "start_ms": t.start_ms,
        "end_ms": t.end_ms,
        "question_id": t.question_id,
        "attempt": t.attempt,
        "kind": t.kind,
        "reason": t.reason,
        "interrupted": t.interrupted,
    }
    if words:
        out["words"] = json.loads(t.words_json or "[]")
    return out


def code_snapshot_json(s: CodeSnapshot) -> dict[str, Any]:
    return {"question_id": s.question_id, "attempt": s.attempt, "at_ms": s.at_ms, "text": s.text}


def code_run_json(r: CodeRun) -> dict[str, Any]:
    """A stored run in the shape of the live ``code_result`` message (plus the code run)."""
    return {
        "question_id": r.question_id,
        "attempt": r.attempt,
        "at_ms": r.at_ms,
        "code": r.code,
        "passed": r.passed,
        "failed": r.failed,
        "total": r.total,
        "cases": json.loads(r.cases_json or "[]"),
        "stdout": r.stdout,
        "stderr": r.stderr,
        "limits_hit": r.limits_hit,
        "error": r.error,
        "seconds": r.seconds,
    }


def code_json(snapshots: Sequence[CodeSnapshot], runs: Sequence[CodeRun]) -> dict[str, Any]:
    """The coding workspace of a session: editor snapshots and test runs, oldest first."""
    return {
        "snapshots": [code_snapshot_json(s) for s in snapshots],
        "runs": [code_run_json(r) for r in runs],
    }


def score_json(s: Score) -> dict[str, Any]:
    return {**json.loads(s.result_json), "attempt": s.attempt}


def iso(dt: datetime) -> str:
    """ISO 8601 with the UTC offset (SQLite hands datetimes back without one)."""
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).isoformat()


def effective_status(row: InterviewSession) -> str:
    """A session still marked live whose node stopped heartbeating is shown as interrupted."""
    if row.status == "active" and row.live_heartbeat is not None:
        beat = row.live_heartbeat
        beat = beat if beat.tzinfo else beat.replace(tzinfo=UTC)
        if (utcnow() - beat).total_seconds() > STALE_HEARTBEAT_S:
            return "interrupted"
    return row.status


def session_json(row: InterviewSession, scores: Sequence[Score] = ()) -> dict[str, Any]:
    """One line of the session list: when, what, how long, and the scores."""
    firsts = [s for s in scores if s.attempt == 1]
    return {
        "id": row.id,
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
        "status": effective_status(row),
        "round": row.round,
        "mode": row.mode,
        "profile": row.profile,
        "duration_ms": row.clock_ms,
        "questions": len({s.question_id for s in scores}),
        "answers": len(scores),
        "overall": round(sum(s.overall for s in firsts) / len(firsts)) if firsts else None,
        "graded": [
            {"question_id": s.question_id, "attempt": s.attempt, "overall": s.overall}
            for s in sorted(scores, key=lambda s: (s.created_at, s.attempt))
        ],
    }


# --------------------------------------------------------------------------- answers


@dataclass
class AnswerGroup:
    """Everything said for one attempt at one question: the question, follow-ups, answers."""

    question_id: str
    attempt: int
    turns: list[Turn] = field(default_factory=list)
    stretches: list[list[TimedWord]] = field(default_factory=list)
    filler_words: list[TimedWord] | None = None  # from the disfluency pass, when every turn has it

    @property
    def start_ms(self) -> int:
        return min(t.start_ms for t in self.turns)

    @property
    def end_ms(self) -> int:
        return max(t.end_ms for t in self.turns)

    @property
    def asked_end_ms(self) -> int | None:
        """When the question finished playing (the first interviewer turn asking it)."""
        for t in self.turns:
            if t.speaker == "interviewer" and t.kind == "question":
                return t.end_ms
        return None

    @property
    def text(self) -> str:
        return " ".join(t.text for t in self.turns if t.speaker == "candidate" and t.text)


def _words(t: Turn) -> list[TimedWord]:
    return [TimedWord(str(w[0]), int(w[1]), int(w[2])) for w in json.loads(t.words_json or "[]")]


def answer_groups(
    turns: Sequence[Turn], disfluency: dict[int, list[TimedWord]] | None = None
) -> list[AnswerGroup]:
    """Turns grouped by (question, attempt) in order of appearance. Candidate words are split
    into stretches wherever the interviewer spoke, so turn-taking gaps are not pauses.
    ``disfluency``: turn id -> words of the filler-keeping decode."""
    disfluency = disfluency or {}
    groups: dict[tuple[str, int], AnswerGroup] = {}
    open_stretch: tuple[str, int] | None = None
    for t in sorted(turns, key=lambda t: t.index):
        if t.speaker == "interviewer" and t.end_ms > t.start_ms:
            open_stretch = None  # the interviewer spoke: candidate speech after it is new
        if t.question_id is None:
            continue
        key = (t.question_id, t.attempt)
        group = groups.setdefault(key, AnswerGroup(t.question_id, t.attempt))
        group.turns.append(t)
        if t.speaker != "candidate":
            continue
        words = _words(t)
        if not words:
            continue
        if not group.stretches:
            group.filler_words = []
        if group.filler_words is not None:
            extra = disfluency.get(t.id) if t.id is not None else None
            group.filler_words = None if extra is None else group.filler_words + extra
        if open_stretch == key and group.stretches:
            group.stretches[-1].extend(words)
        else:
            group.stretches.append(words)
        open_stretch = key
    return list(groups.values())


# --------------------------------------------------------------------------- audio

_cache_lock = threading.Lock()
_voice_cache: OrderedDict[tuple[str, int, int], VoiceActivity] = OrderedDict()
_VOICE_CACHE_SIZE = 64
_mix_locks: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)
_CHUNK_SAMPLES = SAMPLE_RATE * 10


def read_pcm(path: Path, start_ms: int, end_ms: int) -> np.ndarray:
    """float32 audio of ``[start_ms, end_ms)`` of a 16 kHz mono WAV track."""
    with wave.open(str(path)) as w:
        first = min(w.getnframes(), start_ms * SAMPLE_RATE // 1000)
        w.setpos(first)
        pcm = w.readframes(max(0, (end_ms - start_ms) * SAMPLE_RATE // 1000))
    return int16_to_float(pcm)


def decode_windows(
    start_ms: int, end_ms: int, voice: VoiceActivity | None
) -> list[tuple[int, int]]:
    """``[start_ms, end_ms)`` cut into pieces of at most ``MAX_DECODE_MS``, at silences."""
    out, lo = [], start_ms
    while end_ms - lo > MAX_DECODE_MS:
        cut = lo + MAX_DECODE_MS
        if voice is not None:
            quiet = [b for a, b in voice.silent_runs(lo + MAX_DECODE_MS // 2, cut) if b > a]
            cut = quiet[-1] if quiet else cut
        out.append((lo, cut))
        lo = cut
    out.append((lo, end_ms))
    return out


_disfluency_locks: dict[str, asyncio.Lock] = {}


async def ensure_disfluency(
    stt: ModelWorker,
    recognizer: SpeechRecognizer,
    folder: Path,
    turns: Sequence[Turn],
) -> dict[int, list[TimedWord]]:
    """Words of every candidate turn decoded with ``FILLER_PROMPT`` (whisper keeps "um" and
    "uh" then), for counting fillers. Decoded once per turn at the lowest priority of the
    speech worker and kept in ``disfluency.json`` beside the recordings."""
    path = folder / "candidate.wav"
    cache_path = folder / DISFLUENCY_FILE
    lock = _disfluency_locks.setdefault(str(folder), asyncio.Lock())
    async with lock:
        cache: dict[str, Any] = {}
        if cache_path.is_file():
            try:
                cache = json.loads(await asyncio.to_thread(cache_path.read_text))
            except (OSError, ValueError):
                cache = {}
        todo = [
            t
            for t in turns
            if t.speaker == "candidate"
            and t.id is not None
            and t.text
            and cache.get(str(t.id), {}).get("span") != [t.start_ms, t.end_ms]
        ]
        if todo and path.is_file():
            voice = await asyncio.to_thread(voice_activity, path)
            for t in todo:
                words: list[list] = []
                for lo, hi in decode_windows(t.start_ms, t.end_ms, voice):
                    audio = await asyncio.to_thread(read_pcm, path, lo, hi)
                    segments = await stt.run(  # greedy: 2x faster, fillers kept as well
                        PRIORITY_REVIEW,
                        recognizer.recognize,
                        audio,
                        prompt=FILLER_PROMPT,
                        fast=True,
                    )
                    words += [
                        [w.text, lo + int(w.start * 1000), lo + int(w.end * 1000)]
                        for seg in segments
                        for w in seg.words
                    ]
                kept = spoken_words([TimedWord(*w) for w in words], voice)
                cache[str(t.id)] = {
                    "span": [t.start_ms, t.end_ms],
                    "words": [[w.text, w.start_ms, w.end_ms] for w in kept],
                }
            tmp = cache_path.with_suffix(".tmp")
            await asyncio.to_thread(tmp.write_text, json.dumps(cache))
            await asyncio.to_thread(os.replace, tmp, cache_path)
    return {
        int(k): [TimedWord(str(w[0]), int(w[1]), int(w[2])) for w in v["words"]]
        for k, v in cache.items()
    }


def voice_activity(path: Path) -> VoiceActivity | None:
    """webrtcvad flags for every 20 ms frame of a track (cached per file version)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    key = (str(path), st.st_size, st.st_mtime_ns)
    with _cache_lock:
        if key in _voice_cache:
            _voice_cache.move_to_end(key)
            return _voice_cache[key]
    is_speech = webrtc_classifier(2)
    flags = bytearray()
    with wave.open(str(path)) as w:
        while chunk := w.readframes(_CHUNK_SAMPLES):
            for off in range(0, len(chunk) - FRAME_BYTES + 1, FRAME_BYTES):
                flags.append(is_speech(chunk[off : off + FRAME_BYTES]))
    voice = VoiceActivity(0, bytes(flags))
    with _cache_lock:
        _voice_cache[key] = voice
        while len(_voice_cache) > _VOICE_CACHE_SIZE:
            _voice_cache.popitem(last=False)
    return voice


def mix_track(folder: Path) -> Path | None:
    """Both voices in one mono WAV on the session clock (``mix.wav``), made from the two
    tracks and remade whenever either is newer. None when there is no recording."""
    sources = [folder / "candidate.wav", folder / "interviewer.wav"]
    present = [p for p in sources if p.is_file()]
    if not present:
        return None
    out = folder / "mix.wav"
    with _mix_locks[str(folder)]:
        newest = max(p.stat().st_mtime_ns for p in present)
        if out.is_file() and out.stat().st_mtime_ns >= newest:
            return out
        tmp = folder / f".mix.{os.getpid()}.{threading.get_ident()}.wav"
        with ExitStack() as stack:
            readers = [stack.enter_context(wave.open(str(p))) for p in present]
            w = stack.enter_context(wave.open(str(tmp), "wb"))
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(SAMPLE_RATE)
            while True:
                parts = [np.frombuffer(r.readframes(_CHUNK_SAMPLES), "<i2") for r in readers]
                n = max(len(p) for p in parts)
                if n == 0:
                    break
                acc = np.zeros(n, np.int32)
                for p in parts:
                    acc[: len(p)] += p
                w.writeframes(np.clip(acc, -32768, 32767).astype("<i2").tobytes())
        os.replace(tmp, out)
    return out


# --------------------------------------------------------------------------- feedback


def stronger_outline(bank: Bank, question_id: str, result: dict | None, text: str) -> list[dict]:
    """An outline of a stronger answer: the question's criteria in the order they matter,
    each with what a good answer does, whether this answer covered it, and the ideas it did
    not mention yet."""
    try:
        question = bank.question(question_id)
    except (UnknownIdError, KeyError):
        return []
    scores = {c["id"]: c["score"] for c in (result or {}).get("criteria", [])}
    steps = []
    for cid in question.criteria:
        criterion = bank.criterion(cid)
        said = {c.name for c in criterion.matched_concepts(text)} if text else set()
        steps.append(
            {
                "criterion_id": cid,
                "title": criterion.name,
                "what": criterion.description,
                "score": scores.get(cid),
                "covered": scores.get(cid, 0) >= 3,
                "add": [c.name for c in criterion.concepts if c.name not in said][:4],
            }
        )
    return steps


def _comparison(before: dict | None, after: dict | None, attempt: int) -> dict | None:
    if before is None or after is None:
        return None
    old = {c["id"]: c["score"] for c in before["score"]["criteria"]} if before["score"] else {}
    new = {c["id"]: c for c in after["score"]["criteria"]} if after["score"] else {}
    return {
        "previous_attempt": attempt - 1,
        "previous_overall": before["score"]["overall"] if before["score"] else None,
        "overall": after["score"]["overall"] if after["score"] else None,
        "criteria": [
            {"criterion_id": cid, "name": c["name"], "before": old.get(cid), "after": c["score"]}
            for cid, c in new.items()
        ],
        "delivery": {
            key: [before["delivery"][key], after["delivery"][key]]
            for key in ("wpm", "fillers_per_min", "hedges_per_min", "long_pauses", "talk_ms")
        },
    }


def session_feedback(
    bank: Bank,
    row: InterviewSession,
    turns: Sequence[Turn],
    scores: Sequence[Score],
    recordings_dir: Path,
    disfluency: dict[int, list[TimedWord]] | None = None,
) -> dict[str, Any]:
    """Per-answer feedback cards (scores, evidence, gaps, failure modes, an outline of a
    stronger answer, delivery) and the session's delivery summary."""
    voice = voice_activity(recordings_dir / row.id / "candidate.wav")
    by_key = {(s.question_id, s.attempt): score_json(s) for s in scores}
    answers: list[dict[str, Any]] = []
    deliveries: list[AnswerDelivery] = []
    previous: dict[str, dict] = {}
    for group in answer_groups(turns, disfluency):
        delivery = measure_answer(
            group.stretches,
            asked_end_ms=group.asked_end_ms,
            voice=voice,
            filler_words=group.filler_words,
        )
        result = by_key.get((group.question_id, group.attempt))
        try:
            question = bank.question(group.question_id)
            prompt, round_ = question.prompt, question.round
        except (UnknownIdError, KeyError):
            prompt, round_ = None, row.round
        card: dict[str, Any] = {
            "question_id": group.question_id,
            "attempt": group.attempt,
            "round": round_,
            "prompt": prompt,
            "start_ms": group.start_ms,
            "end_ms": group.end_ms,
            "asked_end_ms": group.asked_end_ms,
            "turns": [t.index for t in group.turns],
            "score": result,
            "outline": stronger_outline(bank, group.question_id, result, group.text),
            "delivery": delivery.to_json(),
            "comparison": None,
        }
        if group.attempt > 1:
            card["comparison"] = _comparison(previous.get(group.question_id), card, group.attempt)
        previous[group.question_id] = card
        answers.append(card)
        if delivery.words:
            deliveries.append(delivery)
    interviewer_ms = sum(max(0, t.end_ms - t.start_ms) for t in turns if t.speaker == "interviewer")
    summary = measure_session(
        deliveries,
        candidate_talk_ms=sum(d.talk_ms for d in deliveries),
        interviewer_talk_ms=interviewer_ms,
    )
    return {
        "session_id": row.id,
        "mode": row.mode,
        "answers": answers,
        "delivery": summary.to_json(),
    }


# --------------------------------------------------------------------------- progress

DELIVERY_SERIES = (
    ("wpm", "Speaking rate", "words/min"),
    ("fillers_per_min", "Filler words", "per min"),
    ("hedges_per_min", "Hedging phrases", "per min"),
    ("long_pauses_per_answer", "Long pauses", "per answer"),
    ("time_to_first_word_ms", "Time to first word", "ms"),
    ("talk_share", "Your share of talk time", "share"),
)


def progress(
    bank: Bank, sessions: Sequence[tuple[InterviewSession, dict[str, Any]]]
) -> dict[str, Any]:
    """Rubric criteria and delivery metrics over time, one point per session (oldest first),
    and the weakest recent criteria to practise next. Each question's first attempt counts:
    retries come after feedback, so they would flatter the trend."""
    criteria_points: dict[str, list[dict]] = defaultdict(list)
    overall: list[dict] = []
    delivery: dict[str, list[dict]] = {key: [] for key, _, _ in DELIVERY_SERIES}
    recent: dict[str, list[int]] = defaultdict(list)
    n_answers = 0
    for position, (row, feedback) in enumerate(sessions):
        firsts = [a for a in feedback["answers"] if a["attempt"] == 1 and a["score"]]
        if not firsts:
            continue
        n_answers += len(firsts)
        base = {"session_id": row.id, "created_at": iso(row.created_at), "round": row.round}
        mean = sum(a["score"]["overall"] for a in firsts) / len(firsts)
        overall.append({**base, "value": round(mean, 1)})
        per_criterion: dict[str, list[int]] = defaultdict(list)
        for a in firsts:
            for c in a["score"]["criteria"]:
                per_criterion[c["id"]].append(c["score"])
        is_recent = position >= len(sessions) - RECENT_SESSIONS
        for cid, values in per_criterion.items():
            criteria_points[cid].append({**base, "value": round(sum(values) / len(values), 2)})
            if is_recent:
                recent[cid].extend(values)
        d = feedback["delivery"]
        values = {
            "wpm": d["wpm"],
            "fillers_per_min": d["fillers_per_min"],
            "hedges_per_min": d["hedges_per_min"],
            "long_pauses_per_answer": round(d["long_pauses"] / d["answers"], 2)
            if d["answers"]
            else None,
            "time_to_first_word_ms": d["time_to_first_word_ms"],
            "talk_share": d["talk_share"],
        }
        for key, value in values.items():
            if value is not None:
                delivery[key].append({**base, "value": value})
    criteria = []
    for cid, points in criteria_points.items():
        criterion = _criterion(bank, cid)
        values = [p["value"] for p in points]
        criteria.append(
            {
                "id": cid,
                "name": criterion.name if criterion else cid,
                "points": points,
                "mean": round(sum(values) / len(values), 2),
                "latest": values[-1],
            }
        )
    criteria.sort(key=lambda c: c["name"])
    return {
        "sessions": len(overall),
        "answers": n_answers,
        "overall": overall,
        "criteria": criteria,
        "delivery": [
            {"key": key, "label": label, "unit": unit, "points": delivery[key]}
            for key, label, unit in DELIVERY_SERIES
        ],
        "suggestions": suggestions(bank, recent),
    }


def _criterion(bank: Bank, cid: str):
    try:
        return bank.criterion(cid)
    except (UnknownIdError, KeyError):
        return None


def suggestions(bank: Bank, recent: dict[str, list[int]], top: int = 3) -> list[dict]:
    """The weakest criteria of recent sessions, with what good looks like and where to
    practise them."""
    ranked = sorted(
        ((sum(v) / len(v), -len(v), cid) for cid, v in recent.items() if v),
    )
    out = []
    for mean, neg_n, cid in ranked:
        criterion = _criterion(bank, cid)
        if criterion is None or mean >= 3:
            continue
        questions = [q for q in bank.questions() if cid in q.criteria]
        rounds = [q.round for q in questions]
        out.append(
            {
                "criterion_id": cid,
                "name": criterion.name,
                "mean": round(mean, 2),
                "answers": -neg_n,
                "tip": criterion.anchors[3],
                "round": max(set(rounds), key=rounds.count) if rounds else None,
                "questions": [{"id": q.id, "prompt": q.prompt} for q in questions[:3]],
            }
        )
        if len(out) == top:
            break
    return out


# --------------------------------------------------------------------------- export


def export_json(
    row: InterviewSession,
    turns: Sequence[Turn],
    scores: Sequence[Score],
    feedback: dict[str, Any],
    code: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "format": "mle-interview-coach/session",
        "version": 1,
        "session": session_json(row, scores),
        "turns": [turn_json(t, words=True) for t in turns],
        "feedback": feedback,
        "code": code or {"snapshots": [], "runs": []},
    }


def _clock(ms: int | None) -> str:
    if ms is None:
        return "-"
    s = max(0, ms) // 1000
    return f"{s // 60}:{s % 60:02d}"


def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "-"
    return f"{value:g}{unit}" if isinstance(value, int | float) else str(value)


def _md(text: str) -> str:
    """Plain text made safe inside Markdown table cells and lists."""
    return text.replace("|", "\\|").replace("\n", " ").strip()


def export_markdown(
    row: InterviewSession,
    turns: Sequence[Turn],
    scores: Sequence[Score],
    feedback: dict[str, Any],
    code: dict[str, Any] | None = None,
) -> str:
    """A readable report: summary, then per answer its scores with evidence, gaps, failure
    modes, an outline of a stronger answer and delivery, the code written and its test runs,
    then the transcript."""
    info = session_json(row, scores)
    d = feedback["delivery"]
    lines = [
        f"# Mock interview: {row.round.replace('_', ' ')}",
        "",
        f"- Date: {row.created_at:%Y-%m-%d %H:%M} UTC",
        f"- Mode: {row.mode} · Profile: {row.profile} · Status: {row.status}",
        f"- Duration: {_clock(row.clock_ms)} · Answers: {info['answers']}"
        f" · Overall (first attempts): {_fmt(info['overall'])}/100",
        "",
        "## Delivery",
        "",
        "| metric | value |",
        "|---|---|",
        f"| Speaking rate | {_fmt(d['wpm'], ' wpm')} |",
        f"| Filler words | {_fmt(d['fillers_per_min'], ' per min')} |",
        f"| Hedging phrases | {_fmt(d['hedges_per_min'], ' per min')} |",
        f"| Long pauses (2 s or more) | {d['long_pauses']} |",
        f"| Time to first word (mean) | {_fmt(d['time_to_first_word_ms'], ' ms')} |",
        f"| Your share of talk time | {_fmt(_pct(d['talk_share']))} |",
        "",
    ]
    for a in feedback["answers"]:
        lines += _answer_markdown(a)
    lines += _code_markdown(code)
    lines += ["## Transcript", ""]
    for t in sorted(turns, key=lambda t: (t.start_ms, t.index)):
        who = "Interviewer" if t.speaker == "interviewer" else "You"
        text = _md(t.text) or "*(nothing was heard)*"
        lines.append(f"- **{_clock(t.start_ms)} {who}:** {text}")
    lines.append("")
    return "\n".join(lines)


def _code_markdown(code: dict[str, Any] | None) -> list[str]:
    """The last code of each attempt at a coding question, and its test runs."""
    if not code or not (code["snapshots"] or code["runs"]):
        return []
    lines = ["## Code", ""]
    keys: list[tuple[str, int]] = []
    for item in code["snapshots"] + code["runs"]:
        key = (item["question_id"], item["attempt"])
        if key not in keys:
            keys.append(key)
    for question_id, attempt in keys:
        runs = [
            r for r in code["runs"] if (r["question_id"], r["attempt"]) == (question_id, attempt)
        ]
        texts = [
            s["text"]
            for s in code["snapshots"]
            if (s["question_id"], s["attempt"]) == (question_id, attempt)
        ]
        title = question_id + (f" (attempt {attempt})" if attempt > 1 else "")
        lines += [f"### {_md(title)}", ""]
        for r in runs:
            limit = f", stopped: {r['limits_hit']} limit" if r["limits_hit"] else ""
            lines.append(
                f"- {_clock(r['at_ms'])} run: {r['passed']} of {r['total']} tests pass"
                f"{limit} ({r['seconds']:.1f} s)"
            )
            lines += [
                f"  - fails: {_md(c.get('description') or c['name'])}: {_md(c['message'])}"
                for c in r["cases"]
                if not c["ok"]
            ]
        if runs:
            lines.append("")
        if texts:
            longest = max((len(m) for m in re.findall(r"`+", texts[-1])), default=0)
            fence = "`" * max(3, longest + 1)  # the code cannot close the block early
            lines += [f"{fence}python", texts[-1].rstrip("\n"), fence, ""]
    return lines


def _pct(share: float | None) -> str | None:
    return None if share is None else f"{share * 100:.0f}%"


def _answer_markdown(a: dict[str, Any]) -> list[str]:
    title = a["prompt"] or a["question_id"]
    attempt = f" (attempt {a['attempt']})" if a["attempt"] > 1 else ""
    lines = [f"## {_md(title)}{attempt}", ""]
    score = a["score"]
    if score is None:
        lines += ["*Not graded (nothing was said for this question).*", ""]
    else:
        lines += [f"**Score: {score['overall']}/100.** {_md(score['summary'])}", ""]
        lines += ["| criterion | score | evidence |", "|---|---|---|"]
        for c in score["criteria"]:
            quotes = "; ".join(
                f"“{_md(e['quote'])}” ({_clock(e['start_ms'])})" for e in c["evidence"]
            )
            lines.append(f"| {_md(c['name'])} | {c['score']}/{c['max']} | {quotes or '-'} |")
        lines.append("")
        missing = [c["missing"] for c in score["criteria"] if c.get("missing")]
        if missing:
            lines += ["**What was missing**", ""] + [f"- {_md(m)}" for m in missing] + [""]
        if score["failure_modes"]:
            lines += ["**Failure modes from the guide**", ""]
            lines += [f"- **{_md(f['name'])}.** {_md(f['fix'])}" for f in score["failure_modes"]]
            lines.append("")
    if a["comparison"]:
        c = a["comparison"]
        lines += [
            f"**Compared with attempt {c['previous_attempt']}:** "
            f"{_fmt(c['previous_overall'])} → {_fmt(c['overall'])}",
            "",
        ]
        for row in c["criteria"]:
            lines.append(f"- {_md(row['name'])}: {_fmt(row['before'])} → {row['after']}")
        lines.append("")
    if a["outline"]:
        lines += ["**Outline of a stronger answer**", ""]
        for i, step in enumerate(a["outline"], 1):
            mark = "✓" if step["covered"] else "○"
            add = f" Say: {', '.join(step['add'])}." if step["add"] and not step["covered"] else ""
            lines.append(f"{i}. {mark} **{_md(step['title'])}.** {_md(step['what'])}{add}")
        lines.append("")
    d = a["delivery"]
    lines += [
        f"Delivery: {_fmt(d['wpm'], ' wpm')}, {d['fillers']} fillers, {d['hedges']} hedges, "
        f"{d['long_pauses']} long pauses, first word after "
        f"{_fmt(d['time_to_first_word_ms'], ' ms')}, talk time {_clock(d['talk_ms'])}.",
        "",
    ]
    return lines


def sessions_feedback(
    bank: Bank,
    rows: Iterable[InterviewSession],
    turns: Sequence[Turn],
    scores: Sequence[Score],
    recordings_dir: Path,
    disfluency: dict[str, dict[int, list[TimedWord]]] | None = None,
) -> list[tuple[InterviewSession, dict[str, Any]]]:
    """Feedback of many sessions at once (turns and scores of all of them, any order;
    ``disfluency``: session id -> its filler-keeping decodes)."""
    disfluency = disfluency or {}
    turns_by: dict[str, list[Turn]] = defaultdict(list)
    for t in turns:
        turns_by[t.session_id].append(t)
    scores_by: dict[str, list[Score]] = defaultdict(list)
    for s in scores:
        scores_by[s.session_id].append(s)
    return [
        (
            row,
            session_feedback(
                bank,
                row,
                turns_by[row.id],
                scores_by[row.id],
                recordings_dir,
                disfluency.get(row.id),
            ),
        )
        for row in rows
    ]
