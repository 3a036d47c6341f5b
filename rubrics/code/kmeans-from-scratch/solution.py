"""Reference k-means: k-means++ initialisation, Lloyd iterations, empty clusters re-seeded."""

from __future__ import annotations

import numpy as np


def _sq_dists(X: np.ndarray, C: np.ndarray) -> np.ndarray:
    """(n, k) squared distances without building an (n, k, d) array."""
    d = (X * X).sum(1)[:, None] - 2.0 * (X @ C.T) + (C * C).sum(1)[None, :]
    return np.maximum(d, 0.0)


def init_centroids(X: np.ndarray, k: int, seed: int = 0) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    rng = np.random.default_rng(seed)
    n = len(X)
    C = np.empty((k, X.shape[1]))
    C[0] = X[rng.integers(n)]
    closest = ((X - C[0]) ** 2).sum(1)
    for j in range(1, k):
        total = closest.sum()
        # All points already coincide with a centroid (k > distinct points): pick uniformly.
        i = rng.choice(n, p=closest / total) if total > 0 else rng.integers(n)
        C[j] = X[i]
        closest = np.minimum(closest, ((X - C[j]) ** 2).sum(1))
    return C


def kmeans(
    X: np.ndarray,
    k: int,
    *,
    init: np.ndarray | None = None,
    max_iters: int = 100,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=float)
    C = init_centroids(X, k, seed) if init is None else np.array(init, dtype=float)
    labels: np.ndarray | None = None
    for _ in range(max_iters):
        d = _sq_dists(X, C)
        new_labels = d.argmin(1)
        if labels is not None and np.array_equal(new_labels, labels):
            return C, labels
        labels = new_labels
        own = d[np.arange(len(X)), labels]
        for j in range(k):
            members = labels == j
            if members.any():
                C[j] = X[members].mean(0)
            else:
                # Empty cluster: move it to the point worst served by its centroid.
                i = int(own.argmax())
                C[j] = X[i]
                own[i] = -1.0
    return C, _sq_dists(X, C).argmin(1)
