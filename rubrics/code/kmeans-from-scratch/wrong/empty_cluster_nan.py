# expect-fail: test_empty_cluster_keeps_centroid_finite, test_empty_cluster_is_reseeded
"""Averages the points of every cluster, including clusters that have no points (NaN)."""

from __future__ import annotations

import numpy as np


def init_centroids(X: np.ndarray, k: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = len(X)
    C = [X[rng.integers(n)]]
    for _ in range(1, k):
        d = np.min([((X - c) ** 2).sum(1) for c in C], axis=0)
        if d.sum() == 0:
            C.append(X[rng.integers(n)])
        else:
            C.append(X[rng.choice(n, p=d / d.sum())])
    return np.array(C, dtype=float)


def kmeans(X, k, *, init=None, max_iters=100, seed=0):
    C = init_centroids(X, k, seed) if init is None else np.array(init, dtype=float)
    labels = None
    for _ in range(max_iters):
        dists = ((X[:, None, :] - C[None, :, :]) ** 2).sum(-1)
        new_labels = dists.argmin(1)
        if labels is not None and np.array_equal(labels, new_labels):
            break
        labels = new_labels
        C = np.array([X[labels == j].mean(axis=0) for j in range(k)])
    return C, labels
