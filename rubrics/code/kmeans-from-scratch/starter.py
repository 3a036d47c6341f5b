"""K-means from scratch with NumPy (no sklearn, no scipy).

X is a float array of shape (n, d): n points with d features each.
"""

from __future__ import annotations

import numpy as np


def init_centroids(X: np.ndarray, k: int, seed: int = 0) -> np.ndarray:
    """Pick k starting centroids with k-means++.

    The first centroid is a data point picked uniformly at random. Each next centroid is a
    data point picked with probability proportional to its squared distance to the nearest
    centroid chosen so far. Use ``np.random.default_rng(seed)``: the same seed must give the
    same centroids.

    Returns a float array of shape (k, d).
    """
    raise NotImplementedError


def kmeans(
    X: np.ndarray,
    k: int,
    *,
    init: np.ndarray | None = None,
    max_iters: int = 100,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Cluster the rows of X into k clusters (Lloyd's algorithm), 1 <= k <= n.

    init: optional (k, d) array of starting centroids; when None use init_centroids(X, k, seed).
    max_iters: upper bound on iterations; stop earlier once the assignments stop changing.

    Returns (centroids, labels): centroids is a float array of shape (k, d); labels is an int
    array of shape (n,) with values 0..k-1, each point's cluster (its nearest centroid).
    When a cluster loses all its points, do not average zero points: re-seed its centroid
    (for example at the point farthest from its centroid), so that every cluster ends with
    at least one point whenever X has at least k distinct points. Centroids are always finite.
    """
    raise NotImplementedError
