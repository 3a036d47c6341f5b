"""Linear regression trained with mini-batch gradient descent, in NumPy (no sklearn).

X is a float array of shape (n, d), y a float array of shape (n,).
The loss is the mean squared error L(w, b) = mean((X @ w + b - y) ** 2).
"""

from __future__ import annotations

import numpy as np


def mse_gradient(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float) -> tuple[np.ndarray, float]:
    """Gradient of L(w, b) = mean((X @ w + b - y) ** 2) on the rows given.

    Returns (grad_w, grad_b): grad_w has shape (d,), grad_b is a float.
    """
    raise NotImplementedError


def fit_linear_regression(
    X: np.ndarray,
    y: np.ndarray,
    *,
    lr: float = 0.05,
    epochs: int = 100,
    batch_size: int = 32,
    seed: int = 0,
) -> tuple[np.ndarray, float]:
    """Fit y ~ X @ w + b with mini-batch gradient descent.

    Each epoch visits every row once, in a random order (``np.random.default_rng(seed)``),
    in mini-batches of batch_size rows; the last batch of an epoch may be smaller.
    Features can be on very different scales (ages, incomes in dollars, fractions) and a
    column can even be constant: training must still converge with the given lr, for
    example by standardising the features inside this function.

    Returns (w, b) for the ORIGINAL features: X @ w + b predicts y. w has shape (d,).
    """
    raise NotImplementedError
