"""Merge the intervals during which a GPU was busy, and total the busy time."""

from __future__ import annotations


def merge_intervals(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge overlapping intervals.

    intervals: (start, end) pairs of integer seconds with start <= end, in no particular
    order. Intervals that touch, like (1, 3) and (3, 5), merge into (1, 5).

    Returns the merged intervals as (start, end) tuples sorted by start, none overlapping
    or touching.
    """
    raise NotImplementedError


def total_busy_time(intervals: list[tuple[int, int]]) -> int:
    """Seconds covered by at least one interval (same input as merge_intervals)."""
    raise NotImplementedError
