# expect-fail: test_single_class_raises
"""Correct for two classes, but divides 0 by 0 and returns NaN when there is only one."""

from __future__ import annotations

import numpy as np


def roc_auc(y_true, y_score):
    y = np.asarray(y_true).astype(bool)
    s = np.asarray(y_score, dtype=float)
    order = np.argsort(-s, kind="mergesort")
    y, s = y[order], s[order]
    last = np.r_[s[1:] != s[:-1], True]  # the last row of each group of tied scores
    tp = np.cumsum(y)[last]
    fp = np.cumsum(~y)[last]
    with np.errstate(invalid="ignore", divide="ignore"):
        tpr = np.r_[0, tp] / tp[-1]
        fpr = np.r_[0, fp] / fp[-1]
    return float(np.sum((fpr[1:] - fpr[:-1]) * (tpr[1:] + tpr[:-1]) / 2))
