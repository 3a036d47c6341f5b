# expect-fail: test_large_logits_stay_finite
"""Softmax as exp(z) / sum(exp(z)) without subtracting the largest logit: overflows."""

from __future__ import annotations

import numpy as np


def init_params(d_in, hidden, n_classes, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.normal(0, np.sqrt(2 / d_in), (d_in, hidden)),
        "b1": np.zeros(hidden),
        "W2": rng.normal(0, np.sqrt(2 / hidden), (hidden, n_classes)),
        "b2": np.zeros(n_classes),
    }


def _softmax(z):
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def forward(params, X):
    h = np.maximum(X @ params["W1"] + params["b1"], 0)
    return _softmax(h @ params["W2"] + params["b2"])


def loss_and_grads(params, X, y):
    n = len(X)
    a = X @ params["W1"] + params["b1"]
    h = np.maximum(a, 0)
    p = _softmax(h @ params["W2"] + params["b2"])
    loss = -np.log(p[np.arange(n), y]).mean()
    dz = p.copy()
    dz[np.arange(n), y] -= 1
    dz /= n
    da = (dz @ params["W2"].T) * (a > 0)
    grads = {"W2": h.T @ dz, "b2": dz.sum(0), "W1": X.T @ da, "b1": da.sum(0)}
    return loss, grads


def sgd_step(params, grads, lr):
    return {k: params[k] - lr * grads[k] for k in params}
