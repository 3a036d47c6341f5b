"""Reference: prefix sums built once, then a binary search per draw (O(log n))."""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections.abc import Sequence


class WeightedSampler:
    def __init__(self, weights: Sequence[float], seed: int = 0) -> None:
        weights = [float(w) for w in weights]
        if not weights:
            raise ValueError("weights is empty")
        if any(w < 0 or math.isnan(w) for w in weights):
            raise ValueError("weights must be non-negative")
        self.cumulative = list(itertools.accumulate(weights))
        self.total = self.cumulative[-1]
        if self.total <= 0:
            raise ValueError("weights sum to zero")
        # A draw that rounds up to the total falls back on the last index with weight > 0.
        self.last = max(i for i, w in enumerate(weights) if w > 0)
        self.rng = random.Random(seed)

    def sample(self) -> int:
        i = bisect.bisect_right(self.cumulative, self.rng.random() * self.total)
        return i if i <= self.last else self.last
