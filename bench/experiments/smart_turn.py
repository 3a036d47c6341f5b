"""smart-turn v3 (pipecat-ai's bundled ONNX end-of-turn model), loaded without pipecat itself.

Install for the experiment only: ``pip install --no-deps pipecat-ai``. The model takes the
last 8 s of the turn's audio (16 kHz, zero-padded at the front) as Whisper-style log-mel
features (80 x 800, waveform normalised first) and returns P(turn complete).
"""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path
from types import ModuleType

import numpy as np

from audio.pcm import SAMPLE_RATE

WINDOW_S = 8


def _package_dir() -> Path:
    spec = importlib.util.find_spec("pipecat")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("pipecat-ai is not installed: pip install --no-deps pipecat-ai")
    return Path(spec.origin).parent / "audio" / "turn" / "smart_turn"


def _features_module(folder: Path) -> ModuleType:
    """pipecat's vendored numpy feature extractor (imports only numpy)."""
    spec = importlib.util.spec_from_file_location(
        "smart_turn_features", folder / "_whisper_features.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class SmartTurn:
    """P(the speaker has finished) from the audio of the turn so far."""

    def __init__(self, threads: int = 1) -> None:
        import onnxruntime as ort

        folder = _package_dir()
        models = sorted((folder / "data").glob("smart-turn-v3*.onnx"))
        if not models:
            raise FileNotFoundError(f"no smart-turn-v3*.onnx under {folder / 'data'}")
        self.model_path = models[-1]
        self._features = _features_module(folder).compute_whisper_log_mel_features
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(self.model_path), options)
        self.predict(np.zeros(SAMPLE_RATE, np.float32))  # warm-up

    def predict(self, audio: np.ndarray) -> tuple[float, float]:
        """(probability complete, milliseconds it took) for float32 16 kHz turn audio."""
        t0 = time.perf_counter()
        n = WINDOW_S * SAMPLE_RATE
        x = audio[-n:].astype(np.float32)
        if x.size < n:
            x = np.pad(x, (n - x.size, 0))
        feats = self._features(x, do_normalize=True)
        out = self._session.run(None, {"input_features": feats[None]})
        prob = float(np.asarray(out[0]).reshape(-1)[0])
        return prob, (time.perf_counter() - t0) * 1000
