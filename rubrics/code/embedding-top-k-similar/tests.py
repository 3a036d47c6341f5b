"""Tests for embedding-top-k-similar; each test gets the candidate's module."""

from __future__ import annotations

import numpy as np

VISIBLE = ("test_small_example", "test_cosine_not_dot_product")


def _cosine(query: np.ndarray, items: np.ndarray) -> np.ndarray:
    items = items.astype(np.float64)
    norms = np.linalg.norm(items, axis=1)
    norms[norms == 0] = 1.0
    return items @ query.astype(np.float64) / norms / np.linalg.norm(query)


def _indices(sol, query: np.ndarray, items: np.ndarray, k: int) -> np.ndarray:
    got = np.asarray(sol.top_k_similar(query, items, k))
    want = min(k, len(items))
    assert got.shape == (want,), f"expected {want} indices, got an array of shape {got.shape}"
    assert np.issubdtype(got.dtype, np.integer), f"return integer indices, got dtype {got.dtype}"
    assert np.all((got >= 0) & (got < len(items))), f"index out of range in {got.tolist()}"
    assert len(set(got.tolist())) == len(got), f"an item is returned twice: {got.tolist()}"
    return got


def test_small_example(sol):
    """five items in two dimensions"""
    items = np.array([[1, 0], [0, 1], [1, 1], [-1, 0], [10, 1]], dtype=np.float32)
    got = _indices(sol, np.array([1.0, 0.1], dtype=np.float32), items, 3).tolist()
    assert got == [4, 0, 2], f"for query [1, 0.1] expected items [4, 0, 2], got {got}"


def test_cosine_not_dot_product(sol):
    """a long vector pointing elsewhere"""
    items = np.array([[100, 100], [1, 0], [0.9, 0.1]], dtype=np.float32)
    got = _indices(sol, np.array([1.0, 0.0], dtype=np.float32), items, 2).tolist()
    assert got == [1, 2], (
        f"expected [1, 2]: item 0 is long but points 45 degrees away; got {got}. Cosine "
        "similarity divides by both norms"
    )


def test_most_similar_first(sol):
    """the order of three hundred results"""
    rng = np.random.default_rng(1)
    items = rng.normal(size=(2000, 16)).astype(np.float32)
    query = rng.normal(size=16).astype(np.float32)
    got = _indices(sol, query, items, 300)
    sims = _cosine(query, items)[got]
    worse = np.flatnonzero(np.diff(sims) > 1e-6)
    assert len(worse) == 0, (
        f"the top 300 should be sorted, most similar first, but result {worse[0] + 1} "
        f"(similarity {sims[worse[0]]:.4f}) comes before a more similar item "
        f"({sims[worse[0] + 1]:.4f}); argpartition does not sort the top k"
    )
    want = np.sort(_cosine(query, items))[::-1][:300]
    assert np.allclose(sims, want, atol=1e-5), "these are not the 300 most similar items"


def test_matches_brute_force(sol):
    """twenty thousand items"""
    rng = np.random.default_rng(2)
    items = rng.normal(size=(20_000, 64)).astype(np.float32)
    items *= rng.uniform(0.1, 10, size=(20_000, 1)).astype(np.float32)
    query = rng.normal(size=64).astype(np.float32)
    sims = _cosine(query, items)
    got = _indices(sol, query, items, 10)
    want = np.sort(sims)[::-1][:10]
    assert np.allclose(sims[got], want, atol=1e-5), (
        f"expected the 10 items with similarity {np.round(want, 4).tolist()}, got items with "
        f"{np.round(sims[got], 4).tolist()}"
    )


def test_zero_item_vectors(sol):
    """items that are all zeros"""
    rng = np.random.default_rng(3)
    items = rng.normal(size=(50, 8)).astype(np.float32)
    query = rng.normal(size=8).astype(np.float32)
    sims = _cosine(query, items)
    zero_rows = np.argsort(sims)[:20]  # the least similar, so the top 10 is unaffected
    items[zero_rows] = 0.0
    with np.errstate(all="ignore"):
        got = _indices(sol, query, items, 10)
    bad = sorted(set(got.tolist()) & set(zero_rows.tolist()))
    assert not bad, (
        f"all-zero items {bad} came back in the top 10; their similarity should be 0, not NaN"
    )


def test_k_larger_than_number_of_items(sol):
    """k larger than the number of items"""
    items = np.array([[1, 0], [0, 1], [1, 1]], dtype=np.float32)
    got = _indices(sol, np.array([1.0, 0.0], dtype=np.float32), items, 10).tolist()
    assert got == [0, 2, 1], f"k=10 with 3 items should return all 3 in order [0, 2, 1], got {got}"


def test_items_not_modified(sol):
    """the caller's item matrix"""
    rng = np.random.default_rng(4)
    items = rng.normal(size=(200, 8)).astype(np.float32)
    before = items.copy()
    _indices(sol, rng.normal(size=8).astype(np.float32), items, 5)
    assert np.array_equal(items, before), (
        "top_k_similar changed the items matrix; normalise a copy (or precompute once) instead "
        "of dividing the caller's array in place"
    )


def test_zero_query_raises(sol):
    """an all-zero query"""
    items = np.eye(3, dtype=np.float32)
    try:
        with np.errstate(all="ignore"):
            got = sol.top_k_similar(np.zeros(3, dtype=np.float32), items, 2)
    except ValueError:
        return
    raise AssertionError(
        f"a zero query has no direction; raise ValueError instead of returning {got}"
    )
