# expect-fail: test_unsorted_input
"""Sweeps the intervals in the order given, as if they were already sorted by start."""

from __future__ import annotations


def merge_intervals(intervals):
    merged = []
    for start, end in intervals:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def total_busy_time(intervals):
    return sum(end - start for start, end in merge_intervals(intervals))
