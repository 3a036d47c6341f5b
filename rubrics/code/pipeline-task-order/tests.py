"""Tests for pipeline-task-order; each test gets the candidate's module."""

from __future__ import annotations

import itertools
import random
import time

VISIBLE = ("test_simple_chain", "test_cycle_is_reported")


def _check_order(sol, tasks: list[str], deps: list[tuple[str, str]], what: str) -> list[str]:
    try:
        order = list(sol.task_order(list(tasks), list(deps)))
    except sol.CycleError as e:
        named = list(getattr(e, "tasks", []))
        raise AssertionError(
            f"{what}: there is no cycle, but a CycleError named {named[:5]}"
            + (" and more" if len(named) > 5 else "")
        ) from e
    assert sorted(order) == sorted(tasks), (
        f"{what}: every task should appear exactly once; got {len(order)} tasks for "
        f"{len(tasks)}" + (f": {order}" if len(order) < 20 else "")
    )
    position = {t: i for i, t in enumerate(order)}
    for before, after in deps:
        assert position[before] < position[after], (
            f"{what}: {before!r} must run before {after!r}"
            + (f", but the order was {order}" if len(order) < 20 else "")
        )
    return order


def _expect_cycle(sol, tasks: list[str], deps: list[tuple[str, str]], what: str):
    try:
        order = sol.task_order(list(tasks), list(deps))
    except sol.CycleError as e:
        return e
    raise AssertionError(f"{what}: expected a CycleError, got the order {order}")


def test_simple_chain(sol):
    """build features, train, evaluate"""
    order = _check_order(
        sol,
        ["evaluate", "train", "build_features"],
        [("build_features", "train"), ("train", "evaluate")],
        "a chain",
    )
    assert order == ["build_features", "train", "evaluate"], f"got {order}"


def test_cycle_is_reported(sol):
    """two tasks that wait for each other"""
    _expect_cycle(
        sol, ["train", "tune"], [("train", "tune"), ("tune", "train")], "a two-task cycle"
    )


def test_tasks_without_dependencies(sol):
    """tasks with no dependencies"""
    tasks = ["export", "ingest", "clean", "report", "train"]
    _check_order(sol, tasks, [("ingest", "clean"), ("clean", "train")], "independent tasks")


def test_diamond(sol):
    """two branches that join"""
    deps = [
        ("ingest", "features"),
        ("ingest", "labels"),
        ("features", "train"),
        ("labels", "train"),
    ]
    _check_order(sol, ["train", "labels", "features", "ingest"], deps, "a diamond")


def test_task_depending_on_itself(sol):
    """a task that depends on itself"""
    e = _expect_cycle(sol, ["a", "b"], [("a", "b"), ("b", "b")], "'b' depends on itself")
    assert "b" in list(e.tasks), f"the cycle is b -> b, but CycleError.tasks is {list(e.tasks)}"


def test_repeated_dependency(sol):
    """the same dependency listed twice"""
    deps = [("ingest", "train"), ("ingest", "train"), ("train", "deploy")]
    _check_order(sol, ["deploy", "train", "ingest"], deps, "a repeated pair")


def test_cycle_names_its_tasks(sol):
    """which tasks are in the cycle"""
    tasks = ["x", "a", "b", "c", "d", "y"]
    deps = [("x", "a"), ("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]
    e = _expect_cycle(sol, tasks, deps, "the cycle a -> b -> c -> a")
    named = set(e.tasks)
    assert {"a", "b", "c"} <= named, f"the cycle is a -> b -> c -> a, CycleError.tasks is {e.tasks}"
    assert not named & {"x", "y"}, (
        f"'x' and 'y' can still run, but CycleError.tasks is {e.tasks}; name only the tasks "
        "on the cycle (or blocked by it)"
    )


def test_large_pipeline(sol):
    """ten thousand tasks"""
    chain = [f"step{i:05d}" for i in range(10_000)]
    deps = list(itertools.pairwise(chain))
    rng = random.Random(1)
    shuffled = chain[:]
    rng.shuffle(shuffled)
    start = time.process_time()
    _check_order(sol, shuffled, deps, "a chain of 10,000 tasks")
    rank = {t: i for i, t in enumerate(shuffled)}
    extra = []
    for _ in range(40_000):
        a, b = rng.sample(shuffled, 2)
        extra.append((a, b) if rank[a] < rank[b] else (b, a))
    _check_order(sol, shuffled, extra, "10,000 tasks and 40,000 random dependencies")
    seconds = time.process_time() - start
    assert seconds < 2.0, f"10,000 tasks took {seconds:.1f} s of CPU; aim for O(tasks + deps)"
