"""Tests for merge-busy-intervals; each test gets the candidate's module."""

from __future__ import annotations

import random
import time

VISIBLE = ("test_example_from_the_prompt",)


def _check(sol, intervals: list[tuple[int, int]], merged: list[tuple[int, int]], what: str):
    got = [tuple(map(int, iv)) for iv in sol.merge_intervals(list(intervals))]
    assert got == merged, f"{what}: {intervals} should merge into {merged}, got {got}"
    total = sol.total_busy_time(list(intervals))
    want = sum(e - s for s, e in merged)
    assert total == want, f"{what}: the total busy time of {intervals} is {want}, got {total}"


def test_example_from_the_prompt(sol):
    """one to four, two to three, and five to six"""
    _check(sol, [(1, 4), (2, 3), (5, 6)], [(1, 4), (5, 6)], "the example")


def test_unsorted_input(sol):
    """intervals in no particular order"""
    _check(sol, [(8, 10), (1, 3), (15, 18), (2, 6)], [(1, 6), (8, 10), (15, 18)], "unsorted input")


def test_touching_intervals_merge(sol):
    """intervals that touch"""
    _check(sol, [(1, 3), (3, 5)], [(1, 5)], "touching intervals")
    _check(sol, [(7, 9), (1, 3), (3, 7)], [(1, 9)], "a chain of touching intervals")


def test_interval_inside_another(sol):
    """an interval inside another"""
    _check(sol, [(1, 10), (2, 3), (4, 5)], [(1, 10)], "nested intervals")
    _check(sol, [(1, 10), (2, 3), (11, 12)], [(1, 10), (11, 12)], "a nested interval, then a gap")


def test_empty_and_single(sol):
    """an empty list and a single interval"""
    _check(sol, [], [], "no intervals")
    _check(sol, [(5, 9)], [(5, 9)], "one interval")


def test_random_matches_brute_force(sol):
    """two hundred random intervals"""
    rng = random.Random(1)
    for trial in range(20):
        intervals = []
        for _ in range(rng.randint(1, 10 * (trial + 1))):
            start = rng.randint(0, 1000)
            intervals.append((start, start + rng.randint(0, 40)))
        busy = [False] * 1100
        for s, e in intervals:
            for t in range(s, e):
                busy[t] = True
        want = sum(busy)
        got = sol.total_busy_time(list(intervals))
        assert got == want, f"{len(intervals)} random intervals cover {want} seconds, got {got}"


def test_large_input(sol):
    """a hundred thousand intervals"""
    rng = random.Random(2)
    intervals = []
    for _ in range(100_000):
        start = rng.randint(0, 10_000_000)
        intervals.append((start, start + rng.randint(1, 100)))
    start = time.process_time()
    merged = sol.merge_intervals(list(intervals))
    seconds = time.process_time() - start
    assert seconds < 1.5, f"merging 100,000 intervals took {seconds:.1f} s of CPU; sort once"
    starts = [int(s) for s, _ in merged]
    assert starts == sorted(starts), "the merged intervals should be sorted by start"
    assert all(merged[i][1] < merged[i + 1][0] for i in range(len(merged) - 1)), (
        "some merged intervals still overlap or touch"
    )
