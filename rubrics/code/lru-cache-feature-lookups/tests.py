"""Tests for lru-cache-feature-lookups; each test gets the candidate's module."""

from __future__ import annotations

import random
import time
from collections import OrderedDict

VISIBLE = ("test_get_and_put", "test_evicts_least_recently_used")


def test_get_and_put(sol):
    """putting and getting two keys"""
    c = sol.LRUCache(2)
    c.put("u1", [0.1, 0.2])
    c.put("u2", [0.3])
    assert c.get("u1") == [0.1, 0.2], f"get('u1') should return [0.1, 0.2], got {c.get('u1')}"
    assert c.get("u3") is None, f"get on a missing key should return None, got {c.get('u3')!r}"
    assert len(c) == 2, f"two entries are cached, len() returned {len(c)}"


def test_evicts_least_recently_used(sol):
    """a third key in a cache of two"""
    c = sol.LRUCache(2)
    c.put("a", 1)
    c.put("b", 2)
    c.put("c", 3)
    assert c.get("a") is None, "capacity 2: putting a third key should evict 'a', the oldest"
    assert c.get("b") == 2 and c.get("c") == 3, "'b' and 'c' should still be cached"
    assert len(c) == 2, f"the cache holds {len(c)} entries, more than its capacity of 2"


def test_get_refreshes_recency(sol):
    """a get that makes a key recent again"""
    c = sol.LRUCache(2)
    c.put("a", 1)
    c.put("b", 2)
    assert c.get("a") == 1
    c.put("c", 3)
    assert c.get("a") == 1, "'a' was just read, so putting 'c' should evict 'b' instead of 'a'"
    assert c.get("b") is None, "'b' was the least recently used key and should be evicted"


def test_put_existing_key_updates(sol):
    """a put on a key that is already there"""
    c = sol.LRUCache(2)
    c.put("a", 1)
    c.put("b", 2)
    c.put("b", 20)
    assert len(c) == 2, f"updating 'b' should keep 2 entries, len() is {len(c)}"
    assert c.get("a") == 1, "updating 'b' in a full cache should not evict 'a'"
    assert c.get("b") == 20, f"'b' was updated to 20, got {c.get('b')}"
    c.put("a", 10)
    c.put("c", 3)
    assert c.get("b") is None and c.get("a") == 10, (
        "putting 'a' again makes it the most recent, so 'c' should evict 'b'"
    )


def test_capacity_zero(sol):
    """a capacity of zero"""
    c = sol.LRUCache(0)
    c.put("a", 1)
    c.put("b", 2)
    assert c.get("a") is None and len(c) == 0, "a cache of capacity 0 should store nothing"


def test_capacity_one(sol):
    """a capacity of one"""
    c = sol.LRUCache(1)
    c.put("a", 1)
    c.put("b", 2)
    assert c.get("a") is None and c.get("b") == 2, "capacity 1: 'b' should replace 'a'"
    c.put("b", 3)
    assert c.get("b") == 3 and len(c) == 1, "capacity 1: updating 'b' should keep just 'b'"


def test_matches_a_reference_model(sol):
    """five thousand random gets and puts"""
    rng = random.Random(1)
    c = sol.LRUCache(50)
    model: OrderedDict[int, int] = OrderedDict()
    for step in range(5000):
        key = rng.randrange(100)
        if rng.random() < 0.5:
            c.put(key, step)
            model[key] = step
            model.move_to_end(key)
            if len(model) > 50:
                model.popitem(last=False)
        else:
            want = model.get(key)
            if want is not None:
                model.move_to_end(key)
            got = c.get(key)
            assert got == want, f"step {step}: get({key}) should return {want}, got {got}"
        assert len(c) == len(model), f"step {step}: len() is {len(c)}, expected {len(model)}"


def _timed_ops(sol, capacity: int, keys: int, budget: float | None) -> float:
    rng = random.Random(2)
    start = time.process_time()
    c = sol.LRUCache(capacity)
    for i in range(capacity + 20_000):
        key = i if i < capacity else rng.randrange(keys)
        if i < capacity or i % 2:
            c.put(key, i)
        else:
            c.get(key)
        if budget is not None and i % 500 == 0:
            spent = time.process_time() - start
            assert spent < budget, (
                f"with 5,000 entries, gets and puts are over 4 times slower than with 16 "
                f"entries ({spent:.2f} s and counting); they should take constant time"
            )
    return time.process_time() - start


def test_operations_take_constant_time(sol):
    """a cache with five thousand entries"""
    small = min(_timed_ops(sol, 16, 32, None) for _ in range(2))
    _timed_ops(sol, 5_000, 10_000, 4 * small + 0.05)
