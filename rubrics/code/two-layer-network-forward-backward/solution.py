"""Reference two-layer network: He initialisation, log-sum-exp softmax, batched backprop."""

from __future__ import annotations

import numpy as np


def init_params(d_in: int, hidden: int, n_classes: int, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.normal(0.0, np.sqrt(2.0 / d_in), size=(d_in, hidden)),
        "b1": np.zeros(hidden),
        "W2": rng.normal(0.0, np.sqrt(2.0 / hidden), size=(hidden, n_classes)),
        "b2": np.zeros(n_classes),
    }


def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)  # the largest logit becomes 0: exp never overflows
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def _hidden(params: dict[str, np.ndarray], X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pre = X @ params["W1"] + params["b1"]
    return pre, np.maximum(pre, 0.0)


def forward(params: dict[str, np.ndarray], X: np.ndarray) -> np.ndarray:
    _, h = _hidden(params, X)
    return np.exp(_log_softmax(h @ params["W2"] + params["b2"]))


def loss_and_grads(
    params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray
) -> tuple[float, dict[str, np.ndarray]]:
    n = len(X)
    pre, h = _hidden(params, X)
    logp = _log_softmax(h @ params["W2"] + params["b2"])
    loss = float(-logp[np.arange(n), y].mean())
    dz = np.exp(logp)
    dz[np.arange(n), y] -= 1.0
    dz /= n  # d loss / d logits for the mean loss
    dh = dz @ params["W2"].T
    dpre = dh * (pre > 0)
    grads = {
        "W2": h.T @ dz,
        "b2": dz.sum(axis=0),
        "W1": X.T @ dpre,
        "b1": dpre.sum(axis=0),
    }
    return loss, grads


def sgd_step(
    params: dict[str, np.ndarray], grads: dict[str, np.ndarray], lr: float
) -> dict[str, np.ndarray]:
    return {key: value - lr * grads[key] for key, value in params.items()}
