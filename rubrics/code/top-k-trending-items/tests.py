"""Tests for top-k-trending-items; each test gets the candidate's module."""

from __future__ import annotations

import random
import time

VISIBLE = ("test_counts_clicks", "test_old_clicks_leave_the_window")


def _pairs(result: object) -> list[tuple[str, int]]:
    return [(str(item), int(count)) for item, count in result]


def _brute_top_k(clicks: list[tuple[str, float]], k: int, now: float) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for item, ts in clicks:
        if now - 3600 < ts <= now:
            counts[item] = counts.get(item, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:k]


def test_counts_clicks(sol):
    """a few clicks"""
    t = sol.TrendingItems()
    for i, item in enumerate(["shoes", "hat", "shoes", "bag", "shoes", "hat"]):
        t.add(f"u{i}", item, 100.0 + i)
    got = _pairs(t.top_k(2, 200.0))
    assert got == [("shoes", 3), ("hat", 2)], f"expected [('shoes', 3), ('hat', 2)], got {got}"


def test_old_clicks_leave_the_window(sol):
    """clicks older than an hour"""
    t = sol.TrendingItems()
    t.add("u1", "lamp", 0.0)
    t.add("u2", "desk", 1800.0)
    t.add("u3", "desk", 1900.0)
    got = _pairs(t.top_k(5, 3599.0))
    assert got == [("desk", 2), ("lamp", 1)], f"at 3599 s all three clicks count, got {got}"
    got = _pairs(t.top_k(5, 3600.0))
    assert got == [("desk", 2)], (
        f"at 3600 s the click at 0 s is exactly an hour old and should be gone, got {got}"
    )
    got = _pairs(t.top_k(5, 9000.0))
    assert got == [], f"at 9000 s every click is older than an hour, got {got}"


def test_ties_broken_by_item_id(sol):
    """items with the same count"""
    t = sol.TrendingItems()
    for i, item in enumerate(["pear", "fig", "apple", "fig", "pear", "apple", "kiwi"]):
        t.add("u", item, 10.0 + i)
    got = _pairs(t.top_k(3, 60.0))
    want = [("apple", 2), ("fig", 2), ("pear", 2)]
    assert got == want, f"equal counts should be ordered by item id: expected {want}, got {got}"


def test_k_larger_than_number_of_items(sol):
    """k larger than the number of items"""
    t = sol.TrendingItems()
    t.add("u1", "a", 1.0)
    t.add("u2", "b", 2.0)
    t.add("u3", "a", 3.0)
    got = _pairs(t.top_k(10, 5.0))
    assert got == [("a", 2), ("b", 1)], f"k=10 with two items should return both, got {got}"


def test_late_click_is_counted(sol):
    """a click that arrives late"""
    t = sol.TrendingItems()
    t.add("u1", "a", 1000.0)
    t.add("u2", "b", 1050.0)
    t.add("u3", "b", 1055.0)
    t.add("u4", "a", 995.0)  # 60 s late
    t.add("u5", "a", 1001.0)
    got = _pairs(t.top_k(2, 1100.0))
    assert got == [("a", 3), ("b", 2)], f"a late click still counts: expected a=3, b=2, got {got}"


def test_late_click_expires_on_time(sol):
    """a late click leaving the window"""
    t = sol.TrendingItems()
    t.add("u1", "b", 5000.0)
    t.add("u2", "a", 4950.0)  # arrives after b but is 50 s older
    got = _pairs(t.top_k(5, 8555.0))
    assert got == [("b", 1)], (
        f"at 8555 s the late click at 4950 s is over an hour old while the click at 5000 s is "
        f"not; expected [('b', 1)], got {got}. Expire by timestamp, not by arrival order"
    )


def test_matches_brute_force(sol):
    """a random stream with late clicks"""
    rng = random.Random(1)
    t = sol.TrendingItems()
    clicks: list[tuple[str, float]] = []
    clock = 0.0
    for i in range(6000):
        clock += rng.expovariate(1 / 3.0)
        ts = clock - (rng.uniform(0, 60) if rng.random() < 0.2 else 0.0)
        item = f"item{int(rng.paretovariate(1.2)) % 40:02d}"
        t.add(f"user{i % 97}", item, ts)
        clicks.append((item, ts))
        if i % 150 == 149:
            k = rng.randint(1, 12)
            got = _pairs(t.top_k(k, clock))
            want = _brute_top_k(clicks, k, clock)
            assert got == want, (
                f"after {i + 1} clicks, top {k} at {clock:.0f} s: expected {want}, got {got}"
            )


def test_long_stream_stays_fast(sol):
    """a long stream with a query every second"""
    rng = random.Random(2)
    items = [f"item{j}" for j in range(500)]
    t = sol.TrendingItems()
    start = time.process_time()
    budget = 1.5
    for second in range(1, 3001):
        for _ in range(15):
            t.add("u", rng.choice(items), second - rng.random())
        t.top_k(10, float(second))
        spent = time.process_time() - start
        assert spent < budget, (
            f"after {second} s of stream (15 clicks per second, one query per second) the "
            f"stream took {spent:.1f} s of CPU; keep running counts and expire old clicks as "
            "time moves on, instead of going over every click on each query"
        )
