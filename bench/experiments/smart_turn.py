"""smart-turn v3 for the experiments: the product's model (``audio.smart_turn``) plus timing."""

from __future__ import annotations

import time

import numpy as np

from audio.smart_turn import SmartTurn as _SmartTurn


class SmartTurn(_SmartTurn):
    def predict(self, audio: np.ndarray) -> tuple[float, float]:
        """(probability complete, milliseconds it took)."""
        t0 = time.perf_counter()
        prob = self.probability(audio)
        return prob, (time.perf_counter() - t0) * 1000
