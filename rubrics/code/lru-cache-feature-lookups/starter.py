"""An LRU cache for feature lookups: fixed capacity, get and put in constant time."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any


class LRUCache:
    """Maps keys (say user ids) to values (say feature vectors), holding at most capacity
    entries; when full, putting a new key evicts the least recently used one."""

    def __init__(self, capacity: int) -> None:
        """capacity >= 0; a cache of capacity 0 stores nothing."""
        raise NotImplementedError

    def get(self, key: Hashable) -> Any | None:
        """The value for key, or None when it is not cached. A hit makes key the most
        recently used entry. O(1)."""
        raise NotImplementedError

    def put(self, key: Hashable, value: Any) -> None:
        """Insert key, or update its value if present; key becomes the most recently used.
        If that takes the cache over capacity, evict the least recently used key. O(1)."""
        raise NotImplementedError

    def __len__(self) -> int:
        """Number of entries cached now."""
        raise NotImplementedError
