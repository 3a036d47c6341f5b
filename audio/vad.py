"""Speech/non-speech classification of 20 ms frames with webrtcvad (microseconds a frame)."""

from __future__ import annotations

from collections.abc import Callable

from audio.pcm import SAMPLE_RATE

SpeechClassifier = Callable[[bytes], bool]
"""Takes one 640-byte frame, says whether it holds speech."""


def webrtc_classifier(aggressiveness: int = 2) -> SpeechClassifier:
    """A webrtcvad classifier; one per session, since webrtcvad keeps state between frames."""
    import webrtcvad

    vad = webrtcvad.Vad(aggressiveness)

    def is_speech(frame: bytes) -> bool:
        return vad.is_speech(frame, SAMPLE_RATE)

    return is_speech
