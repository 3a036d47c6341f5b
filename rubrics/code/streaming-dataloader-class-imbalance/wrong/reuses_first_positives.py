# expect-fail: test_balanced_uses_most_positives
"""Oversamples positives from a buffer that is filled once and never refreshed."""

from __future__ import annotations

import csv
import random


class CSVStream:
    def __init__(self, path):
        self.path = path

    def __iter__(self):
        with open(self.path, newline="") as f:
            reader = csv.reader(f)
            next(reader)
            for record in reader:
                yield [float(v) for v in record[:-1]], int(record[-1])


class BatchLoader:
    def __init__(self, dataset, batch_size, *, balanced=False, buffer_rows=1024, seed=0):
        self.dataset, self.batch_size, self.balanced = dataset, batch_size, balanced
        self.rng = random.Random(seed)

    def __iter__(self):
        half = self.batch_size // 2
        positives, batch = [], []
        for row in self.dataset:
            if self.balanced and row[1] == 1:
                if len(positives) < half:
                    positives.append(row)
                continue
            batch.append(row)
            if self.balanced and positives and len(batch) == self.batch_size - half:
                batch += [self.rng.choice(positives) for _ in range(half)]
            if len(batch) == self.batch_size:
                yield [r[0] for r in batch], [r[1] for r in batch]
                batch = []
        if batch and not self.balanced:
            yield [r[0] for r in batch], [r[1] for r in batch]
