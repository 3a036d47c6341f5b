# expect-fail: test_ties_broken_by_item_id
"""Uses Counter.most_common, which orders equal counts by first insertion, not by item id."""

from __future__ import annotations

import heapq
from collections import Counter


class TrendingItems:
    def __init__(self, window_s=3600.0):
        self.window_s = window_s
        self.counts = Counter()
        self.heap = []

    def add(self, user_id, item_id, ts):
        heapq.heappush(self.heap, (ts, item_id))
        self.counts[item_id] += 1

    def top_k(self, k, now):
        while self.heap and self.heap[0][0] <= now - self.window_s:
            _, item = heapq.heappop(self.heap)
            self.counts[item] -= 1
            if self.counts[item] == 0:
                del self.counts[item]
        return self.counts.most_common(k)
