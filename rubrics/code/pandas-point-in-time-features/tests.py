"""Tests for pandas-point-in-time-features; each test gets the candidate's module."""

from __future__ import annotations

import bisect
import math
import random
import time
from typing import Any

VISIBLE = ("test_one_user_over_two_days", "test_unsorted_rows_from_two_users")

DAY = 86_400


def _rows(spec: list[tuple[str, int, float]]) -> list[dict[str, Any]]:
    return [{"user_id": u, "ts": t, "amount": a} for u, t, a in spec]


def _features(sol, rows: list[dict[str, Any]]) -> list[tuple[int, float]]:
    out = sol.add_point_in_time_features([dict(r) for r in rows])
    out = list(out)
    assert len(out) == len(rows), f"expected {len(rows)} output rows, got {len(out)}"
    result = []
    for i, (row, got) in enumerate(zip(rows, out, strict=True)):
        for key in ("user_id", "ts", "amount"):
            assert got.get(key) == row[key], (
                f"output row {i} should keep {key} = {row[key]!r} (same order as the input), "
                f"got {got.get(key)!r}"
            )
        result.append((int(got["txn_count_24h"]), float(got["amount_mean_24h"])))
    return result


def _same(got: float, want: float) -> bool:
    return (math.isnan(got) and math.isnan(want)) or abs(got - want) < 1e-9


def _expect(sol, rows, want: list[tuple[int, float]], what: str) -> None:
    got = _features(sol, rows)
    for i, ((gc, gm), (wc, wm)) in enumerate(zip(got, want, strict=True)):
        r = rows[i]
        assert gc == wc and _same(gm, wm), (
            f"{what}: the transaction of {r['user_id']} at ts {r['ts']} should see {wc} "
            f"earlier transactions with mean {wm}, got {gc} with mean {gm}"
        )


def _brute(rows: list[dict[str, Any]]) -> list[tuple[int, float]]:
    by_user: dict[str, list[tuple[int, float]]] = {}
    for r in rows:
        by_user.setdefault(r["user_id"], []).append((r["ts"], r["amount"]))
    out = []
    for r in rows:
        seen = [a for t, a in by_user[r["user_id"]] if r["ts"] - DAY <= t < r["ts"]]
        out.append((len(seen), sum(seen) / len(seen) if seen else math.nan))
    return out


NAN = math.nan


def test_one_user_over_two_days(sol):
    """one user's three transactions"""
    rows = _rows([("u1", 0, 10.0), ("u1", 3600, 20.0), ("u1", 88_000, 30.0)])
    _expect(sol, rows, [(0, NAN), (1, 10.0), (1, 20.0)], "one user")


def test_unsorted_rows_from_two_users(sol):
    """unsorted rows from two users"""
    rows = _rows(
        [
            ("bob", 500, 7.0),
            ("ann", 300, 4.0),
            ("bob", 100, 3.0),
            ("ann", 100, 2.0),
            ("bob", 200, 5.0),
        ]
    )
    want = [(2, 4.0), (1, 2.0), (0, NAN), (0, NAN), (1, 3.0)]
    _expect(sol, rows, want, "unsorted rows")


def test_window_is_exactly_a_day(sol):
    """transactions exactly a day before"""
    rows = _rows([("u", 1000, 1.0), ("u", 999, 2.0), ("u", 1000 + DAY, 5.0)])
    _expect(sol, rows, [(1, 2.0), (0, NAN), (1, 1.0)], "a day is 86,400 seconds, start included")


def test_same_second_transactions(sol):
    """two transactions in the same second"""
    rows = _rows([("u", 100, 5.0), ("u", 50, 1.0), ("u", 100, 7.0)])
    _expect(sol, rows, [(1, 1.0), (0, NAN), (1, 1.0)], "transactions in the same second")


def test_users_kept_apart(sol):
    """several users interleaved"""
    spec = [(f"user{i % 3}", 100 * i, float(i)) for i in range(12)]
    _expect(sol, _rows(spec), _brute(_rows(spec)), "three interleaved users")


def test_random_matches_brute_force(sol):
    """three thousand random transactions"""
    rng = random.Random(1)
    spec = [
        (f"u{rng.randrange(30)}", rng.randrange(5 * DAY) // 60 * 60, round(rng.uniform(1, 500), 2))
        for _ in range(3000)
    ]
    rows = _rows(spec)
    got = _features(sol, rows)
    for i, ((gc, gm), (wc, wm)) in enumerate(zip(got, _brute(rows), strict=True)):
        assert gc == wc and (_same(gm, wm) or abs(gm - wm) < 1e-6 * abs(wm)), (
            f"row {i} ({rows[i]['user_id']} at ts {rows[i]['ts']}): expected count {wc} and "
            f"mean {wm:.4f}, got {gc} and {gm:.4f}"
        )


def _timed(sol, n: int, seed: int) -> tuple[float, list[dict[str, Any]], list[tuple[int, float]]]:
    rng = random.Random(seed)
    rows = _rows(
        [(f"u{i % 4}", rng.randrange(30 * DAY), float(rng.randrange(1, 100))) for i in range(n)]
    )
    start = time.process_time()
    got = _features(sol, rows)
    return time.process_time() - start, rows, got


def test_scales_to_many_rows(sol):
    """eight thousand transactions from four users"""
    small = min(_timed(sol, 1000, seed)[0] for seed in (2, 3))
    seconds, rows, got = _timed(sol, 8000, 4)
    assert seconds < 20 * small + 0.1, (
        f"8 times more rows took {seconds / max(small, 1e-9):.0f} times longer ({seconds:.2f} s "
        "for 8,000 rows); sort each user's transactions once and slide the window instead of "
        "rescanning them for every row"
    )
    times: dict[str, list[int]] = {}
    for r in rows:
        times.setdefault(r["user_id"], []).append(r["ts"])
    for t in times.values():
        t.sort()
    for i in range(0, len(rows), 97):
        t = times[rows[i]["user_id"]]
        want = bisect.bisect_left(t, rows[i]["ts"]) - bisect.bisect_left(t, rows[i]["ts"] - DAY)
        assert got[i][0] == want, f"row {i}: expected count {want}, got {got[i][0]}"
