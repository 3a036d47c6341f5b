"""Tests for weighted-random-sampler; each test gets the candidate's module."""

from __future__ import annotations

import time

import numpy as np

VISIBLE = ("test_one_nonzero_weight", "test_frequencies_follow_weights")


def _draw(sampler: object, n: int, size: int) -> np.ndarray:
    out = np.array([int(sampler.sample()) for _ in range(size)])
    bad = out[(out < 0) | (out >= n)]
    assert len(bad) == 0, f"sample() returned {bad[0]}, outside 0..{n - 1}"
    return out


def _check_frequencies(sol, weights: list[float], what: str) -> None:
    draws = _draw(sol.WeightedSampler(weights, seed=1), len(weights), 20_000)
    got = np.bincount(draws, minlength=len(weights)) / len(draws)
    want = np.asarray(weights) / np.sum(weights)
    assert np.abs(got - want).max() < 0.015, (
        f"{what}: expected frequencies {np.round(want, 3).tolist()}, "
        f"got {np.round(got, 3).tolist()}"
    )


def test_one_nonzero_weight(sol):
    """a single non-zero weight"""
    draws = _draw(sol.WeightedSampler([0.0, 0.0, 5.0, 0.0], seed=0), 4, 1000)
    assert np.all(draws == 2), (
        f"only index 2 has weight, but sample() returned {set(draws.tolist())}"
    )


def test_frequencies_follow_weights(sol):
    """weights one, two, three and four"""
    _check_frequencies(sol, [1.0, 2.0, 3.0, 4.0], "weights [1, 2, 3, 4] over 20,000 draws")


def test_unnormalised_weights(sol):
    """weights that do not sum to one"""
    _check_frequencies(sol, [100.0, 300.0, 600.0], "weights [100, 300, 600]")


def test_zero_weights_never_drawn(sol):
    """zero weights at both ends and in the middle"""
    weights = [0.0, 2.0, 0.0, 0.0, 1.0, 0.0]
    draws = _draw(sol.WeightedSampler(weights, seed=2), 6, 20_000)
    drawn = sorted(set(draws.tolist()) - {1, 4})
    assert not drawn, f"weights {weights}: index {drawn[0]} has weight 0 but was drawn"
    share = float((draws == 1).mean())
    assert abs(share - 2 / 3) < 0.015, f"index 1 should come up 2/3 of the time, got {share:.3f}"


def test_invalid_weights_raise(sol):
    """empty, negative and all-zero weights"""
    for weights in ([], [1.0, -1.0, 2.0], [0.0, 0.0, 0.0]):
        try:
            sol.WeightedSampler(weights, seed=0).sample()
        except ValueError:
            continue
        raise AssertionError(f"weights {weights} should raise ValueError, but sampling worked")


def test_same_seed_same_draws(sol):
    """the same seed twice"""
    weights = np.random.default_rng(3).random(50).tolist()
    a = _draw(sol.WeightedSampler(weights, seed=7), 50, 200)
    b = _draw(sol.WeightedSampler(weights, seed=7), 50, 200)
    assert np.array_equal(a, b), "two samplers built with seed=7 drew different indices"


def _timed_draws(sampler: object, draws: int, budget: float | None) -> float:
    start = time.process_time()
    for i in range(draws):
        sampler.sample()
        if budget is not None and i % 200 == 0:
            spent = time.process_time() - start
            assert spent < budget, (
                f"with 200,000 weights each draw is over 4 times slower than with 10 weights "
                f"({spent:.2f} s after {i} draws); a draw should not cost O(n)"
            )
    return time.process_time() - start


def test_sample_cost_is_not_linear(sol):
    """two hundred thousand weights"""
    small = sol.WeightedSampler(np.arange(1.0, 11.0).tolist(), seed=0)
    t_small = min(_timed_draws(small, 20_000, None) for _ in range(2))
    big = sol.WeightedSampler(np.random.default_rng(4).random(200_000).tolist(), seed=0)
    _timed_draws(big, 20_000, 4 * t_small + 0.05)
