"""Tests for streaming-dataloader-class-imbalance; each test gets the candidate's module.

The tests write their CSV files in the current directory and delete them afterwards.
"""

from __future__ import annotations

import os
import tracemalloc

import numpy as np

VISIBLE = ("test_reads_rows_in_file_order", "test_plain_batches_cover_every_row_once")

_ROWS = 20_000
_POSITIVE_RATE = 0.05


def _labels(n: int, rate: float, seed: int) -> np.ndarray:
    return (np.random.default_rng(seed).random(n) < rate).astype(int)


def _write_indexed_csv(path: str, labels: np.ndarray) -> None:
    """Row i has features [i, (i % 7) / 8, label / 2]; the first feature names the row."""
    with open(path, "w") as f:
        f.write("row_id,bucket,hint,label\n")
        f.writelines(f"{i},{(i % 7) / 8},{y / 2},{y}\n" for i, y in enumerate(labels.tolist()))


def _collect(loader: object) -> list[tuple[np.ndarray, np.ndarray]]:
    batches = []
    for features, labels in loader:
        X = np.asarray(features, dtype=float)
        y = np.asarray(labels).astype(int).reshape(-1)
        assert X.ndim == 2 and len(X) == len(y), (
            f"a batch should be (rows, labels) of equal length, got {X.shape} and {y.shape}"
        )
        batches.append((X, y))
    return batches


def _balanced_batches(sol, path: str) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
    labels = _labels(_ROWS, _POSITIVE_RATE, seed=3)
    _write_indexed_csv(path, labels)
    try:
        loader = sol.BatchLoader(sol.CSVStream(path), 32, balanced=True, buffer_rows=512, seed=0)
        return labels, _collect(loader)
    finally:
        os.remove(path)


def test_reads_rows_in_file_order(sol):
    """reading a three-row file"""
    path = "three_rows.csv"
    with open(path, "w") as f:
        f.write("age,income,label\n31,52000.5,0\n45,61000,1\n22.5,0.25,0\n")
    try:
        rows = [(list(map(float, x)), int(y)) for x, y in sol.CSVStream(path)]
    finally:
        os.remove(path)
    want = [([31.0, 52000.5], 0), ([45.0, 61000.0], 1), ([22.5, 0.25], 0)]
    assert rows == want, f"expected {want} (header skipped, label last), got {rows}"


def test_plain_batches_cover_every_row_once(sol):
    """ten rows in batches of four"""
    path = "ten_rows.csv"
    _write_indexed_csv(path, np.array([0, 1, 0, 0, 0, 1, 0, 0, 0, 0]))
    try:
        batches = _collect(sol.BatchLoader(sol.CSVStream(path), 4, balanced=False, seed=0))
    finally:
        os.remove(path)
    sizes = [len(y) for _, y in batches]
    assert sizes == [4, 4, 2], f"10 rows in batches of 4 should give sizes [4, 4, 2], got {sizes}"
    ids = sorted(int(r) for X, _ in batches for r in X[:, 0])
    assert ids == list(range(10)), f"every row should appear exactly once, got rows {ids}"


def test_two_passes_over_the_file(sol):
    """iterating the file twice"""
    path = "two_passes.csv"
    _write_indexed_csv(path, _labels(50, 0.2, seed=1))
    try:
        stream = sol.CSVStream(path)
        first = [int(x[0]) for x, _ in stream]
        second = [int(x[0]) for x, _ in stream]
    finally:
        os.remove(path)
    assert first == list(range(50)), f"the first pass should give rows 0..49, got {len(first)} rows"
    assert second == first, (
        f"the second pass gave {len(second)} rows instead of 50; each iter() should reopen the file"
    )


def test_memory_stays_under_cap(sol):
    """a file five times bigger than the memory cap"""
    path = "big.csv"
    cap = 1_000_000
    rng = np.random.default_rng(2)
    cols = [f"f{j}" for j in range(16)]
    with open(path, "w") as f:
        f.write(",".join([*cols, "label"]) + "\n")
        for _ in range(34):
            block = np.round(rng.normal(size=(1000, 16)), 6)
            labels = (rng.random(1000) < 0.02).astype(int)
            f.writelines(
                ",".join(map(repr, row)) + f",{y}\n"
                for row, y in zip(block.tolist(), labels, strict=True)
            )
    size = os.path.getsize(path)
    try:
        tracemalloc.start()
        try:
            loader = sol.BatchLoader(sol.CSVStream(path), 32, balanced=True, buffer_rows=256)
            batches = 0
            for _batch in loader:
                batches += 1
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    finally:
        os.remove(path)
    assert batches > 0, "the loader yielded no batches"
    assert peak < cap, (
        f"reading a {size / 1e6:.1f} MB file with buffer_rows=256 allocated up to "
        f"{peak / 1e6:.1f} MB at once; the cap is {cap / 1e6:.1f} MB, so stream it row by row"
    )


def test_balanced_batches_are_balanced(sol):
    """balanced batches when positives are rare"""
    labels, batches = _balanced_batches(sol, "balance.csv")
    sizes = [len(y) for _, y in batches]
    assert all(s == 32 for s in sizes[:-1]) and sizes and sizes[-1] <= 32, (
        f"batches should hold 32 rows (the last may be smaller), got sizes {sorted(set(sizes))}"
    )
    positives = int(labels.sum())
    assert len(batches) >= positives / 32, (
        f"only {len(batches)} batches from {_ROWS} rows with {positives} positives"
    )
    fractions = np.array([y.mean() for _, y in batches])
    overall = float(np.concatenate([y for _, y in batches]).mean())
    assert 0.4 <= overall <= 0.6, (
        f"with balanced=True {overall:.0%} of the sampled rows are positive; expected about 50%"
    )
    ok = float(((fractions >= 0.25) & (fractions <= 0.75)).mean())
    assert ok >= 0.8, f"only {ok:.0%} of batches hold between 25% and 75% positives"


def test_balanced_rows_are_real_rows(sol):
    """features and labels stay together"""
    labels, batches = _balanced_batches(sol, "genuine.csv")
    for X, y in batches:
        ids = X[:, 0].astype(int)
        assert np.all((ids >= 0) & (ids < _ROWS)), "a batch holds a row that is not in the file"
        want = np.column_stack([ids, (ids % 7) / 8, labels[ids] / 2])
        bad = np.flatnonzero(np.abs(X - want).max(axis=1) > 1e-9)
        assert len(bad) == 0, f"row {ids[bad[0]]} came out with features {X[bad[0]].tolist()}"
        wrong = np.flatnonzero(labels[ids] != y)
        assert len(wrong) == 0, (
            f"row {ids[wrong[0]]} has label {labels[ids[wrong[0]]]} in the file but "
            f"{y[wrong[0]]} in the batch"
        )


def test_balanced_uses_most_positives(sol):
    """many different positives, not a few repeated"""
    labels, batches = _balanced_batches(sol, "distinct.csv")
    seen = {int(r) for X, y in batches for r in X[y == 1, 0]}
    total = int(labels.sum())
    assert len(seen) >= total / 2, (
        f"the balanced batches use only {len(seen)} different positives out of {total}"
    )


def test_balanced_samples_span_the_file(sol):
    """negatives from the whole file"""
    _, batches = _balanced_batches(sol, "span.csv")
    ids = np.concatenate([X[y == 0, 0] for X, y in batches]).astype(int)
    assert len(ids) > 0, "the balanced batches hold no negatives"
    share = np.bincount(ids * 4 // _ROWS, minlength=4) / len(ids)
    assert share.min() >= 0.1, (
        f"negatives per quarter of the file: {[f'{s:.0%}' for s in share]}; sample across the "
        "whole pass, not only the start"
    )
