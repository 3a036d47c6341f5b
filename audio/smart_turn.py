"""smart-turn v3: does the speaker sound finished? An end-of-turn judge on the audio itself.

The model (BSD-2, 8.7 MB ONNX) ships inside the PyPI package ``pipecat-ai``; only its data file
and its numpy feature extractor are used, so the package is installed with ``--no-deps`` and
never imported. Input: the last 8 s of the turn (16 kHz, zero-padded at the front) as
Whisper-style log-mel features (80 x 800, waveform normalised); output: P(turn complete).
About 50-100 ms per call on one thread, so it runs on its own worker, not the transcription one.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Protocol

import numpy as np

from audio.pcm import SAMPLE_RATE

WINDOW_S = 8


class EndOfTurnModel(Protocol):
    def probability(self, audio: np.ndarray) -> float:
        """P(the speaker has finished) for float32 16 kHz audio of the turn so far."""
        ...


def smart_turn_dir() -> Path | None:
    """``pipecat/audio/turn/smart_turn`` of an installed pipecat-ai, found without importing it."""
    spec = importlib.util.find_spec("pipecat")
    if spec is None or not spec.submodule_search_locations:
        return None
    for root in spec.submodule_search_locations:
        folder = Path(root) / "audio" / "turn" / "smart_turn"
        if folder.is_dir():
            return folder
    return None


def _features_module(folder: Path) -> ModuleType:
    """pipecat's vendored numpy log-mel extractor, loaded from its file (imports only numpy)."""
    spec = importlib.util.spec_from_file_location(
        "coach_smart_turn_features", folder / "_whisper_features.py"
    )
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"{folder / '_whisper_features.py'}: not found")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class SmartTurn:
    """The smart-turn v3 ONNX model on onnxruntime (one thread by default)."""

    def __init__(self, model: Path | None = None, *, threads: int = 1) -> None:
        import onnxruntime as ort

        folder = smart_turn_dir()
        if folder is None:
            raise FileNotFoundError(
                "smart-turn model not found: install it with `pip install --no-deps pipecat-ai`"
            )
        if model is None:
            found = sorted((folder / "data").glob("smart-turn-v3*.onnx"))
            if not found:
                raise FileNotFoundError(f"no smart-turn-v3*.onnx under {folder / 'data'}")
            model = found[-1]
        self.model_path = Path(model)
        self._features = _features_module(folder).compute_whisper_log_mel_features
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(
            str(self.model_path), options, providers=["CPUExecutionProvider"]
        )
        self.probability(np.zeros(SAMPLE_RATE, np.float32))  # warm-up

    def probability(self, audio: np.ndarray) -> float:
        n = WINDOW_S * SAMPLE_RATE
        x = np.asarray(audio, dtype=np.float32)[-n:]
        if x.size < n:
            x = np.pad(x, (n - x.size, 0))
        feats = self._features(x, do_normalize=True)
        out = self._session.run(None, {"input_features": feats[None].astype(np.float32)})
        return float(np.asarray(out[0]).reshape(-1)[0])
