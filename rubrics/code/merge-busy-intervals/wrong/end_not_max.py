# expect-fail: test_interval_inside_another
"""On overlap takes the new interval's end, shrinking the merged interval when it is nested."""

from __future__ import annotations


def merge_intervals(intervals):
    merged = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def total_busy_time(intervals):
    return sum(end - start for start, end in merge_intervals(intervals))
