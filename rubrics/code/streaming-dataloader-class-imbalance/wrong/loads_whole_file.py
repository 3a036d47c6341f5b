# expect-fail: test_memory_stays_under_cap
"""Reads every line into a list first, so memory grows with the file."""

from __future__ import annotations

import random


class CSVStream:
    def __init__(self, path):
        self.path = path

    def __iter__(self):
        with open(self.path) as f:
            lines = f.read().splitlines()[1:]
        for line in lines:
            *features, label = line.split(",")
            yield [float(v) for v in features], int(label)


class BatchLoader:
    def __init__(self, dataset, batch_size, *, balanced=False, buffer_rows=1024, seed=0):
        self.dataset, self.batch_size, self.balanced = dataset, batch_size, balanced
        self.rng = random.Random(seed)

    def __iter__(self):
        if not self.balanced:
            batch = []
            for row in self.dataset:
                batch.append(row)
                if len(batch) == self.batch_size:
                    yield [r[0] for r in batch], [r[1] for r in batch]
                    batch = []
            if batch:
                yield [r[0] for r in batch], [r[1] for r in batch]
            return
        pos, neg = [], []
        half = self.batch_size // 2
        for row in self.dataset:
            (pos if row[1] == 1 else neg).append(row)
            if len(pos) >= half and len(neg) >= self.batch_size - half:
                batch = pos[:half] + neg[: self.batch_size - half]
                pos, neg = pos[half:], []
                self.rng.shuffle(batch)
                yield [r[0] for r in batch], [r[1] for r in batch]
