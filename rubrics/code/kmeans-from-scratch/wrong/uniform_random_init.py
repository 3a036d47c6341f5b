# expect-fail: test_kmeanspp_spreads_initial_centroids
"""Starts from k data points chosen uniformly at random instead of k-means++."""

from __future__ import annotations

import numpy as np


def init_centroids(X: np.ndarray, k: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return X[rng.choice(len(X), size=k, replace=False)].astype(float)


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
