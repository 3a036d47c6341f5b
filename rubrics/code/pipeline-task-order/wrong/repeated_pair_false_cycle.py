# expect-fail: test_repeated_dependency
"""Kahn's algorithm with a set of successors but an in-degree that counts repeated pairs,
so a task listed twice never becomes ready and a cycle is reported."""

from __future__ import annotations

from collections import deque


class CycleError(ValueError):
    def __init__(self, tasks):
        super().__init__(f"cycle among tasks: {', '.join(tasks)}")
        self.tasks = tasks


def task_order(tasks, dependencies):
    after = {t: set() for t in tasks}
    indegree = dict.fromkeys(tasks, 0)
    for before, then in dependencies:
        after[before].add(then)
        indegree[then] += 1
    ready = deque(t for t in tasks if indegree[t] == 0)
    order = []
    while ready:
        task = ready.popleft()
        order.append(task)
        for nxt in after[task]:
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                ready.append(nxt)
    if len(order) < len(tasks):
        raise CycleError([t for t in tasks if t not in order])
    return order
