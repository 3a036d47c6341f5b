"""Reference: standardise the features, mini-batch gradient descent, map weights back."""

from __future__ import annotations

import numpy as np


def mse_gradient(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float) -> tuple[np.ndarray, float]:
    residual = X @ w + b - y
    n = len(y)
    return 2.0 * (X.T @ residual) / n, float(2.0 * residual.mean())


def fit_linear_regression(
    X: np.ndarray,
    y: np.ndarray,
    *,
    lr: float = 0.05,
    epochs: int = 100,
    batch_size: int = 32,
    seed: int = 0,
) -> tuple[np.ndarray, float]:
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    n, d = X.shape
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0  # a constant column stays 0 after centring
    Z = (X - mean) / scale
    rng = np.random.default_rng(seed)
    w = np.zeros(d)
    b = 0.0
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            rows = order[start : start + batch_size]
            grad_w, grad_b = mse_gradient(Z[rows], y[rows], w, b)
            w -= lr * grad_w
            b -= lr * grad_b
    w_orig = w / scale
    return w_orig, float(b - mean @ w_orig)
