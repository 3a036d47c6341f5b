# expect-fail: test_features_on_very_different_scales, test_constant_feature_column
"""Runs gradient descent on the raw features, so an income column makes it diverge."""

from __future__ import annotations

import numpy as np


def mse_gradient(X, y, w, b):
    residual = X @ w + b - y
    return 2 * X.T @ residual / len(y), float(2 * residual.mean())


def fit_linear_regression(X, y, *, lr=0.05, epochs=100, batch_size=32, seed=0):
    rng = np.random.default_rng(seed)
    w, b = np.zeros(X.shape[1]), 0.0
    with np.errstate(all="ignore"):
        for _ in range(epochs):
            order = rng.permutation(len(y))
            for start in range(0, len(y), batch_size):
                rows = order[start : start + batch_size]
                gw, gb = mse_gradient(X[rows], y[rows], w, b)
                w = w - lr * gw
                b = b - lr * gb
    return w, b
