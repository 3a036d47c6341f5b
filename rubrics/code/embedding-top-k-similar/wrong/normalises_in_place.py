# expect-fail: test_items_not_modified
"""Normalises the caller's item matrix in place to save memory."""

from __future__ import annotations

import numpy as np


def top_k_similar(query, items, k=10):
    q_norm = np.linalg.norm(query)
    if q_norm == 0:
        raise ValueError("zero query")
    norms = np.linalg.norm(items, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    items /= norms
    scores = items @ (query / q_norm)
    k = min(k, len(items))
    top = np.argpartition(-scores, k - 1)[:k]
    return top[np.argsort(-scores[top])]
