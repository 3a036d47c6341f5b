# expect-fail: test_put_existing_key_updates, test_capacity_zero
"""Evicts whenever the cache is full, even when the put only updates an existing key."""

from __future__ import annotations

from collections import OrderedDict


class LRUCache:
    def __init__(self, capacity):
        self.capacity = capacity
        self.data = OrderedDict()

    def get(self, key):
        if key not in self.data:
            return None
        self.data.move_to_end(key)
        return self.data[key]

    def put(self, key, value):
        if len(self.data) >= self.capacity:
            self.data.popitem(last=False)
        self.data[key] = value
        self.data.move_to_end(key)

    def __len__(self):
        return len(self.data)
