"""Top-k most similar items to a query embedding, by cosine similarity, in NumPy."""

from __future__ import annotations

import numpy as np


def top_k_similar(query: np.ndarray, items: np.ndarray, k: int = 10) -> np.ndarray:
    """Indices of the k items most similar to the query.

    query: float array of shape (d,). items: float array of shape (n, d), typically
    float32 (one million by 256 in production). Similarity is the cosine similarity; an
    all-zero item has similarity 0. Raise ValueError for an all-zero query.

    Returns an int array of min(k, n) row indices of items, most similar first.
    Do not modify ``items``.
    """
    raise NotImplementedError
