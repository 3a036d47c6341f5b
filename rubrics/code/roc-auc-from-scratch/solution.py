"""Reference: Mann-Whitney U with average ranks for ties, O(n log n)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def roc_auc(y_true: Sequence[int], y_score: Sequence[float]) -> float:
    y = np.asarray(y_true).astype(bool)
    s = np.asarray(y_score, dtype=float)
    if y.shape != s.shape:
        raise ValueError("y_true and y_score must have the same length")
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    if n_pos == 0 or n_neg == 0:
        raise ValueError("AUC is undefined when y_true holds only one class")
    order = np.argsort(s, kind="mergesort")
    sorted_s = s[order]
    # Average 1-based rank for each group of tied scores.
    starts = np.flatnonzero(np.r_[True, sorted_s[1:] != sorted_s[:-1]])
    ends = np.r_[starts[1:], len(s)]
    avg = (starts + 1 + ends) / 2.0
    ranks = np.empty(len(s))
    ranks[order] = np.repeat(avg, ends - starts)
    u = ranks[y].sum() - n_pos * (n_pos + 1) / 2.0
    return float(u / (n_pos * n_neg))
