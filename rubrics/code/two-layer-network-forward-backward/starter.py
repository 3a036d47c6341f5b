"""A two-layer neural network in NumPy (no autograd).

    X -> X @ W1 + b1 -> ReLU -> @ W2 + b2 -> softmax -> mean cross-entropy with labels y

X is a float array of shape (n, d_in); y is an int array of shape (n,) with class labels
0..n_classes-1. params is a dict of arrays:
    "W1" (d_in, hidden), "b1" (hidden,), "W2" (hidden, n_classes), "b2" (n_classes,)
"""

from __future__ import annotations

import numpy as np


def init_params(d_in: int, hidden: int, n_classes: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Random starting weights scaled to the layer size, zero biases.

    Use ``np.random.default_rng(seed)``. Returns the four arrays with the shapes above.
    """
    raise NotImplementedError


def forward(params: dict[str, np.ndarray], X: np.ndarray) -> np.ndarray:
    """Class probabilities, shape (n, n_classes); every row sums to 1.

    Must stay finite when the logits are in the thousands.
    """
    raise NotImplementedError


def loss_and_grads(
    params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray
) -> tuple[float, dict[str, np.ndarray]]:
    """Forward and backward pass.

    Returns (loss, grads): loss is the cross-entropy averaged over the n examples (a float);
    grads has the same keys and shapes as params, each the derivative of that loss.
    """
    raise NotImplementedError


def sgd_step(
    params: dict[str, np.ndarray], grads: dict[str, np.ndarray], lr: float
) -> dict[str, np.ndarray]:
    """One gradient descent step: returns new params, params[key] - lr * grads[key]."""
    raise NotImplementedError
