"""What every benchmark shares: the speech clips, answers assembled from them, the server
process, and a description of the machine and the settings in force."""

from __future__ import annotations

import csv
import logging
import os
import platform
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import httpx
import numpy as np

from audio.pcm import FRAME_SAMPLES, SAMPLE_RATE, load_audio

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("COACH_SHARED", REPO.parent / "shared"))
CLIP_SETS = ("speech", "speech-bench")

log = logging.getLogger("bench")


def setup_logging() -> None:
    """Progress goes to stderr, one line per step (no transcripts, only figures)."""
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s: %(message)s"
    )


@dataclass(frozen=True)
class Clip:
    """One reference clip, decoded to 16 kHz mono float32."""

    name: str
    audio: np.ndarray
    reference: str

    @property
    def seconds(self) -> float:
        return self.audio.size / SAMPLE_RATE


def load_clips(sets: tuple[str, ...] = CLIP_SETS) -> list[Clip]:
    """Every clip of the shared manifests, in manifest order."""
    clips: list[Clip] = []
    for name in sets:
        folder = SHARED / name
        manifest = folder / "manifest.tsv"
        if not manifest.is_file():
            raise SystemExit(f"speech clips not found at {folder} (set COACH_SHARED)")
        with open(manifest, encoding="utf-8") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                audio = load_audio(folder / row["file"])
                clips.append(Clip(f"{name}/{row['file']}", audio, row["transcript"]))
    return clips


# -- where the speech is -----------------------------------------------------------------
WINDOW = SAMPLE_RATE // 100  # 10 ms


def window_db(audio: np.ndarray) -> np.ndarray:
    """RMS level of each 10 ms window, in dBFS."""
    n = audio.size // WINDOW
    frames = audio[: n * WINDOW].reshape(n, WINDOW).astype(np.float64)
    rms = np.sqrt(np.mean(frames**2, axis=1)) + 1e-9
    return 20 * np.log10(rms)


def speech_threshold_db(audio: np.ndarray) -> float:
    """Level above which a 10 ms window counts as voiced: 35 dB under the loud speech, and
    at least 8 dB over the noise floor."""
    db = window_db(audio)
    return float(max(np.percentile(db, 95) - 35.0, np.percentile(db, 10) + 8.0))


def last_voiced_sample(audio: np.ndarray) -> int:
    """Index just past the last voiced sample (energy threshold on 10 ms windows)."""
    db = window_db(audio)
    voiced = np.nonzero(db > speech_threshold_db(audio))[0]
    return int((voiced[-1] + 1) * WINDOW) if voiced.size else 0


def inner_gaps(audio: np.ndarray, min_ms: int = 120) -> list[tuple[int, int]]:
    """Quiet stretches between words (sample ranges), at least ``min_ms`` long."""
    db = window_db(audio)
    quiet = db <= speech_threshold_db(audio)
    voiced = np.nonzero(~quiet)[0]
    if voiced.size == 0:
        return []
    gaps: list[tuple[int, int]] = []
    start = None
    for i in range(int(voiced[0]), int(voiced[-1]) + 1):
        if quiet[i] and start is None:
            start = i
        elif not quiet[i] and start is not None:
            if (i - start) * 10 >= min_ms:
                gaps.append((start * WINDOW, i * WINDOW))
            start = None
    return gaps


def room_tone(audio: np.ndarray, seconds: float, seed: int = 0) -> np.ndarray:
    """What fills a thinking pause: digital silence, as a browser microphone with noise
    suppression delivers it. (Synthetic noise is no substitute for a real room: webrtcvad
    takes white noise at these clips' floor levels for speech in most frames, and tiles of
    their quietest windows in half of them.)"""
    del audio, seed  # kept in the signature: a recorded room tone could go here
    return np.zeros(int(seconds * SAMPLE_RATE), np.float32)


@dataclass(frozen=True)
class Answer:
    """Audio to speak as one answer, with where its speech ends and the pause it holds."""

    name: str
    audio: np.ndarray
    reference: str
    last_voiced: int  # sample index just past the last voiced sample
    pause: tuple[int, int] | None = None  # the inserted thinking pause (samples), if any
    kind: str = "plain"  # plain | mid_sentence | between_sentences


def plain_answer(clip: Clip) -> Answer:
    return Answer(clip.name, clip.audio, clip.reference, last_voiced_sample(clip.audio))


def mid_sentence_pause(clip: Clip, pause_s: float, seed: int = 0) -> Answer | None:
    """The clip with the word gap nearest its middle (at least 1.2 s of speech either side)
    stretched into a thinking pause of ``pause_s``."""
    end = last_voiced_sample(clip.audio)
    gaps = [
        g
        for g in inner_gaps(clip.audio)
        if g[0] >= 1.2 * SAMPLE_RATE and end - g[1] >= 1.2 * SAMPLE_RATE
    ]
    if not gaps:
        return None
    middle = end / 2
    a, b = min(gaps, key=lambda g: abs((g[0] + g[1]) / 2 - middle))
    tone = room_tone(clip.audio, pause_s, seed)  # replaces the gap: pause_s of no speech
    audio = np.concatenate([clip.audio[:a], tone, clip.audio[b:]])
    shift = tone.size - (b - a)
    return Answer(
        f"{clip.name}+pause{pause_s:g}",
        audio,
        clip.reference,
        end + shift,
        (a, a + tone.size),
        "mid_sentence",
    )


def between_sentences_pause(first: Clip, second: Clip, pause_s: float, seed: int = 0) -> Answer:
    """Two clips as one answer with a thinking pause of ``pause_s`` between their speech."""
    end1 = last_voiced_sample(first.audio)
    tail = second.audio[_first_voiced_sample(second.audio) :]
    head = first.audio[:end1]
    tone = room_tone(first.audio, pause_s, seed)
    start2 = head.size + tone.size
    return Answer(
        f"{first.name}+pause{pause_s:g}+{second.name}",
        np.concatenate([head, tone, tail]),
        f"{first.reference} {second.reference}",
        start2 + last_voiced_sample(tail),
        (end1, start2),
        "between_sentences",
    )


def _first_voiced_sample(audio: np.ndarray) -> int:
    db = window_db(audio)
    voiced = np.nonzero(db > speech_threshold_db(audio))[0]
    return int(voiced[0] * WINDOW) if voiced.size else 0


def pause_answers(clips: list[Clip], pause_s: float, count: int = 10) -> list[Answer]:
    """``count`` answers with one thinking pause each: half inside a sentence (at a word gap),
    half between two sentences. Short clips (under 20 s) only, so the answer has one pause
    we put there rather than the long ones a slow reader already makes."""
    short = [c for c in clips if 3.0 <= c.seconds <= 20.0]
    mids: list[Answer] = []
    for i, clip in enumerate(short):
        ans = mid_sentence_pause(clip, pause_s, seed=i)
        if ans is not None:
            mids.append(ans)
    half = count // 2
    betweens = [
        between_sentences_pause(short[i], short[i + 1], pause_s, seed=100 + i)
        for i in range(0, 2 * (count - half), 2)
        if i + 1 < len(short)
    ]
    return mids[:half] + betweens[: count - half]


def to_frames(audio: np.ndarray) -> list[bytes]:
    """float32 audio -> 640-byte int16 frames (the last one zero-padded)."""
    from audio.pcm import float_to_int16

    pcm = float_to_int16(audio)
    pad = (-pcm.size) % FRAME_SAMPLES
    data = np.concatenate([pcm, np.zeros(pad, dtype="<i2")]).tobytes()
    step = FRAME_SAMPLES * 2
    return [data[i : i + step] for i in range(0, len(data), step)]


# -- the server --------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    proc: subprocess.Popen
    base_url: str
    ws_url: str
    data_dir: Path
    startup_s: float

    def vm_kb(self, field: str) -> int:
        """A /proc/<pid>/status figure in kB (VmHWM = peak RSS, VmRSS = now)."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        return 0

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def start_server(data_dir: Path, env_extra: dict[str, str] | None = None) -> Server:
    """``coach serve`` on a free loopback port; returns once /api/health answers 200, with
    the time that took (start-up to ready: imports, model loading and warm-up)."""
    port = free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "COACH_DATA_DIR": str(data_dir),
        "COACH_PORT": str(port),
        "COACH_HOST": "127.0.0.1",
        **(env_extra or {}),
    }
    if "ANTHROPIC_API_KEY" not in (env_extra or {}):
        env.pop("ANTHROPIC_API_KEY", None)  # the local path: no network, reproducible
    log_file = open(data_dir / "server.log", "ab")  # noqa: SIM115 - lives with the server
    t0 = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve"],
        cwd=REPO,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = t0 + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early; see {data_dir / 'server.log'}")
        try:
            if httpx.get(base + "/api/health", timeout=1).status_code == 200:
                ready = time.monotonic() - t0
                return Server(proc, base, f"ws://127.0.0.1:{port}/ws", data_dir, ready)
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("server did not become healthy in 120 s")


# -- the machine and the settings ---------------------------------------------------------
def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def machine() -> dict:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


def source_version() -> dict:
    """The commit the server ran from, and whether its code had uncommitted changes."""

    def git(*args: str) -> str:
        try:
            out = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
        except OSError:
            return ""
        return out.stdout.strip()

    changed = git("status", "--porcelain", "--", "server", "audio", "interviewer", "rubrics")
    return {
        "commit": git("rev-parse", "--short", "HEAD") or None,
        "server_code_changed": bool(changed),
    }


def versions() -> dict[str, str]:
    out = {}
    for pkg in ("faster-whisper", "ctranslate2", "piper-tts", "onnxruntime", "webrtcvad-wheels"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "missing"
    return out


def settings_in_force(env_extra: dict[str, str] | None = None) -> dict:
    """The server's settings as the benchmarked server reads them (env included)."""
    from server.config import Settings

    saved = dict(os.environ)
    try:
        os.environ.update(env_extra or {})
        s = Settings()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    keys = (
        "whisper_model",
        "whisper_device",
        "whisper_compute_type",
        "whisper_threads",
        "stt_workers",
        "tts_threads",
        "tts_workers",
        "vad_aggressiveness",
        "pause_ms",
        "hangover_ms",
        "hangover_complete_ms",
        "hangover_incomplete_ms",
        "end_of_turn",
        "smart_turn_threshold",
        "smart_turn_complete_ms",
        "smart_turn_hangover_ms",
        "greedy_up_to_s",
        "whole_answer_context_s",
        "revise_after_ms",
        "barge_in_ms",
        "partial_every_ms",
    )
    return {k: getattr(s, k) for k in keys}


def models() -> dict[str, str]:
    from audio.stt import default_whisper_model_dir
    from audio.tts import default_piper_voice

    whisper = os.environ.get("COACH_WHISPER_MODEL") or str(default_whisper_model_dir())
    voice = os.environ.get("COACH_PIPER_VOICE") or str(default_piper_voice()[0])
    return {
        "stt": f"faster-whisper tiny.en int8 ({Path(whisper).parent.name}/{Path(whisper).name})",
        "tts": f"piper {Path(voice).name}",
        "vad": "webrtcvad",
    }


def percentile(values: list[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None
