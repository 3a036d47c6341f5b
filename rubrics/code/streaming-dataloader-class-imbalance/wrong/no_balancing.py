# expect-fail: test_balanced_batches_are_balanced
"""Streams correctly but ignores balanced=True: batches keep the file's 5% positives."""

from __future__ import annotations

import csv


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
        self.dataset, self.batch_size = dataset, batch_size

    def __iter__(self):
        batch = []
        for row in self.dataset:
            batch.append(row)
            if len(batch) == self.batch_size:
                yield [r[0] for r in batch], [r[1] for r in batch]
                batch = []
        if batch:
            yield [r[0] for r in batch], [r[1] for r in batch]
