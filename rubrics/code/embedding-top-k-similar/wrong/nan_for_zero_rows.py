# expect-fail: test_zero_item_vectors
"""Divides by the row norms without guarding zero rows (NaN), then sorts descending by
reversing argsort, which puts the NaN rows first."""

from __future__ import annotations

import numpy as np


def top_k_similar(query, items, k=10):
    q_norm = np.linalg.norm(query)
    if q_norm == 0:
        raise ValueError("zero query")
    scores = (items @ query) / (np.linalg.norm(items, axis=1) * q_norm)
    return np.argsort(scores)[::-1][:k]
