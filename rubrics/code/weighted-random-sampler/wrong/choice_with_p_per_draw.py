# expect-fail: test_sample_cost_is_not_linear
"""Calls rng.choice(n, p=...) on every draw, which rebuilds the distribution each time: O(n)."""

from __future__ import annotations

import numpy as np


class WeightedSampler:
    def __init__(self, weights, seed=0):
        w = np.asarray(weights, dtype=float)
        if len(w) == 0 or (w < 0).any() or w.sum() == 0:
            raise ValueError("bad weights")
        self.p = w / w.sum()
        self.rng = np.random.default_rng(seed)

    def sample(self):
        return int(self.rng.choice(len(self.p), p=self.p))
