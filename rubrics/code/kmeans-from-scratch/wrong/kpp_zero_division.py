# expect-fail: test_more_clusters_than_distinct_points
"""k-means++ divides by the total squared distance even when it is zero (NaN probabilities)."""

from __future__ import annotations

import numpy as np


def init_centroids(X: np.ndarray, k: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = len(X)
    C = np.empty((k, X.shape[1]))
    C[0] = X[rng.integers(n)]
    closest = ((X - C[0]) ** 2).sum(1)
    for j in range(1, k):
        C[j] = X[rng.choice(n, p=closest / closest.sum())]
        closest = np.minimum(closest, ((X - C[j]) ** 2).sum(1))
    return C


def kmeans(X, k, *, init=None, max_iters=100, seed=0):
    X = np.asarray(X, dtype=float)
    C = init_centroids(X, k, seed) if init is None else np.array(init, dtype=float)
    labels = None
    for _ in range(max_iters):
        dists = ((X[:, None, :] - C[None, :, :]) ** 2).sum(-1)
        new_labels = dists.argmin(1)
        if labels is not None and np.array_equal(labels, new_labels):
            break
        labels = new_labels
        for j in range(k):
            if np.any(labels == j):
                C[j] = X[labels == j].mean(0)
            else:
                C[j] = X[dists.min(1).argmax()]
    return C, labels
