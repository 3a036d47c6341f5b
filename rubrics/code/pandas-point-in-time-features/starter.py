"""Point-in-time features for card transactions: each user's activity in the previous 24 hours.

pandas is not installed in this sandbox, so the DataFrame comes as a list of dicts, one per
row; NumPy is available. Think of ``rows`` as ``df.to_dict("records")``.
"""

from __future__ import annotations

from typing import Any

DAY_S = 24 * 60 * 60


def add_point_in_time_features(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add two features to every transaction.

    rows: dicts with keys "user_id" (str), "ts" (int, seconds since the epoch, UTC) and
    "amount" (float). They are not sorted, and a user can have several transactions with
    the same ts.

    Returns a new list of rows in the same order as ``rows``; each is a copy of the input row
    with two more keys, computed over the OTHER transactions of the same user whose timestamp
    t satisfies ts - 86400 <= t < ts:
        "txn_count_24h": how many there are (int)
        "amount_mean_24h": their mean amount (float), or float("nan") when there are none
    About fifty million rows from two million users in production.
    """
    raise NotImplementedError
