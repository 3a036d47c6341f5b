"""Incremental transcription of one answer while it is being spoken.

I/O-free and model-free: ``prepare`` cuts a decode job from the buffered audio, the caller runs
the recognizer on it in a worker thread, and ``apply`` folds the result back. The policy is
LocalAgreement-2 (as in whisper_streaming): the buffer holds the audio not yet committed; each
decode of it gives a hypothesis; the prefix two consecutive hypotheses agree on is committed
and its audio dropped from the buffer. Decodes run at pauses (cheap to schedule, and a pause
is a word boundary) and every few seconds of unbroken speech.

At end of turn, if the last decode already covered every voiced frame (the usual case: the
pause decode runs inside the silence hangover), its hypothesis is the answer and nothing is
left to decode. Otherwise only the uncommitted tail is decoded. A long answer is never
decoded from scratch. Jobs stop shortly after the last voiced frame, so whisper never sees a
long stretch of trailing silence (where it likes to hallucinate "Thank you.").
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from audio.pcm import SAMPLE_RATE, int16_to_float
from audio.stt import Segment, Word

DecodeKind = Literal["partial", "pause", "final"]
Corrector = Callable[[Sequence["TimedWord"]], list["TimedWord"]]
"""Rewrites recognised words, e.g. restoring the question's technical vocabulary."""


@dataclass(frozen=True)
class TimedWord:
    """A word on the session clock (milliseconds)."""

    text: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class DecodeJob:
    kind: DecodeKind
    audio: np.ndarray | None  # float32, 16 kHz (None: not loaded, read it from the recording)
    prompt: str  # the answer's words just before this audio
    offset_ms: int  # session-clock time of audio[0]
    end_ms: int  # session-clock time where the audio stops
    generation: int
    fast: bool = False  # greedy search (captions; short pause and final decodes)


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
    voiced: tuple[tuple[int, int], ...] = ()  # where the VAD heard speech (session ms)
    correct: Corrector | None = None

    def complete(self, segments: list[Segment] | None = None) -> Utterance:
        words = list(self.committed)
        if self.job is not None and segments:
            heard = _spoken(_timed(segments, self.job.offset_ms), self.voiced)
            words += _after(self.committed, heard, self.job.offset_ms)
        if self.correct is not None:
            words = self.correct(words)
        return Utterance(tuple(words), self.start_ms, self.end_ms)


@dataclass
class _Turn:
    committed: list[TimedWord] = field(default_factory=list)
    tentative: list[TimedWord] = field(default_factory=list)
    hypothesis_end_ms: int = -1  # how far the latest hypothesis reaches
    hypothesis_fast: bool = False  # it came from a fast (greedy) caption decode
    voiced: list[list[int]] = field(default_factory=list)  # every voiced span of the answer
    first_ms: int | None = None  # session time of the buffer's start when the answer began


def _extend_spans(spans: list[list[int]], start_ms: int, end_ms: int) -> None:
    """Add a voiced frame to merged ``[start, end]`` spans (gaps under 60 ms are bridged)."""
    if spans and spans[-1][1] >= start_ms - 60:
        spans[-1][1] = end_ms
    else:
        spans.append([start_ms, end_ms])


def join_words(words: Iterable[str]) -> str:
    return re.sub(r"\s+", " ", " ".join(words)).strip()


def _norm(word: str) -> str:
    return re.sub(r"[^\w']", "", word.lower())


class IncrementalTranscriber:
    """Buffers one answer's audio and turns decode results into committed words."""

    def __init__(
        self,
        *,
        correct: Corrector | None = None,
        preroll_ms: int = 300,
        tail_ms: int = 300,
        keep_context_s: float = 24.0,
        max_buffer_s: float = 28.0,
        context_words: int = 40,
        greedy_up_to_s: float = 0.0,
        whole_answer_wins: bool = False,
    ) -> None:
        """``greedy_up_to_s``: pause and final decodes of at most this much audio are greedy
        (beam 1), like captions; longer ones use the full beam. ``whole_answer_wins``: a full-beam
        pause or final decode that covers the whole answer replaces what captions committed."""
        self.correct = correct
        self.whole_answer_wins = whole_answer_wins
        self.greedy_up_to_ms = int(greedy_up_to_s * 1000)
        self.preroll_ms = preroll_ms
        self.tail_ms = tail_ms
        self.keep_context_ms = int(keep_context_s * 1000)
        self.max_buffer_ms = int(max_buffer_s * 1000)
        self.context_words = context_words
        self._chunks: list[np.ndarray] = []
        self._samples = 0
        self._offset_ms = 0  # session-clock time of the buffer's first sample
        self._turn: _Turn | None = None
        self._generation = 0
        self._last_voiced_ms = -1  # session time where the last voiced frame ends
        self._voiced: list[list[int]] = []  # merged [start, end] ms of voiced frames, recent

    # -- feeding -------------------------------------------------------------------------
    def push(self, pcm: bytes, *, at_ms: int, voiced: bool) -> None:
        """Add one frame received at session time ``at_ms`` (its first sample)."""
        arr = np.frombuffer(pcm, dtype="<i2")
        if not self._chunks:
            self._offset_ms = at_ms
            if self._turn is not None and self._turn.first_ms is None:
                self._turn.first_ms = at_ms
        self._chunks.append(arr)
        self._samples += arr.size
        end_ms = at_ms + arr.size * 1000 // SAMPLE_RATE
        if voiced:
            self._last_voiced_ms = end_ms
            _extend_spans(self._voiced, at_ms, end_ms)
            if self._turn is not None:
                _extend_spans(self._turn.voiced, at_ms, end_ms)
        if self._turn is None:
            self._drop_until(end_ms - self.preroll_ms)

    def begin_turn(self, onset_ms: int) -> None:
        """Speech started at ``onset_ms``: keep a little audio before it, start a new answer."""
        self._drop_until(onset_ms - self.preroll_ms)
        self._turn = _Turn(first_ms=self._offset_ms if self._chunks else None)
        self._last_voiced_ms = max(self._last_voiced_ms, onset_ms + 20)
        self._generation += 1

    @property
    def in_turn(self) -> bool:
        return self._turn is not None

    @property
    def buffered_ms(self) -> int:
        return self._samples * 1000 // SAMPLE_RATE

    @property
    def pending_speech(self) -> bool:
        """True when voiced audio arrived that no hypothesis covers yet."""
        return self._turn is not None and self._last_voiced_ms > self._turn.hypothesis_end_ms

    def recent_audio(self, ms: int) -> np.ndarray:
        """The last ``ms`` of buffered audio as float32 (what a judge of the pause hears)."""
        if not self._chunks:
            return np.zeros(0, np.float32)
        n = ms * SAMPLE_RATE // 1000
        return int16_to_float(np.concatenate(self._chunks)[-n:])

    # -- decoding ------------------------------------------------------------------------
    def prepare(self, kind: DecodeKind) -> DecodeJob | None:
        """Cut a decode job of the uncommitted audio, or None when there is nothing new."""
        if self._turn is None or self._samples == 0:
            return None
        buffer_end = self._offset_ms + self.buffered_ms
        end_ms = min(buffer_end, self._last_voiced_ms + self.tail_ms)
        fast = kind == "partial" or end_ms - self._offset_ms <= self.greedy_up_to_ms
        # A pause or final decode redoes a greedy caption hypothesis when it would search
        # with the full beam (a greedy redo of the same audio gives the same words).
        redo = not fast and self._turn.hypothesis_fast and bool(self._turn.tentative)
        if not (self.pending_speech or redo):
            return None
        n = max(0, (end_ms - self._offset_ms) * SAMPLE_RATE // 1000)
        audio = int16_to_float(np.concatenate(self._chunks)[:n])
        return DecodeJob(
            kind, audio, self._prompt(), self._offset_ms, end_ms, self._generation, fast
        )

    def apply(self, job: DecodeJob, segments: list[Segment]) -> str:
        """Fold a finished job's result in; return the answer's text so far (the caption)."""
        turn = self._turn
        if turn is None or job.generation != self._generation:
            return ""  # the turn this job belonged to is gone
        heard = _spoken(_timed(segments, job.offset_ms), self._voiced)
        if self._whole(job, turn):
            # A full-beam decode of the whole answer so far: it has every word's context, so
            # it replaces what captions committed (they agreed on partial audio).
            turn.committed, turn.tentative = [], []
        words = _after(turn.committed, heard, job.offset_ms)
        agreed = _common_prefix(turn.tentative, words)
        if job.kind == "partial" and len(agreed) == len(words):
            agreed = agreed[:-1]  # mid-speech, the last word may be cut by the buffer's end
        if agreed:
            turn.committed.extend(agreed)
            if self.buffered_ms > self.keep_context_ms:
                # Keep committed audio as left context for whisper while the buffer is short;
                # past that, drop it (a margin stays: word timings are approximate).
                self._drop_until(agreed[-1].start_ms)
        turn.tentative = words[len(agreed) :]
        turn.hypothesis_end_ms = max(turn.hypothesis_end_ms, job.end_ms)
        turn.hypothesis_fast = job.kind == "partial"
        if self.buffered_ms > self.max_buffer_ms and len(turn.tentative) > 1:
            # Unbroken speech and no agreement for too long: commit to bound the buffer.
            forced, turn.tentative = turn.tentative[:-1], turn.tentative[-1:]
            turn.committed.extend(forced)
            self._drop_until(forced[-1].start_ms)
        return self.caption()

    def caption(self) -> str:
        if self._turn is None:
            return ""
        words = [*self._turn.committed, *self._turn.tentative]
        if self.correct is not None:
            words = self.correct(words)
        return join_words(w.text for w in words)

    def close_turn(self, start_ms: int, end_ms: int) -> ClosedTurn:
        """End the answer now. If the latest hypothesis covers all the speech, it is final;
        otherwise the uncommitted audio becomes one last job (``ClosedTurn.job``). A decode
        still in flight for this turn is ignored when it lands. New speech starts afresh."""
        turn = self._turn or _Turn()
        job = self.prepare("final")
        if job is None:
            words = [*turn.committed, *turn.tentative]
        else:
            words = [] if self._whole(job, turn) else turn.committed
        self._turn = None
        self._generation += 1
        voiced = tuple((a, b) for a, b in [*turn.voiced, *self._voiced])
        self._drop_until(self._offset_ms + self.buffered_ms - self.preroll_ms)
        return ClosedTurn(tuple(words), job, start_ms, end_ms, voiced, self.correct)

    # -- internals -----------------------------------------------------------------------
    def _whole(self, job: DecodeJob, turn: _Turn) -> bool:
        """A full-beam pause or final decode whose audio starts where the answer does (the
        buffer has dropped nothing of it): its hypothesis is the whole answer. (Measured: a
        greedy decode of the whole answer is no better than what greedy captions agreed on.)"""
        return (
            self.whole_answer_wins
            and not job.fast
            and turn.first_ms is not None
            and job.offset_ms <= turn.first_ms
        )

    def _prompt(self) -> str:
        """The answer's words from before the buffer (words still inside the buffer are left
        out: whisper tends to skip audio the prompt already says)."""
        if not self._turn:
            return ""
        before = [w.text for w in self._turn.committed if w.end_ms <= self._offset_ms]
        return join_words(before[-self.context_words :])

    def _drop_until(self, until_ms: int) -> None:
        n = min(self._samples, max(0, (until_ms - self._offset_ms) * SAMPLE_RATE // 1000))
        if n <= 0:
            return
        buf = np.concatenate(self._chunks)[n:]
        self._chunks = [buf] if buf.size else []
        self._samples = buf.size
        self._offset_ms += n * 1000 // SAMPLE_RATE
        while self._voiced and self._voiced[0][1] < self._offset_ms - 1000:
            self._voiced.pop(0)


def _timed(segments: list[Segment], offset_ms: int) -> list[TimedWord]:
    return [
        TimedWord(w.text, offset_ms + int(w.start * 1000), offset_ms + int(w.end * 1000))
        for w in _words(segments)
    ]


def _spoken(words: list[TimedWord], voiced: Sequence[Sequence[int]]) -> list[TimedWord]:
    """Drop words laid over audio the VAD heard no speech in: whisper invents text in long
    silences ("Thanks for watching!"), and such words land where nobody spoke."""
    margin = 120
    return [
        w
        for w in words
        if any(s < w.end_ms + margin and e > w.start_ms - margin for s, e in voiced)
    ]


def _after(
    committed: Sequence[TimedWord], hypothesis: list[TimedWord], offset_ms: int
) -> list[TimedWord]:
    """The words of a hypothesis that come after what is already committed.

    The buffer keeps committed audio as context (from ``offset_ms``), so a hypothesis of it
    starts by saying committed words again. They are found by aligning text, not times: the
    last word of a hypothesis often gets an end time stretched over audio it did not hear,
    and trusting it would drop the words that follow.
    """
    inside = [w for w in committed if w.start_ms >= offset_ms - 40]
    if not inside:
        return hypothesis
    a = [_norm(w.text) for w in inside]
    window = [_norm(w.text) for w in hypothesis[: len(a) + 6]]
    matcher = difflib.SequenceMatcher(a=a, b=window, autojunk=False)
    blocks = [m for m in matcher.get_matching_blocks() if m.size]
    # The committed words should reappear at the start; accept a match that reaches (nearly)
    # the end of the committed words, and take what follows it.
    if blocks and blocks[-1].a + blocks[-1].size >= len(a) - 1:
        return hypothesis[blocks[-1].b + blocks[-1].size :]
    # Whisper changed its mind about the committed words: fall back to times.
    end = inside[-1].start_ms
    return [w for w in hypothesis if w.start_ms > end]


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
