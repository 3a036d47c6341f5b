# expect-fail: test_two_passes_over_the_file
"""Opens the file once in __init__, so a second epoch finds the file handle exhausted."""

from __future__ import annotations

import csv
import random


class CSVStream:
    def __init__(self, path):
        self.f = open(path, newline="")  # noqa: SIM115 - the mistake under test
        self.reader = csv.reader(self.f)
        next(self.reader)

    def __iter__(self):
        for record in self.reader:
            yield [float(v) for v in record[:-1]], int(record[-1])


class BatchLoader:
    def __init__(self, dataset, batch_size, *, balanced=False, buffer_rows=1024, seed=0):
        self.dataset, self.batch_size, self.balanced = dataset, batch_size, balanced
        self.buffer_rows = buffer_rows
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
        half = self.batch_size // 2
        bufs = {0: [], 1: []}
        for row in self.dataset:
            buf = bufs[row[1]]
            if len(buf) < self.buffer_rows // 2:
                buf.append(row)
            else:
                buf[self.rng.randrange(len(buf))] = row
            if len(bufs[1]) >= half and len(bufs[0]) >= self.batch_size - half:
                batch = [bufs[1].pop() for _ in range(half)]
                batch += [bufs[0].pop() for _ in range(self.batch_size - half)]
                self.rng.shuffle(batch)
                yield [r[0] for r in batch], [r[1] for r in batch]
