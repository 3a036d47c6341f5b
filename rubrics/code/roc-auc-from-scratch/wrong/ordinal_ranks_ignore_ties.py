# expect-fail: test_tied_scores_count_half
"""Mann-Whitney with argsort().argsort() ranks: tied scores get different ranks."""

from __future__ import annotations

import numpy as np


def roc_auc(y_true, y_score):
    y = np.asarray(y_true).astype(bool)
    ranks = np.argsort(np.argsort(np.asarray(y_score, dtype=float))) + 1
    n_pos = y.sum()
    n_neg = len(y) - n_pos
    if n_pos == 0 or n_neg == 0:
        raise ValueError("only one class")
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))
