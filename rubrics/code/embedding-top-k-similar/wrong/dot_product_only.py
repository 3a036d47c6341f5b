# expect-fail: test_cosine_not_dot_product
"""Ranks by the raw dot product, so long vectors win whatever their direction."""

from __future__ import annotations

import numpy as np


def top_k_similar(query, items, k=10):
    if not np.any(query):
        raise ValueError("zero query")
    scores = items @ query
    k = min(k, len(items))
    top = np.argpartition(-scores, k - 1)[:k]
    return top[np.argsort(-scores[top])]
