"""Offline figures, run in the benchmark process with no server busy: faster-whisper on each
whole file (the reference for the live word error rate) and the real-time factors of
transcription and synthesis."""

from __future__ import annotations

import logging
import time

import numpy as np

from audio.pcm import SAMPLE_RATE
from audio.stt import WhisperRecognizer
from audio.tts import PiperSynthesizer, split_sentences
from audio.wer import corpus_wer
from bench.common import Clip, load_average

log = logging.getLogger("bench.offline")

# What the interviewer says most: prefaces and short behavioural prompts.
TTS_TEXTS = (
    "Thanks. Can you walk me through the trade-offs you considered?",
    "Let me stop you there so we keep moving. What would you do differently next time?",
    "Thanks, that's helpful. Next question. Tell me about a time you had to ship a model "
    "under a tight deadline. What did you cut, and how did you decide?",
    "Good question. Make a reasonable assumption, say it out loud, and go ahead.",
    "Hi, thanks for joining. Today we'll do a behavioural round. Answer out loud, and pause "
    "or press I'm done when you finish. Here's the first question.",
)


def transcription(clips: list[Clip], settings: dict) -> dict:
    """Whole-file transcription of every clip (beam 5, the same model and threads as the
    server); returns per-clip hypotheses for the WER and the real-time factor."""
    load_start = load_average()
    rec = WhisperRecognizer(
        settings.get("whisper_model"),
        compute_type=settings["whisper_compute_type"],
        cpu_threads=settings["whisper_threads"],
    )
    rec.recognize(np.zeros(SAMPLE_RATE, np.float32) + 1e-3, fast=True)  # warm-up
    hyps: dict[str, str] = {}
    busy = audio_s = 0.0
    for clip in clips:
        t0 = time.perf_counter()
        segments = rec.transcribe_file(clip.audio)
        busy += time.perf_counter() - t0
        audio_s += clip.seconds
        hyps[clip.name] = " ".join(s.text for s in segments)
    wer = corpus_wer([(c.reference, hyps[c.name]) for c in clips])
    log.info("offline: WER %.1f%% over %d clips, RTF %.3f", wer * 100, len(clips), busy / audio_s)
    short_ms = {}
    long_clip = max(clips, key=lambda c: c.seconds)
    for seconds in (2, 5, 10):  # what one pause decode costs, by audio length
        if long_clip.seconds >= seconds:
            t0 = time.perf_counter()
            rec.recognize(long_clip.audio[: seconds * SAMPLE_RATE])
            short_ms[f"{seconds} s"] = round((time.perf_counter() - t0) * 1000)
    return {
        "hypotheses": hyps,
        "wer": wer,
        "rtf": busy / audio_s,
        "audio_s": round(audio_s, 1),
        "decode_ms_by_length": short_ms,
        "load_avg": [load_start, load_average()],
    }


def synthesis(settings: dict) -> dict:
    """Piper on the interviewer's usual sentences, one sentence at a time as the server does."""
    synth = PiperSynthesizer(threads=settings["tts_threads"])
    synth.synthesize("Ready.")
    busy = audio_s = 0.0
    first_ms: list[float] = []
    for text in TTS_TEXTS:
        for i, sentence in enumerate(split_sentences(text)):
            t0 = time.perf_counter()
            pcm = synth.synthesize(sentence)
            took = time.perf_counter() - t0
            busy += took
            audio_s += pcm.size / SAMPLE_RATE
            if i == 0:
                first_ms.append(took * 1000)
    log.info("tts: RTF %.3f", busy / audio_s)
    return {
        "rtf": busy / audio_s,
        "first_sentence_ms_p50": round(float(np.median(first_ms)), 1),
        "audio_s": round(audio_s, 1),
    }
