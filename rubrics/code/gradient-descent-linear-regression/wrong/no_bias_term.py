# expect-fail: test_fits_a_straight_line, test_learns_the_bias
"""Fits y ~ X @ w with no intercept and always returns b = 0."""

from __future__ import annotations

import numpy as np


def mse_gradient(X, y, w, b):
    residual = X @ w + b - y
    return 2 * X.T @ residual / len(y), float(2 * residual.mean())


def fit_linear_regression(X, y, *, lr=0.05, epochs=100, batch_size=32, seed=0):
    X = np.asarray(X, dtype=float)
    scale = X.std(0)
    scale[scale == 0] = 1.0
    Z = X / scale
    rng = np.random.default_rng(seed)
    w = np.zeros(X.shape[1])
    for _ in range(epochs):
        order = rng.permutation(len(y))
        for start in range(0, len(y), batch_size):
            rows = order[start : start + batch_size]
            gw, _ = mse_gradient(Z[rows], y[rows], w, 0.0)
            w -= lr * gw
    return w / scale, 0.0
