# expect-fail: test_touching_intervals_merge
"""Merges only strictly overlapping intervals, so (1, 3) and (3, 5) stay apart."""

from __future__ import annotations


def merge_intervals(intervals):
    merged = []
    for start, end in sorted(intervals):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def total_busy_time(intervals):
    return sum(end - start for start, end in merge_intervals(intervals))
