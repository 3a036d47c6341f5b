"""A sampler that returns an index with probability proportional to its weight."""

from __future__ import annotations

from collections.abc import Sequence


class WeightedSampler:
    """Draws indices 0..n-1, index i with probability weights[i] / sum(weights)."""

    def __init__(self, weights: Sequence[float], seed: int = 0) -> None:
        """Build the sampler once (about a million weights; they never change).

        weights: non-negative floats that need not sum to one; some can be zero. Raise
        ValueError when weights is empty, has a negative entry, or sums to zero.
        seed: seeds the random generator, so the same seed gives the same draws.
        """
        raise NotImplementedError

    def sample(self) -> int:
        """One random index. Called millions of times, so it must not cost O(n)."""
        raise NotImplementedError
