# expect-fail: test_init_breaks_symmetry, test_training_fits_toy_data
"""Initialises every weight to zero, so all hidden units stay identical (and dead)."""

from __future__ import annotations

import numpy as np


def init_params(d_in, hidden, n_classes, seed=0):
    return {
        "W1": np.zeros((d_in, hidden)),
        "b1": np.zeros(hidden),
        "W2": np.zeros((hidden, n_classes)),
        "b2": np.zeros(n_classes),
    }


def _log_softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def forward(params, X):
    h = np.maximum(X @ params["W1"] + params["b1"], 0)
    return np.exp(_log_softmax(h @ params["W2"] + params["b2"]))


def loss_and_grads(params, X, y):
    n = len(X)
    a = X @ params["W1"] + params["b1"]
    h = np.maximum(a, 0)
    logp = _log_softmax(h @ params["W2"] + params["b2"])
    dz = np.exp(logp)
    dz[np.arange(n), y] -= 1
    dz /= n
    da = (dz @ params["W2"].T) * (a > 0)
    grads = {"W2": h.T @ dz, "b2": dz.sum(0), "W1": X.T @ da, "b1": da.sum(0)}
    return -logp[np.arange(n), y].mean(), grads


def sgd_step(params, grads, lr):
    return {k: params[k] - lr * grads[k] for k in params}
