"""Reference: running counts per item, a min-heap of click times for expiry (late clicks
included), and a partial sort for the top k."""

from __future__ import annotations

import heapq


class TrendingItems:
    def __init__(self, window_s: float = 3600.0) -> None:
        self.window_s = window_s
        self.counts: dict[str, int] = {}
        self.expiry: list[tuple[float, str]] = []  # (ts, item), oldest first
        self.now = float("-inf")

    def add(self, user_id: str, item_id: str, ts: float) -> None:
        if ts <= self.now - self.window_s:
            return  # so late that it has already left the window
        heapq.heappush(self.expiry, (ts, item_id))
        self.counts[item_id] = self.counts.get(item_id, 0) + 1

    def top_k(self, k: int, now: float) -> list[tuple[str, int]]:
        self.now = max(self.now, now)
        cutoff = self.now - self.window_s
        while self.expiry and self.expiry[0][0] <= cutoff:
            _, item = heapq.heappop(self.expiry)
            left = self.counts[item] - 1
            if left:
                self.counts[item] = left
            else:
                del self.counts[item]
        return heapq.nsmallest(k, self.counts.items(), key=lambda kv: (-kv[1], kv[0]))
