# expect-fail: test_same_second_transactions
"""Sorts by (user, ts) and counts the rows before each one in that order, so of two
transactions in the same second the second one sees the first."""

from __future__ import annotations

import math

DAY_S = 86_400


def add_point_in_time_features(rows):
    order = sorted(range(len(rows)), key=lambda i: (rows[i]["user_id"], rows[i]["ts"]))
    count = [0] * len(rows)
    mean = [math.nan] * len(rows)
    left = 0
    total = 0.0
    for pos, i in enumerate(order):
        r = rows[i]
        if pos and rows[order[pos - 1]]["user_id"] != r["user_id"]:
            left, total = pos, 0.0
        while rows[order[left]]["ts"] < r["ts"] - DAY_S:
            total -= rows[order[left]]["amount"]
            left += 1
        count[i] = pos - left
        mean[i] = total / count[i] if count[i] else math.nan
        total += r["amount"]
    return [
        {**r, "txn_count_24h": c, "amount_mean_24h": m}
        for r, c, m in zip(rows, count, mean, strict=True)
    ]
