# expect-fail: test_frequencies_follow_weights, test_zero_weights_never_drawn
"""Prefix sums that start with 0, searched without subtracting one: every index shifts up."""

from __future__ import annotations

import bisect
import random


class WeightedSampler:
    def __init__(self, weights, seed=0):
        if not weights or min(weights) < 0 or sum(weights) == 0:
            raise ValueError("bad weights")
        self.prefix = [0.0]
        for w in weights:
            self.prefix.append(self.prefix[-1] + w)
        self.rng = random.Random(seed)

    def sample(self):
        return bisect.bisect_right(self.prefix, self.rng.random() * self.prefix[-1])
