# expect-fail: test_old_clicks_leave_the_window
"""Keeps a running count per item but never removes clicks older than an hour."""

from __future__ import annotations

import heapq
from collections import Counter


class TrendingItems:
    def __init__(self, window_s=3600.0):
        self.counts = Counter()

    def add(self, user_id, item_id, ts):
        self.counts[item_id] += 1

    def top_k(self, k, now):
        return heapq.nsmallest(k, self.counts.items(), key=lambda kv: (-kv[1], kv[0]))
