"""Turn segmenter: decides, frame by frame, when the candidate starts, pauses and ends a turn.

I/O-free and synchronous: push 20 ms frames, get turn events back. The speech classifier is
injected (webrtcvad in production, a lambda in tests). End of turn is a silence hangover whose
length depends on a hint from whoever can judge the words so far: a complete-sounding answer
ends after a short silence, one that trails off ("and then, um") waits longer, so a thinking
pause does not cut the candidate off.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Literal

from audio.pcm import FRAME_BYTES, FRAME_MS
from audio.vad import SpeechClassifier


@dataclass(frozen=True)
class SpeechStarted:
    at_ms: int


@dataclass(frozen=True)
class SpeechPaused:
    """Silence reached the pause threshold; ``at_ms`` is where the speech stopped."""

    at_ms: int


@dataclass(frozen=True)
class SpeechResumed:
    at_ms: int


@dataclass(frozen=True)
class TurnEnded:
    start_ms: int
    end_ms: int  # end of the last voiced frame
    decided_ms: int  # when the end was decided (end_ms + hangover, or the button press)
    reason: Literal["silence", "button"]


TurnEvent = SpeechStarted | SpeechPaused | SpeechResumed | TurnEnded


@dataclass(frozen=True)
class SegmenterConfig:
    start_window: int = 10  # frames looked at to detect speech onset
    start_voiced: int = 6  # voiced frames among them that start a turn
    pause_ms: int = 240
    hangover_ms: int = 1000
    hangover_complete_ms: int = 600
    hangover_incomplete_ms: int = 2000
    # The short wait of a finished-sounding pause only once words were heard in the turn
    # (``words_heard``): a click or breath before the first word is not a finished answer.
    finished_needs_words: bool = False


class TurnSegmenter:
    """Webrtcvad-style onset detection plus a hint-driven silence hangover."""

    def __init__(
        self,
        is_speech: SpeechClassifier,
        config: SegmenterConfig | None = None,
        *,
        start_ms: int = 0,
    ):
        self._is_speech = is_speech
        self.config = config or SegmenterConfig()
        self._now_ms = start_ms  # session clock: resumed sessions go on from where they were
        self._recent: deque[tuple[int, bool]] = deque(maxlen=self.config.start_window)
        self._in_turn = False
        self._turn_start_ms = 0
        self._last_voiced_end_ms = start_ms
        self._prev_voiced = False
        self._paused = False
        self._hint: bool | None = None
        self._words = False  # the recognizer has heard words in the current turn
        self.voiced_ms = 0  # voiced time in the current turn
        self.last_voiced = False  # the classifier's verdict on the last frame

    @property
    def now_ms(self) -> int:
        return self._now_ms

    @property
    def in_turn(self) -> bool:
        return self._in_turn

    @property
    def silence_ms(self) -> int:
        return self._now_ms - self._last_voiced_end_ms if self._in_turn else 0

    @property
    def pause_at_ms(self) -> int | None:
        """Where the speech of the current pause stopped (``SpeechPaused.at_ms``), or None."""
        return self._last_voiced_end_ms if self._in_turn and self._paused else None

    def set_completion_hint(self, complete: bool | None) -> None:
        """Judge the current pause: True = the answer sounds finished, False = it trails off,
        None = cannot tell (the default hangover applies). Hints from several judges (the
        smart-turn model on the audio, the words of the pause decode) combine: "trails off"
        wins over "finished", and "cannot tell" changes nothing. A hint lasts until speech
        resumes. Until one arrives the default hangover applies: a judge that is late under
        load must not make every turn wait as long as one that trails off.
        """
        if not (self._in_turn and self._paused) or complete is None:
            return
        if complete is False or self._hint is None:
            self._hint = complete

    def words_heard(self) -> None:
        """The recognizer found words in the current turn (see ``finished_needs_words``)."""
        if self._in_turn:
            self._words = True

    def push(self, frame: bytes) -> list[TurnEvent]:
        """Feed one 640-byte frame; return the events it caused, in order."""
        if len(frame) != FRAME_BYTES:
            raise ValueError(f"frame must be {FRAME_BYTES} bytes, got {len(frame)}")
        start = self._now_ms
        self._now_ms += FRAME_MS
        voiced = self._is_speech(frame)
        self.last_voiced = voiced
        events: list[TurnEvent] = []
        if not self._in_turn:
            self._recent.append((start, voiced))
            if sum(v for _, v in self._recent) >= self.config.start_voiced:
                onset = next(t for t, v in self._recent if v)
                self._begin_turn(onset)
                events.append(SpeechStarted(onset))
            self._prev_voiced = voiced
            return events

        # A lone voiced frame in silence is usually a click; two in a row is speech.
        if voiced and (self._prev_voiced or not self._paused):
            self._last_voiced_end_ms = self._now_ms
            self.voiced_ms += FRAME_MS
            if self._paused:
                self._paused = False
                self._hint = None
                events.append(SpeechResumed(start))
        self._prev_voiced = voiced

        silence = self._now_ms - self._last_voiced_end_ms
        if not self._paused and silence >= self.config.pause_ms:
            self._paused = True
            events.append(SpeechPaused(self._last_voiced_end_ms))
        if self._paused and silence >= self._required_hangover():
            events.append(self._end("silence"))
        return events

    def force_end(self) -> TurnEnded | None:
        """The candidate pressed "I'm done": end the turn now, if one is in progress."""
        if not self._in_turn:
            return None
        return self._end("button")

    def _required_hangover(self) -> int:
        match self._hint:
            case True if self._words or not self.config.finished_needs_words:
                return self.config.hangover_complete_ms
            case False:
                return self.config.hangover_incomplete_ms
            case _:
                return self.config.hangover_ms

    def _begin_turn(self, onset_ms: int) -> None:
        self._in_turn = True
        self._turn_start_ms = onset_ms
        self._last_voiced_end_ms = self._now_ms
        self._paused = False
        self._hint = None
        self._words = False
        self.voiced_ms = sum(FRAME_MS for _, v in self._recent if v)
        self._recent.clear()

    def _end(self, reason: Literal["silence", "button"]) -> TurnEnded:
        event = TurnEnded(
            start_ms=self._turn_start_ms,
            end_ms=self._last_voiced_end_ms,
            decided_ms=self._now_ms,
            reason=reason,
        )
        self._in_turn = False
        self._paused = False
        self._hint = None
        self._recent.clear()
        return event
