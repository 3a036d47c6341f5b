"""smart-turn v3 as the judge of a pause: the real model from pipecat-ai on real speech."""

from __future__ import annotations

import numpy as np
import pytest

from audio.pcm import FRAME_BYTES, SAMPLE_RATE, float_to_int16, load_audio
from audio.segmenter import SegmenterConfig, SpeechPaused, TurnEnded, TurnSegmenter
from audio.smart_turn import SmartTurn
from audio.vad import webrtc_classifier
from tests.conftest import SHARED

pytestmark = pytest.mark.models


@pytest.fixture(scope="module")
def model() -> SmartTurn:
    return SmartTurn()


def _with_silence(audio: np.ndarray, seconds: float) -> np.ndarray:
    return np.concatenate([audio, np.zeros(int(seconds * SAMPLE_RATE), np.float32)])


def test_finished_sentence_sounds_finished_and_a_cut_one_does_not(model: SmartTurn):
    jfk = load_audio(SHARED / "speech" / "jfk.flac")
    assert model.probability(_with_silence(jfk, 0.25)) > 0.5
    for fraction in (0.45, 0.6):  # cut mid-phrase ("ask not what your ...")
        cut = jfk[: int(len(jfk) * fraction)]
        assert model.probability(_with_silence(cut, 0.25)) < 0.5, fraction


def _end_wait_ms(audio: np.ndarray, model: SmartTurn | None, cfg: SegmenterConfig) -> int:
    """Feed the clip + silence through the real segmenter; smart-turn judges each pause on the
    audio so far, as server/live.py does. Returns last voiced sample -> turn end decision."""
    pcm = float_to_int16(_with_silence(audio, 3.0)).tobytes()
    seg = TurnSegmenter(webrtc_classifier(2), cfg)
    for i in range(0, len(pcm) - FRAME_BYTES + 1, FRAME_BYTES):
        for event in seg.push(pcm[i : i + FRAME_BYTES]):
            match event:
                case SpeechPaused() if model is not None:
                    heard = audio[: seg.now_ms * SAMPLE_RATE // 1000]
                    seg.set_completion_hint(True if model.probability(heard) >= 0.5 else None)
                case TurnEnded(end_ms=end, decided_ms=decided):
                    return decided - end
    raise AssertionError("the turn never ended")


def test_a_finished_answer_ends_sooner_with_smart_turn(model: SmartTurn):
    clip = load_audio(SHARED / "speech" / "1089-134686-0001.wav")
    cfg = SegmenterConfig(hangover_ms=1600, hangover_complete_ms=500)
    with_model = _end_wait_ms(clip, model, cfg)
    without = _end_wait_ms(clip, None, cfg)
    print(f"end-of-turn wait: {with_model} ms with smart-turn, {without} ms without")  # noqa: T201
    assert with_model <= 560
    assert without >= 1600
