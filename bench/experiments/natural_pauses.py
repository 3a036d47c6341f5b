"""The pauses speakers really make inside an answer: what smart-turn says of each, and which
end-of-turn policy would end the turn there.

The pause answers of ``end_of_turn.py`` are assembled from read speech (digital silence
stretched into a word gap, or two clips joined), where the speech before the pause often
has a sentence-final fall. This looks instead at every natural pause of 300 ms or more
inside the shared clips (the spontaneous monologues with their ums, and the readings),
runs the real segmenter (webrtcvad) and asks smart-turn at each pause, as the server does.
"""

from __future__ import annotations

from audio.pcm import FRAME_BYTES, SAMPLE_RATE, float_to_int16
from audio.segmenter import (
    SegmenterConfig,
    SpeechPaused,
    SpeechResumed,
    TurnSegmenter,
)
from audio.smart_turn import SmartTurn
from audio.vad import webrtc_classifier
from bench.common import Clip

MIN_PAUSE_MS = 300  # the shortest wait any policy here uses
POLICIES = (  # name, hangover when smart-turn says finished, otherwise (None: no model)
    ("timer 1000 ms (text rule's usual wait)", None, 1000),
    ("timer 1600 ms", None, 1600),
    ("smart-turn: 500 ms if finished, else 1600 ms", 500, 1600),
    ("smart-turn: 300 ms if finished, else 1600 ms (default)", 300, 1600),
)


def _pauses(clip: Clip, model: SmartTurn) -> list[tuple[int, int, float]]:
    """(at ms, length ms, P(finished)) of every pause >= MIN_PAUSE_MS inside the clip."""
    audio = clip.audio
    pcm = float_to_int16(audio).tobytes()
    never = SegmenterConfig(hangover_ms=10**9, hangover_complete_ms=10**9)
    seg = TurnSegmenter(webrtc_classifier(2), never)
    out: list[tuple[int, int, float]] = []
    current: tuple[int, float] | None = None
    for i in range(0, len(pcm) - FRAME_BYTES + 1, FRAME_BYTES):
        for event in seg.push(pcm[i : i + FRAME_BYTES]):
            match event:
                case SpeechPaused(at_ms=at):
                    heard = audio[: seg.now_ms * SAMPLE_RATE // 1000]
                    current = (at, model.probability(heard))
                case SpeechResumed(at_ms=at) if current is not None:
                    if at - current[0] >= MIN_PAUSE_MS:
                        out.append((current[0], at - current[0], round(current[1], 3)))
                    current = None
    return out


def _cut(pauses: list[tuple[int, int, float]], complete_ms: int | None, other_ms: int) -> int:
    """Pauses that would end the turn (pause length >= the hangover it gets; a hangover
    counts from the last voiced frame, so the pause length is the comparison)."""
    cuts = 0
    for _at, length, p in pauses:
        wait = complete_ms if complete_ms is not None and p >= 0.5 else other_ms
        cuts += length >= wait
    return cuts


def run(clips: list[Clip]) -> dict:
    model = SmartTurn()
    rows = []
    by_clip = {}
    for clip in clips:
        pauses = _pauses(clip, model)
        if pauses:
            by_clip[clip.name] = pauses
    spontaneous = [n for n in by_clip if n.endswith("_corpus.wav")]
    for name, complete_ms, other_ms in POLICIES:
        rows.append(
            {
                "policy": name,
                "spontaneous_cut": sum(
                    _cut(by_clip[n], complete_ms, other_ms) for n in spontaneous
                ),
                "read_cut": sum(
                    _cut(p, complete_ms, other_ms)
                    for n, p in by_clip.items()
                    if n not in spontaneous
                ),
            }
        )
    return {
        "min_pause_ms": MIN_PAUSE_MS,
        "pauses": by_clip,
        "spontaneous_clips": spontaneous,
        "spontaneous_pauses": sum(len(by_clip[n]) for n in spontaneous),
        "read_pauses": sum(len(p) for n, p in by_clip.items() if n not in spontaneous),
        "p_finished_spontaneous": sorted(p for n in spontaneous for *_, p in by_clip[n]),
        "rows": rows,
    }
