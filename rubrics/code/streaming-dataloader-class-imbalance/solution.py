"""Reference: a lazy csv.reader per pass; a shuffle buffer, or per-class buffers that
undersample the common class, both bounded by buffer_rows."""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable, Iterator

Row = tuple[list[float], int]
Batch = tuple[list[list[float]], list[int]]


class CSVStream:
    def __init__(self, path: str) -> None:
        self.path = path

    def __iter__(self) -> Iterator[Row]:
        with open(self.path, newline="") as f:
            reader = csv.reader(f)
            next(reader, None)  # header
            for record in reader:
                if record:
                    *features, label = record
                    yield [float(v) for v in features], int(float(label))


def _collate(rows: list[Row]) -> Batch:
    return [r[0] for r in rows], [r[1] for r in rows]


def _pop_random(buf: list[Row], rng: random.Random) -> Row:
    i = rng.randrange(len(buf))
    buf[i], buf[-1] = buf[-1], buf[i]
    return buf.pop()


class BatchLoader:
    def __init__(
        self,
        dataset: Iterable[Row],
        batch_size: int,
        *,
        balanced: bool = False,
        buffer_rows: int = 1024,
        seed: int = 0,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.dataset = dataset
        self.batch_size = batch_size
        self.balanced = balanced
        self.buffer_rows = max(buffer_rows, batch_size)
        self.seed = seed

    def __iter__(self) -> Iterator[Batch]:
        rng = random.Random(self.seed)
        return self._balanced(rng) if self.balanced else self._shuffled(rng)

    def _shuffled(self, rng: random.Random) -> Iterator[Batch]:
        """Every row once, shuffled within a buffer of buffer_rows rows."""
        buf: list[Row] = []
        batch: list[Row] = []
        for row in self.dataset:
            buf.append(row)
            if len(buf) >= self.buffer_rows:
                batch.append(_pop_random(buf, rng))
                if len(batch) == self.batch_size:
                    yield _collate(batch)
                    batch = []
        rng.shuffle(buf)
        for row in buf:
            batch.append(row)
            if len(batch) == self.batch_size:
                yield _collate(batch)
                batch = []
        if batch:
            yield _collate(batch)

    def _balanced(self, rng: random.Random) -> Iterator[Batch]:
        """Half a batch from each class's buffer. A full buffer replaces a random old row,
        so the common class is undersampled uniformly over the pass."""
        need = {1: self.batch_size // 2, 0: self.batch_size - self.batch_size // 2}
        cap = max(self.buffer_rows // 2, max(need.values()))
        buffers: dict[int, list[Row]] = {0: [], 1: []}
        for row in self.dataset:
            buf = buffers[1 if row[1] else 0]
            if len(buf) < cap:
                buf.append(row)
            else:
                buf[rng.randrange(cap)] = row
            if all(len(buffers[c]) >= need[c] for c in (0, 1)):
                batch = [_pop_random(buffers[c], rng) for c in (0, 1) for _ in range(need[c])]
                rng.shuffle(batch)
                yield _collate(batch)
