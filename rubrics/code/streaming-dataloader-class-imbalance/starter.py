"""Stream a CSV that does not fit in memory, in mini-batches, with class-balanced sampling.

There is no PyTorch here: two plain Python iterables play the parts of torch's
IterableDataset (CSVStream) and DataLoader (BatchLoader).

The CSV file has a header row. Every column but the last is a numeric feature; the last
column is the label, 0 or 1. Positives (label 1) are rare. The file can be far bigger than
memory, so never read all of it at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator


class CSVStream:
    """The rows of a CSV file, read lazily, like an IterableDataset.

    Iterating yields (features, label) for every data row, in file order: features is a
    list of floats, label an int. Each new ``iter()`` starts a fresh pass over the file
    (one epoch), so the stream can be iterated again and again. Memory use must not grow
    with the file: read a line, or a small block of lines, at a time.
    """

    def __init__(self, path: str) -> None:
        raise NotImplementedError

    def __iter__(self) -> Iterator[tuple[list[float], int]]:
        raise NotImplementedError


class BatchLoader:
    """Mini-batches from a stream of (features, label) rows, like a DataLoader.

    dataset: any iterable of (features, label) rows, for example a CSVStream.
    batch_size: rows per batch; only the last batch of a pass may be smaller.
    balanced: False -> every row of the dataset exactly once per pass (shuffling within
        the buffer is welcome). True -> both classes about equally often, batch by batch:
        oversample the rare class or undersample the common one, your choice; a pass still
        ends when the dataset runs out.
    buffer_rows: the most rows held in memory at once (shuffle or per-class buffers).
    seed: seed for every random choice, so a run can be repeated.

    Iterating yields (features, labels): features is a list of rows (each a list of
    floats), labels the list of their int labels, in the same order.
    """

    def __init__(
        self,
        dataset: Iterable[tuple[list[float], int]],
        batch_size: int,
        *,
        balanced: bool = False,
        buffer_rows: int = 1024,
        seed: int = 0,
    ) -> None:
        raise NotImplementedError

    def __iter__(self) -> Iterator[tuple[list[list[float]], list[int]]]:
        raise NotImplementedError
