# expect-fail: test_late_click_expires_on_time
"""Expires clicks from a deque in arrival order, so a late click hides behind newer ones."""

from __future__ import annotations

import heapq
from collections import Counter, deque


class TrendingItems:
    def __init__(self, window_s=3600.0):
        self.window_s = window_s
        self.counts = Counter()
        self.clicks = deque()

    def add(self, user_id, item_id, ts):
        self.clicks.append((ts, item_id))
        self.counts[item_id] += 1

    def top_k(self, k, now):
        while self.clicks and self.clicks[0][0] <= now - self.window_s:
            _, item = self.clicks.popleft()
            self.counts[item] -= 1
            if self.counts[item] == 0:
                del self.counts[item]
        return heapq.nsmallest(k, self.counts.items(), key=lambda kv: (-kv[1], kv[0]))
