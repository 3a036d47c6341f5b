# expect-fail: test_scales_to_many_rows
"""Correct, but rescans all of the user's transactions for every row: O(n^2) per user."""

from __future__ import annotations

import math

DAY_S = 86_400


def add_point_in_time_features(rows):
    by_user = {}
    for r in rows:
        by_user.setdefault(r["user_id"], []).append(r)
    out = []
    for r in rows:
        seen = [o["amount"] for o in by_user[r["user_id"]] if r["ts"] - DAY_S <= o["ts"] < r["ts"]]
        mean = sum(seen) / len(seen) if seen else math.nan
        out.append({**r, "txn_count_24h": len(seen), "amount_mean_24h": mean})
    return out
