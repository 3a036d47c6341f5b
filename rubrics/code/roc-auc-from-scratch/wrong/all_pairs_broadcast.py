# expect-fail: test_large_input_is_fast
"""Compares every positive with every negative in one (positives x negatives) array."""

from __future__ import annotations

import numpy as np


def roc_auc(y_true, y_score):
    y = np.asarray(y_true)
    s = np.asarray(y_score, dtype=float)
    pos, neg = s[y == 1], s[y == 0]
    if len(pos) == 0 or len(neg) == 0:
        raise ValueError("only one class")
    diff = pos[:, None] - neg[None, :]
    return float(((diff > 0) + 0.5 * (diff == 0)).mean())
