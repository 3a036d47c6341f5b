# expect-fail: test_window_is_exactly_a_day
"""Excludes a transaction exactly 24 hours earlier (t > ts - 86400 instead of >=)."""

from __future__ import annotations

import bisect
import math

DAY_S = 86_400


def add_point_in_time_features(rows):
    by_user = {}
    for r in rows:
        by_user.setdefault(r["user_id"], []).append((r["ts"], r["amount"]))
    prefix = {}
    for user, txns in by_user.items():
        txns.sort()
        sums = [0.0]
        for _, amount in txns:
            sums.append(sums[-1] + amount)
        prefix[user] = ([t for t, _ in txns], sums)
    out = []
    for r in rows:
        times, sums = prefix[r["user_id"]]
        lo = bisect.bisect_right(times, r["ts"] - DAY_S)
        hi = bisect.bisect_left(times, r["ts"])
        count = hi - lo
        mean = (sums[hi] - sums[lo]) / count if count else math.nan
        out.append({**r, "txn_count_24h": count, "amount_mean_24h": mean})
    return out
