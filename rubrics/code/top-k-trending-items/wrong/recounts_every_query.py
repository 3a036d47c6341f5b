# expect-fail: test_long_stream_stays_fast
"""Stores every click forever and recounts the whole history on each query."""

from __future__ import annotations

from collections import Counter


class TrendingItems:
    def __init__(self, window_s=3600.0):
        self.window_s = window_s
        self.clicks = []

    def add(self, user_id, item_id, ts):
        self.clicks.append((ts, item_id))

    def top_k(self, k, now):
        counts = Counter(item for ts, item in self.clicks if now - self.window_s < ts <= now)
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
