# expect-fail: test_large_pipeline
"""Depth-first search with recursion: a chain of 10,000 tasks exceeds Python's recursion limit."""

from __future__ import annotations


class CycleError(ValueError):
    def __init__(self, tasks):
        super().__init__(f"cycle among tasks: {', '.join(tasks)}")
        self.tasks = tasks


def task_order(tasks, dependencies):
    after = {t: [] for t in tasks}
    for before, then in dependencies:
        after[before].append(then)
    state = {}  # 1 = on the current path, 2 = done
    order = []
    path = []

    def visit(task):
        if state.get(task) == 2:
            return
        if state.get(task) == 1:
            raise CycleError(path[path.index(task) :])
        state[task] = 1
        path.append(task)
        for nxt in after[task]:
            visit(nxt)
        path.pop()
        state[task] = 2
        order.append(task)

    for t in tasks:
        visit(t)
    return order[::-1]
