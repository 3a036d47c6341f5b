# expect-fail: test_invalid_weights_raise
"""Samples correctly but never validates the weights, so all-zero weights still 'work'."""

from __future__ import annotations

import bisect
import itertools
import random


class WeightedSampler:
    def __init__(self, weights, seed=0):
        self.cumulative = list(itertools.accumulate(weights))
        self.rng = random.Random(seed)

    def sample(self):
        total = self.cumulative[-1] if self.cumulative else 0.0
        i = bisect.bisect_right(self.cumulative, self.rng.random() * total)
        return min(i, len(self.cumulative) - 1)
