"""Tests for roc-auc-from-scratch; each test gets the candidate's module."""

from __future__ import annotations

import time

import numpy as np

VISIBLE = ("test_small_example", "test_perfect_and_reversed_ranking")


def _pairwise_auc(y: np.ndarray, s: np.ndarray) -> float:
    """The definition: share of (positive, negative) pairs ranked right, ties count half."""
    pos, neg = s[y == 1], s[y == 0]
    total = 0.0
    for chunk in np.array_split(pos, max(1, len(pos) // 500)):
        diff = chunk[:, None] - neg[None, :]
        total += (diff > 0).sum() + 0.5 * (diff == 0).sum()
    return total / (len(pos) * len(neg))


def _counted_auc(y: np.ndarray, s: np.ndarray) -> float:
    """The same quantity from per-score counts of positives and negatives."""
    values, index = np.unique(s, return_inverse=True)
    pos = np.bincount(index, weights=y, minlength=len(values))
    neg = np.bincount(index, weights=1 - y, minlength=len(values))
    below = np.cumsum(neg) - neg
    return float((pos * (below + 0.5 * neg)).sum() / (pos.sum() * neg.sum()))


def _close(got: object, want: float, what: str) -> None:
    assert isinstance(got, (float, int, np.floating)), f"{what}: return a float, got {got!r}"
    assert abs(float(got) - want) < 1e-9, f"{what}: expected {want:.4f}, got {float(got):.4f}"


def test_small_example(sol):
    """four predictions"""
    _close(sol.roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 0.75, "labels [0, 0, 1, 1]")


def test_perfect_and_reversed_ranking(sol):
    """a perfect and a reversed ranking"""
    _close(sol.roc_auc([0, 0, 1, 1, 1], [0.1, 0.2, 0.7, 0.8, 0.9]), 1.0, "a perfect ranking")
    _close(sol.roc_auc([1, 1, 0, 0, 0], [0.1, 0.2, 0.7, 0.8, 0.9]), 0.0, "a reversed ranking")


def test_tied_scores_count_half(sol):
    """tied scores"""
    _close(
        sol.roc_auc(np.array([1, 1, 0, 0]), np.full(4, 0.5)),
        0.5,
        "every score tied at 0.5 (a tie counts one half)",
    )
    _close(
        sol.roc_auc(np.array([0, 1, 0, 1]), np.array([0.5, 0.5, 0.2, 0.9])),
        0.875,
        "a positive and a negative tied at 0.5",
    )


def test_matches_pairwise_definition(sol):
    """three thousand rounded scores"""
    rng = np.random.default_rng(1)
    y = (rng.random(3000) < 0.3).astype(int)
    s = np.round(np.clip(rng.normal(0.4 + 0.2 * y, 0.2), 0, 1), 2)
    _close(sol.roc_auc(y, s), _pairwise_auc(y, s), "3,000 scores rounded to 2 decimals")


def test_single_class_raises(sol):
    """labels that are all the same class"""
    for labels in ([1, 1, 1], [0, 0, 0]):
        try:
            got = sol.roc_auc(labels, [0.2, 0.5, 0.9])
        except ValueError:
            continue
        raise AssertionError(
            f"with labels {labels} the AUC is undefined; raise ValueError instead of returning "
            f"{got!r}"
        )


def test_large_input_is_fast(sol):
    """two hundred thousand predictions"""
    rng = np.random.default_rng(2)
    y = (rng.random(200_000) < 0.1).astype(int)
    s = np.round(rng.random(200_000) * 0.5 + 0.3 * y, 2)
    start = time.process_time()
    got = sol.roc_auc(y, s)
    seconds = time.process_time() - start
    assert seconds < 2.0, (
        f"200,000 predictions took {seconds:.1f} s of CPU; sort once (n log n) instead of "
        "comparing every pair"
    )
    _close(got, _counted_auc(y, s), "200,000 predictions")
