"""Reference: one matrix-vector product over L2-normalised rows, then argpartition for the
top k and a sort of those k only: O(n d + n + k log k)."""

from __future__ import annotations

import numpy as np


def top_k_similar(query: np.ndarray, items: np.ndarray, k: int = 10) -> np.ndarray:
    items = np.asarray(items)
    q = np.asarray(query, dtype=np.float64)
    q_norm = np.linalg.norm(q)
    if q_norm == 0:
        raise ValueError("the query embedding is all zeros")
    norms = np.linalg.norm(items, axis=1)
    norms[norms == 0] = 1.0  # a zero row gives a dot product of 0, hence similarity 0
    scores = (items @ (q / q_norm).astype(items.dtype, copy=False)) / norms
    k = min(k, len(scores))
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    top = np.argpartition(-scores, k - 1)[:k]
    return top[np.argsort(-scores[top], kind="stable")]
