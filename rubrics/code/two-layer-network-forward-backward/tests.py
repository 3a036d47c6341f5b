"""Tests for two-layer-network-forward-backward; each test gets the candidate's module."""

from __future__ import annotations

import numpy as np

VISIBLE = ("test_probabilities_shape_and_sum", "test_zero_weights_give_uniform_loss")

_SHAPES = {"W1": (4, 6), "b1": (6,), "W2": (6, 3), "b2": (3,)}


def _random_params(seed: int, scale: float = 0.5) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {k: rng.normal(0.0, scale, size=s) for k, s in _SHAPES.items()}


def _copy(params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {k: np.array(v, dtype=float) for k, v in params.items()}


def _loss(sol, params, X, y) -> float:
    loss, _ = sol.loss_and_grads(_copy(params), X, y)
    return float(loss)


def test_probabilities_shape_and_sum(sol):
    """probabilities for a small batch"""
    params = sol.init_params(4, 6, 3, seed=0)
    for key, shape in _SHAPES.items():
        got = np.shape(params[key])
        assert got == shape, f"init_params(4, 6, 3): {key} should have shape {shape}, got {got}"
    X = np.random.default_rng(1).normal(size=(5, 4))
    p = np.asarray(sol.forward(params, X))
    assert p.shape == (5, 3), f"forward should return shape (5, 3) for 5 examples, got {p.shape}"
    assert np.all(p >= 0), "probabilities should not be negative"
    assert np.allclose(p.sum(axis=1), 1.0), f"each row should sum to 1, got {p.sum(axis=1)}"


def test_zero_weights_give_uniform_loss(sol):
    """all-zero weights"""
    params = {k: np.zeros(s) for k, s in _SHAPES.items()}
    X = np.random.default_rng(2).normal(size=(4, 4))
    y = np.array([0, 1, 2, 1])
    p = np.asarray(sol.forward(_copy(params), X))
    assert np.allclose(p, 1.0 / 3.0), (
        f"zero weights should give probability 1/3 everywhere, got {np.round(p, 3)}"
    )
    loss = _loss(sol, params, X, y)
    assert np.isclose(loss, np.log(3.0)), (
        f"zero weights: the loss should be log(3) = 1.0986, got {loss:.4f}"
    )


def test_gradients_match_finite_differences(sol):
    """the backward pass against a numerical gradient"""
    params = _random_params(3)
    X = np.random.default_rng(4).normal(size=(5, 4))
    y = np.array([0, 2, 1, 2, 0])
    _, grads = sol.loss_and_grads(_copy(params), X, y)
    eps = 1e-5
    for key, shape in _SHAPES.items():
        got = np.asarray(grads[key], dtype=float)
        assert got.shape == shape, (
            f"the gradient for {key} should have shape {shape}, got {got.shape}"
        )
        num = np.zeros(shape)
        for idx in np.ndindex(*shape):
            plus, minus = _copy(params), _copy(params)
            plus[key][idx] += eps
            minus[key][idx] -= eps
            num[idx] = (_loss(sol, plus, X, y) - _loss(sol, minus, X, y)) / (2 * eps)
        err = np.abs(got - num) / np.maximum(1e-6, np.abs(got) + np.abs(num))
        worst = np.unravel_index(err.argmax(), shape)
        assert err.max() < 1e-4, (
            f"the gradient for {key} does not match the numerical gradient: at "
            f"{[int(i) for i in worst]} yours is {got[worst]:.5f}, finite differences give "
            f"{num[worst]:.5f}"
        )


def test_loss_is_mean_over_batch(sol):
    """the same batch repeated twice"""
    params = _random_params(5)
    X = np.random.default_rng(6).normal(size=(4, 4))
    y = np.array([1, 0, 2, 2])
    loss1, g1 = sol.loss_and_grads(_copy(params), X, y)
    loss2, g2 = sol.loss_and_grads(_copy(params), np.vstack([X, X]), np.concatenate([y, y]))
    assert np.isclose(loss1, loss2), (
        f"repeating the batch changed the loss from {loss1:.4f} to {loss2:.4f}; average the "
        "cross-entropy over the batch instead of summing it"
    )
    for key in _SHAPES:
        assert np.allclose(g1[key], g2[key]), (
            f"repeating the batch changed the gradient for {key}; it should be averaged too"
        )


def test_large_logits_stay_finite(sol):
    """logits in the thousands"""
    params = _random_params(7)
    params["W2"] = params["W2"] * 2000.0
    X = np.random.default_rng(8).normal(size=(6, 4)) * 3.0
    y = np.array([0, 1, 2, 0, 1, 2])
    with np.errstate(all="ignore"):
        p = np.asarray(sol.forward(_copy(params), X))
        loss, grads = sol.loss_and_grads(_copy(params), X, y)
    assert np.all(np.isfinite(p)), (
        "with logits in the thousands forward returned NaN or inf; subtract each row's largest "
        "logit before exp"
    )
    assert np.isfinite(loss), f"with logits in the thousands the loss is {loss}; use log-sum-exp"
    for key in _SHAPES:
        assert np.all(np.isfinite(grads[key])), f"with large logits the gradient for {key} has NaN"


def test_training_fits_toy_data(sol):
    """training on three blobs"""
    rng = np.random.default_rng(9)
    centres = np.array([[0.0, 3.0], [3.0, -2.0], [-3.0, -2.0]])
    y = np.repeat(np.arange(3), 40)
    X = centres[y] + rng.normal(0.0, 0.8, size=(120, 2))
    params = sol.init_params(2, 16, 3, seed=0)
    first = None
    for _ in range(200):
        loss, grads = sol.loss_and_grads(params, X, y)
        first = loss if first is None else first
        params = sol.sgd_step(params, grads, 0.2)
    acc = float((np.asarray(sol.forward(params, X)).argmax(axis=1) == y).mean())
    assert loss < first, f"200 gradient steps did not lower the loss ({first:.3f} -> {loss:.3f})"
    assert acc >= 0.95, (
        f"after 200 steps on three well separated blobs the accuracy is {acc:.0%}; expected 95%"
    )


def test_init_breaks_symmetry(sol):
    """the initial weights"""
    params = sol.init_params(784, 128, 10, seed=0)
    W1 = np.asarray(params["W1"], dtype=float)
    assert W1.shape == (784, 128), f"W1 should have shape (784, 128), got {W1.shape}"
    assert not np.allclose(W1, W1[:, :1]), (
        "all hidden units start with the same weights, so they get the same gradient and never "
        "differ; initialise the weights randomly"
    )
    std = float(W1.std())
    assert 0.2 / np.sqrt(784) <= std <= 3.0 / np.sqrt(784), (
        f"W1 has standard deviation {std:.3f} for 784 inputs; scale it to the layer size, "
        f"like sqrt(2 / 784) = {np.sqrt(2 / 784):.3f}"
    )
