"""Fakes that implement the model contracts, for tests where models are not the point."""

from __future__ import annotations

import numpy as np

from audio.pcm import FRAME_BYTES, FRAME_SAMPLES, SAMPLE_RATE
from audio.stt import Segment, Word

VOCAB = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india"]
WORD_MS = 400
GAP_MS = 100


def word_audio(words: list[str]) -> np.ndarray:
    """int16 audio where word i is a constant level run; 100 ms gaps between words."""
    out = []
    for w in words:
        level = 1000 * (VOCAB.index(w) + 1)
        out.append(np.full(SAMPLE_RATE * WORD_MS // 1000, level, dtype="<i2"))
        out.append(np.zeros(SAMPLE_RATE * GAP_MS // 1000, dtype="<i2"))
    return np.concatenate(out)


def frames(audio: np.ndarray) -> list[bytes]:
    pad = (-len(audio)) % FRAME_SAMPLES
    audio = np.concatenate([audio, np.zeros(pad, dtype="<i2")])
    return [audio[i : i + FRAME_SAMPLES].tobytes() for i in range(0, len(audio), FRAME_SAMPLES)]


def silence(ms: int) -> np.ndarray:
    return np.zeros(SAMPLE_RATE * ms // 1000, dtype="<i2")


class FakeRecognizer:
    """Reads the level-coded words back, with timestamps; records every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, str | None]] = []
        self.fast: list[bool] = []  # each call's search: greedy or not

    def is_common_word(self, word: str) -> bool:
        return word.lower() in VOCAB

    def recognize(self, audio, *, prompt=None, fast=False) -> list[Segment]:
        self.calls.append((len(audio) / SAMPLE_RATE, prompt))
        self.fast.append(fast)
        levels = np.round(np.abs(audio) * 32768 / 1000).astype(int)
        words, i, n = [], 0, len(levels)
        while i < n:
            if levels[i] == 0:
                i += 1
                continue
            j = i
            while j < n and levels[j] == levels[i]:
                j += 1
            idx = levels[i] - 1
            if 0 <= idx < len(VOCAB) and (j - i) > SAMPLE_RATE * 0.05:
                words.append(Word(VOCAB[idx], i / SAMPLE_RATE, j / SAMPLE_RATE))
            i = j
        if not words:
            return []
        text = " ".join(w.text for w in words)
        return [Segment(text, words[0].start, words[-1].end, tuple(words))]


class FakeSynthesizer:
    """100 ms of a 440 Hz tone per word."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def synthesize(self, text: str) -> np.ndarray:
        self.calls.append(text)
        n = SAMPLE_RATE // 10 * max(1, len(text.split()))
        t = np.arange(n) / SAMPLE_RATE
        return (np.sin(2 * np.pi * 440 * t) * 8000).astype("<i2")


def stand_in_services(recognizer, *, code_runner: bool = False):
    """A services factory for ``create_app``: the real store, bank and local scorer, with
    stand-in speech models (a tone for the voice; ``recognizer`` for the ears)."""
    from interviewer.bank import load_bank
    from interviewer.scorer import LocalScorer
    from server.db import create_schema, make_engine
    from server.inference import ModelWorker
    from server.services import Services, make_code_runner
    from server.store import Store

    def factory(settings) -> Services:
        engine = make_engine(settings.resolved_database_url)
        create_schema(engine)
        store = Store(engine)
        store.ensure_local_user()
        bank = load_bank(settings.rubrics_dir)
        scorer = LocalScorer(bank)
        return Services(
            settings=settings,
            store=store,
            bank=bank,
            recognizer=recognizer,
            synthesizer=FakeSynthesizer(),
            stt=ModelWorker("stt", 1),
            tts=ModelWorker("tts", 1),
            local_scorer=scorer,
            scorer=scorer,
            grader=ModelWorker("grader", 1),
            code_runner=make_code_runner(settings) if code_runner else None,
        )

    return factory


assert FRAME_BYTES == 640
