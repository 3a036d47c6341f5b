"""ROC AUC from scratch (no sklearn)."""

from __future__ import annotations

from collections.abc import Sequence


def roc_auc(y_true: Sequence[int], y_score: Sequence[float]) -> float:
    """Area under the ROC curve.

    y_true: binary labels, 0 or 1 (a list or a NumPy array).
    y_score: the model's scores, same length; higher means more likely positive.
        Scores can tie (they are often rounded).

    Returns the AUC as a float: the probability that a random positive scores higher than a
    random negative, counting a tie as one half. Raises ValueError when y_true holds only one
    class, since the AUC is undefined then. Expect up to ten million predictions.
    """
    raise NotImplementedError
