"""Incremental transcription of one answer while it is being spoken.

I/O-free and model-free: ``prepare`` cuts a decode job from the buffered audio, the caller runs
the recognizer on it in a worker thread, and ``apply`` folds the result back. Audio is committed
in two ways, so that at end of turn only the tail since the last pause is left to decode:

* at a pause (the candidate stopped speaking for a moment), everything up to the pause is
  decoded and committed: a pause is a word boundary, so no word is cut in half;
* during long unbroken speech, periodic partial decodes commit the prefix two consecutive
  hypotheses agree on (the LocalAgreement-2 policy of whisper_streaming), and the audio
  behind it is dropped from the buffer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from audio.pcm import SAMPLE_RATE, int16_to_float
from audio.stt import Segment, Word

DecodeKind = Literal["partial", "pause", "final"]


@dataclass(frozen=True)
class TimedWord:
    """A word on the session clock (milliseconds)."""

    text: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class DecodeJob:
    kind: DecodeKind
    audio: np.ndarray  # float32, 16 kHz
    prompt: str
    offset_ms: int  # session-clock time of audio[0]
    samples: int  # buffer length when the job was cut
    generation: int


@dataclass(frozen=True)
class Utterance:
    """One finished answer: its words on the session clock."""

    words: tuple[TimedWord, ...]
    start_ms: int
    end_ms: int

    @property
    def text(self) -> str:
        return join_words(w.text for w in self.words)


@dataclass(frozen=True)
class ClosedTurn:
    """An answer that has ended; ``job`` (if any) is the audio still to decode."""

    committed: tuple[TimedWord, ...]
    job: DecodeJob | None
    start_ms: int
    end_ms: int

    def complete(self, segments: list[Segment] | None = None) -> Utterance:
        words = list(self.committed)
        if self.job is not None and segments:
            off = self.job.offset_ms
            words += [
                TimedWord(w.text, off + int(w.start * 1000), off + int(w.end * 1000))
                for w in _words(segments)
            ]
        return Utterance(tuple(words), self.start_ms, self.end_ms)


@dataclass
class _Turn:
    committed: list[TimedWord] = field(default_factory=list)
    tentative: list[TimedWord] = field(default_factory=list)


def join_words(words) -> str:
    return re.sub(r"\s+", " ", " ".join(words)).strip()


def _norm(word: str) -> str:
    return re.sub(r"[^\w']", "", word.lower())


class IncrementalTranscriber:
    """Buffers one answer's audio and turns decode results into committed words."""

    def __init__(
        self,
        *,
        vocabulary: str = "",
        preroll_ms: int = 300,
        max_buffer_s: float = 24.0,
        context_words: int = 40,
    ) -> None:
        self.vocabulary = vocabulary
        self.preroll_ms = preroll_ms
        self.max_buffer_samples = int(max_buffer_s * SAMPLE_RATE)
        self.context_words = context_words
        self._chunks: list[np.ndarray] = []
        self._samples = 0
        self._offset_ms = 0  # session-clock time of the buffer's first sample
        self._turn: _Turn | None = None
        self._generation = 0
        self._last_voiced_ms = -1  # session time where the last voiced frame ends
        self._committed_ms = 0  # session time up to which audio has been committed

    # -- feeding -------------------------------------------------------------------------
    def push(self, pcm: bytes, *, at_ms: int, voiced: bool) -> None:
        """Add one frame received at session time ``at_ms`` (its first sample)."""
        arr = np.frombuffer(pcm, dtype="<i2")
        if not self._chunks:
            self._offset_ms = at_ms
        self._chunks.append(arr)
        self._samples += arr.size
        end_ms = at_ms + len(arr) * 1000 // SAMPLE_RATE
        if voiced:
            self._last_voiced_ms = end_ms
        if self._turn is None:
            self._trim_to_ms(end_ms - self.preroll_ms)

    def begin_turn(self, onset_ms: int) -> None:
        """Speech started at ``onset_ms``: keep a little audio before it, start a new answer."""
        self._trim_to_ms(onset_ms - self.preroll_ms)
        self._turn = _Turn()
        self._committed_ms = self._offset_ms
        self._last_voiced_ms = max(self._last_voiced_ms, onset_ms + 20)
        self._generation += 1

    @property
    def in_turn(self) -> bool:
        return self._turn is not None

    @property
    def buffered_ms(self) -> int:
        return self._samples * 1000 // SAMPLE_RATE

    # -- decoding ------------------------------------------------------------------------
    def prepare(self, kind: DecodeKind) -> DecodeJob | None:
        """Cut a decode job, or None when there is nothing new to decode."""
        if self._turn is None or self._samples == 0 or not self.pending_speech:
            return None
        audio = int16_to_float(np.concatenate(self._chunks)) if self._chunks else np.zeros(0)
        return DecodeJob(
            kind=kind,
            audio=audio,
            prompt=self._prompt(),
            offset_ms=self._offset_ms,
            samples=self._samples,
            generation=self._generation,
        )

    def apply(self, job: DecodeJob, segments: list[Segment]) -> str:
        """Fold a finished job's result in; return the answer's text so far (the caption)."""
        turn = self._turn
        if turn is None or job.generation != self._generation:
            return ""  # the turn this job belonged to is gone
        words = [
            TimedWord(
                w.text, job.offset_ms + int(w.start * 1000), job.offset_ms + int(w.end * 1000)
            )
            for w in _words(segments)
        ]
        if job.kind in ("pause", "final"):
            turn.committed.extend(words)
            turn.tentative = []
            self._drop_samples(job.samples)
            self._committed_ms = max(self._committed_ms, self._offset_ms)
        else:
            agreed = _common_prefix(turn.tentative, words)
            # The last word of a hypothesis may be cut by the buffer's end: never commit it.
            agreed = agreed[: max(0, len(words) - 1)] if len(agreed) == len(words) else agreed
            if agreed:
                turn.committed.extend(agreed)
                self._drop_ms(agreed[-1].end_ms)
            turn.tentative = words[len(agreed) :]
            if self._samples > self.max_buffer_samples and turn.tentative:
                # Unbroken speech with no agreement for too long: commit to bound the buffer.
                turn.committed.extend(turn.tentative[:-1])
                self._drop_ms(turn.tentative[-2].end_ms if len(turn.tentative) > 1 else 0)
                turn.tentative = turn.tentative[-1:]
        return self.caption()

    def caption(self) -> str:
        if self._turn is None:
            return ""
        return join_words(w.text for w in [*self._turn.committed, *self._turn.tentative])

    def close_turn(self, start_ms: int, end_ms: int) -> ClosedTurn:
        """End the answer now. What is committed stays; audio no pause decode has covered yet
        becomes one last job (``ClosedTurn.job``). A decode still in flight for this turn is
        ignored when it lands; its audio is in the last job. New speech starts a fresh turn."""
        turn = self._turn or _Turn()
        job = self.prepare("final")
        self._turn = None
        self._generation += 1
        if job is not None:
            self._committed_ms = job.offset_ms + job.samples * 1000 // SAMPLE_RATE
        self._trim_to_ms(self._offset_ms + self.buffered_ms - self.preroll_ms)
        return ClosedTurn(tuple(turn.committed), job, start_ms, end_ms)

    @property
    def pending_speech(self) -> bool:
        """True when speech arrived that no commit has covered yet."""
        return self._turn is not None and self._last_voiced_ms > self._committed_ms

    # -- internals -----------------------------------------------------------------------
    def _prompt(self) -> str:
        context = []
        if self._turn:
            context = [w.text for w in self._turn.committed[-self.context_words :]]
        parts = [self.vocabulary.strip(), join_words(context)]
        return " ".join(p for p in parts if p)

    def _drop_ms(self, until_ms: int) -> None:
        self._drop_samples(max(0, (until_ms - self._offset_ms) * SAMPLE_RATE // 1000))

    def _trim_to_ms(self, keep_from_ms: int) -> None:
        self._drop_ms(keep_from_ms)

    def _drop_samples(self, n: int) -> None:
        n = min(n, self._samples)
        if n <= 0:
            return
        buf = np.concatenate(self._chunks)[n:]
        self._chunks = [buf] if buf.size else []
        self._samples = buf.size
        self._offset_ms += n * 1000 // SAMPLE_RATE


def _words(segments: list[Segment]) -> list[Word]:
    out: list[Word] = []
    for seg in segments:
        if seg.words:
            out.extend(seg.words)
        elif seg.text:
            # A recognizer without word timings: spread the segment's words evenly.
            parts = seg.text.split()
            step = (seg.end - seg.start) / max(1, len(parts))
            out.extend(
                Word(p, seg.start + i * step, seg.start + (i + 1) * step)
                for i, p in enumerate(parts)
            )
    return out


def _common_prefix(a: list[TimedWord], b: list[TimedWord]) -> list[TimedWord]:
    n = 0
    for x, y in zip(a, b, strict=False):
        if _norm(x.text) != _norm(y.text):
            break
        n += 1
    return b[:n]
