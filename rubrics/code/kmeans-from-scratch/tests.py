"""Tests for kmeans-from-scratch. Each test gets the candidate's module as ``sol``."""

from __future__ import annotations

import numpy as np

VISIBLE = ("test_three_separated_blobs", "test_output_shapes_and_label_range")


def _blobs(centres: list[tuple[float, float]], per_blob: int, std: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.vstack([rng.normal(c, std, size=(per_blob, 2)) for c in centres])


def _check_output(centroids: object, labels: object, n: int, k: int, d: int) -> None:
    centroids = np.asarray(centroids)
    labels = np.asarray(labels)
    assert centroids.shape == (k, d), (
        f"centroids should have shape ({k}, {d}), got {centroids.shape}"
    )
    assert labels.shape == (n,), f"labels should have shape ({n},), got {labels.shape}"
    assert np.issubdtype(labels.dtype, np.integer), f"labels should be integers, got {labels.dtype}"
    assert labels.min() >= 0 and labels.max() < k, (
        f"labels should be in 0..{k - 1}, got values from {labels.min()} to {labels.max()}"
    )
    for j in range(k):
        assert np.all(np.isfinite(centroids[j])), (
            f"centroid {j} is {centroids[j]}, not finite; an empty cluster must not average "
            "zero points"
        )


def test_three_separated_blobs(sol):
    """three well separated blobs"""
    centres = [(0.0, 0.0), (10.0, 0.0), (0.0, 10.0)]
    X = _blobs(centres, 100, 1.0, seed=1)
    centroids, labels = sol.kmeans(X, 3, seed=0)
    _check_output(centroids, labels, 300, 3, 2)
    labels = np.asarray(labels)
    for b in range(3):
        found = set(labels[b * 100 : (b + 1) * 100].tolist())
        assert len(found) == 1, (
            f"the blob around {centres[b]} was split across clusters {sorted(found)}"
        )
    assert len(set(labels[::100].tolist())) == 3, "two blobs were merged into one cluster"
    for b, c in enumerate(centres):
        got = np.asarray(centroids)[labels[b * 100]]
        want = X[b * 100 : (b + 1) * 100].mean(0)
        assert np.allclose(got, want, atol=1e-6), (
            f"the centroid of the blob around {c} is {np.round(got, 3)}, expected its mean "
            f"{np.round(want, 3)}"
        )


def test_output_shapes_and_label_range(sol):
    """output shapes and label range"""
    X = np.random.default_rng(2).normal(size=(50, 4))
    centroids, labels = sol.kmeans(X, 5, seed=0)
    _check_output(centroids, labels, 50, 5, 4)


def test_converges_to_a_fixed_point(sol):
    """running until it converges"""
    X = np.random.default_rng(3).uniform(size=(400, 2))
    centroids, labels = sol.kmeans(X, 6, seed=0, max_iters=300)
    _check_output(centroids, labels, 400, 6, 2)
    centroids, labels = np.asarray(centroids), np.asarray(labels)
    d = ((X[:, None, :] - centroids[None, :, :]) ** 2).sum(-1)
    own = d[np.arange(len(X)), labels]
    wrong = np.flatnonzero(own > d.min(1) + 1e-9)
    assert len(wrong) == 0, (
        f"{len(wrong)} points are not assigned to their nearest centroid, e.g. point "
        f"{wrong[0]}; did the loop stop before the assignments stopped changing?"
    )
    for j in range(6):
        mean = X[labels == j].mean(0)
        assert np.allclose(centroids[j], mean, atol=1e-6), (
            f"centroid {j} is {np.round(centroids[j], 4)} but the mean of its points is "
            f"{np.round(mean, 4)}; the loop stopped before converging"
        )


def test_empty_cluster_keeps_centroid_finite(sol):
    """an empty cluster"""
    X = _blobs([(0.0, 0.0), (6.0, 0.0)], 50, 0.5, seed=4)
    init = np.array([[0.0, 0.0], [6.0, 0.0], [100.0, 100.0]])
    centroids, labels = sol.kmeans(X, 3, init=init.copy(), seed=0)
    _check_output(centroids, labels, 100, 3, 2)


def test_empty_cluster_is_reseeded(sol):
    """an empty cluster gets re-seeded"""
    X = _blobs([(0.0, 0.0), (6.0, 0.0), (0.0, 6.0)], 50, 0.5, seed=5)
    init = np.array([[0.0, 0.0], [3.0, 3.0], [100.0, 100.0]])
    centroids, labels = sol.kmeans(X, 3, init=init.copy(), seed=0)
    _check_output(centroids, labels, 150, 3, 2)
    counts = np.bincount(np.asarray(labels), minlength=3)
    empty = np.flatnonzero(counts == 0)
    assert len(empty) == 0, (
        f"cluster {empty[0]} ends with no points (its centroid started far from the data); "
        "re-seed an empty cluster instead of leaving it"
    )


def test_more_clusters_than_distinct_points(sol):
    """more clusters than distinct points"""
    base = np.array([[0.0, 0.0], [1.0, 1.0], [5.0, -2.0]])
    X = np.repeat(base, 10, axis=0)
    centroids, labels = sol.kmeans(X, 5, seed=0)
    _check_output(centroids, labels, 30, 5, 2)
    got = np.asarray(centroids)[np.asarray(labels)]
    bad = np.flatnonzero(np.abs(got - X).max(1) > 1e-9)
    assert len(bad) == 0, (
        f"with only 3 distinct points each point should sit on its own centroid; point "
        f"{bad[0]} at {X[bad[0]]} is assigned to a centroid at {got[bad[0]]}"
    )


def test_kmeanspp_spreads_initial_centroids(sol):
    """k-means++ initialisation"""
    rng = np.random.default_rng(6)
    far = [(1000.0 * np.cos(a), 1000.0 * np.sin(a)) for a in np.linspace(0, 2 * np.pi, 6)[:5]]
    small = [rng.normal(c, 0.5, size=(3, 2)) for c in far]
    X = np.vstack([rng.normal(0.0, 1.0, size=(1000, 2)), *small])
    group = np.concatenate([np.zeros(1000, int)] + [np.full(3, g + 1) for g in range(5)])
    good = 0
    for seed in range(10):
        C = np.asarray(sol.init_centroids(X, 6, seed=seed), dtype=float)
        assert C.shape == (6, 2), f"init_centroids should return shape (6, 2), got {C.shape}"
        d = ((C[:, None, :] - X[None, :, :]) ** 2).sum(-1)
        assert np.all(d.min(1) < 1e-9), (
            "k-means++ should pick starting centroids among the data points"
        )
        hit = group[d.argmin(1)]
        good += len(set(hit.tolist())) == 6
    assert good >= 7, (
        f"one big group and five small far-away groups: only {good} of 10 seeds put one "
        "starting centroid in each group; pick points with probability proportional to "
        "their squared distance to the nearest centroid so far"
    )


def test_same_seed_same_result(sol):
    """the same seed twice"""
    angles = np.linspace(0, 2 * np.pi, 9)[:8]
    X = _blobs([(5 * np.cos(a), 5 * np.sin(a)) for a in angles], 30, 1.5, seed=7)
    for _ in range(3):
        c1, l1 = sol.kmeans(X, 8, seed=11)
        c2, l2 = sol.kmeans(X, 8, seed=11)
        assert np.array_equal(np.asarray(l1), np.asarray(l2)) and np.allclose(c1, c2), (
            "two runs with seed=11 gave different clusters; draw every random number from "
            "np.random.default_rng(seed)"
        )


def test_single_cluster(sol):
    """k equal to one"""
    X = np.random.default_rng(8).normal(3.0, 2.0, size=(60, 3))
    centroids, labels = sol.kmeans(X, 1, seed=0)
    _check_output(centroids, labels, 60, 1, 3)
    assert np.allclose(np.asarray(centroids)[0], X.mean(0), atol=1e-6), (
        f"with k=1 the centroid should be the mean of all points {np.round(X.mean(0), 3)}, "
        f"got {np.round(np.asarray(centroids)[0], 3)}"
    )
