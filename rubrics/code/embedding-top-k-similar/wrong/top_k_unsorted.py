# expect-fail: test_most_similar_first
"""Uses argpartition for the top k but returns them in partition order, not sorted."""

from __future__ import annotations

import numpy as np


def top_k_similar(query, items, k=10):
    q_norm = np.linalg.norm(query)
    if q_norm == 0:
        raise ValueError("zero query")
    norms = np.linalg.norm(items, axis=1)
    norms[norms == 0] = 1.0
    scores = (items @ query) / norms / q_norm
    k = min(k, len(items))
    if k == len(items):
        return np.argsort(-scores)
    return np.argpartition(-scores, k)[:k]
