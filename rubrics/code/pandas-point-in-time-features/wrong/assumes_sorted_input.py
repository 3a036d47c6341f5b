# expect-fail: test_unsorted_rows_from_two_users
"""Slides a window over each user's rows in input order, as if the frame were sorted by ts."""

from __future__ import annotations

import math

DAY_S = 86_400


def add_point_in_time_features(rows):
    state = {}  # user -> [timestamps, amounts, left index, running sum]
    out = []
    for r in rows:
        times, amounts, left, total = state.setdefault(r["user_id"], [[], [], 0, 0.0])
        while left < len(times) and times[left] < r["ts"] - DAY_S:
            total -= amounts[left]
            left += 1
        count = len(times) - left
        mean = total / count if count else math.nan
        out.append({**r, "txn_count_24h": count, "amount_mean_24h": mean})
        times.append(r["ts"])
        amounts.append(r["amount"])
        state[r["user_id"]][2:] = [left, total + r["amount"]]
    return out
