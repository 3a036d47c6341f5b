"""Delivery metrics of spoken answers: how it was said, not what. I/O-free and synchronous.

Input is what the live session stores: words with times on the session clock, grouped into
*stretches* (candidate speech with no interviewer speech in between), and optionally voice
activity of the candidate's track (``VoiceActivity``: webrtcvad flags per 20 ms frame).

Per answer (``measure_answer``):

- **talk time**: the sum of the stretches, first word to last word;
- **speaking rate**: words per minute of talk time (pauses included, as speaking rate is
  usually measured);
- **fillers**: um, uh, er, hmm..., "basically", "literally", and "like", "you know",
  "I mean" where they fill rather than mean something (see ``find_fillers``); per minute.
  Whisper writes clean text and drops "um" and "uh", so fillers are counted on a second
  decode of the answer primed with ``FILLER_PROMPT`` (a disfluent prompt keeps them) when
  the caller has one (``filler_words``), plus any the live transcript has that it missed;
- **hedges**: "I think", "maybe", "probably", "kind of", "I'm not sure"...; per minute;
- **long pauses**: silences of ``long_pause_ms`` (2 s) or more inside a stretch. With voice
  activity they are measured on the audio (whisper's word times stretch across silences);
  without it, from the gaps between words;
- **time to first word**: from the end of the question to the first speech after it (the
  first voiced frame when voice activity is known, else the first word's start).

Per session (``measure_session``): the candidate's share of talk time, and each metric's
values across answers with a least-squares slope per answer.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from audio.incremental import TimedWord

FRAME_MS = 20
LONG_PAUSE_MS = 2000
FILLER_PROMPT = "So, um, I was, uh, like, you know, thinking. Uh, hmm, um."
"""Whisper prompt that keeps disfluencies in the transcript (measured on tiny.en: without it
"um" and "uh" are dropped)."""
MIN_ONSET_FRAMES = 3  # 60 ms of voice counts as the first speech (a click does not)


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


FILLER_WORDS = _set("um umm ummm uh uhh uhm erm er ehm ah ahh hmm hmmm mm mmm basically literally")
_LIKE_FILLER_BEFORE = _set("and but so or um uh like")
_YOU_KNOW_OBJECTS = _set(
    """what how that the a an if why where when whether which who whom about it this these
    those them him her me us your my our their its"""
)
HEDGES = (
    "if i remember correctly",
    "if i recall correctly",
    "i'm not sure",
    "i am not sure",
    "i feel like",
    "more or less",
    "or something",
    "not sure",
    "i think",
    "i guess",
    "i believe",
    "i suppose",
    "i would say",
    "i'd say",
    "kind of",
    "sort of",
    "might be",
    "could be",
    "maybe",
    "perhaps",
    "probably",
    "possibly",
    "hopefully",
    "somewhat",
)
# "what kind of model", "this sort of data": a noun, not a hedge.
_KIND_OF_NOUN_BEFORE = _set(
    """what which this that a the any some every same different one each no other another
    these those certain new first right wrong"""
)
_HEDGE_TOKENS = tuple((h, tuple(h.split())) for h in HEDGES)

_CLEAN = re.compile(r"[^a-z0-9']+")


@dataclass(frozen=True)
class _Token:
    text: str  # lower case, punctuation removed
    start_ms: int
    comma_after: bool  # the recogniser wrote a comma (or dash) after it
    sentence_end: bool  # ... or a full stop, question or exclamation mark


def _tokens(words: Sequence[TimedWord]) -> list[_Token]:
    out = []
    for w in words:
        raw = w.text.strip().lower()
        for part in raw.split():
            text = _CLEAN.sub("", part.replace("\u2019", "'")).strip("'")
            if not text:
                continue
            tail = part.rstrip("\"')")
            out.append(
                _Token(
                    text,
                    w.start_ms,
                    comma_after=tail.endswith((",", "-", "\u2014", ";", ":")),
                    sentence_end=tail.endswith((".", "?", "!", "...")),
                )
            )
    return out


@dataclass(frozen=True)
class Mark:
    """A filler or hedge found in the answer, at its time on the session clock."""

    text: str
    start_ms: int

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "start_ms": self.start_ms}


def find_fillers(words: Sequence[TimedWord]) -> list[Mark]:
    """Filler words and phrases, conservatively: precision over recall.

    - um, uh, er, hmm... always; "basically", "literally" always;
    - "like" when the recogniser put a comma after it ("it was, like, slow") or it follows
      and/but/so/or/um/uh/like ("and like we"); "I like", "looks like", "features like
      clicks" are words, not fillers;
    - "you know" unless an object follows ("you know what", "you know the model");
    - "I mean" when followed by a comma or another filler.
    """
    toks = _tokens(words)
    marks: list[Mark] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        prev = toks[i - 1] if i > 0 else None
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if t.text in FILLER_WORDS:
            marks.append(Mark(t.text, t.start_ms))
        elif t.text == "like":
            after_filler = prev is not None and not prev.sentence_end
            if t.comma_after or (
                after_filler and prev is not None and prev.text in _LIKE_FILLER_BEFORE
            ):
                marks.append(Mark("like", t.start_ms))
        elif t.text == "you" and nxt is not None and nxt.text == "know":
            after = toks[i + 2] if i + 2 < len(toks) else None
            if (
                nxt.comma_after
                or nxt.sentence_end
                or after is None
                or (after.text not in _YOU_KNOW_OBJECTS)
            ):
                marks.append(Mark("you know", t.start_ms))
                i += 2
                continue
        elif t.text == "i" and nxt is not None and nxt.text == "mean":
            after = toks[i + 2] if i + 2 < len(toks) else None
            if nxt.comma_after or (after is not None and after.text in FILLER_WORDS):
                marks.append(Mark("i mean", t.start_ms))
                i += 2
                continue
        i += 1
    return marks


def find_hedges(words: Sequence[TimedWord]) -> list[Mark]:
    """Hedging phrases, longest match first, not overlapping."""
    toks = _tokens(words)
    texts = [t.text for t in toks]
    marks: list[Mark] = []
    i = 0
    while i < len(toks):
        for phrase, parts in _HEDGE_TOKENS:
            n = len(parts)
            if tuple(texts[i : i + n]) != parts:
                continue
            if parts[-1] == "of" and i > 0 and texts[i - 1] in _KIND_OF_NOUN_BEFORE:
                continue
            marks.append(Mark(phrase, toks[i].start_ms))
            i += n
            break
        else:
            i += 1
    return marks


@dataclass(frozen=True)
class VoiceActivity:
    """Speech flags of consecutive 20 ms frames of the candidate's track; frame ``k`` covers
    ``[start_ms + 20k, start_ms + 20k + 20)`` on the session clock."""

    start_ms: int
    flags: Sequence[bool]

    def _frame(self, ms: int) -> int:
        return (ms - self.start_ms) // FRAME_MS

    def covers(self, lo_ms: int, hi_ms: int) -> bool:
        return self._frame(lo_ms) >= 0 and self._frame(hi_ms - 1) < len(self.flags)

    def silent_runs(self, lo_ms: int, hi_ms: int) -> list[tuple[int, int]]:
        """Unvoiced runs strictly inside ``[lo_ms, hi_ms)``: voice on both sides."""
        a = max(0, self._frame(lo_ms))
        b = min(len(self.flags), self._frame(hi_ms - 1) + 1)
        runs, k = [], a
        while k < b and not self.flags[k]:  # leading silence is not a pause
            k += 1
        while k < b:
            if self.flags[k]:
                k += 1
                continue
            j = k
            while j < b and not self.flags[j]:
                j += 1
            if j < b:  # voice after it, inside the range
                runs.append((self.start_ms + k * FRAME_MS, self.start_ms + j * FRAME_MS))
            k = j
        return runs

    def onset(self, lo_ms: int, hi_ms: int, min_frames: int = MIN_ONSET_FRAMES) -> int | None:
        """Start of the first run of ``min_frames`` voiced frames in ``[lo_ms, hi_ms)``."""
        a = max(0, self._frame(lo_ms))
        b = min(len(self.flags), self._frame(hi_ms - 1) + 1)
        run = 0
        for k in range(a, b):
            run = run + 1 if self.flags[k] else 0
            if run >= min_frames:
                return self.start_ms + (k - run + 1) * FRAME_MS
        return None


@dataclass(frozen=True)
class Pause:
    start_ms: int
    end_ms: int

    @property
    def ms(self) -> int:
        return self.end_ms - self.start_ms

    def to_json(self) -> dict[str, Any]:
        return {"start_ms": self.start_ms, "end_ms": self.end_ms, "ms": self.ms}


@dataclass(frozen=True)
class AnswerDelivery:
    words: int
    talk_ms: int
    wpm: float | None  # None when there is too little speech to say
    fillers: tuple[Mark, ...] = ()
    hedges: tuple[Mark, ...] = ()
    long_pauses: tuple[Pause, ...] = ()
    time_to_first_word_ms: int | None = None
    pauses_from: str = "words"  # "audio" when measured on voice activity

    @property
    def minutes(self) -> float:
        return self.talk_ms / 60_000

    def per_minute(self, count: int) -> float | None:
        return round(count / self.minutes, 2) if self.talk_ms >= MIN_RATE_MS else None

    def to_json(self) -> dict[str, Any]:
        return {
            "words": self.words,
            "talk_ms": self.talk_ms,
            "wpm": self.wpm,
            "fillers": len(self.fillers),
            "fillers_per_min": self.per_minute(len(self.fillers)),
            "filler_counts": dict(Counter(m.text for m in self.fillers).most_common()),
            "filler_marks": [m.to_json() for m in self.fillers],
            "hedges": len(self.hedges),
            "hedges_per_min": self.per_minute(len(self.hedges)),
            "hedge_counts": dict(Counter(m.text for m in self.hedges).most_common()),
            "hedge_marks": [m.to_json() for m in self.hedges],
            "long_pauses": len(self.long_pauses),
            "long_pause_marks": [p.to_json() for p in self.long_pauses],
            "longest_pause_ms": max((p.ms for p in self.long_pauses), default=0),
            "time_to_first_word_ms": self.time_to_first_word_ms,
            "pauses_from": self.pauses_from,
        }


MIN_RATE_MS = 3000  # rates over less than 3 s of speech say nothing


def spoken_words(
    words: Sequence[TimedWord], voice: VoiceActivity | None, slack_ms: int = 250
) -> list[TimedWord]:
    """Words with speech within ``slack_ms`` of them: a prompted decode may add words over
    silence. (Whisper gives some fillers no duration, at the edge of the silence before.)"""
    if voice is None:
        return list(words)
    out = []
    for w in words:
        lo, hi = w.start_ms - slack_ms, max(w.end_ms, w.start_ms + FRAME_MS) + slack_ms
        if voice.onset(max(lo, voice.start_ms), hi, min_frames=1) is not None:
            out.append(w)
        elif not voice.covers(w.start_ms, max(w.end_ms, w.start_ms + 1)):
            out.append(w)  # no audio known there: keep it
    return out


def measure_answer(
    stretches: Sequence[Sequence[TimedWord]],
    *,
    asked_end_ms: int | None = None,
    voice: VoiceActivity | None = None,
    filler_words: Sequence[TimedWord] | None = None,
    long_pause_ms: int = LONG_PAUSE_MS,
) -> AnswerDelivery:
    """Delivery of one answer. ``stretches``: the candidate's words, split wherever the
    interviewer spoke (gaps across interviewer speech are turn-taking, not pauses);
    ``asked_end_ms``: when the question finished playing; ``filler_words``: the answer
    decoded with ``FILLER_PROMPT``, where fillers are counted (default: the words)."""
    stretches = [s for s in stretches if s]
    words = [w for s in stretches for w in s]
    if not words:
        return AnswerDelivery(0, 0, None)
    talk_ms = sum(max(0, s[-1].end_ms - s[0].start_ms) for s in stretches)
    n_words = len(_tokens(words))
    wpm = round(n_words / (talk_ms / 60_000), 1) if talk_ms >= MIN_RATE_MS else None
    pauses: list[Pause] = []
    use_audio = voice is not None and all(
        voice.covers(s[0].start_ms, s[-1].end_ms) for s in stretches
    )
    for s in stretches:
        if use_audio:
            assert voice is not None
            runs = voice.silent_runs(s[0].start_ms, s[-1].end_ms)
            pauses += [Pause(a, b) for a, b in runs if b - a >= long_pause_ms]
        else:
            pauses += [
                Pause(a.end_ms, b.start_ms)
                for a, b in pairwise(s)
                if b.start_ms - a.end_ms >= long_pause_ms
            ]
    ttfw = None
    if asked_end_ms is not None:
        first = stretches[0][0]
        onset = None
        if voice is not None and first.end_ms > asked_end_ms:
            onset = voice.onset(asked_end_ms, first.end_ms)
        start = onset if onset is not None else first.start_ms
        ttfw = max(0, start - asked_end_ms)
    return AnswerDelivery(
        words=n_words,
        talk_ms=talk_ms,
        wpm=wpm,
        fillers=tuple(_merge_marks(find_fillers(words), find_fillers(filler_words or []))),
        hedges=tuple(find_hedges(words)),
        long_pauses=tuple(pauses),
        time_to_first_word_ms=ttfw,
        pauses_from="audio" if use_audio else "words",
    )


def _merge_marks(live: Sequence[Mark], decoded: Sequence[Mark], near_ms: int = 400) -> list[Mark]:
    """Fillers of the filler decode, plus those of the live transcript it did not find (the
    same word within ``near_ms``)."""
    extra = [
        m
        for m in live
        if not any(d.text == m.text and abs(d.start_ms - m.start_ms) <= near_ms for d in decoded)
    ]
    return sorted([*decoded, *extra], key=lambda m: m.start_ms)


TREND_METRICS = (
    "wpm",
    "fillers_per_min",
    "hedges_per_min",
    "long_pauses",
    "time_to_first_word_ms",
    "talk_ms",
)


@dataclass(frozen=True)
class SessionDelivery:
    candidate_talk_ms: int
    interviewer_talk_ms: int
    answers: tuple[dict[str, Any], ...] = field(default=())  # AnswerDelivery.to_json() each

    @property
    def talk_share(self) -> float | None:
        total = self.candidate_talk_ms + self.interviewer_talk_ms
        return round(self.candidate_talk_ms / total, 3) if total else None

    def trends(self) -> dict[str, dict[str, Any]]:
        out = {}
        for key in TREND_METRICS:
            values = [a.get(key) for a in self.answers]
            points = [(i, v) for i, v in enumerate(values) if v is not None]
            out[key] = {"values": values, "slope": _slope(points)}
        return out

    def to_json(self) -> dict[str, Any]:
        talk = sum(a["talk_ms"] for a in self.answers)
        words = sum(a["words"] for a in self.answers)
        fillers = sum(a["fillers"] for a in self.answers)
        hedges = sum(a["hedges"] for a in self.answers)
        minutes = talk / 60_000
        enough = talk >= MIN_RATE_MS
        ttfw = [a["time_to_first_word_ms"] for a in self.answers]
        ttfw = [v for v in ttfw if v is not None]
        return {
            "candidate_talk_ms": self.candidate_talk_ms,
            "interviewer_talk_ms": self.interviewer_talk_ms,
            "talk_share": self.talk_share,
            "answers": len(self.answers),
            "words": words,
            "wpm": round(words / minutes, 1) if enough else None,
            "fillers_per_min": round(fillers / minutes, 2) if enough else None,
            "hedges_per_min": round(hedges / minutes, 2) if enough else None,
            "long_pauses": sum(a["long_pauses"] for a in self.answers),
            "time_to_first_word_ms": round(sum(ttfw) / len(ttfw)) if ttfw else None,
            "trends": self.trends(),
        }


def measure_session(
    answers: Sequence[AnswerDelivery], *, candidate_talk_ms: int, interviewer_talk_ms: int
) -> SessionDelivery:
    """Session totals and trends across ``answers`` (in the order they were given)."""
    return SessionDelivery(
        candidate_talk_ms, interviewer_talk_ms, tuple(a.to_json() for a in answers)
    )


def _slope(points: Sequence[tuple[int, float]]) -> float | None:
    """Least-squares change per answer; None with fewer than two points."""
    if len(points) < 2:
        return None
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    if sxx == 0:
        return None
    return round(sum((x - mx) * (y - my) for x, y in points) / sxx, 3)
