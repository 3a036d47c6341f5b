# expect-fail: test_example_from_the_prompt, test_random_matches_brute_force
"""Merges correctly, but totals the raw interval lengths, counting overlaps twice."""

from __future__ import annotations


def merge_intervals(intervals):
    merged = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def total_busy_time(intervals):
    return sum(end - start for start, end in intervals)
