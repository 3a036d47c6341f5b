"""Top-k trending items over a sliding one-hour window of click events."""

from __future__ import annotations


class TrendingItems:
    """Counts clicks per item over the last window_s seconds and answers top-k queries.

    Timestamps are seconds (floats). Clicks arrive roughly in timestamp order, but a click
    can be up to a minute late: its timestamp may be smaller than ones already added.
    """

    def __init__(self, window_s: float = 3600.0) -> None:
        raise NotImplementedError

    def add(self, user_id: str, item_id: str, ts: float) -> None:
        """Record one click on item_id by user_id at time ts."""
        raise NotImplementedError

    def top_k(self, k: int, now: float) -> list[tuple[str, int]]:
        """The k most clicked items among clicks with now - window_s < ts <= now.

        Returns (item_id, clicks) pairs, most clicks first; equal counts are ordered by
        item_id (ascending). Fewer than k pairs when fewer items were clicked. ``now`` never
        decreases from one call to the next, and every click added so far has ts <= now.
        This is called about once a second while clicks keep arriving.
        """
        raise NotImplementedError
