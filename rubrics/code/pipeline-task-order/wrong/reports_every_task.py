# expect-fail: test_cycle_names_its_tasks
"""Detects the cycle but reports every task in the pipeline as part of it."""

from __future__ import annotations

from collections import deque


class CycleError(ValueError):
    def __init__(self, tasks):
        super().__init__(f"cycle among tasks: {', '.join(tasks)}")
        self.tasks = tasks


def task_order(tasks, dependencies):
    after = {t: [] for t in tasks}
    indegree = dict.fromkeys(tasks, 0)
    for before, then in set(dependencies):
        after[before].append(then)
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
        raise CycleError(list(tasks))
    return order
