# expect-fail: test_batch_larger_than_dataset
"""Loops over n // batch_size full batches only, so a batch bigger than the data never trains."""

from __future__ import annotations

import numpy as np


def mse_gradient(X, y, w, b):
    residual = X @ w + b - y
    return 2 * X.T @ residual / len(y), float(2 * residual.mean())


def fit_linear_regression(X, y, *, lr=0.05, epochs=100, batch_size=32, seed=0):
    X = np.asarray(X, dtype=float)
    mean, scale = X.mean(0), X.std(0)
    scale[scale == 0] = 1.0
    Z = (X - mean) / scale
    rng = np.random.default_rng(seed)
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(epochs):
        order = rng.permutation(len(y))
        for i in range(len(y) // batch_size):
            rows = order[i * batch_size : (i + 1) * batch_size]
            gw, gb = mse_gradient(Z[rows], y[rows], w, b)
            w -= lr * gw
            b -= lr * gb
    w = w / scale
    return w, b - mean @ w
