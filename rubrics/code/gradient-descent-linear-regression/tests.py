"""Tests for gradient-descent-linear-regression; each test gets the candidate's module."""

from __future__ import annotations

import numpy as np

VISIBLE = ("test_gradient_small_example", "test_fits_a_straight_line")


def _loss(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float) -> float:
    return float(np.mean((X @ w + b - y) ** 2))


def _fit(sol, X, y, **kw) -> tuple[np.ndarray, float]:
    args = {"lr": 0.05, "epochs": 100, "batch_size": 32, "seed": 0}
    args.update(kw)
    w, b = sol.fit_linear_regression(X, y, **args)
    w = np.asarray(w, dtype=float).reshape(-1)
    assert w.shape == (X.shape[1],), f"w should have shape ({X.shape[1]},), got {w.shape}"
    assert np.all(np.isfinite(w)) and np.isfinite(b), (
        f"training diverged: w = {np.round(w, 3)}, b = {b}; the loss blew up"
    )
    return w, float(b)


def test_gradient_small_example(sol):
    """the gradient on a three-row example"""
    X = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    y = np.array([1.0, 2.0, 3.0])
    w = np.array([0.5, -0.5])
    gw, gb = sol.mse_gradient(X, y, w, 1.0)
    # residuals X @ w + b - y = [-0.5, -1.5, -2.5]
    want_w, want_b = np.array([-35.0 / 3.0, -44.0 / 3.0]), -3.0
    assert np.allclose(np.asarray(gw, dtype=float), want_w), (
        f"grad_w should be 2/n * X.T @ residual = {np.round(want_w, 4)}, got {np.round(gw, 4)}"
    )
    assert np.isclose(float(gb), want_b), f"grad_b should be 2 * mean(residual) = -3.0, got {gb}"


def test_fits_a_straight_line(sol):
    """fitting a straight line"""
    x = np.random.default_rng(1).uniform(-1, 1, size=(200, 1))
    y = 3.0 * x[:, 0] + 2.0
    w, b = _fit(sol, x, y)
    assert abs(w[0] - 3.0) < 0.01 and abs(b - 2.0) < 0.01, (
        f"y = 3x + 2 without noise: expected w = 3, b = 2, got w = {w[0]:.4f}, b = {b:.4f}"
    )


def test_gradient_matches_finite_differences(sol):
    """the gradient against a numerical gradient"""
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(20, 5)), rng.normal(size=20)
    w, b = rng.normal(size=5), 0.3
    gw, gb = sol.mse_gradient(X, y, w.copy(), b)
    gw = np.asarray(gw, dtype=float).reshape(-1)
    eps = 1e-6
    num_w = np.zeros(5)
    for i in range(5):
        e = np.zeros(5)
        e[i] = eps
        num_w[i] = (_loss(X, y, w + e, b) - _loss(X, y, w - e, b)) / (2 * eps)
    num_b = (_loss(X, y, w, b + eps) - _loss(X, y, w, b - eps)) / (2 * eps)
    err = np.abs(gw - num_w).max() / max(1.0, np.abs(num_w).max())
    assert err < 1e-5, (
        f"grad_w differs from the finite-difference gradient: yours {np.round(gw, 4)}, "
        f"numerical {np.round(num_w, 4)}"
    )
    assert abs(float(gb) - num_b) < 1e-5, (
        f"grad_b is {float(gb):.5f}, numerically it is {num_b:.5f}"
    )


def test_learns_the_bias(sol):
    """a large intercept"""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 50.0
    w, b = _fit(sol, X, y)
    assert abs(b - 50.0) < 0.1, f"y has an intercept of 50, the fitted b is {b:.3f}"
    assert np.allclose(w, [1.0, -2.0, 0.5], atol=0.05), (
        f"expected w = [1, -2, 0.5], got {np.round(w, 3)}"
    )


def test_matches_least_squares_with_noise(sol):
    """noisy data against least squares"""
    rng = np.random.default_rng(4)
    X = rng.normal(size=(2000, 5))
    y = X @ rng.normal(size=5) - 1.0 + rng.normal(0, 0.5, size=2000)
    w, b = _fit(sol, X, y, epochs=30)
    A = np.hstack([X, np.ones((2000, 1))])
    ls = np.linalg.lstsq(A, y, rcond=None)[0]
    best = _loss(X, y, ls[:5], ls[5])
    got = _loss(X, y, w, b)
    assert got <= 1.02 * best, (
        f"training MSE {got:.4f} is well above the least-squares MSE {best:.4f}"
    )


def test_features_on_very_different_scales(sol):
    """features on very different scales"""
    rng = np.random.default_rng(5)
    n = 1000
    X = np.column_stack(
        [rng.uniform(20, 80, n), rng.uniform(20_000, 200_000, n), rng.uniform(0, 1, n)]
    )
    y = 0.5 * X[:, 0] + 1e-4 * X[:, 1] + 10.0 * X[:, 2] + 5.0 + rng.normal(0, 0.1, n)
    w, b = _fit(sol, X, y)
    A = np.hstack([X, np.ones((n, 1))])
    sol_ls = np.linalg.lstsq(A, y, rcond=None)[0]
    best = _loss(X, y, sol_ls[:3], sol_ls[3])
    got = _loss(X, y, w, b)
    assert got <= 1.05 * best + 1e-3, (
        f"ages, incomes up to 200,000 and fractions: training MSE is {got:.4g}, least squares "
        f"gets {best:.4g}; scale the features before gradient descent"
    )


def test_constant_feature_column(sol):
    """a constant feature column"""
    rng = np.random.default_rng(6)
    X = np.column_stack([rng.normal(size=200), np.full(200, 7.0)])
    y = 4.0 * X[:, 0] + 1.0
    w, b = sol.fit_linear_regression(X, y, lr=0.05, epochs=100, batch_size=32, seed=0)
    w = np.asarray(w, dtype=float).reshape(-1)
    assert np.all(np.isfinite(w)) and np.isfinite(b), (
        f"a column that is always 7 gave w = {w}, b = {b}: training diverged, or divided by "
        "that column's standard deviation of 0"
    )
    pred = X @ w + b
    assert np.abs(pred - y).max() < 0.05, (
        f"with a constant second column, predictions are off by up to {np.abs(pred - y).max():.3f}"
    )


def test_batch_larger_than_dataset(sol):
    """a batch size larger than the data"""
    x = np.linspace(-1, 1, 10).reshape(-1, 1)
    y = 2.0 * x[:, 0] - 1.0
    w, b = _fit(sol, x, y, batch_size=64, epochs=300)
    hint = "; the weights never moved: is the last, smaller batch skipped?" if w[0] == 0 else ""
    assert abs(w[0] - 2.0) < 0.05 and abs(b + 1.0) < 0.05, (
        f"10 rows with batch_size 64: expected w = 2, b = -1, got w = {w[0]:.3f}, b = {b:.3f}"
        + hint
    )


def test_same_seed_same_weights(sol):
    """the same seed twice"""
    rng = np.random.default_rng(7)
    X = rng.normal(size=(100, 4))
    y = X @ rng.normal(size=4) + rng.normal(0, 1.0, 100)
    w1, b1 = _fit(sol, X, y, epochs=5, seed=3)
    w2, b2 = _fit(sol, X, y, epochs=5, seed=3)
    assert np.array_equal(w1, w2) and b1 == b2, (
        "two runs with seed=3 gave different weights; shuffle with np.random.default_rng(seed)"
    )
